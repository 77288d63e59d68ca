#!/usr/bin/env bash
# The uebpf command: asm/disasm/run/conformance-plugin behaviour, and clear
# errors (never a crash) for wrong arguments and bad input.
#   cli_test.sh path/to/uebpf
set -uo pipefail

uebpf=$(readlink -f "$1")
suite=$(cd "$(dirname "$0")/../tests/conformance/suite" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }

# expect NAME STATUS PATTERN -- CMD...: runs CMD, checks its exit status and
# that stdout+stderr contain PATTERN (grep -E).
expect() {
  local name=$1 status=$2 pattern=$3
  shift 4
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  if [[ $rc -ne $status ]]; then
    fail "$name: exit status $rc, expected $status; output: ${out:0:300}"
  elif ! grep -qE -- "$pattern" <<<"$out"; then
    fail "$name: output lacks /$pattern/: ${out:0:300}"
  else
    pass "$name"
  fi
}

# --- asm and disasm ---------------------------------------------------------
examples=$(cd "$(dirname "$0")/../examples" && pwd)
cp "$examples/count_zero_bytes.s" "$tmp/prog.s" # counts the input's zero bytes
expect "asm writes bytecode" 0 '^$' -- "$uebpf" asm "$tmp/prog.s" -o "$tmp/prog.bin"
if [[ $(stat -c %s "$tmp/prog.bin") -eq 80 ]]; then pass "asm output is 10 instructions"; else fail "asm output size"; fi
expect "disasm prints objdump layout" 0 $'^       4:\t71 14 00 00 00 00 00 00\tw4 = \\*\\(u8 \\*\\)\\(r1 \\+ 0x0\\)$' \
  -- "$uebpf" disasm "$tmp/prog.bin"
expect "disasm --symbol annotates jumps" 0 'goto -0x6 <prog\+0x18>$' \
  -- "$uebpf" disasm --symbol prog "$tmp/prog.bin"
expect "disasm kernel syntax" 0 '^   3: \(3d\) if r1 >= r3 goto pc\+5$' \
  -- "$uebpf" disasm --syntax kernel "$tmp/prog.bin"
expect "disasm conformance syntax" 0 '^jge %r1, %r3, \+5$' \
  -- "$uebpf" disasm --syntax conformance --no-raw "$tmp/prog.bin"
for syntax in llvm kernel conformance; do
  "$uebpf" disasm --syntax $syntax "$tmp/prog.bin" >"$tmp/back.s" &&
    "$uebpf" asm "$tmp/back.s" -o "$tmp/back.bin" && cmp -s "$tmp/prog.bin" "$tmp/back.bin" &&
    pass "disasm --syntax $syntax | asm gives the same bytes" ||
    fail "disasm --syntax $syntax | asm gives the same bytes"
done
"$uebpf" asm - -o - <"$tmp/prog.s" >"$tmp/stdin.bin" && cmp -s "$tmp/prog.bin" "$tmp/stdin.bin" &&
  pass "asm reads stdin and writes stdout" || fail "asm reads stdin and writes stdout"

# --- run --------------------------------------------------------------------
printf '\x00\x01\x00\x02\x00' >"$tmp/data"
expect "run counts zero bytes" 0 '^retval: 3 \(0x3\)$' -- "$uebpf" run "$tmp/prog.bin" --data-in "$tmp/data"
expect "run assembly text directly" 0 '^retval: 3 ' -- "$uebpf" run "$tmp/prog.s" --mem "00 01 00 02 00"
expect "run counts instructions (checked by default)" 0 '^instructions: 33 per run' \
  -- "$uebpf" run "$tmp/prog.bin" --mem "00 01 00 02 00"
expect "run -j prints JSON" 0 '^\{"retval": 3, "duration_ns": [0-9]+, "insns": 33\}$' \
  -- "$uebpf" run "$tmp/prog.bin" --mem 0001000200 -j --repeat 10
expect "run --unchecked trusts the program" 0 '^\{"retval": 3, "duration_ns": [0-9]+\}$' \
  -- "$uebpf" run "$tmp/prog.bin" --mem 0001000200 -j --unchecked
