#include "sim/engine_harness.h"

#include <algorithm>

namespace mediasec::sim {

std::vector<Beat> to_beats(std::span<const uint8_t> bytes, uint64_t user) {
  std::vector<Beat> beats;
  beats.reserve(bytes.size() / kBeatBytes + 1);
  size_t pos = 0;
  do {
    Beat b;
    const size_t n = std::min<size_t>(kBeatBytes, bytes.size() - pos);
    std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(pos), n, b.data.begin());
    b.keep = static_cast<uint16_t>(n == kBeatBytes ? 0xFFFFu : (1u << n) - 1u);
    b.user = user;
    pos += n;
    b.last = pos >= bytes.size();
    beats.push_back(b);
  } while (pos < bytes.size());
  return beats;
}

void append_kept(const Beat& beat, std::vector<uint8_t>& out) {
  for (uint32_t i = 0; i < kBeatBytes; ++i) {
    if ((beat.keep >> i) & 1u) out.push_back(beat.data[i]);
  }
}

}  // namespace mediasec::sim
