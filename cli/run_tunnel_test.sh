#!/usr/bin/env bash
# uebpf run OBJ.o reports the tunnel a tc program set with
# bpf_skb_set_tunnel_key / _opt (text and JSON), IPv4 and IPv6.
#   run_tunnel_test.sh path/to/uebpf path/to/tunnel.bpf.o
set -uo pipefail

uebpf=$(readlink -f "$1")
obj=$(readlink -f "$2")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/test_lib.sh"

# 64-byte frames: IPv4 (EtherType 0x0800, version 4) and IPv6.
python3 -c "import sys; d = bytearray(64); d[12] = 8; d[14] = 0x45; sys.stdout.buffer.write(d)" >"$tmp/v4"
python3 -c "import sys; d = bytearray(74); d[12] = 0x86; d[13] = 0xdd; d[14] = 0x60; sys.stdout.buffer.write(d)" >"$tmp/v6"

expect "the tunnel in the text output" 0 \
  'tunnel: id 42 remote 192\.168\.0\.1 local 192\.168\.0\.2 tos 16 ttl 64 flags 0xf804 options 0102030405060708' \
  run "$obj" --data-in "$tmp/v4"
json "the tunnel in JSON (IPv6, with its label)" \
  'j["tunnel"] == {"id": 42, "remote": "2001:db8::1", "local": "2001:db8::2", "tos": 16, "ttl": 64, "label": 74565, "flags": 0xf804, "options": "0102030405060708"}' \
  run "$obj" --data-in "$tmp/v6" -j

echo "run_tunnel_test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
