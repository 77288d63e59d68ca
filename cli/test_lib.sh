# Helpers of the CLI's shell tests, sourced after setting $uebpf (the
# command) and $tmp (a scratch directory); the words in u_prefix go
# before the arguments of every run (u_prefix=(map) for uebpf map).
passed=0
failed=0
u_prefix=()

pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }

# u ARGS...: runs `uebpf PREFIX ARGS` (10 s at most); sets out (stdout),
# err (stderr) and rc. A sanitizer's report counts as a crash (rc 200).
u() {
  out=$(timeout 10 "$uebpf" "${u_prefix[@]}" "$@" 2>"$tmp/stderr")
  rc=$?
  err=$(<"$tmp/stderr")
  if grep -qE 'Sanitizer|runtime error' <<<"$err"; then
    echo "$err" | head -20
    rc=200
  fi
}

# same NAME EXPECTED ARGS...: exit status 0 and exactly EXPECTED on stdout.
same() {
  local name=$1 want=$2
  shift 2
  u "$@"
  if [[ $rc -ne 0 ]]; then
    fail "$name: exit status $rc; stderr: ${err:0:300}"
  elif [[ "$out" != "$want" ]]; then
    fail "$name: got"$'\n'"$out"$'\n'"--- expected"$'\n'"$want"
  else
    pass "$name"
  fi
}

# expect NAME STATUS PATTERN ARGS...: exit status STATUS and PATTERN
# (grep -E) in stdout+stderr.
expect() {
  local name=$1 status=$2 pattern=$3
  shift 3
  u "$@"
  if [[ $rc -ne $status ]]; then
    fail "$name: exit status $rc, expected $status; output: ${out:0:200} ${err:0:300}"
  elif ! grep -qE -- "$pattern" <<<"$out"$'\n'"$err"; then
    fail "$name: output lacks /$pattern/: ${out:0:300} ${err:0:300}"
  else
    pass "$name"
  fi
}

# json NAME PYTHON-EXPR ARGS...: stdout is JSON and PYTHON-EXPR (on j) is true.
json() {
  local name=$1 check=$2
  shift 2
  u "$@"
  if python3 -c "import json, sys; j = json.loads(sys.stdin.read()); sys.exit(0 if ($check) else 1)" \
    <<<"$out" 2>"$tmp/pyerr"; then
    pass "$name"
  else
    fail "$name: $check is false for: ${out:0:400} ${err:0:200} $(<"$tmp/pyerr")"
  fi
}
