#!/usr/bin/env bash
# uebpf prog: bpftool's grammar, plain layout and JSON shapes for the
# programs another process has loaded; they disappear from the list when
# that process dies.
#   prog_test.sh path/to/uebpf path/to/prog_test_helper
set -uo pipefail

uebpf=$(readlink -f "$1")
helper=$(readlink -f "$2")
tmp=$(mktemp -d)
helper_pid=
cleanup() {
  [[ -n $helper_pid ]] && kill -9 "$helper_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
export UEBPF_PIN_DIR=$tmp/pins
source "$(dirname "$0")/test_lib.sh"

# --- nothing loaded -----------------------------------------------------------
same "no programs: empty list" "" prog list
same "no programs: empty JSON array" "[]" -j prog show
expect "help prints the grammar" 0 'PROG := \{ id PROG_ID \| tag PROG_TAG \| name PROG_NAME \}' \
  prog help

# --- a process with programs ---------------------------------------------------
"$helper" >"$tmp/helper.out" 2>"$tmp/helper.err" &
helper_pid=$!
for _ in $(seq 100); do
  grep -q ready "$tmp/helper.out" 2>/dev/null && break
  sleep 0.05
done
read -r _ p1 p2 p3 m1 m2 <"$tmp/helper.out" || true
if [[ -z ${p3:-} ]]; then
  fail "the helper loads its programs: $(cat "$tmp/helper.err")"
  echo "prog_test: $passed passed, $failed failed"
  exit 1
fi
pass "the helper loads its programs"

# The tags are the kernel's for the same instructions (BPF_OBJ_GET_INFO_BY_FD
# on this machine gave them).
tag1=f12e41691a99a397
tag2=59f4a931744dcdc6
tag3=b11459a0e11ca14c
uid=$(id -u)
pid=$helper_pid
comm=$(head -c 15 <<<"$(basename "$helper")")
when='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{4}'

u prog show id "$p1"
if [[ $rc -eq 0 ]] && grep -qxE "$p1: xdp  name counter  tag $tag1  gpl" <<<"$out" &&
   grep -qxE $'\t'"loaded_at $when  uid $uid" <<<"$out" &&
   grep -qxF $'\t'"xlated 48B  not jited  map_ids $m1,$m2" <<<"$out" &&
   grep -qxF $'\t'"pids $comm($pid)" <<<"$out" && [[ $(wc -l <<<"$out") -eq 4 ]]; then
  pass "show id: bpftool's layout, the kernel's tag, maps in order of use"
else
  fail "show id: got"$'\n'"$out"$'\n'"$err"
fi

u prog list
ids=$(grep -oE '^[0-9]+:' <<<"$out" | tr -d : | tr '\n' ' ')
want=$(printf '%s\n' "$p1" "$p2" "$p3" | sort -n | tr '\n' ' ')
if [[ $rc -eq 0 && "$ids" == "$want" && $(wc -l <<<"$out") -eq 12 ]]; then
  pass "list: every program, by id"
else
  fail "list: ids '$ids', expected '$want':"$'\n'"$out"
fi
grep -qxE "$p2: socket_filter  name filter  tag $tag2" <<<"$out" &&
  pass "a program that is not GPL has no gpl mark" || fail "not GPL: $out"
grep -qxE "$p3: kprobe  name with_lines  tag $tag3  gpl" <<<"$out" &&
  pass "kprobe program listed" || fail "kprobe: $out"
u prog
[[ $rc -eq 0 && $(grep -cE '^[0-9]+: ' <<<"$out") -eq 3 ]] &&
  pass "bare 'prog' lists them" || fail "bare prog: $out"
u prog sh i "$p2"
[[ $rc -eq 0 && "$out" == "$p2: socket_filter"* ]] && pass "keyword prefixes" ||
  fail "prefixes: $out $err"

json "show -j: bpftool's fields" "j['id'] == $p1 and j['type'] == 'xdp' and \
j['name'] == 'counter' and j['tag'] == '$tag1' and j['gpl_compatible'] is True and \
isinstance(j['loaded_at'], int) and j['uid'] == $uid and j['bytes_xlated'] == 48 and \
j['jited'] is False and j['map_ids'] == [$m1, $m2] and \
j['pids'] == [{'pid': $pid, 'comm': '$comm'}]" -j prog show id "$p1"
json "list -j: an array by id" "[p['id'] for p in j] == sorted([$p1, $p2, $p3]) and \
'map_ids' not in [p for p in j if p['id'] == $p2][0]" -j prog list
u -p prog show id "$p1"
[[ $rc -eq 0 && "$out" == $'{\n    "id": '"$p1"$',\n    "type": "xdp",'* &&
   "$out" == *$'"map_ids": ['"$m1,$m2"$'\n    ],'* ]] &&
  pass "-p: bpftool's pretty layout" || fail "pretty: $out"
json "show by name" "j['id'] == $p3" -j prog show name with_lines
json "show by tag" "j['id'] == $p2" -j prog show tag "$tag2"
json "show by tag in bytes" "j['id'] == $p2" -j prog show tag ${tag2:0:8} ${tag2:8:8}

# --- dump xlated ----------------------------------------------------------------
same "dump xlated: kernel syntax, maps by id" \
"   0: (18) r1 = map[id:$m1]
   2: (18) r2 = map[id:$m2][0]+4
   4: (b7) r0 = 2
   5: (95) exit" prog dump xlated id "$p1"
same "dump xlated opcodes" \
"   0: (18) r1 = map[id:$m1]
       18 11 00 00 $(printf '%02x %02x %02x %02x' $((m1 & 255)) $((m1 >> 8 & 255)) \
$((m1 >> 16 & 255)) $((m1 >> 24))) 00 00 00 00 00 00 00 00
   2: (18) r2 = map[id:$m2][0]+4
       18 22 00 00 $(printf '%02x %02x %02x %02x' $((m2 & 255)) $((m2 >> 8 & 255)) \
$((m2 >> 16 & 255)) $((m2 >> 24))) 00 00 00 00 04 00 00 00
   4: (b7) r0 = 2
       b7 00 00 00 02 00 00 00
   5: (95) exit
       95 00 00 00 00 00 00 00" prog dump xlated id "$p1" opcodes
same "dump xlated: source lines" \
"; int x = 1;
   0: (b7) r0 = 1
; return x;
   1: (95) exit" prog dump xlated id "$p3"
same "dump xlated linum" \
"; int x = 1; [file:/src/lines.c line_num:3 line_col:6]
   0: (b7) r0 = 1
; return x; [file:/src/lines.c line_num:4 line_col:2]
   1: (95) exit" prog dump xlated id "$p3" linum
json "dump xlated -j" "j == [{'disasm': '(18) r1 = map[id:$m1]'}, \
{'disasm': '(18) r2 = map[id:$m2][0]+4'}, {'disasm': '(b7) r0 = 2'}, \
{'disasm': '(95) exit'}]" -j prog dump xlated id "$p1"
json "dump xlated -j opcodes" "j[1]['opcodes'] == {'code': '0x18', 'src_reg': '0x2', \
'dst_reg': '0x2', 'off': ['0x00', '0x00'], 'imm': ['0x%02x' % b for b in \
($m2).to_bytes(4, 'little')] + ['0x00'] * 4 + ['0x04', '0x00', '0x00', '0x00']} and \
j[2]['opcodes']['imm'] == ['0x02', '0x00', '0x00', '0x00']" -j prog dump xlated id "$p1" opcodes
json "dump xlated -j linum" "j[0] == {'src': 'int x = 1;', 'file': '/src/lines.c', \
'line_num': 3, 'line_col': 6, 'disasm': '(b7) r0 = 1'}" -j prog dump xlated id "$p3" linum
u prog dump xlated id "$p2" file "$tmp/p2.bin"
[[ $rc -eq 0 && $(od -An -tx1 "$tmp/p2.bin" | tr -s ' \n' ' ') == " b7 00 00 00 00 00 00 00 95 00 00 00 00 00 00 00 " ]] &&
  pass "dump xlated file: the raw instructions" || fail "dump file: $rc $err"
u prog dump xlated id "$p2" file "$tmp/p2.bin" opcodes
[[ $rc -eq 2 ]] && pass "file and opcodes do not go together" || fail "file+opcodes: $rc"

# --- errors --------------------------------------------------------------------
expect "unknown id" 1 'no program with id 12345 ' prog show id 12345
json "unknown id under -j: bpftool's error object" "'no program with id' in j['error']" \
  -j prog show id 12345
expect "unknown name" 1 "no program with name nope" prog show name nope
expect "bad id" 2 "can't parse x as ID" prog show id x
expect "bad tag" 2 "can't parse tag" prog show tag 12zz
expect "long name" 2 "too long" prog show name a_name_longer_than_15
expect "pinned" 1 "cannot be pinned" prog show pinned /x
expect "jited" 1 "not JIT-compiled" prog dump jited id "$p1"
expect "visual" 1 "not supported" prog dump xlated id "$p1" visual
expect "unknown command" 2 "unknown command 'frobnicate'" prog frobnicate
expect "load is not there yet" 1 "'load' is not supported" prog load x.o /x
expect "extra argument" 2 "unexpected argument 'extra'" prog show id "$p1" extra

# A record that is damaged is skipped, not trusted (held open and locked as
# a live one would be).
mkdir -p "$UEBPF_PIN_DIR/.progs"
printf 'uebpfprg garbage' >"$UEBPF_PIN_DIR/.progs/4242"
exec {lockfd}<"$UEBPF_PIN_DIR/.progs/4242"
flock -s "$lockfd"
u prog list
[[ $rc -eq 0 && $(grep -cE '^[0-9]+: ' <<<"$out") -eq 3 ]] &&
  pass "damaged records are skipped" || fail "damaged: $out $err"
exec {lockfd}<&-

# --- the process dies: its programs go --------------------------------------------
kill -9 "$helper_pid"
wait "$helper_pid" 2>/dev/null
helper_pid=
same "dead process: nothing listed" "" prog list
left=$(find "$UEBPF_PIN_DIR/.progs" -type f | wc -l)
[[ $left -eq 0 ]] && pass "the lister removed the dead records" ||
  fail "$left records left behind"
expect "dead process: id gone" 1 "no program with id $p1" prog show id "$p1"

echo "prog_test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
