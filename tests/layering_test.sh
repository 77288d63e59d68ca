#!/usr/bin/env bash
# Arrows point down only: a file of a layer includes private headers of its
# own layer or of layers below it (docs/architecture.md), public headers
# (include/uebpf/) include nothing private, and tests/check.h is for tests.
set -uo pipefail
cd "$(dirname "$0")/.."

# Rank of each layer, bottom up. Layers of equal rank are siblings and may
# not include each other.
declare -A rank=([isa]=0 [maps]=1 [helpers]=2 [progtypes]=2 [verifier]=3 [engine]=3
                 [object]=4 [hooks]=5 [cli]=6)
violations=0
checked=0

for layer in "${!rank[@]}"; do
  [[ -d $layer ]] || continue
  while IFS= read -r file; do
    checked=$((checked + 1))
    while IFS= read -r inc; do
      dep=${inc%%/*}
      if [[ $inc == tests/check.h ]]; then
        [[ $file == *_test.c ]] && continue
        echo "FAIL $file includes the test harness"
        violations=$((violations + 1))
        continue
      fi
      [[ -n ${rank[$dep]+x} ]] || continue # system or public header
      if [[ $dep != "$layer" && ${rank[$dep]} -ge ${rank[$layer]} ]]; then
        echo "FAIL $file ($layer) includes $inc ($dep is not below $layer)"
        violations=$((violations + 1))
      fi
    done < <(sed -nE 's/^#include "([^"]+)".*/\1/p' "$file")
  done < <(find "$layer" -name '*.[ch]' -o -name '*.def')
done

while IFS= read -r file; do
  checked=$((checked + 1))
  if grep -qE '^#include "' "$file" && grep -E '^#include "' "$file" | grep -vqE '"uebpf/'; then
    echo "FAIL public header $file includes a private header"
    violations=$((violations + 1))
  fi
done < <(find include -name '*.h')

echo "layering: $checked files checked, $violations violations"
[[ $violations -eq 0 && $checked -gt 0 ]]
