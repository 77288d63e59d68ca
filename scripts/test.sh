#!/usr/bin/env bash
# Runs the test suite in each build configuration given (normal, then
# sanitizers) and ends with one summary line over all of them. DIR:LABEL
# runs only the tests with that ctest label.
set -uo pipefail

total_pass=0
total_fail=0
for arg in "$@"; do
  dir=${arg%%:*}
  label=()
  [[ $arg == *:* ]] && label=(-L "${arg#*:}")
  echo "=== tests in $dir ${label[*]} ==="
  log=$(mktemp)
  ctest --test-dir "$dir" "${label[@]}" --output-on-failure -j "$(nproc 2>/dev/null || echo 2)" 2>&1 | tee "$log"
  # ctest: "100% tests passed, 0 tests failed out of 12"
  line=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -1)
  rm -f "$log"
  if [[ -z $line ]]; then
    echo "no ctest summary from $dir"
    total_fail=$((total_fail + 1))
    continue
  fi
  failed=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$line")
  count=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/' <<<"$line")
  total_pass=$((total_pass + count - failed))
  total_fail=$((total_fail + failed))
done

echo
echo "all configurations: $total_pass tests passed, $total_fail tests failed"
[[ $total_fail -eq 0 ]]
