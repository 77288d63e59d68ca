#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The .BTF.ext records uebpf parses match what LLVM's and the kernel's
tools say about the same objects.

  btf_ext_oracle_test.py DUMPER OBJDUMP READELF DWARFDUMP BPFTOOL OBJ.o...

DUMPER (object_btf_ext_test --dump) prints what uebpf parsed. Where each
expected value comes from (none from uebpf):
  sections   llvm-readelf -S: every executable section with code has
             records, no other section has;
  func_info  llvm-readelf -s: the FUNC symbols of each section and their
             offsets; bpftool btf dump: the id of the BTF FUNC of that
             name. The function containing each instruction is the symbol
             covering it;
  line_info  llvm-dwarfdump --debug-line: the DWARF line table (line,
             column, file) of each section (sequences matched to sections
             by the relocations of .debug_line in llvm-readelf -r): each
             line record agrees with the DWARF row at its instruction, and
             every DWARF row agrees with the line record in effect there
             (at a function's first instruction with no location, DWARF
             gives the line of its opening brace, BTF the line of its
             declaration: DW_AT_decl_line from llvm-dwarfdump --debug-info);
             the source line text is the file's line read from disk;
  core_relo  the test programs' source: the relocations each program
             asks for (kind, root type, access string, hand-computed
             from the struct layouts below) and the value clang must have
             put in the relocated instruction (llvm-objdump -d); type ids
             by name from bpftool.
