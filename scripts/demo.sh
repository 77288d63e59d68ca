#!/usr/bin/env bash
# The main job: everything that works end to end so far, on bundled data.
#   scripts/demo.sh BUILD-DIR
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
uebpf=$build/cli/uebpf
frame=examples/data/frame.dat
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [[ -t 1 ]]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
section() { printf '\n%s== %s ==%s\n' "$bold" "$1" "$plain"; }
run() { printf '$ %s\n' "$*"; "$@"; }

section "1. Assemble, disassemble (llvm-objdump, kernel verifier-log and conformance syntaxes)"
run cat examples/count_zero_bytes.s
run "$uebpf" asm examples/count_zero_bytes.s -o "$tmp/count.bin"
run "$uebpf" disasm --symbol count_zero_bytes "$tmp/count.bin"
run "$uebpf" disasm --syntax kernel "$tmp/count.bin"
run "$uebpf" disasm --syntax conformance --no-raw "$tmp/count.bin"

section "2. Run programs on bundled data ($frame, a 1500-byte TCP frame)"
run "$uebpf" run "$tmp/count.bin" --data-in "$frame" --unchecked
run "$uebpf" run examples/sum_of_squares.s --data-in "$frame"

section "3. C programs compiled with clang -target bpf, run by the interpreter"
progs=$build/bench/progs
if [[ -d $progs ]]; then
  printf '$ %s\n' "$uebpf disasm --symbol bench_parse_hash $progs/parse_hash.bin"
  "$uebpf" disasm --symbol bench_parse_hash "$progs/parse_hash.bin" >"$tmp/parse_hash.txt"
  head -n 14 "$tmp/parse_hash.txt"
  echo "   ... ($(wc -l <"$tmp/parse_hash.txt") instructions)"
  for p in arith_loop checksum parse_hash sieve state_machine load_store; do
    printf '%-14s ' "$p"
    "$uebpf" run "$progs/$p.bin" --data-in "$frame" -j
  done
  echo
  echo "Each result must equal what the same C source computes when compiled natively:"
  run "$build/bench/uebpf-bench" --verify
else
  echo "(clang-19 not found: C programs not built)"
fi

section "4. The checked mode stops a program that reads outside its input"
run cat examples/out_of_bounds.s
printf '$ %s\n' "$uebpf run examples/out_of_bounds.s --mem \"01 02 03 04\""
"$uebpf" run examples/out_of_bounds.s --mem "01 02 03 04" || echo "(exit status $?: stopped, nothing read)"

section "5. The BPF ISA conformance suite (313 cases), both interpreter modes"
for mode in normal checked; do
  "$build/tests/conformance_test" tests/conformance/suite $mode | tail -n 1
done

section "6. Maps shared across processes, with bpftool's grammar"
export UEBPF_PIN_DIR=$tmp/pins
run "$uebpf" map create counts type hash key 4 value 8 entries 64 name counts
run "$uebpf" map update pinned counts key 1 0 0 0 value hex 2a00000000000000
run "$uebpf" map dump pinned counts

section "7. A C program compiled with clang -target bpf: opened and loaded as libbpf does"
obj=$build/examples/flow_stats.bpf.o
if [[ -f $obj ]]; then
  echo "(examples/flow_stats.bpf.c: an XDP program counting packets per IP protocol)"
  printf '$ %s
' "$uebpf disasm $obj    # with its source lines, as llvm-objdump -S"
  "$uebpf" disasm "$obj" >"$tmp/flow.txt"
  head -n 22 "$tmp/flow.txt"
  echo "   ... ($(grep -c '^ *[0-9]*:' "$tmp/flow.txt") instructions)"
  echo
  echo "Loaded from C (examples/load_object.c): maps created, the subprogram appended,"
  echo "map and global data references resolved, line info kept for other processes:"
  run "$build/examples/load-object" "$obj" "$uebpf"
else
  echo "(clang-19 not found: examples not built)"
fi

section "8. The verifier: what may run is decided before it runs"
obj=$build/examples/packet_checks.bpf.o
if [[ -f $obj ]]; then
  echo "(examples/packet_checks.bpf.c: two XDP programs, one forgets to check the IP header)"
  run "$uebpf" verify "$build/examples/flow_stats.bpf.o"
  run "$uebpf" verify "$obj" || true
  echo
  echo "The path to the rejection, as the kernel's verifier log shows it (last lines):"
  printf '$ %s\n' "$uebpf verify $obj --prog unchecked --log-level 1"
  "$uebpf" verify "$obj" --prog unchecked --log-level 1 | tail -n 6 || true
else
  echo "(clang-19 not found: examples not built)"
fi

section "9. Packet programs on a capture, as BPF_PROG_TEST_RUN runs them"
pcap=examples/data/traffic.pcap
ex=$build/examples
if [[ -f $ex/firewall.bpf.o ]]; then
  echo "($pcap: 31 frames of office traffic - TCP, UDP, ICMP, IPv6, VLAN, ARP - and a scan"
  echo " from 192.168.66.6 and 2001:db8:bad::66; examples/data/make_pcaps.py made it)"
  echo
  echo "A firewall (examples/firewall.bpf.c, XDP): blocked prefixes in LPM tries, filled"
  echo "before the run: 192.168.66.0/24 is rule 1, 2001:db8:bad::/48 rule 2."
  run "$uebpf" run "$ex/firewall.bpf.o" --pcap "$pcap" \
    --map-update deny_v4 18000000c0a84200 01000000 \
    --map-update deny_v6 3000000020010db80bad00000000000000000000 02000000 \
    --dump-maps -w "$tmp/passed.pcap" | grep -v 'XDP_PASS (2)'
  echo
  echo "A flow counter (examples/flow_counter.bpf.c, tc): packets and bytes per flow in an"
  echo "LRU hash, the flows as BTF shows them (-j: one JSON object per line; the last one):"
  printf '$ %s\n' "$uebpf run $ex/flow_counter.bpf.o --pcap $pcap --dump-maps -j | tail -n 1"
  "$uebpf" run "$ex/flow_counter.bpf.o" --pcap "$pcap" --dump-maps -j | tail -n 1 | cut -c 1-400
  echo "   ..."
  echo
  echo "Port forwarding (examples/rewriter.bpf.c, tc): 10.0.0.80:80 becomes 10.0.0.180:8080,"
  echo "checksums fixed with bpf_l3_csum_replace / bpf_l4_csum_replace:"
  printf '$ %s\n' "$uebpf run $ex/rewriter.bpf.o --pcap $pcap -w rewritten.pcap --dump-maps | grep -A4 '#2:'"
  "$uebpf" run "$ex/rewriter.bpf.o" --pcap "$pcap" -w "$tmp/rewritten.pcap" --dump-maps \
    | grep -A4 '#2:' || true
  echo
  echo "Connection attempts as ring buffer events (examples/syn_logger.bpf.c, read by"
  echo "examples/syn_logger.c through the ring buffer consumer):"
  run "$ex/syn-logger" "$ex/syn_logger.bpf.o" "$pcap"
else
  echo "(clang-19 not found: examples not built)"
fi

section "10. Speed (quick run; make bench for the full one)"
if [[ -x $build/bench/uebpf-bench ]]; then
  "$build/bench/uebpf-bench" --quick
fi
