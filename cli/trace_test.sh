#!/usr/bin/env bash
# uebpf trace pipe: programs run by `uebpf run` print with bpf_trace_printk
# and another process reads the messages, in the kernel's trace_pipe
# layout or as JSON; --once prints what is there, without --once it
# follows until SIGINT; a full ring reports lost messages as the kernel
# does; UEBPF_TRACE_PRINTK=stderr sends the lines to stderr instead.
#   trace_test.sh path/to/uebpf
set -uo pipefail

uebpf=$(readlink -f "$1")
tmp=$(mktemp -d)
follower=
cleanup() {
  [[ -n $follower ]] && kill "$follower" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
export UEBPF_PIN_DIR=$tmp/pins
unset UEBPF_TRACE_PRINTK
passed=0
failed=0

pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }

# t ARGS...: runs `uebpf ARGS` (20 s at most); sets out, err and rc. A
# sanitizer's report counts as a crash.
t() {
  out=$(timeout 20 "$uebpf" "$@" 2>"$tmp/stderr")
  rc=$?
  err=$(<"$tmp/stderr")
  if grep -qE 'Sanitizer|runtime error' <<<"$err"; then
    echo "$err" | head -20
    rc=200
  fi
}

# prog FILE FORMAT [R3]: a program calling bpf_trace_printk(FORMAT, size, R3).
prog() {
  python3 - "$1" "$2" "${3:-0}" <<'EOF'
import sys
path, fmt, r3 = sys.argv[1], sys.argv[2].encode().decode('unicode_escape').encode('latin-1'), sys.argv[3]
data = fmt + b'\0'
top = (len(data) + 7) // 8 * 8
data += b'\0' * (top - len(data))
lines = []
for i in range(0, top, 8):
    lines.append('r1 = 0x%x ll' % int.from_bytes(data[i:i + 8], 'little'))
    lines.append('*(u64 *)(r10 - %d) = r1' % (top - i))
lines += ['r1 = r10', 'r1 += -%d' % top, 'r2 = %d' % (len(fmt) + 1), 'r3 = %s' % r3,
          'call bpf_trace_printk', 'exit']
open(path, 'w').write('\n'.join(lines) + '\n')
EOF
}

# The kernel's layout: comm right-aligned in 16, -pid left-aligned in 7,
# [cpu], the flags, seconds.microseconds, the event name.
line_re='^ {11}uebpf-[0-9]+ +\[[0-9]{3}\] \.\.\.\.\. +[0-9]+\.[0-9]{6}: bpf_trace_printk: '

# --- the command line -------------------------------------------------------
t trace
[[ $rc -eq 2 && $err == *"usage: uebpf trace pipe"* ]] && pass "trace alone prints the usage" ||
  fail "trace alone: $rc $err"
t trace nope
[[ $rc -eq 2 && $err == *"unknown trace command 'nope'"* ]] && pass "an unknown subcommand" ||
  fail "an unknown subcommand: $rc $err"
t trace pipe extra
[[ $rc -eq 2 ]] && pass "extra words are refused" || fail "extra words: $rc $err"
t trace pipe --bogus
[[ $rc -eq 2 && $err == *usage* ]] && pass "an unknown option" || fail "an unknown option: $rc $err"
t help
[[ $rc -eq 0 && $out == *"trace pipe"* ]] && pass "help lists trace pipe" || fail "help: $out"

# --- a reader first: it creates the ring ------------------------------------
t trace pipe --once
[[ $rc -eq 0 && -z $out && -f $UEBPF_PIN_DIR/.trace_pipe ]] &&
  pass "--once on nothing prints nothing and creates the ring" ||
  fail "--once on nothing: rc $rc out '$out' err '$err'"

# --- a program prints, another process reads --------------------------------
prog "$tmp/hello.s" 'hello %d from uebpf' 42
t run "$tmp/hello.s"
[[ $rc -eq 0 && $out == *"retval: 19 (0x13)"* ]] && pass "trace_printk returns the length" ||
  fail "uebpf run: rc $rc out '$out' err '$err'"
t trace pipe --once
if [[ $rc -eq 0 && $(wc -l <<<"$out") -eq 1 ]] && grep -qE "${line_re}hello 42 from uebpf\$" <<<"$out"; then
  pass "trace pipe --once shows the message in the kernel's layout"
else
  fail "trace pipe --once: rc $rc out '$out' err '$err'"
fi
t trace pipe --once
[[ $rc -eq 0 && -z $out ]] && pass "reading consumes, as trace_pipe does" || fail "second read: '$out'"

