#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `uebpf disasm OBJ.o [--prog NAME]` prints what `llvm-objdump -d --mcpu=v4`
# prints for the same object (the file's name, section headings, programs at
# their offsets, instructions numbered within their section), apart from
# the .text functions that programs call, which the object API does not
# list; source lines (from BTF) come from the program's source file.
#
#   disasm_obj_test.sh UEBPF LLVM-OBJDUMP {OBJ.o | DIR}...
#
# A DIR stands for the *.bpf.o files in it (skipped when it does not exist).
set -uo pipefail

uebpf=$1
objdump=$2
# llvm-dwarfdump of the same LLVM: the source file the object names.
dwarfdump=${objdump%objdump*}dwarfdump${objdump##*objdump}
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() {
  echo "FAIL $1"
  failed=$((failed + 1))
  if [[ $# -gt 1 && -s $2 ]]; then head -n 60 "$2"; fi
}

objs=()
for a in "$@"; do
  if [[ -d $a ]]; then
    for f in "$a"/*.bpf.o; do [[ -f $f ]] && objs+=("$f"); done
  elif [[ -f $a ]]; then
    objs+=("$a")
  fi
done

# Without the sections named .text, as uebpf shows an object that has
# other programs.
drop_text() {
  python3 -c '
import sys
text = sys.stdin.read()
parts = text.split("\nDisassembly of section ")
keep = [parts[0]] + [p for p in parts[1:] if not p.startswith(".text:")]
sys.stdout.write("\nDisassembly of section ".join(keep))'
}

lines_total=0
for obj in "${objs[@]}"; do
  name=$(basename "$obj")
  if ! "$uebpf" disasm "$obj" >"$tmp/got" 2>"$tmp/err"; then
    fail "$name: uebpf disasm fails" "$tmp/err"
    continue
  fi
  "$objdump" -d --mcpu=v4 "$obj" >"$tmp/want.all"
  if grep -q '^Disassembly of section \.text:$' "$tmp/got"; then
    cp "$tmp/want.all" "$tmp/want"
  else
    drop_text <"$tmp/want.all" >"$tmp/want"
  fi
  grep -v '^; ' "$tmp/got" >"$tmp/got.code"
  if diff -u --label llvm-objdump --label uebpf "$tmp/want" "$tmp/got.code" >"$tmp/diff"; then
    pass "$name: the whole object as llvm-objdump -d shows it"
  else
    fail "$name: the whole object" "$tmp/diff"
  fi

  # Each program alone, as --disassemble-symbols shows it.
  progs=$(sed -n 's/^[0-9a-f]\{16\} <\(.*\)>:$/\1/p' "$tmp/got")
  ok=0
  bad=0
  for p in $progs; do
    "$uebpf" disasm "$obj" --prog "$p" 2>"$tmp/err" | grep -v '^; ' >"$tmp/got1"
    "$objdump" -d --mcpu=v4 --disassemble-symbols="$p" "$obj" >"$tmp/want1"
    if diff -u --label llvm-objdump --label uebpf "$tmp/want1" "$tmp/got1" >"$tmp/diff"; then
      ok=$((ok + 1))
    else
      bad=$((bad + 1))
      fail "$name: --prog $p" "$tmp/diff"
    fi
  done
  [[ $bad -eq 0 && $ok -gt 0 ]] && pass "$name: each of its $ok programs alone (--prog)"

  # Source lines: text of the source file, each before an instruction.
  src=$("$dwarfdump" --debug-info "$obj" 2>/dev/null |
    sed -n 's/.*DW_AT_name.*("\(.*\.c\)")$/\1/p' | head -1)
  n=$(grep -c '^; ' "$tmp/got")
  lines_total=$((lines_total + n))
  if [[ $n -gt 0 ]]; then
    missing=0
    while IFS= read -r l; do
      # From the source, a header beside it or libbpf's (subprograms
      # in headers, such as usdt.bpf.h's).
      grep -qF -- "${l#; }" "$src" "$(dirname "$src")"/*.h /usr/include/bpf/*.h 2>/dev/null ||
        missing=$((missing + 1))
    done < <(grep '^; ' "$tmp/got")
    after=$(awk '/^; /{ want = 1; next } want && !/^ *[0-9]+:\t/ { bad++ } { want = 0 }
                 END { print bad + 0 }' "$tmp/got")
    if [[ $missing -eq 0 && $after -eq 0 ]]; then
      pass "$name: $n source lines, each from $src, each before an instruction"
    else
      fail "$name: source lines: $missing not in $src, $after not before an instruction"
    fi
  fi
done
if [[ ${#objs[@]} -eq 0 ]]; then
  fail "no objects to compare"
fi
if [[ $lines_total -eq 0 ]]; then
  echo "NOTE no source lines shown: the object API has no BTF line info yet"
fi

# --- errors ---------------------------------------------------------------------
obj=${objs[0]:-/nonexistent}
"$uebpf" disasm "$obj" --prog no_such_prog >"$tmp/out" 2>"$tmp/err"
rc=$?
[[ $rc -eq 1 && ! -s $tmp/out ]] && grep -q "has no program named 'no_such_prog'" "$tmp/err" &&
  pass "an unknown --prog is an error, nothing printed" ||
  fail "unknown --prog: rc $rc, $(cat "$tmp/err")"
printf '\xb7\x00\x00\x00\x2a\x00\x00\x00\x95\x00\x00\x00\x00\x00\x00\x00' >"$tmp/raw.bin"
"$uebpf" disasm "$tmp/raw.bin" --prog x >/dev/null 2>"$tmp/err"
rc=$?
[[ $rc -eq 1 ]] && grep -q "not an ELF object" "$tmp/err" &&
  pass "--prog on raw bytecode is an error" || fail "--prog on raw: rc $rc, $(cat "$tmp/err")"
"$uebpf" disasm "$tmp/raw.bin" >"$tmp/out" 2>&1
[[ $? -eq 0 && $(head -1 "$tmp/out") == $'       0:\tb7 00 00 00 2a 00 00 00\tr0 = 0x2a' ]] &&
  pass "raw bytecode is disassembled as before" || fail "raw bytecode" "$tmp/out"
head -c 200 "$obj" >"$tmp/cut.o"
"$uebpf" disasm "$tmp/cut.o" >"$tmp/out" 2>"$tmp/err"
rc=$?
[[ $rc -eq 1 && ! -s $tmp/out ]] && grep -q "cut.o: " "$tmp/err" &&
  pass "a truncated object is refused with a message: $(head -c 120 "$tmp/err")" ||
  fail "truncated object: rc $rc, $(cat "$tmp/err")"

echo "disasm_obj_test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
