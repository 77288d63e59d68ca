#!/usr/bin/env bash
# uebpf map: bpftool's grammar, plain layout and JSON shapes; maps created
# by one process, changed by another and read by a third; clear errors
# (never a crash) for wrong invocations and damaged files.
#   map_test.sh path/to/uebpf
set -uo pipefail

uebpf=$(readlink -f "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export UEBPF_PIN_DIR=$tmp/pins
pins=$UEBPF_PIN_DIR
source "$(dirname "$0")/test_lib.sh"
u_prefix=(map)

# Possible CPUs as the library counts them: the highest in the list + 1.
ncpus=$(python3 -c "
import re
s = open('/sys/devices/system/cpu/possible').read()
print(max(int(x) for x in re.findall(r'\d+', s)) + 1)")

# --- help, create, show ------------------------------------------------------
expect "help prints the grammar" 0 'MAP := \{ id MAP_ID \| pinned FILE \| name MAP_NAME \}' help
expect "help lists the update flags" 0 'UPDATE_FLAGS := \{ any \| exist \| noexist \}' help
json "help -j is null, as in bpftool" 'j is None' help -j
same "show of an empty pin directory" "" show
json "list -j of an empty pin directory" 'j == []' list -j

same "create hash map" "" create counts type hash key 4 value 8 entries 64 name counts
[[ -f $pins/counts ]] && pass "create pins the map in the pin directory" ||
  fail "create pins the map in the pin directory"
u show pinned counts -j
id=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' <<<"$out" 2>/dev/null)
[[ $id =~ ^[0-9]+$ ]] && pass "show -j gives the id" || fail "show -j gives the id: $out"
u show pinned counts
memlock=$(sed -n 's/.*memlock \([0-9]*\)B$/\1/p' <<<"$out")
same "show layout" "$id: hash  name counts  flags 0x0
	key 4B  value 8B  max_entries 64  memlock ${memlock}B
	pinned $pins/counts" show pinned counts
json "show -j shape" "j == {'id': $id, 'type': 'hash', 'name': 'counts', 'flags': 0, 'bytes_key': 4,
  'bytes_value': 8, 'max_entries': 64, 'bytes_memlock': $memlock, 'frozen': 0,
  'pinned': ['$pins/counts']}" show pinned counts -j
json "show -p is the same JSON" "j['id'] == $id and j['pinned'] == ['$pins/counts']" show pinned counts -p
expect "show -p is indented as bpftool's" 0 '^    "bytes_key": 4,$' show pinned counts -p
same "show by absolute path" "$(
  "$uebpf" map show pinned counts)" show pinned "$pins/counts"
same "show id ID" "$("$uebpf" map show pinned counts)" show id "$id"
same "show name NAME" "$("$uebpf" map show pinned counts)" show name counts
json "-j anywhere in the arguments" "j['name'] == 'counts'" -j show pinned counts
json "--json and --pretty" "j['name'] == 'counts'" show --json pinned counts --pretty
out=$(cd "$tmp" && UEBPF_PIN_DIR=pins "$uebpf" map show name counts 2>&1)
[[ $out == "$("$uebpf" map show pinned counts)" ]] && pass "a relative \$UEBPF_PIN_DIR" ||
  fail "a relative \$UEBPF_PIN_DIR: $out"
same "keywords by prefix, as bpftool takes them" "$("$uebpf" map show pinned counts)" s pin counts

# --- one process creates, a second updates, a third reads ----------------------
same "update from a second process" "" update pinned counts key 1 0 0 0 value 0x0a 0 0 0 0 0 0 0
same "dump from a third process" "key: 01 00 00 00  value: 0a 00 00 00 00 00 00 00
Found 1 element" dump pinned counts
same "update key hex run, value hex bytes" "" \
  update pinned counts key hex 02000000 value hex 0b 00 00 00 00 00 00 00
same "update 0x bytes and decimal bytes, any" "" \
  update id "$id" key 0x03 0x00 0x00 0x00 value 12 0 0 0 0 0 0 255 any
same "lookup" "key: 02 00 00 00  value: 0b 00 00 00 00 00 00 00" lookup pinned counts key 2 0 0 0
same "lookup by name, octal and hex bytes" "key: 03 00 00 00  value: 0c 00 00 00 00 00 00 ff" \
  lookup name counts key 03 0 0x0 0
same "lookup -j" '{"key":["0x01","0x00","0x00","0x00"],"value":["0x0a","0x00","0x00","0x00","0x00","0x00","0x00","0x00"]}' \
  lookup pinned counts key 1 0 0 0 -j
