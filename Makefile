# uebpf: the two commands of the README, and a few conveniences.
#   make demo   install what is missing, build, run the demo
#   make test   install what is missing, build, run every test in the
#               normal and the sanitizer (ASan + UBSan) configurations,
#               and the concurrency tests under ThreadSanitizer
#   make bench  build and run the benchmarks
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD ?= build
BUILD_SAN ?= build-asan
BUILD_TSAN ?= build-tsan

.PHONY: all setup build build-asan build-tsan demo test bench clean

all: build

setup:
	@bash scripts/setup.sh

build: setup
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

build-asan: setup
	@cmake -S . -B $(BUILD_SAN) -DCMAKE_BUILD_TYPE=Debug -DUEBPF_SANITIZE=ON >/dev/null
	@cmake --build $(BUILD_SAN) -j $(JOBS)

build-tsan: setup
	@cmake -S . -B $(BUILD_TSAN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DUEBPF_TSAN=ON >/dev/null
	@cmake --build $(BUILD_TSAN) -j $(JOBS)

demo: build
	@bash scripts/demo.sh $(BUILD)

# The concurrency tests also run under ThreadSanitizer.
test: build build-asan build-tsan
	@bash scripts/test.sh $(BUILD) $(BUILD_SAN) $(BUILD_TSAN):concurrency

bench: build
	@$(BUILD)/bench/uebpf-bench
	@$(BUILD)/bench/uebpf-pkt-bench
	@$(BUILD)/bench/uebpf-verify-bench

clean:
	rm -rf $(BUILD) $(BUILD_SAN) $(BUILD_TSAN)
