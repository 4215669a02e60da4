// NAT traversal on the access side (H.248.37 ipnapt, adr, lstat): the terminal behind a NAT is
// reached at the address its packets come from, not the one its SDP names. Latching takes the
// source of the first packet; relatching follows a source that changes later (a NAT rebinding),
// for DTLS only once a packet from the new source has authenticated. Each latch is reported
// (adr/rsac with the new address) and counted (lstat/latches).
#pragma once

#include <asio.hpp>

#include <cstdint>
#include <functional>

namespace mediasec::media {

struct LatchPolicy {
  bool latch = true;     // ipnapt/latch: take the first packet's source as the peer
  bool relatch = false;  // ipnapt/rlatch: follow a source that changes
  std::function<void(const asio::ip::udp::endpoint&)> on_latch;  // each latch and relatch
};

}  // namespace mediasec::media
