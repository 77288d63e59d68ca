#!/usr/bin/env bash
# uebpf run OBJ.o: test runs of the examples' programs, their output
# (text, JSON lines, pcap) and the kernel's refusals, with expected values
# worked out from the programs and inputs (not from earlier runs).
#   run_obj_test.sh path/to/uebpf BUILD/examples
set -uo pipefail

uebpf=$(readlink -f "$1")
objs=$(readlink -f "$2")
data=$(cd "$(dirname "$0")/../examples/data" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/test_lib.sh"

# jsonl NAME PYTHON-EXPR ARGS...: stdout is JSON lines; PYTHON-EXPR (on the
# list of objects l) is true.
jsonl() {
  local name=$1 check=$2
  shift 2
  u "$@"
  if python3 -c "import json, sys; l = [json.loads(x) for x in sys.stdin.read().splitlines()]; sys.exit(0 if ($check) else 1)" \
    <<<"$out" 2>"$tmp/pyerr"; then
    pass "$name"
  else
    fail "$name: $check is false for: ${out:0:400} ${err:0:200} $(<"$tmp/pyerr")"
  fi
}

frame=$data/frame.dat # 1500 bytes, IPv4 TCP
fs=$objs/flow_stats.bpf.o
head -c 10 "$frame" >"$tmp/short"
head -c 13 "$frame" >"$tmp/13"

# flow_stats counts packets and bytes per IP protocol (6: TCP).
jsonl "three inputs share the maps" \
  'l[0]["retval_name"] == "XDP_PASS" and l[3]["maps"]["per_protocol"]["entries"][0]["formatted"]["value"] == {"packets": 3, "bytes": 4500}' \
  run "$fs" --data-in "$frame" --data-in "$frame" --data-in "$frame" --dump-maps -j
jsonl "repeat runs on the same packet" \
  'l[-1]["maps"]["per_protocol"]["entries"][0]["formatted"]["value"] == {"packets": 5, "bytes": 7500}' \
  run "$fs" --data-in "$frame" --repeat 5 --dump-maps -j
jsonl "data_out is the packet, unchanged, in lowercase hex" \
  "l[0]['data_out'] == open('$frame', 'rb').read().hex()" run "$fs" --data-in "$frame" -j
jsonl "--global sets a .rodata variable before load" \
  'l[1]["maps"]["per_protocol"]["entries"] == [] and l[1]["maps"]["flow_sta.rodata"]["entries"][0]["formatted"]["value"] == {"min_len": 1600}' \
  run "$fs" --global min_len 40060000 --data-in "$frame" --dump-maps -j
expect "--global of the wrong size" 1 'min_len: 2 bytes given, the variable has 4' \
  run "$fs" --global min_len 4006 --data-in "$frame"
expect "--global of no variable" 1 'no such variable' run "$fs" --global nope 00 --data-in "$frame"
jsonl "a frame under 14 bytes is EINVAL (XDP)" \
  'l[0]["error"] == "EINVAL" and l[0]["errno"] == 22 and l[1]["retval"] == 2' \
  run "$fs" --data-in "$tmp/short" --data-in "$frame" -j
jsonl "a frame under 14 bytes is EINVAL (tc)" 'l[0]["error"] == "EINVAL"' \
  run "$objs/flow_counter.bpf.o" --data-in "$tmp/13" -j
# __sk_buff: only mark, priority, ifindex, cb, tstamp, wire_len, gso and
# hwtstamp may be given; len (offset 0) may not.
printf '\x01\x00\x00\x00' >"$tmp/ctx_len"
printf '\x00\x00\x00\x00\x00\x00\x00\x00\x07\x00\x00\x00' >"$tmp/ctx_mark"
jsonl "ctx_in with len set is EINVAL" 'l[0]["errno"] == 22' \
  run "$objs/flow_counter.bpf.o" --data-in "$frame" --ctx-in "$tmp/ctx_len" -j
# flow_counter marks a new flow 1; ifindex is the loopback device's.
jsonl "ctx_out: the program's mark, the device" \
  'l[0]["ctx_out"]["mark"] == 1 and l[0]["ctx_out"]["ifindex"] == 1 and l[0]["ctx_out"]["len"] == 0 and l[1]["ctx_out"]["mark"] == 2' \
  run "$objs/flow_counter.bpf.o" --data-in "$frame" --data-in "$frame" --ctx-in "$tmp/ctx_mark" -j

# The firewall drops what comes from blocked prefixes; -w keeps the rest.
expect "firewall on the capture, rules from --map-update" 0 'summary: XDP_PASS 26 XDP_DROP 5, 26 packets written' \
  run "$objs/firewall.bpf.o" --pcap "$data/traffic.pcap" --map-update deny_v4 18000000c0a84200 01000000 \
  -w "$tmp/out.pcap"
n=$(python3 -c "
import struct, sys
b = open('$tmp/out.pcap', 'rb').read(); off, n = 24, 0
while off < len(b):
    off += 16 + struct.unpack_from('<I', b, off + 8)[0]; n += 1
print(n)")
[[ $n == 26 ]] && pass "-w wrote 26 packets" || fail "-w wrote $n packets, not 26"
jsonl "rule hits: 5 for 192.168.66.0/24, 1 for 2001:db8:bad::/48" \
  'sorted((e["formatted"]["key"], e["formatted"]["value"]) for e in l[-1]["maps"]["rule_hits"]["entries"]) == [(1, 5), (2, 1)]' \
  run "$objs/firewall.bpf.o" --pcap "$data/traffic.pcap" --map-update deny_v4 18000000c0a84200 01000000 \
  --map-update deny_v6 3000000020010db80bad00000000000000000000 02000000 --dump-maps -j
expect "--map-update with a short key" 1 'the key has 8 bytes, not 4' \
  run "$objs/firewall.bpf.o" --pcap "$data/traffic.pcap" --map-update deny_v4 18000000 01000000
expect "--map-update of no map" 1 "no map named 'nope'" \
  run "$objs/firewall.bpf.o" --data-in "$frame" --map-update nope 00 00

# The SYN logger's ring buffer records come with their packet.
jsonl "ring buffer records per packet" \
  'len(l[0]["ringbuf"]) == 1 and l[0]["ringbuf"][0]["map"] == "events" and l[0]["ringbuf"][0]["data"].startswith("0440") and l[1]["ringbuf"] == []' \
  run "$objs/syn_logger.bpf.o" --pcap "$data/traffic.pcap" -j

# Wrong arguments: a message, never a crash.
expect "no input" 1 'no input' run "$fs"
expect "unknown program" 1 "no program named 'nope'" run "$fs" --prog nope --data-in "$frame"
expect "--engine jit not yet" 1 'JIT is not built yet' run "$fs" --engine jit --data-in "$frame"
expect "--repeat 0" 1 '--repeat takes a count' run "$fs" --repeat 0 --data-in "$frame"
expect "--map-update needs three arguments" 1 'takes 3 arguments' run "$fs" --data-in "$frame" --map-update a b
expect "a pcap that is not one" 1 'frame.dat: ' run "$fs" --pcap "$frame"

echo "run_obj_test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
