// A T.38 bearer without media security: UDPTL relayed datagram for datagram between the access
// side (the terminal, latched and relatched per LatchPolicy when behind a NAT) and the core
// side. The gateway keeps its own ports on both sides, so neither side learns the other's
// address. stop() (Subtract) ends it; there is no in-band release for UDP.
#pragma once

#include <asio.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "host/media/latch.h"

namespace mediasec::media {

class UdptlRelay : public std::enable_shared_from_this<UdptlRelay> {
 public:
  struct Stats {
    uint64_t packets_to_core = 0, packets_to_access = 0;
    uint64_t octets_to_core = 0, octets_to_access = 0;
    uint64_t latches = 0;
    uint64_t dropped = 0;  // from a source that is not the latched terminal (relatching off)
  };

  // `terminal`: the access peer from the Remote SDP, if any (latching may replace it). `core` is
  // connected to the core-side peer.
  static std::shared_ptr<UdptlRelay> start(asio::ip::udp::socket access,
                                           std::optional<asio::ip::udp::endpoint> terminal, asio::ip::udp::socket core,
                                           LatchPolicy policy);
  void stop();
  const Stats& stats() const { return stats_; }

 private:
  UdptlRelay(asio::ip::udp::socket access, std::optional<asio::ip::udp::endpoint> terminal, asio::ip::udp::socket core,
             LatchPolicy policy);
  void read_access();
  void read_core();
  void latch_to(const asio::ip::udp::endpoint& from);

  static constexpr size_t kDatagram = 65536;

  asio::ip::udp::socket access_, core_;
  std::optional<asio::ip::udp::endpoint> terminal_;
  bool latched_ = false;
  LatchPolicy policy_;
  asio::ip::udp::endpoint from_;
  std::vector<uint8_t> access_buf_, core_buf_;
  bool stopped_ = false;
  Stats stats_;
};

}  // namespace mediasec::media
