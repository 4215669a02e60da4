# mediasec: every target bootstraps (installs what is missing) and builds first.
.PHONY: all bootstrap build build-asan run test test-asan bench lint soak clean

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

# Until the media plane lands: device self-test and a record-protection demo on sw and sim.
run: build
	@$(BUILD_RELEASE)/host/app/mediasecctl --backend sw demo
	@$(BUILD_RELEASE)/host/app/mediasecctl --backend sim demo

test: build
	@scripts/run-tests release

# The same suite under AddressSanitizer + UBSan (iteration counts scaled by MEDIASEC_TEST_SCALE).
test-asan: build-asan
	@scripts/run-tests asan

bench: build
	@scripts/bench

lint: bootstrap
	@python3 hw/regmap/generate.py --check
	@scripts/lint-rtl

soak: build
	@MEDIASEC_TEST_SCALE=10 scripts/run-tests release

clean:
	rm -rf build
