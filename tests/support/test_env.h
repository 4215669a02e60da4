// What the environment tells a test: how much work to do and which seed to use.
#pragma once

#include <cstdint>
#include <cstdlib>

namespace mediasec::test_env {

// MEDIASEC_TEST_SCALE scales iteration counts (0.1 under ASan, 10 for soaks).
inline double TestScale() {
  const char* s = std::getenv("MEDIASEC_TEST_SCALE");
  const double v = s != nullptr ? std::strtod(s, nullptr) : 1.0;
  return v > 0 ? v : 1.0;
}

// MEDIASEC_TEST_SEED overrides the default seed; tests print the seed they used on failure.
inline uint64_t TestSeed(uint64_t fallback) {
  const char* s = std::getenv("MEDIASEC_TEST_SEED");
  return s != nullptr ? std::strtoull(s, nullptr, 0) : fallback;
}

}  // namespace mediasec::test_env
