# mediasec: every target bootstraps (installs what is missing) and builds first.
.PHONY: all bootstrap build build-asan run test test-asan bench lint format soak clean

BUILD_RELEASE := build/release
BUILD_ASAN := build/asan

all: build

bootstrap:
	@scripts/bootstrap

build: bootstrap
	@cmake --preset release >/dev/null
	@cmake --build --preset release

build-asan: bootstrap
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan

# mediasecd on sw under a megaco MGC: one MSRP-over-TLS (e2ae) and one T.38-over-DTLS session
# with openssl as the terminal and plain TCP/UDP peers as the core; each step printed.
# Builds only what it runs (mediasecd, mediasecctl, the Erlang peers), not the tests and benchmarks.
run: bootstrap
	@cmake --preset release >/dev/null
	@cmake --build --preset release --target mediasecd mediasecctl erlang_peers
	@python3 tests/e2e/session.py --build $(BUILD_RELEASE) --backend sw e2ae t38

test: build
	@scripts/run-tests release

# The same suite under AddressSanitizer + UBSan (iteration counts scaled by MEDIASEC_TEST_SCALE).
test-asan: build-asan
	@scripts/run-tests asan

bench: build
	@scripts/bench

# Register-map drift, the RTL (verilator -Wall, yosys), the C++ (clang-format, include layers,
# clang-tidy on what changed: LINT_BASE=<commit> widens it, LINT_TIDY=all takes every file).
lint: bootstrap
	@python3 hw/regmap/generate.py --check
	@scripts/lint-rtl
	@scripts/lint-cpp

# Rewrite every C++ file to .clang-format.
format:
	@git ls-files -- '*.cc' '*.h' | xargs clang-format -i

soak: build
	@MEDIASEC_TEST_SCALE=10 scripts/run-tests release

clean:
	rm -rf build