same "lookup -p, bpftool's indentation" '{
    "key": ["0x01","0x00","0x00","0x00"
    ],
    "value": ["0x0a","0x00","0x00","0x00","0x00","0x00","0x00","0x00"
    ]
}' lookup pinned counts key 1 0 0 0 -p
u dump pinned counts
dump_lines=$(grep -c '^key: ' <<<"$out")
sorted=$(grep '^key: ' <<<"$out" | sort)
[[ $rc -eq 0 && $dump_lines -eq 3 && $(tail -1 <<<"$out") == "Found 3 elements" &&
  $sorted == "key: 01 00 00 00  value: 0a 00 00 00 00 00 00 00
key: 02 00 00 00  value: 0b 00 00 00 00 00 00 00
key: 03 00 00 00  value: 0c 00 00 00 00 00 00 ff" ]] &&
  pass "dump lists every element" || fail "dump lists every element: $out"
json "dump -j shape" "sorted(j, key=lambda e: e['key']) == [
  {'key': ['0x01','0x00','0x00','0x00'], 'value': ['0x0a'] + ['0x00'] * 7},
  {'key': ['0x02','0x00','0x00','0x00'], 'value': ['0x0b'] + ['0x00'] * 7},
  {'key': ['0x03','0x00','0x00','0x00'], 'value': ['0x0c'] + ['0x00'] * 6 + ['0xff']}]" \
  dump pinned counts -j
json "dump -p is the same JSON" "len(j) == 3 and all(len(e['value']) == 8 for e in j)" dump pinned counts -p

# getnext walks the keys dump walks, then says it is at the end.
u getnext pinned counts
first=$(sed -n 3p <<<"$out")
[[ $rc -eq 0 && $(sed -n 1,2p <<<"$out") == $'key: None\nnext key:' ]] &&
  pass "getnext without a key gives the first" || fail "getnext without a key: $out $err"
json "getnext -j without a key" "j['key'] is None and len(j['next_key']) == 4" getnext pinned counts -j
walk=$first
key=$first
for _ in 1 2 3; do
  u getnext pinned counts key hex $key
  [[ $rc -ne 0 ]] && break
  key=$(sed -n 4p <<<"$out")
  walk+=$'\n'$key
done
[[ $(sort <<<"$walk") == $'01 00 00 00\n02 00 00 00\n03 00 00 00' ]] &&
  pass "getnext walks every key once" || fail "getnext walks every key once: $walk"
expect "getnext past the last key" 1 "can't get next key: No such file or directory" \
  getnext pinned counts key hex $key
json "getnext -j with a key" "' '.join(b[2:] for b in j['key']) == '$first' and len(j['next_key']) == 4" \
  getnext pinned counts key hex $first -j

# --- update flags, delete ----------------------------------------------------------
expect "update noexist on an existing key" 1 'update failed: File exists' \
  update pinned counts key 1 0 0 0 value 1 2 3 4 5 6 7 8 noexist
expect "update exist on a missing key" 1 'update failed: No such file or directory' \
  update pinned counts key 9 0 0 0 value 1 2 3 4 5 6 7 8 exist
same "update exist on an existing key" "" update pinned counts key 1 0 0 0 value 1 2 3 4 5 6 7 8 exist
same "update noexist on a new key" "" update pinned counts key 4 0 0 0 value 4 0 0 0 0 0 0 0 noexist
same "lookup after update exist" "key: 01 00 00 00  value: 01 02 03 04 05 06 07 08" \
  lookup pinned counts key 1 0 0 0
json "update -j prints null" 'j is None' update pinned counts key 5 0 0 0 value 5 0 0 0 0 0 0 0 -j
same "delete" "" delete pinned counts key 4 0 0 0
json "delete -j prints null" 'j is None' delete pinned counts key 5 0 0 0 -j
expect "lookup of a deleted key says Not found" 1 '^Not found$' lookup pinned counts key 4 0 0 0
[[ $out == $'key:\n04 00 00 00\n\nNot found' ]] && pass "Not found layout is bpftool's" ||
  fail "Not found layout: $out"
json "lookup -j of a missing key is null" 'j is None' lookup pinned counts key 4 0 0 0 -j
expect "delete of a missing key" 1 'delete failed: No such file or directory' \
  delete pinned counts key 4 0 0 0
u dump pinned counts
[[ $(tail -1 <<<"$out") == "Found 3 elements" ]] && pass "dump after deletes" ||
  fail "dump after deletes: $out"

# --- pin, freeze ----------------------------------------------------------------------
same "pin under a second name" "" pin name counts counts2
same "the second name reaches the same map" "$("$uebpf" map dump pinned counts)" dump pinned counts2
expect "show lists both pins" 0 "pinned $pins/counts\$" show pinned counts2
json "show -j lists both pins" "j['pinned'] == ['$pins/counts', '$pins/counts2']" show pinned counts -j
mkdir -p "$pins/sub"
same "pin into a subdirectory" "" pin pinned counts sub/c3
json "pins in subdirectories are found" "'$pins/sub/c3' in j['pinned']" show id "$id" -j
expect "pin at a taken name" 1 "can't pin the object \($pins/counts\): File exists" pin id "$id" counts
same "freeze" "" freeze pinned counts
expect "show says frozen" 0 $'^\tfrozen$' show pinned counts
json "show -j frozen" "j['frozen'] == 1" show pinned counts2 -j
expect "update of a frozen map" 1 'update failed: Operation not permitted \(the map is frozen\)' \
  update pinned counts key 1 0 0 0 value 1 1 1 1 1 1 1 1
expect "delete from a frozen map" 1 'delete failed: Operation not permitted' \
  delete pinned counts key 1 0 0 0
expect "second freeze" 1 'failed to freeze map: Operation not permitted' freeze pinned counts
json "freeze -j error is bpftool's error object" "'Operation not permitted' in j['error']" \
  freeze pinned counts -j
same "lookup still works on a frozen map" "key: 01 00 00 00  value: 01 02 03 04 05 06 07 08" \
  lookup pinned counts key 1 0 0 0

# --- arrays, list ------------------------------------------------------------------------
same "create array" "" create arr type array key 4 value 4 entries 2 name arr
same "array dump shows every index" "key: 00 00 00 00  value: 00 00 00 00
key: 01 00 00 00  value: 00 00 00 00
Found 2 elements" dump pinned arr
same "array update" "" update pinned arr key 1 0 0 0 value 0xde 0xad 0xbe 0xef
same "array lookup" "key: 01 00 00 00  value: de ad be ef" lookup pinned arr key 1 0 0 0
expect "array index past max_entries" 1 'update failed: Argument list too long' \
  update pinned arr key 2 0 0 0 value 1 1 1 1
expect "array elements cannot be deleted" 1 'delete failed: Invalid argument' delete pinned arr key 0 0 0 0
u list
[[ $rc -eq 0 && $(grep -cE '^[0-9]+: ' <<<"$out") -eq 2 && $(grep -c "name counts" <<<"$out") -eq 1 ]] &&
  pass "list shows each map once, whatever its pins" || fail "list: $out $err"
json "list -j sorted by id" "len(j) == 2 and j[0]['id'] < j[1]['id'] and
  sorted(m['name'] for m in j) == ['arr', 'counts']" list -j
same "bare map is show" "$("$uebpf" map list)"
echo hello >"$pins/junk"
u list
[[ $rc -eq 0 && $(grep -cE '^[0-9]+: ' <<<"$out") -eq 2 ]] && pass "list ignores other files" ||
  fail "list ignores other files: $out $err"

# --- per-CPU maps ----------------------------------------------------------------------------
same "create percpu_array" "" create pa type percpu_array key 4 value 4 entries 2 name pa
same "per-CPU update takes one value for all CPUs" "" update pinned pa key 1 0 0 0 value 0x11 0x22 0x33 0x44
want=""
for idx in 0 1; do
  want+="key:"$'\n'"0$idx 00 00 00"$'\n'
  for ((c = 0; c < ncpus; c++)); do
    [[ $idx -eq 1 ]] && v="11 22 33 44" || v="00 00 00 00"
    want+=$(printf 'value (CPU %02d): %s' "$c" "$v")$'\n'
  done
done
want+="Found 2 elements"
same "per-CPU dump layout ($ncpus CPUs)" "$want" dump pinned pa
json "per-CPU dump -j shape" "[e['key'] for e in j] == [['0x00','0x00','0x00','0x00'], ['0x01','0x00','0x00','0x00']]
  and all([v['cpu'] for v in e['values']] == list(range($ncpus)) for e in j)
  and all(v['value'] == ['0x11','0x22','0x33','0x44'] for v in j[1]['values'])
  and 'value' not in j[0]" dump pinned pa -j
json "per-CPU lookup -j" "len(j['values']) == $ncpus" lookup pinned pa key 1 0 0 0 -j
expect "per-CPU value takes value_size bytes" 1 'value: expected 4 bytes, got 8' \
  update pinned pa key 1 0 0 0 value 1 2 3 4 5 6 7 8
same "create percpu_hash with long values" "" create ph type percpu_hash key 4 value 20 entries 4 name ph
same "percpu_hash update" "" update pinned ph key 1 2 3 4 value $(seq 1 20)
want=$'key:\n01 02 03 04\n'
for ((c = 0; c < ncpus; c++)); do
  want+=$(printf 'value (CPU %02d):' "$c")$'\n01 02 03 04 05 06 07 08  09 0a 0b 0c 0d 0e 0f 10\n11 12 13 14\n'
done
want+="Found 1 element"
same "values over 16 bytes go on their own lines, 16 bytes a line" "$want" dump pinned ph

# --- long keys and values: bpftool's line breaking ---------------------------------------------
same "create hash with 20-byte keys" "" create big type hash key 20 value 40 entries 4 name big
same "update long key" "" update pinned big key $(seq 1 20) value $(seq 100 139)
same "long entries break lines as bpftool does" "key:
01 02 03 04 05 06 07 08  09 0a 0b 0c 0d 0e 0f 10
11 12 13 14
value:
64 65 66 67 68 69 6a 6b  6c 6d 6e 6f 70 71 72 73
74 75 76 77 78 79 7a 7b  7c 7d 7e 7f 80 81 82 83
84 85 86 87 88 89 8a 8b
Found 1 element" dump pinned big
# bpftool prints key and value on one line when they total 24 bytes or less.
same "create hash with 8+16-byte entries" "" create mid type hash key 8 value 16 entries 4 name mid
same "update mid" "" update pinned mid key $(seq 1 8) value $(seq 100 115)
same "24 bytes of entry on one line" \
  "key: 01 02 03 04 05 06 07 08  value: 64 65 66 67 68 69 6a 6b  6c 6d 6e 6f 70 71 72 73
Found 1 element" dump pinned mid
same "create hash with 12+16-byte entries" "" create k12 type hash key 12 value 16 entries 4 name k12
same "update k12" "" update pinned k12 key $(seq 1 12) value $(seq 100 115)
same "over 24 bytes the value goes on the next line" "key: 01 02 03 04 05 06 07 08  09 0a 0b 0c
value: 64 65 66 67 68 69 6a 6b  6c 6d 6e 6f 70 71 72 73
Found 1 element" dump pinned k12

# --- several maps with one name ------------------------------------------------------------------
same "create a second map named counts" "" create counts_b type hash key 4 value 4 entries 1 name counts
u dump name counts
[[ $rc -eq 0 && $(grep -cE '^[0-9]+: hash  name counts  flags 0x0$' <<<"$out") -eq 2 ]] &&
  pass "dump name NAME dumps every match with a header" || fail "dump name: $out $err"
json "dump -j of several maps: objects with elements" "len(j) == 2 and all(m['name'] == 'counts'
  and 'elements' in m for m in j)" dump name counts -j