# Unchecked too, several processes in order, a newline kept as the
# kernel keeps it (then the line's own).
prog "$tmp/nl.s" 'line %d\n' 7
t run "$tmp/hello.s" --unchecked
t run "$tmp/nl.s"
t run "$tmp/hello.s" --repeat 3
t trace pipe --once
n_hello=$(grep -cE "${line_re}hello 42 from uebpf\$" <<<"$out")
if [[ $n_hello -eq 4 ]] && grep -qE "${line_re}line 7\$" <<<"$out" &&
  [[ $(sed -n 3p <<<"$out") == "" && $(wc -l <<<"$out") -eq 6 ]]; then
  pass "messages of several processes, in order, newline kept"
else
  fail "several processes: '$out'"
fi

# --- JSON --------------------------------------------------------------------
prog "$tmp/json.s" 'tab\there "quoted" \\ %d' 5
t run "$tmp/json.s"
t -j trace pipe --once
if python3 -c '
import json, sys
j = json.loads(sys.stdin.read())
ok = (j["message"] == "tab\there \"quoted\" \\ 5" and j["comm"] == "uebpf" and
      isinstance(j["pid"], int) and j["pid"] == j["tgid"] and isinstance(j["cpu"], int) and
      isinstance(j["timestamp"], float))
sys.exit(0 if ok else 1)' <<<"$out" 2>"$tmp/pyerr"; then
  pass "-j before the command: one JSON object a message"
else
  fail "-j: '$out' $(<"$tmp/pyerr")"
fi

# --- following, stopped by SIGINT --------------------------------------------
"$uebpf" trace pipe >"$tmp/follow" 2>"$tmp/follow.err" &
follower=$!
sleep 0.3
t run "$tmp/hello.s"
t run "$tmp/nl.s"
for _ in $(seq 100); do
  [[ $(grep -c bpf_trace_printk "$tmp/follow") -ge 2 ]] && break
  sleep 0.05
done
kill -INT "$follower"
wait "$follower"
status=$?
follower=
if [[ $status -eq 0 && $(grep -c bpf_trace_printk "$tmp/follow") -eq 2 && ! -s $tmp/follow.err ]]; then
  pass "trace pipe follows as messages come and stops cleanly on SIGINT"
else
  fail "following: status $status, output '$(<"$tmp/follow")' err '$(<"$tmp/follow.err")'"
fi

# --- stderr instead of the ring ------------------------------------------------
out=$(UEBPF_TRACE_PRINTK=stderr "$uebpf" run "$tmp/hello.s" 2>"$tmp/stderr")
if grep -qE "${line_re}hello 42 from uebpf\$" "$tmp/stderr" && [[ $out == *"retval: 19"* ]]; then
  pass "UEBPF_TRACE_PRINTK=stderr prints the line on stderr"
else
  fail "stderr route: '$(<"$tmp/stderr")'"
fi
out=$(UEBPF_TRACE_PRINTK=off "$uebpf" run "$tmp/hello.s" 2>"$tmp/stderr")
[[ ! -s $tmp/stderr && $out == *"retval: 19"* ]] && pass "UEBPF_TRACE_PRINTK=off drops them" ||
  fail "off route: '$(<"$tmp/stderr")'"
t trace pipe --once
[[ -z $out ]] && pass "neither went to the ring" || fail "the ring got: '$out'"

# --- a full ring: messages lost and reported -----------------------------------
prog "$tmp/big.s" '%1000d' 1
t run "$tmp/big.s" --repeat 1200
t trace pipe --once
kept=$(grep -c bpf_trace_printk <<<"$out")
lost=$(sed -n 's/^CPU:[0-9]* \[LOST \([0-9]*\) EVENTS\]$/\1/p' <<<"$out" | awk '{ s += $1 } END { print s + 0 }')
if [[ $kept -gt 900 && $kept -lt 1200 && $((kept + ${lost:-0})) -eq 1200 ]] &&
  [[ $(head -1 <<<"$out") == CPU:* ]]; then
  pass "a full ring drops messages and reports them as the kernel's LOST EVENTS ($kept kept)"
else
  fail "full ring: kept $kept, lost '${lost:-}', first line '$(head -1 <<<"$out")'"
fi
t -j trace pipe --once
[[ -z $out ]] && pass "the count is reported once" || fail "lost reported again: '${out:0:200}'"

# --- the pin directory cannot be used: an error, not a crash --------------------
out=$(UEBPF_PIN_DIR=/proc/nonexistent/x "$uebpf" trace pipe --once 2>&1)
rc=$?
[[ $rc -eq 1 && $out == *"cannot open the trace ring"* ]] && pass "an unusable pin directory" ||
  fail "unusable pin directory: rc $rc '$out'"
out=$(UEBPF_PIN_DIR=/proc/nonexistent/x "$uebpf" run "$tmp/hello.s" 2>&1)
[[ $out == *"messages go to stderr"* && $out == *"bpf_trace_printk: hello 42 from uebpf"* ]] &&
  pass "a writer without a ring falls back to stderr" || fail "writer without a ring: '$out'"

echo "trace_test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