printf 'r0 = *(u64 *)(r1 + 2)\nexit\n' >"$tmp/oob.s"
expect "checked run stops an out-of-bounds read" 1 'insn 0: invalid read of 8 bytes at 0x[0-9a-f]+: outside the stack' \
  -- "$uebpf" run "$tmp/oob.s" --mem "01 02 03 04" --checked
printf 'r1 = 0x1000 ll\n*(u64 *)(r1 + 0) = 1\nr0 = 0\nexit\n' >"$tmp/wild.s"
expect "a wild write is stopped, not a crash" 1 'insn 2: invalid write of 8 bytes at 0x1000' \
  -- "$uebpf" run "$tmp/wild.s"

# --- errors: clear messages, no crash ----------------------------------------
expect "no arguments" 2 '^Usage: uebpf COMMAND' -- "$uebpf"
expect "unknown command" 2 "unknown command 'frob'" -- "$uebpf" frob
expect "help" 0 'uebpf asm' -- "$uebpf" help
expect "version" 0 '^uebpf [0-9]+\.[0-9]+\.[0-9]+$' -- "$uebpf" version
expect "asm without -o" 1 'usage: uebpf asm' -- "$uebpf" asm "$tmp/prog.s"
expect "asm of a missing file" 1 'cannot open .*nope.s: No such file' -- "$uebpf" asm "$tmp/nope.s" -o "$tmp/x"
printf 'r0 = 1\nr12 = 2\n' >"$tmp/bad.s"
expect "asm syntax error names file and line" 1 "bad.s: line 2: invalid register 'r12'" \
  -- "$uebpf" asm "$tmp/bad.s" -o "$tmp/x"
expect "asm unknown syntax" 1 "unknown syntax 'intel'" -- "$uebpf" asm --syntax intel "$tmp/prog.s" -o "$tmp/x"
head -c 12 "$tmp/prog.bin" >"$tmp/partial.bin"
expect "disasm of a partial instruction" 1 '12 bytes is not a whole number of 8-byte instructions' \
  -- "$uebpf" disasm "$tmp/partial.bin"
printf '\x7fELF\x02\x01\x01\x00' >"$tmp/obj.o"
expect "run of a broken ELF object says what is wrong" 1 'obj.o' -- "$uebpf" run "$tmp/obj.o" --data-in "$tmp/obj.o"
expect "disasm of a broken ELF object says what is wrong" 1 'obj.o: not an ELF file' \
  -- "$uebpf" disasm "$tmp/obj.o"
printf '\x8f\x01\x00\x00\x00\x00\x00\x00' >"$tmp/invalid.bin"
expect "disasm shows invalid encodings" 0 '<invalid: unknown opcode 0x8f>' -- "$uebpf" disasm "$tmp/invalid.bin"
expect "run refuses invalid encodings" 1 'insn 0: unknown opcode 0x8f' -- "$uebpf" run "$tmp/invalid.bin"
expect "run with a bad --repeat" 1 'repeat takes a count' -- "$uebpf" run "$tmp/prog.bin" --repeat 0
expect "run with bad hex" 1 "bad hex at 'zz'" -- "$uebpf" run "$tmp/prog.bin" --mem "00 zz"
expect "run with both inputs" 1 'not both' -- "$uebpf" run "$tmp/prog.bin" --mem 00 --data-in "$tmp/data"
expect "run unknown helper" 1 'invalid func bpf_get_current_task#35: helper is not available' \
  -- "$uebpf" run <(printf 'call 35\nexit\n')
expect "run uses the kernel helpers" 0 '^retval: [0-9]+' -- "$uebpf" run <(printf 'call bpf_ktime_get_ns\nexit\n')
expect "a helper's bad argument is stopped" 1 'insn 1: R1 is not a map of this program' \
  -- "$uebpf" run <(printf 'r1 = 8\ncall bpf_map_lookup_elem\nexit\n')