json "show -j of several maps is an array" "len(j) == 2" show name counts -j
expect "lookup on an ambiguous name" 1 'several maps match this handle \(name counts\)' \
  lookup name counts key 1 0 0 0

# --- queues and stacks (when the library has them) -------------------------------------------------
if "$uebpf" map create q type queue key 0 value 4 entries 3 name q 2>/dev/null; then
  same "push" "" push pinned q value 1 0 0 0
  same "enqueue" "" enqueue pinned q value 2 0 0 0
  same "update pushes on a queue" "" update pinned q value 3 0 0 0
  expect "push on a full queue" 1 'update failed: Argument list too long' push pinned q value 4 0 0 0
  same "peek" "value: 01 00 00 00" peek pinned q
  same "dump shows the next value without taking it" "value: 01 00 00 00
Found 1 element (the next one: a queue shows no others without taking them out)" dump pinned q
  json "peek -j" "j == {'key': [], 'value': ['0x01','0x00','0x00','0x00']}" peek pinned q -j
  same "pop" "value: 01 00 00 00" pop pinned q
  json "dequeue -j" "j['value'] == ['0x02','0x00','0x00','0x00']" dequeue pinned q -j
  same "pop the last" "value: 03 00 00 00" pop pinned q
  expect "pop an empty queue" 1 'queue map q is empty' pop pinned q
  json "pop -j of an empty queue is null" 'j is None' pop pinned q -j
  same "dump of an empty queue" "Found 0 elements" dump pinned q
  expect "keys are refused on a queue" 1 'unnecessary key' lookup pinned q key 1 0 0 0
  expect "push needs a value" 2 'did not find value' push pinned q
  if "$uebpf" map create s type stack key 0 value 1 entries 2 name s 2>/dev/null; then
    "$uebpf" map push pinned s value 1 && "$uebpf" map push pinned s value 2
    same "a stack pops the last pushed" "value: 02" pop pinned s
  fi
