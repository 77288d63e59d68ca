#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `uebpf disasm` prints exactly what `llvm-objdump -d --mcpu=v4` prints for
# the same bytes, and `uebpf asm` reads that text back to the same bytes.
#
#   disasm_llvm_test.sh UEBPF CLANG LLVM-OBJDUMP LLVM-OBJCOPY TESTDATA-DIR
#
# Compared units:
#  1. the BPF C programs TESTDATA-DIR/*.c, each compiled with -mcpu=v1..v4
#     (a program may say `// uebpf-test: min-cpu=vN`: older cpus are
#     skipped when clang rejects the program), one unit per code section;
#  2. a sweep of encodings generated here: every row of ops.def with
#     several register, offset and immediate values, one section (unit)
#     per instruction class, assembled from `.quad` lines by clang;
#  3. for each unit, the round trip: `uebpf asm` of llvm-objdump's text
#     (index and raw bytes stripped) gives back the bytes llvm-objdump
#     shows, except for encodings whose LLVM text is ambiguous (local and
#     kfunc calls, ld_pseudo, packet loads through a register with imm != 0).
#
# Prints one PASS/FAIL/SKIP line per unit and `N passed, M failed`; exits
# non-zero on any failure.
set -euo pipefail

if [[ $# -ne 5 ]]; then
  echo "usage: $0 UEBPF CLANG LLVM-OBJDUMP LLVM-OBJCOPY TESTDATA-DIR" >&2
  exit 2
fi
uebpf=$1
clang=$2
objdump=$3
objcopy=$4
testdata=$5
ops_def=$(cd "$(dirname "$0")" && pwd)/ops.def

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
skipped=0

pass() { echo "PASS $1"; passed=$((passed + 1)); }
skip() { echo "SKIP $1"; skipped=$((skipped + 1)); }
# fail NAME [FILE]: FILE (a diff, an error message) is shown, at most 150
# lines of it.
fail() {
  echo "FAIL $1"
  failed=$((failed + 1))
  if [[ $# -gt 1 && -s $2 ]]; then
    head -n 150 "$2"
    local n
    n=$(wc -l <"$2")
    if ((n > 150)); then echo "... ($((n - 150)) more lines)"; fi
  fi
  return 0
}

# compare NAME WANT GOT: diff -u of llvm-objdump's lines and ours.
compare() {
  local name=$1 want=$2 got=$3
  if diff -u --label "llvm-objdump" --label "uebpf" "$want" "$got" >"$tmp/diff"; then
    pass "$name ($(wc -l <"$want") lines)"
  else
    fail "$name" "$tmp/diff"
  fi
}

# ---- one object: every code section is a unit ----------------------------

# Code sections of an object, one name a line (llvm-objdump -h: Type TEXT).
code_sections() {
  "$objdump" -h "$1" | awk '$NF == "TEXT" && $3 != "00000000" { print $2 }'
}

# Inline assembly that jumps to a C label (asm goto) leaves the label in the
# symbol table (`LBB1_3`, no type); llvm-objdump then starts a new block
# there and names jump targets after it. Those labels are not functions:
# remove them, so that each function is one block.
strip_labels() {
  local obj=$1 out=$2
  local -a args=()
  local sym
  while IFS= read -r sym; do
    args+=("--strip-symbol=$sym")
  done < <("$objdump" -t "$obj" | awk -v secs="$(code_sections "$obj" | tr '\n' ' ')" '
    BEGIN { n = split(secs, s, " "); for (i = 1; i <= n; i++) code[s[i]] = 1 }
    /^[0-9a-f]+ / {
      flags = substr($0, 18, 7)
      rest = substr($0, 26)
      split(rest, f, "\t")
      split(f[2], g, " ")
      if ((f[1] in code) && flags !~ /[Ffd]/) print g[2]
    }')
  if ((${#args[@]})); then
    "$objcopy" "${args[@]}" "$obj" "$out"
  else
    cp "$obj" "$out"
  fi
}

# Drops the lines of FILE whose instruction index is listed in IDX (one a
# line), in place.
drop_indices() {
  local idx=$1 file=$2
  awk 'NR == FNR { drop[$1] = 1; next }
       { n = $1; sub(":", "", n); if (!(n in drop)) print }' "$idx" "$file" >"$file.tmp"
  mv "$file.tmp" "$file"
}

# roundtrip NAME LLVM-LINES: assembles llvm-objdump's text (third field on,
# after index and raw bytes) and checks that it gives back the raw bytes.
roundtrip() {
  local name=$1 lines=$2 dir
  dir=$(dirname "$lines")
  # Leave out what LLVM prints ambiguously: local calls (85 1x) and kfunc
  # calls (85 2x) print as `call imm` like helper calls, ld_pseudo (18 with
  # src != 0) does not show the imm of its second slot, and packet loads
  # through a register (40/48/50) do not show their imm.
  awk -F'\t' '
    $3 == "<unknown>" { next }
    $2 ~ /^85 [12]/ { next }
    $2 ~ /^18 [1-9a-f]/ { next }
    $2 ~ /^(40|48|50) / && substr($2, 13, 11) != "00 00 00 00" { next }
    { print }' "$lines" >"$dir/rt.want"
  local total kept
  total=$(wc -l <"$lines")
  kept=$(wc -l <"$dir/rt.want")
  if ((kept == 0)); then
    skip "asm round trip $name (all $total encodings print ambiguously)"
    return
  fi
  cut -f3- "$dir/rt.want" >"$dir/rt.s"
  if ! "$uebpf" asm "$dir/rt.s" -o "$dir/rt.bin" 2>"$dir/rt.err"; then
    fail "asm round trip $name: uebpf asm rejects llvm-objdump's text" "$dir/rt.err"
    return
  fi
  # Pair the assembled bytes with the text lines, as many bytes a line as
  # llvm-objdump shows.
  od -An -v -tx1 "$dir/rt.bin" | awk '
    NR == FNR { for (i = 1; i <= NF; i++) if ($i != "") b[nb++] = $i; next }
    {
      n = split($2, want, " ")
      got = ""
      for (i = 0; i < n; i++) got = got (i ? " " : "") (pos < nb ? b[pos++] : "--")
      print got "\t" substr($0, length($1) + length($2) + 3)
    }
    END {
      if (pos < nb) {
        extra = ""
        while (pos < nb) extra = extra " " b[pos++]
        print "extra bytes:" extra
      }
    }' FS=' ' - FS='\t' "$dir/rt.want" >"$dir/rt.got"
  cut -f2- "$dir/rt.want" >"$dir/rt.want2"
  local what="asm round trip $name"
  ((kept < total)) && what="$what, $((total - kept)) ambiguous left out"
  compare "$what" "$dir/rt.want2" "$dir/rt.got"
}

# check_object LABEL OBJ: each code section of OBJ disassembled by
# llvm-objdump and by uebpf, function by function, then the round trip.
check_object() {
  local label=$1 obj=$2 dir
  dir=$(mktemp -d "$tmp/obj.XXXX")
  strip_labels "$obj" "$dir/obj.o"
  "$objdump" -d --mcpu=v4 "$dir/obj.o" >"$dir/dump"
  # Split the disassembly: sN.llvm holds section N's lines, sN.funcs its
  # blocks (offset and symbol), `sections` the names.
  awk -v dir="$dir" '
    /^Disassembly of section / {
      name = substr($0, 24); sub(/:$/, "", name)
      sec++; print name > (dir "/sections"); next
    }
    !sec || /^$/ { next }
    /^[0-9a-f]+ <.*>:$/ {
      off = $1; name = substr($0, index($0, "<") + 1); sub(/>:$/, "", name)
      print off, name > (dir "/s" sec ".funcs"); next
    }
    { print > (dir "/s" sec ".llvm") }' "$dir/dump"

  local -a names=()
  mapfile -t names < <(code_sections "$dir/obj.o")
  local listed=0
  [[ -f $dir/sections ]] && listed=$(wc -l <"$dir/sections")
  if ((listed != ${#names[@]})); then
    echo "llvm-objdump disassembled $listed sections of ${#names[@]}:" >"$dir/err"
    cat "$dir/sections" "$dir/dump" >>"$dir/err" 2>/dev/null || true
    fail "$label: sections" "$dir/err"
    return
  fi

  local i=0 sec
  while IFS= read -r sec; do
    i=$((i + 1))
    local unit="$label $sec" s="$dir/s$i"
    touch "$s.llvm" "$s.funcs"
    if ! "$objcopy" -O binary --only-section="$sec" "$dir/obj.o" "$s.bin" 2>"$dir/err"; then
      fail "disasm $unit: llvm-objcopy" "$dir/err"
      continue
    fi
    local size
    size=$(wc -c <"$s.bin")
    # Disassemble each block (function) on its own with --symbol, and
    # renumber its lines from the block's place in the section.
    : >"$s.ours"
    local -a offs=() syms=()
    local off sym
    while read -r off sym; do
      offs+=($((16#$off)))
      syms+=("$sym")
    done <"$s.funcs"
    local j ok=1
    for ((j = 0; j < ${#offs[@]}; j++)); do
      local start=${offs[j]} end=$size
      ((j + 1 < ${#offs[@]})) && end=${offs[j + 1]}
      if ((start % 8 || end % 8 || end <= start)); then
        echo "block ${syms[j]} at $start..$end is not whole instructions" >"$dir/err"
        fail "disasm $unit" "$dir/err"
        ok=0
        break
      fi
      dd if="$s.bin" of="$s.blk" bs=8 skip=$((start / 8)) count=$(((end - start) / 8)) status=none
      if ! "$uebpf" disasm --symbol "${syms[j]}" "$s.blk" >"$s.blk.txt" 2>"$dir/err"; then
        fail "disasm $unit: uebpf disasm fails" "$dir/err"
        ok=0
        break
      fi
      awk -v base=$((start / 8)) '{
        n = $1; sub(":", "", n); rest = substr($0, index($0, ":"))
        printf "%8d%s\n", n + base, rest }' "$s.blk.txt" >>"$s.ours"
    done
    ((ok)) || continue

    # Encodings llvm-objdump cannot decode are not compared.
    awk -F'\t' '$3 == "<unknown>" { n = $1; sub(":", "", n); print n + 0 }' "$s.llvm" >"$s.unknown"
    local what="disasm $unit"
    if [[ -s $s.unknown ]]; then
      what="$what, $(wc -l <"$s.unknown") <unknown> to llvm-objdump left out"
      drop_indices "$s.unknown" "$s.llvm"
      drop_indices "$s.unknown" "$s.ours"
    fi
    compare "$what" "$s.llvm" "$s.ours"
    mkdir -p "$s.rt"
    cp "$s.llvm" "$s.rt/lines"
    roundtrip "$unit" "$s.rt/lines"
  done <"$dir/sections"
  rm -rf "$dir"
}

# ---- 1. the C programs ----------------------------------------------------

shopt -s nullglob
progs=("$testdata"/*.c)
shopt -u nullglob
if ((${#progs[@]} == 0)); then
  echo "FAIL no C programs in $testdata"
  exit 1
fi
for src in "${progs[@]}"; do
  prog=$(basename "$src")
  min=$(sed -n 's|^// uebpf-test: min-cpu=v\([0-9]\).*|\1|p' "$src")
  min=${min:-1}
  for cpu in 1 2 3 4; do
    obj=$tmp/${prog%.c}.v$cpu.o
    if ! "$clang" -O2 -target bpf -mcpu=v$cpu -I"$testdata" -c "$src" -o "$obj" 2>"$tmp/cc.err"; then
      if ((cpu < min)); then
        skip "$prog -mcpu=v$cpu (needs v$min)"
      else
        fail "$prog -mcpu=v$cpu does not compile" "$tmp/cc.err"
      fi
      continue
    fi
    check_object "$prog -mcpu=v$cpu" "$obj"
  done
done

# ---- 2. the sweep of encodings --------------------------------------------

# Every row of ops.def, in one section per instruction class (sweep/alu,
# sweep/jmp32, ...). Registers, offsets and immediates go through the used
# fields together; the selecting field holds the row's value and the
# reserved fields are zero, so every encoding is valid. Jumps also get
# targets at the start of the section (llvm-objdump prints `<name>`, no
# offset). No word is all zeros (llvm-objdump would print `...`): opcodes
# are never 0, and the second slot of lddw is not an instruction start.
# Load-acquire and store-release (atomic imm 0x100, 0x110) are left out:
# LLVM 19 decodes some as `lock ... +=` and the others as <unknown>.
if ! python3 - "$ops_def" >"$tmp/sweep.s" 2>"$tmp/gen.err" <<'EOF'
import re
import struct
import sys

rows = []
pattern = re.compile(r'\s*OP\((\w+),\s*(0x[0-9a-fA-F]+),\s*(\w+),\s*(\w+),'
                     r'\s*(-?\w+),\s*([^,]+),\s*"[^"]*"\)')
for line in open(sys.argv[1]):
    m = pattern.match(line)
    if m:
        rows.append(dict(id=m.group(1), code=int(m.group(2), 16),
                         kind=m.group(3), fix=m.group(4),
                         val=int(m.group(5), 0),
                         uses={u.strip() for u in m.group(6).split('|')}))
if len(rows) < 100:
    sys.exit('ops.def: only %d rows parsed' % len(rows))

REGS = list(range(11))
OFFS = [0, 1, -1, 0x10, -0x10, 0x7fff, -0x7fff, -0x8000, 0x1234, -2, 0x100, 8]
IMMS = [0, 1, -1, 0x10, -0x10, 0x7fffffff, -0x80000000, 0x12345678,
        -0x7fffffff, 0xff, -0x65432110, 64]
IMM64 = [0, 1, -1, 0x7fffffffffffffff, -0x8000000000000000, 0x123456789abcdef0,
         0xffffffff, 0x100000000, -0x100000000, 0x80000000, -0x80000000,
         0xfedcba9876543210]
JUMPS = {'K_JA', 'K_JA32', 'K_JCC', 'K_MAY_GOTO'}


def word(code, dst, src, off, imm):
    return struct.unpack('<Q', struct.pack('<BBhi', code, (src << 4) | dst,
                                           off, imm))[0]


def s32(v):
    v &= 0xffffffff
    return v - (1 << 32) if v >= 1 << 31 else v


def lddw(code, dst, src, v):
    return [word(code, dst, src, 0, s32(v)), word(0, 0, 0, 0, s32(v >> 32))]


CLASSES = ['ld', 'ldx', 'st', 'stx', 'alu', 'jmp', 'jmp32', 'alu64']
sections = {c: [] for c in CLASSES}
for op in rows:
    if op['kind'] in ('K_LOAD_ACQ', 'K_STORE_REL'):
        continue
    uses = op['uses']
    words = sections[CLASSES[op['code'] & 7]]
    if op['kind'] == 'K_LDDW':
        for i, v in enumerate(IMM64):
            words += lddw(op['code'], REGS[i % 11], 0, v)
        for src in range(1, 7):  # map fd, map value, btf id, func, ...
            words += lddw(op['code'], REGS[(src * 5) % 11], src,
                          IMM64[src] if src % 2 else IMM64[src + 4])
        continue
    for i in range(12):
        dst = REGS[i % 11] if 'F_DST' in uses else 0
        src = REGS[(i * 3 + 1) % 11] if 'F_SRC' in uses else 0
        off = OFFS[i] if 'F_OFF' in uses else 0
        imm = IMMS[i] if 'F_IMM' in uses else 0
        if op['kind'] == 'K_LDIND' and i % 2:
            imm = 0  # only imm 0 reads back the same
        if op['fix'] == 'FIX_SRC':
            src = op['val']
        elif op['fix'] == 'FIX_OFF':
            off = op['val']
        elif op['fix'] == 'FIX_IMM':
            imm = op['val']
        words.append(word(op['code'], dst, src, off, imm))
    if op['kind'] in JUMPS:
        # Back to the first instruction of the section.
        for dst in (0, 10):
            back = -(len(words) + 1)
            off = back if op['kind'] != 'K_JA32' else 0
            imm = back if op['kind'] == 'K_JA32' else (
                IMMS[dst % 12] if 'F_IMM' in uses else 0)
            words.append(word(op['code'], dst if 'F_DST' in uses else 0,
                              7 if 'F_SRC' in uses else 0, off, imm))

print('# generated by disasm_llvm_test.sh from ops.def')
for c in CLASSES:
    print('\t.section sweep/%s,"ax",@progbits' % c)
    for w in sections[c]:
        print('\t.quad 0x%016x' % w)
EOF
then
  fail "sweep: cannot generate the encodings" "$tmp/gen.err"
elif "$clang" -target bpf -c "$tmp/sweep.s" -o "$tmp/sweep.o" 2>"$tmp/cc.err"; then
  check_object sweep "$tmp/sweep.o"
else
  fail "clang does not assemble the sweep" "$tmp/cc.err"
fi

# ---- summary -------------------------------------------------------------

echo "$passed passed, $failed failed ($skipped skipped)"
((failed == 0))
