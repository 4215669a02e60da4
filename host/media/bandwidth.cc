#include "host/media/bandwidth.h"

namespace mediasec::media {
namespace {

bool is_datagram(device::Framing f) { return f == device::Framing::kDtls12; }

uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

}  // namespace

uint64_t protected_bitrate(uint64_t plain_bps, device::Framing framing, const Packetization& p) {
  const uint64_t overhead = device::record_overhead(framing);
  if (is_datagram(framing)) return plain_bps + overhead * 8 * p.packets_per_second;
  const uint64_t payload = p.record_payload == 0 ? 1 : p.record_payload;
  return ceil_div(plain_bps * (payload + overhead), payload);
}

uint64_t plain_bitrate(uint64_t protected_bps, device::Framing framing, const Packetization& p) {
  const uint64_t overhead = device::record_overhead(framing);
  if (is_datagram(framing)) {
    const uint64_t extra = overhead * 8 * p.packets_per_second;
    return protected_bps > extra ? protected_bps - extra : 0;
  }
  const uint64_t payload = p.record_payload == 0 ? 1 : p.record_payload;
  return protected_bps * payload / (payload + overhead);
}

void adjust_bandwidth(sdp::MediaDescription& m, device::Framing framing, const Packetization& p, Toward toward) {
  for (sdp::Bandwidth& b : m.bandwidths) {
    const bool as = b.type == "AS";
    if (!as && b.type != "TIAS") continue;  // CT and others are session totals the MGC owns
    const uint64_t bps = as ? b.value * 1000 : b.value;
    const uint64_t adjusted =
        toward == Toward::kAccess ? protected_bitrate(bps, framing, p) : plain_bitrate(bps, framing, p);
    b.value = as ? (toward == Toward::kAccess ? ceil_div(adjusted, 1000) : adjusted / 1000) : adjusted;
  }
}

}  // namespace mediasec::media