else
  echo "SKIP queue and stack cases: the library does not create queues yet"
fi

# --- LPM tries and bloom filters (when the library has them) ----------------------------------------
if "$uebpf" map create lpm type lpm_trie key 8 value 4 entries 16 name lpm flags 1 2>/dev/null; then
  same "lpm update 10.1.2.0/24" "" update pinned lpm key 24 0 0 0 10 1 2 0 value 1 0 0 0
  same "lpm update 10.1.0.0/16" "" update pinned lpm key 16 0 0 0 10 1 0 0 value 2 0 0 0
  same "lpm lookup takes the longest prefix" "key: 20 00 00 00 0a 01 02 03  value: 01 00 00 00" \
    lookup pinned lpm key 32 0 0 0 10 1 2 3
  same "lpm lookup falls back to the shorter prefix" "key: 20 00 00 00 0a 01 09 03  value: 02 00 00 00" \
    lookup pinned lpm key 32 0 0 0 10 1 9 3
  u dump pinned lpm
  [[ $rc -eq 0 && $(tail -1 <<<"$out") == "Found 2 elements" ]] && pass "lpm dump" || fail "lpm dump: $out $err"
else
  echo "SKIP lpm_trie cases: the library does not create LPM tries yet"
fi
if "$uebpf" map create bloom type bloom_filter key 0 value 4 entries 16 name bloom 2>/dev/null; then
  same "bloom push" "" push pinned bloom value 1 2 3 4
  same "bloom lookup of a pushed value" "value: 01 02 03 04" lookup pinned bloom value 1 2 3 4
  expect "bloom lookup of another value" 1 '^Not found$' lookup pinned bloom value 9 9 9 9
  expect "bloom filters cannot be dumped" 1 "a bloom filter's values cannot be listed" dump pinned bloom
