#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the BPF ELF objects embedded in executables (libbpf skeletons
keep the whole object as bytes) to OUT_DIR as NAME[N].bpf.o, for the
object tests: real-world objects that neither uebpf nor its tests made.

usage: extract_bpf_objects.py OUT_DIR EXECUTABLE...
"""
import os
import struct
import sys

EM_BPF = 247
ET_REL = 1


def objects_in(data):
    at = data.find(b"\x7fELF\x02\x01\x01")
    while at >= 0:
        if len(data) - at >= 64:
            e_type, e_machine = struct.unpack_from("<HH", data, at + 16)
            (e_shoff,) = struct.unpack_from("<Q", data, at + 40)
            e_shentsize, e_shnum = struct.unpack_from("<HH", data, at + 58)
            size = e_shoff + e_shentsize * e_shnum
            if e_type == ET_REL and e_machine == EM_BPF and 64 <= size <= len(data) - at:
                yield data[at:at + size]
        at = data.find(b"\x7fELF\x02\x01\x01", at + 1)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    count = 0
    for path in sys.argv[2:]:
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError:
            continue
        for k, obj in enumerate(objects_in(data)):
            name = os.path.basename(path) + (str(k) if k else "") + ".bpf.o"
            with open(os.path.join(out, name), "wb") as f:
                f.write(obj)
            count += 1
    print(f"{count} BPF objects extracted into {out}")


main()
