#!/bin/sh
# Regenerates the binary seed corpora from the assembly seeds:
#   corpus/decode/NAME.raw   the program's instructions;
#   corpus/interp/NAME.raw   fuzz_interp's 2-byte header (flags, memory
#                            length), 64 bytes of memory, the program;
#   corpus/interp/structured-N.raw  inputs for the generator mode.
# Usage: fuzz/make_seeds.sh [path/to/uebpf]   (default build/cli/uebpf)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
uebpf=${1:-$here/../build/cli/uebpf}
corpus=$here/corpus
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

# Writes bytes given as hex pairs.
hex() { printf '%s' "$1" | sed 's/\(..\)/\\x\1/g' | xargs -0 printf; }

memory=$(i=0; while [ $i -lt 64 ]; do printf '%02x' $(( (i * 37 + 11) & 255 )); i=$((i + 1)); done)

for src in "$corpus"/asm/*.s; do
	name=$(basename "$src" .s)
	"$uebpf" asm "$src" -o "$tmp" 2>/dev/null || continue # the bad ones
	cat "$tmp" > "$corpus/decode/$name.raw"
	# Flags (fuzz_interp.c): 2 read-only memory, 4 packet, 8 small limit.
	case $name in
	llvm_mem|sum_loop) flags=02 ;;
	conf_lddw|conf_packet|kernel_log) flags=04 ;;
	conf_jumps|llvm_jumps) flags=08 ;;
	*) flags=00 ;;
	esac
	{ hex "${flags}40$memory"; cat "$tmp"; } > "$corpus/interp/$name.raw"
done

# Generator mode (flag 1): deterministic pseudo-random steering bytes.
for n in 1 2 3 4; do
	bytes=$(printf 'uebpf structured seed %s' $n | sha256sum | cut -c1-64)
	bytes=$bytes$(printf '%s' "$bytes" | sha256sum | cut -c1-64)
	hex "0$(( (n * 2 - 1) % 16 ))10$bytes" > "$corpus/interp/structured-$n.raw"
done