else
  echo "SKIP bloom_filter cases: the library does not create bloom filters yet"
fi

# --- errors: clear messages, exit status 1 or 2, never a crash -------------------------------------
expect "no map pinned" 1 "^uebpf: map: no map pinned at $pins/nope: No such file or directory$" \
  dump pinned nope
expect "not a map" 1 "$pins/junk is not a uebpf map" dump pinned junk
expect "a directory" 1 'Is a directory' show pinned sub
expect "unknown id" 1 "no map with id 7 is pinned in $pins" show id 7
expect "bad id" 2 "can't parse 12x as ID" show id 12x
expect "unknown name" 1 "no map named 'nobody' is pinned" lookup name nobody key 1 0 0 0
expect "name too long" 2 'is too long' show name abcdefghijklmnopq
expect "MAP missing" 2 'expected a map: id MAP_ID, pinned FILE or name MAP_NAME' dump
expect "MAP keyword wrong" 2 "expected 'id', 'name' or 'pinned', got: 'file'" dump file counts
expect "MAP argument missing" 2 "'pinned' needs an argument" dump pinned
expect "key too short" 1 '^uebpf: map: key: expected 4 bytes, got 3$' lookup pinned counts key 1 2 3
expect "key too long" 1 'key: expected 4 bytes, got 5' lookup pinned counts key 1 2 3 4 5
expect "value too short" 1 'value: expected 8 bytes, got 2' update pinned counts key 1 0 0 0 value 1 2
expect "value too long" 1 'value: expected 4 bytes, got 9' update pinned arr key 0 0 0 0 value 1 2 3 4 5 6 7 8 9
expect "byte out of range" 2 "key: byte '256' is out of range" lookup pinned counts key 1 2 3 256
expect "bad byte" 2 "key: bad byte 'zz'" lookup pinned counts key 1 zz 3 4
expect "octal-looking byte" 2 "key: bad byte '09'" lookup pinned counts key 1 2 3 09
expect "odd hex run" 2 "key: bad byte '02030'" lookup pinned counts key hex 01 02030 4
expect "key missing" 2 'did not find key' lookup pinned counts
expect "value missing" 2 'did not find value' update pinned counts key 1 0 0 0
expect "duplicate key" 2 'duplicate key' update pinned arr key 0 0 0 0 key 0 0 0 0 value 1 1 1 1
expect "two update flags" 2 'flags specified multiple times' update pinned arr key 0 0 0 0 value 1 1 1 1 any exist
expect "stray word" 2 "expected key, value or any\|exist\|noexist, got: 'frob'" \
  update pinned arr key 0 0 0 0 value 1 1 1 1 frob
