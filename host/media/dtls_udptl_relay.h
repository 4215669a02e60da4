// One T.38 bearer with e2ae security (RFC 7345): DTLS terminated toward the terminal (records on
// the device through tls::DtlsSession), plain UDPTL toward the core; each UDPTL packet is one
// DTLS record. In the server role the terminal's address is latched from its first datagram.
// The DTLS handshake timers run on the worker's io_context. close_notify or a fatal alert from
// the terminal, or stop() (Subtract), releases the bearer and on_release says why.
#pragma once

#include <asio.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "host/media/latch.h"
#include "host/tls/dtls_session.h"

namespace mediasec::media {

class DtlsUdptlRelay : public std::enable_shared_from_this<DtlsUdptlRelay> {
 public:
  struct Stats {
    uint64_t packets_to_core = 0, packets_to_access = 0;
    uint64_t octets_to_core = 0, octets_to_access = 0;  // UDPTL payload bytes
    uint64_t latches = 0;
    uint64_t datagrams_ignored = 0;  // from the access side before any ClientHello latched it
    bool established = false;        // the DTLS handshake completed (a release before it is a tlsfail)
  };
  using OnRelease = std::function<void(const tls::Release&, const Stats&)>;
  using OnEstablished = std::function<void()>;

  // `access` is bound to our access-side port; `terminal` is the terminal's address if known
  // (our client role), else latched. `core` is connected to the core-side UDPTL peer. With
  // `latch.relatch`, a record that authenticates from a new source moves the terminal there.
  static std::shared_ptr<DtlsUdptlRelay> start(asio::ip::udp::socket access,
                                               std::optional<asio::ip::udp::endpoint> terminal,
                                               asio::ip::udp::socket core, std::unique_ptr<tls::DtlsSession> session,
                                               OnRelease on_release, OnEstablished on_established = {},
                                               LatchPolicy latch = {});
  void stop();
  const Stats& stats() const { return stats_; }
  const tls::DtlsSession& session() const { return *session_; }

 private:
  DtlsUdptlRelay(asio::ip::udp::socket access, std::optional<asio::ip::udp::endpoint> terminal,
                 asio::ip::udp::socket core, std::unique_ptr<tls::DtlsSession> session, OnRelease on_release);
  void latch_to(const asio::ip::udp::endpoint& from);  // the terminal is now there: reported and counted
  void read_access();
  void read_core();
  void flush();  // datagrams for the terminal, packets for the core, the handshake timer
  void arm_timer();
  void finish();

  asio::ip::udp::socket access_, core_;
  std::optional<asio::ip::udp::endpoint> terminal_;
  asio::ip::udp::endpoint from_;
  asio::steady_timer timer_;
  std::unique_ptr<tls::DtlsSession> session_;
  OnRelease on_release_;
  OnEstablished on_established_;
  LatchPolicy latch_;
  bool established_ = false;
  bool latched_ = false;  // terminal_ came from a latch (not from the Remote)
  std::vector<uint8_t> access_buf_, core_buf_;
  bool finished_ = false;
  Stats stats_;
};

}  // namespace mediasec::media