"""
import collections
import os
import re
import subprocess
import sys

# CO-RE relocations of testdata/btf_ext_core.bpf.c, per section: (kind,
# root type, access string, value in the instruction or None where clang
# picks it: the load offset, size and left shift of a bitfield).
#   struct core_obj { int a @0; struct { short b @4; unsigned bits_lo:3
#   @bit 48; int bits_hi:9 @bit 51 }; struct core_inner in @8 { int
#   before @8; long arr[6] @16 }; struct core_obj *next @64 }
#   enum core_color { CORE_RED = 1, CORE_GREEN = 7, CORE_BLUE = 42 }
BITFIELD_LO = [("byte_off", "core_obj", "0:1:1", None), ("byte_sz", "core_obj", "0:1:1", None),
               ("lshift_u64", "core_obj", "0:1:1", None), ("signed", "core_obj", "0:1:1", 0),
               ("rshift_u64", "core_obj", "0:1:1", 64 - 3), ("rshift_u64", "core_obj", "0:1:1", 64 - 3)]
BITFIELD_HI = [("byte_off", "core_obj", "0:1:2", None), ("byte_sz", "core_obj", "0:1:2", None),
               ("lshift_u64", "core_obj", "0:1:2", None), ("signed", "core_obj", "0:1:2", 1),
               ("rshift_u64", "core_obj", "0:1:2", 64 - 9), ("rshift_u64", "core_obj", "0:1:2", 64 - 9)]
EXPECT_CORE = {
    "btf_ext_core.bpf.o": {
        "raw_tp/core_fields": [
            ("byte_off", "core_obj", "0:0", 0),        # o->a
            ("byte_off", "core_obj", "0:1:0", 4),      # o->b (anonymous struct, field 1)
            ("byte_off", "core_obj", "0:2:1:3", 40),   # o->in.arr[3]: 8 + 8 + 3 * 8
            ("byte_off", "core_obj", "0:3", 64),       # o->next
            ("byte_off", "core_obj", "0:2:0", 8),      # next->in.before
            ("byte_off", "core_obj", "0:2", 8),        # o->in (then arr[5] at a fixed offset)
        ] + BITFIELD_LO + BITFIELD_HI,
        "raw_tp/core_checks": [
            ("field_exists", "core_obj", "0:1:0", 1),
            ("byte_sz", "core_obj", "0:2:1", 48),      # long arr[6]
            ("signed", "core_obj", "0:1:2", 1),
            ("lshift_u64", "core_obj", "0:1:2", None),
            ("rshift_u64", "core_obj", "0:1:1", 64 - 3),
            ("byte_off", "core_obj", "0:2:0", 8),
            ("local_type_id", "core_obj", "0", "id"),
            ("target_type_id", "core_inner", "0", "id"),
            ("type_exists", "core_cookie_t", "0", 1),
            ("type_size", "core_inner", "0", 56),
            ("type_matches", "core_color", "0", 1),
            ("enumval_exists", "core_color", "1", 1),  # CORE_GREEN is value #1
            ("enumval_value", "core_color", "2", 42),  # CORE_BLUE is value #2
        ],
    },
}

passed = 0
failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        if failed <= 40:
            print("FAIL " + what)


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def elf_sections(readelf, obj):
    """index -> (name, type, size, flags) from llvm-readelf -S."""
    secs = {}
    for line in run(readelf, "-S", "-W", obj).splitlines():
        m = re.match(r"\s*\[\s*(\d+)\]\s+(\S+)\s+(.*)$", line)
        if not m or m.group(2) == "Name":
            continue
        rest = m.group(3).split()
        # Type Address Off Size ES [Flg] Lk Inf Al
        flags = rest[5] if len(rest) == 9 else ""
        secs[int(m.group(1))] = (m.group(2), rest[0], int(rest[3], 16), flags)
    return secs


def elf_symbols(readelf, obj):
    """(name, type, section index, value, size) from llvm-readelf -s."""
    syms = []
    for line in run(readelf, "-s", "-W", obj).splitlines():
        t = line.split()
        if len(t) == 8 and t[0].endswith(":") and t[6].isdigit():
            syms.append((t[7], t[3], int(t[6]), int(t[1], 16), int(t[2])))
    return syms


def debug_line_sections(readelf, obj, sections, symbols):
    """The section of each .debug_line sequence, in order: the targets of
    the 64-bit address relocations of .rel.debug_line."""
    names = {s[0] for s in sections.values()}
    sym_sec = {s[0]: sections[s[2]][0] for s in symbols if s[2] in sections}
    out, inside = [], False
    for line in run(readelf, "-r", "-W", obj).splitlines():
        if line.startswith("Relocation section"):
            inside = "'.rel.debug_line'" in line
            continue
        t = line.split()
        if inside and len(t) >= 5 and t[2] == "R_BPF_64_ABS64":
            out.append(t[4] if t[4] in names else sym_sec.get(t[4], t[4]))
    return out


def dwarf_lines(dwarfdump, obj):
    """Sequences of rows (address, line, column, file path) of the DWARF
    line table."""
    dirs, files, seqs, rows = {}, {}, [], []
    cur = None
    for line in run(dwarfdump, "--debug-line", obj).splitlines():
        m = re.match(r'include_directories\[\s*(\d+)\] = "(.*)"', line)
        if m:
            dirs[int(m.group(1))] = m.group(2)
            continue
        m = re.match(r"file_names\[\s*(\d+)\]:", line)
        if m:
            cur = int(m.group(1))
            continue
        m = re.match(r'\s+name: "(.*)"', line)
        if m and cur is not None:
            files[cur] = [m.group(1), 0]
            continue
        m = re.match(r"\s+dir_index: (\d+)", line)
        if m and cur is not None:
            files[cur][1] = int(m.group(1))
            continue
        m = re.match(r"0x([0-9a-f]+)\s+(\d+)\s+(\d+)\s+(\d+)\s+\d+\s+\d+\s+\d+\s*(.*)$", line)
        if m:
            addr, ln, col, f = (int(m.group(1), 16), int(m.group(2)), int(m.group(3)),
                                int(m.group(4)))
            if "end_sequence" in m.group(5):
                seqs.append(rows)
                rows = []
            else:
                rows.append((addr, ln, col, f))

    def path(f):
        name, d = files[f]
        return name if name.startswith("/") else dirs[d] + "/" + name

    return [[(a, ln, col, path(f)) for a, ln, col, f in s] for s in seqs]


def decl_lines(dwarfdump, obj):
    """Function name -> the line its declaration starts on (DWARF
    DW_AT_decl_line of its DW_TAG_subprogram)."""
    out, name, in_sub = {}, None, False
    for line in run(dwarfdump, "--debug-info", obj).splitlines():
        if "DW_TAG_" in line:
            in_sub, name = "DW_TAG_subprogram" in line, None
            continue
        m = re.search(r'DW_AT_name\s+\("(.*)"\)', line)
        if m and in_sub:
            name = m.group(1)
        m = re.search(r"DW_AT_decl_line\s+\((\d+)\)", line)
        if m and in_sub and name:
            out[name] = int(m.group(1))
    return out


def btf_types(bpftool, obj):
    """id -> (kind, name) from bpftool btf dump."""
    types = {}
    for line in run(bpftool, "btf", "dump", "file", obj).splitlines():
        m = re.match(r"\[(\d+)\] (\S+) '([^']*)'", line)
        if m:
            types[int(m.group(1))] = (m.group(2), m.group(3))
    return types


def disassembly(objdump, obj):
    """section -> {insn index: text} from llvm-objdump -d."""
    out, sec = {}, None
    for line in run(objdump, "-d", "--no-show-raw-insn", obj).splitlines():
        m = re.match(r"Disassembly of section (.*):$", line)
        if m:
            sec = out.setdefault(m.group(1), {})
            continue
        m = re.match(r"\s*(\d+):\s+(.*)$", line)
        if m and sec is not None:
            sec[int(m.group(1))] = m.group(2).strip()
    return out


def insn_value(text):
    """The value a CO-RE relocation patches: a memory access's offset,
    otherwise the immediate."""
    m = re.search(r"\(r\d+ ([+-]) (0x[0-9a-f]+|\d+)\)", text)
    if m:
        v = int(m.group(2), 0)
        return -v if m.group(1) == "-" else v
    m = re.search(r"(-?0x[0-9a-f]+|-?\d+)( ll)?$", text)
    return int(m.group(1), 0) if m else None


def parse_dump(dumper, obj):
    secs, cur = {}, None
    for line in run(dumper, "--dump", obj).splitlines():
        kind, _, rest = line.partition(" ")
        if kind == "sec":
            cur = secs[rest] = {"func": [], "line": [], "core": [], "at": {}}
        elif kind == "func":
            cur["func"].append(tuple(int(x) for x in rest.split()))
        elif kind == "line":
            head, _, text = rest.partition("\t")
            insn, ln, col, path = head.split(" ", 3)
            cur["line"].append((int(insn), int(ln), int(col), path, text))
        elif kind == "core":
            insn, tid, k, acc = rest.split(" ")
            cur["core"].append((int(insn), int(tid), k, acc))
        elif kind == "at":
            insn, fid, ln, col, path = rest.split(" ", 4)
            cur["at"][int(insn)] = (int(fid), ln, col, path)
    return secs


def source_line(path, n, cache={}):
    if path not in cache:
        with open(path, encoding="utf-8", errors="replace") as f:
            cache[path] = f.read().split("\n")
    lines = cache[path]
    return lines[n - 1] if 0 < n <= len(lines) else None


def check_object(tools, obj):
    dumper, objdump, readelf, dwarfdump, bpftool = tools
    base = os.path.basename(obj)
    got = parse_dump(dumper, obj)
    sections = elf_sections(readelf, obj)
    symbols = elf_symbols(readelf, obj)
    types = btf_types(bpftool, obj)
    func_id = {name: i for i, (k, name) in types.items() if k == "FUNC"}
    type_id = {}
    for i, (k, name) in sorted(types.items()):
        if k in ("STRUCT", "UNION", "ENUM", "ENUM64", "TYPEDEF"):
            type_id.setdefault(name, i)

    # Sections: the executable ones with code, exactly.
    code = {name: size for name, typ, size, flags in sections.values()
            if typ == "PROGBITS" and "X" in flags and size > 0}
    check(set(got) == set(code), f"{base}: sections {sorted(got)} != {sorted(code)}")

    # func_info: FUNC symbols and BTF FUNC ids.
    idx_of = {name: i for i, (name, *_r) in sections.items()}
    for sec in code:
        want = sorted((value // 8, func_id.get(name, -1)) for name, typ, ndx, value, size
                      in symbols if typ == "FUNC" and ndx == idx_of[sec])
        have = got.get(sec, {}).get("func", [])
        check(have == want, f"{base} {sec}: func_info {have} != symbols {want}")
        for name, typ, ndx, value, size in symbols:
            if typ != "FUNC" or ndx != idx_of[sec]:
                continue
            for i in range(value // 8, (value + size) // 8):
                at = got.get(sec, {}).get("at", {}).get(i)
                check(at is not None and at[0] == func_id.get(name),
                      f"{base} {sec} insn {i}: function {at and at[0]} != {name} [{func_id.get(name)}]")

    # line_info against the DWARF line table.
    seq_secs = debug_line_sections(readelf, obj, sections, symbols)
    seqs = dwarf_lines(dwarfdump, obj)
    check(len(seq_secs) == len(seqs),
          f"{base}: {len(seqs)} line sequences, {len(seq_secs)} address relocations")
    rows = collections.defaultdict(dict)  # section -> address -> last row there
    for sec, seq in zip(seq_secs, seqs):
        for addr, ln, col, path in seq:
            rows[sec][addr] = (ln, col, path)
    # Where a function starts without a source location (moving its
    # arguments), DWARF says the line of its opening brace (column 0)
    # and BTF the line its declaration starts on: the row there is
    # expected with DWARF's decl_line.
    decl = decl_lines(dwarfdump, obj)
    for name, typ, ndx, value, size in symbols:
        if typ == "FUNC" and ndx in sections:
            row = rows[sections[ndx][0]].get(value)
            if row and row[1] == 0 and name in decl:
                rows[sections[ndx][0]][value] = (decl[name], 0, row[2])
    line_recs = 0
    for sec in code:
        for insn, ln, col, path, text in got.get(sec, {}).get("line", []):
            line_recs += 1
            row = rows[sec].get(insn * 8)
            check(row is not None and row[0] == ln and row[1] == col and
                  os.path.realpath(row[2]) == os.path.realpath(path),
                  f"{base} {sec} insn {insn}: line record {path}:{ln}:{col} != DWARF {row}")
            want_text = source_line(path, ln)
            check(text == want_text,
                  f"{base} {sec} insn {insn}: text {text!r} != {path}:{ln} {want_text!r}")
        ats = got.get(sec, {}).get("at", {})
        check(len(ats) == code[sec] // 8 and all(a[1] != "-" for a in ats.values()),
              f"{base} {sec}: not every instruction has a line")
        for addr, (ln, col, path) in rows[sec].items():
            if ln == 0:
                continue  # no line (compiler-made code): BTF keeps the previous one
            at = ats.get(addr // 8)
            check(at is not None and at[1:3] == (str(ln), str(col)) and
                  os.path.realpath(at[3]) == os.path.realpath(path),
                  f"{base} {sec} insn {addr // 8}: DWARF {path}:{ln}:{col} != line in effect {at}")
    check(line_recs > 0, f"{base}: no line records")

    # core_relo against the source.
    dis = disassembly(objdump, obj)
    expect = EXPECT_CORE.get(base, {})
    for sec in code:
        have = got.get(sec, {}).get("core", [])
        want = expect.get(sec, [])
        have_keys = sorted((k, types.get(tid, ("?", "?"))[1], acc) for insn, tid, k, acc in have)
        want_keys = sorted((k, name, acc) for k, name, acc, v in want)
        check(have_keys == want_keys, f"{base} {sec}: CO-RE relocations {have_keys} != {want_keys}")
        for insn, tid, k, acc in have:
            name = types.get(tid, ("?", "?"))[1]
            check(type_id.get(name) == tid, f"{base} {sec} insn {insn}: type [{tid}] is not '{name}'")
            values = {v for kk, n, a, v in want if (kk, n, a) == (k, name, acc)}
            if not values or None in values:
                continue
            v = values.pop()
            if v == "id":
                v = type_id.get(name)
            text = dis.get(sec, {}).get(insn, "")
            check(insn_value(text) == v,
                  f"{base} {sec} insn {insn}: {k} {name} {acc}: '{text}' does not hold {v}")
    nfunc = sum(len(s["func"]) for s in got.values())
    ncore = sum(len(s["core"]) for s in got.values())
    print(f"{base}: {len(got)} sections, {nfunc} functions, {line_recs} line records, "
          f"{ncore} CO-RE relocations, {sum(len(r) for r in rows.values())} DWARF rows compared")


def main():
    if len(sys.argv) < 7:
        print(__doc__, file=sys.stderr)
        return 2
    tools = sys.argv[1:6]
    for obj in sys.argv[6:]:
        check_object(tools, obj)
    print(f"btf_ext_oracle_test: {passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