expect "extra argument to dump" 2 "unexpected argument 'more'" dump pinned arr more
expect "value given to lookup" 2 "unexpected argument 'value'" lookup pinned arr key 0 0 0 0 value 1
expect "pop on a hash map" 1 'pop and dequeue take values out of queues and stacks' pop pinned arr
expect "pin without a file" 2 'expected the FILE' pin pinned arr
expect "unknown command" 2 "unknown command 'frob'" frob
expect "unknown option" 2 "unrecognized option '-x'" show -x
expect "event_pipe" 2 'event_pipe is not supported' event_pipe pinned arr
expect "create without a name" 2 'map name not specified' create x type hash key 4 value 4 entries 1
expect "create without a type" 2 'map type not specified' create x key 4 value 4 entries 1 name x
expect "create unknown type" 2 'unrecognized map type: frob' create x type frob key 4 value 4 entries 1 name x
expect "create bad name" 2 "invalid map name 'a-b'" create x type hash key 4 value 4 entries 1 name a-b
expect "create bad size" 2 "can't parse 4k as key size" create x type hash key 4k value 4 entries 1 name x
expect "create size twice" 2 'key size already specified' create x type hash key 4 key 4 value 4 entries 1 name x
expect "create unknown word" 2 'unknown arg colour' create x type hash key 4 value 4 entries 1 name x colour 3
expect "create refused by the library gives its errno" 1 \
  'map create failed: Invalid argument \(hash map, key 4B, value 0B' \
  create x type hash key 4 value 0 entries 1 name x
expect "create at a taken path" 1 "can't pin the object \($pins/arr\): File exists" \
  create arr type hash key 4 value 4 entries 1 name x
[[ ! -e $pins/x ]] && pass "refused creates leave no file" || fail "refused creates leave no file"
json "errors under -j are bpftool's error object" "j == {'error': 'no map pinned at $pins/nope: No such file or directory'}" \
  dump pinned nope -j

# Damaged map files: refused or read, never a crash.
cp "$pins/arr" "$tmp/arr.copy"
head -c 100 "$pins/arr" >"$pins/short"
expect "a truncated map file" 1 'is not a uebpf map' show pinned short
crashes=0
for off in 8 12 16 20 24 28 32 40 48 56 64 72 80 88 96 104 120 128; do
  cp "$tmp/arr.copy" "$pins/bad"
  printf '\xff\xff\xff\x7f' | dd of="$pins/bad" bs=1 seek=$off conv=notrunc status=none
  for cmd in "show pinned bad" "dump pinned bad" "lookup pinned bad key 1 0 0 0"; do
    # shellcheck disable=SC2086
    u $cmd
    [[ $rc -ge 128 ]] && { crashes=$((crashes + 1)); echo "  crash: offset $off: $cmd ($rc)"; }
  done
done
rm -f "$pins/bad" "$pins/short"
[[ $crashes -eq 0 ]] && pass "damaged headers never crash" || fail "damaged headers: $crashes crashes"

# Random invocations from the grammar's words: never a crash.
words=(show list dump lookup update delete getnext pin freeze create peek push pop help
       pinned id name key value hex any exist noexist type entries flags extra arr counts
       pa q nope 0 1 4 255 256 0x10 -1 ff 09 "" -j -p hash array queue "$id" sub/c3)
RANDOM=42
crashes=0
for _ in $(seq 300); do
  args=()
  for _ in $(seq $((RANDOM % 9 + 1))); do args+=("${words[RANDOM % ${#words[@]}]}"); done
  u "${args[@]}"
  [[ $rc -ge 124 ]] && { crashes=$((crashes + 1)); echo "  crash or hang ($rc): map ${args[*]}"; }
done
[[ $crashes -eq 0 ]] && pass "300 random invocations: no crash" || fail "random invocations: $crashes crashes"

echo "map_test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
