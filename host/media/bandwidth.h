// Bandwidth adjustment for e2ae media security (TS 23.334, "bandwidth adjustment due to e2ae
// media security"): toward the access side the gateway wraps the media in TLS or DTLS records,
// so that side carries more bits than the core side for the same media. The Local descriptor it
// returns, and what it reports, use these figures.
//
//   stream (TLS over TCP):    protected = ceil(plain * (P + O) / P)
//                             P = media bytes per record, O = record overhead
//   datagram (DTLS, UDPTL):   protected = plain + O * 8 * R   (one record per packet, R packets/s)
//
// O is 29 bytes for TLS 1.2 AES-GCM (header 5, explicit nonce 8, tag 16), 22 for TLS 1.3
// (header 5, inner content type 1, tag 16) and 37 for DTLS 1.2 (header 13, nonce 8, tag 16):
// device::record_overhead(), the same sizes the device frames. The inverse (core side from access
// side) rounds down. docs/bandwidth.md has the derivation and worked figures.
#pragma once

#include <cstdint>

#include "drivers/device.h"
#include "drivers/record_format.h"
#include "host/sdp/sdp.h"

namespace mediasec::media {

struct Packetization {
  // Stream media: bytes of media in one record. MSRP sends a chunk per write (2048 bytes is a
  // common chunk size); a sender that fills records would use up to 16384.
  uint32_t record_payload = 2048;
  // Datagram media: packets per second (T.38 over UDPTL: one every 20 ms by default).
  uint32_t packets_per_second = 50;
};

// Bits per second on the protected side for `plain_bps` of media.
uint64_t protected_bitrate(uint64_t plain_bps, device::Framing framing, const Packetization& p);
// Bits per second of media that fit in `protected_bps` on the protected side.
uint64_t plain_bitrate(uint64_t protected_bps, device::Framing framing, const Packetization& p);

enum class Toward { kAccess, kCore };  // add the overhead, or take it off

// Rewrites b=AS (kbit/s, rounded up toward access, down toward core) and b=TIAS (bit/s) of `m`.
void adjust_bandwidth(sdp::MediaDescription& m, device::Framing framing, const Packetization& p, Toward toward);

}  // namespace mediasec::media