head -c 100000 /dev/urandom >"$tmp/random.bin"
"$uebpf" disasm "$tmp/random.bin" >/dev/null 2>&1
rc=$?
[[ $rc -lt 128 ]] && pass "disasm of random bytes does not crash" || fail "disasm of random bytes crashed ($rc)"
"$uebpf" run "$tmp/random.bin" >/dev/null 2>&1
rc=$?
[[ $rc -lt 128 ]] && pass "checked run of random bytes does not crash" || fail "checked run of random bytes crashed ($rc)"

# --- the conformance plugin, driven the way the suite's runner drives it ------
# The runner passes memory as "xx  xx  " in argv[1] and the program as hex
# bytes on one line of stdin; it reads r0 in hex from stdout.
expect "plugin reads stdin" 0 '^7$' -- bash -c "echo 'b7 00 00 00 07 00 00 00 95 00 00 00 00 00 00 00' | '$uebpf' conformance-plugin"
expect "plugin memory before the command name" 0 '^2$' \
  -- "$uebpf" "01  02  " conformance-plugin --program "71 10 01 00 00 00 00 00 95 00 00 00 00 00 00 00"
ln -sf "$uebpf" "$tmp/uebpf-conformance-plugin"
expect "plugin under its own name" 0 '^2$' \
  -- "$tmp/uebpf-conformance-plugin" "01  02  " --program "71 10 01 00 00 00 00 00 95 00 00 00 00 00 00 00"
expect "plugin --jit says what is missing" 1 'JIT is not available' \
  -- "$uebpf" conformance-plugin --jit --program "95 00 00 00 00 00 00 00"
expect "plugin refuses an odd program" 1 'not a whole number of 8-byte instructions' \
  -- "$uebpf" conformance-plugin --program "95 00 00"
expect "plugin stops out-of-bounds programs" 1 'invalid read' \
  -- "$uebpf" "01" conformance-plugin --program "79 10 00 00 00 00 00 00 95 00 00 00 00 00 00 00"

plugin_pass=0
plugin_fail=0
for f in "$suite"/*.data; do
  name=$(basename "$f")
  # Sections as the runner reads them: comments dropped, "-- x" headers.
  awk '{ sub(/#.*/, "") } /^-- asm/ { s = 1; next } /^--/ { s = 0 } s' "$f" >"$tmp/case.s"
  mem=$(awk '{ sub(/#.*/, "") } /^-- mem/ { s = 1; next } /^--/ { s = 0 } s' "$f" | tr -s ' \n' ' ' | sed 's/ /  /g')
  want=$(awk '/^-- result/ { getline; print; exit }' "$f")
  if ! "$uebpf" asm --syntax conformance "$tmp/case.s" -o "$tmp/case.bin" 2>"$tmp/err"; then
    echo "FAIL plugin $name: $(cat "$tmp/err")"
    plugin_fail=$((plugin_fail + 1))
    continue
  fi
  prog=$(od -An -v -tx1 "$tmp/case.bin" | tr -s ' \n' ' ')
  args=()
  [[ -n ${mem// /} ]] && args+=("$mem")
  got=$(echo "$prog" | "$uebpf" "${args[@]}" conformance-plugin 2>&1)
  if [[ $? -eq 0 && $((16#${got#0x})) -eq $((want)) ]]; then
    plugin_pass=$((plugin_pass + 1))
  else
    echo "FAIL plugin $name: got '$got', expected $want"
    plugin_fail=$((plugin_fail + 1))
  fi
done
echo "conformance plugin: $plugin_pass passed, $plugin_fail failed"
[[ $plugin_fail -eq 0 && $plugin_pass -eq 313 ]] && pass "plugin protocol over the whole suite" ||
  fail "plugin protocol over the whole suite"

# uebpf verify: what it says of a command line it cannot use (exit 2).
expect "verify without an object" 2 'which object' -- "$uebpf" verify
expect "verify of a missing file" 2 'nonexistent' -- "$uebpf" verify "$tmp/nonexistent.o"
expect "verify of a file that is not ELF" 2 '.' -- "$uebpf" verify "$tmp/prog.s"
expect "verify log levels are 1 and 2" 2 'log-level is 1 or 2' -- \
  "$uebpf" verify "$tmp/prog.s" --log-level 3
expect "verify options" 2 "unrecognized option '--nope'" -- "$uebpf" verify x.o --nope

echo "cli_test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
