#!/usr/bin/env bash
# Installs the Debian packages uebpf needs to build, test and compile BPF
# programs. Idempotent: installs only what is missing; does nothing (and
# needs no network) when everything is present.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  clang-19 llvm-19 lld-19          # BPF programs: clang -target bpf, llvm-objdump
  libclang-rt-19-dev               # sanitizer runtimes for clang builds / fuzzing
  libelf-dev zlib1g-dev libbpf-dev # ELF + BTF
  linux-libc-dev                   # <linux/bpf.h> UAPI numbers
  bpftool                          # kernel-side oracle tooling
  libbpf-tools                     # real-world BPF objects for the object tests
  libpcap-dev                      # pcap replay
  python3
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
