# uebpf: the two commands of the README, and a few conveniences.
#   make demo   install what is missing, build, run the demo
#   make test   install what is missing, build, run every test in the
#               normal and the sanitizer (ASan + UBSan) configurations
#   make bench  build and run the benchmarks
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD ?= build
BUILD_SAN ?= build-asan

.PHONY: all setup build build-asan demo test bench clean

all: build

setup:
	@bash scripts/setup.sh

build: setup
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

build-asan: setup
	@cmake -S . -B $(BUILD_SAN) -DCMAKE_BUILD_TYPE=Debug -DUEBPF_SANITIZE=ON >/dev/null
	@cmake --build $(BUILD_SAN) -j $(JOBS)

demo: build
	@bash scripts/demo.sh $(BUILD)

test: build build-asan
	@bash scripts/test.sh $(BUILD) $(BUILD_SAN)

bench: build
	@$(BUILD)/bench/uebpf-bench

clean:
	rm -rf $(BUILD) $(BUILD_SAN)
