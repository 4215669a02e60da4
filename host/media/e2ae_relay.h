// One e2ae bearer (TR 29.828 e2ae security, TS 23.334): TLS terminated toward the access side
// (records on the device through tls::TlsSession), plain TCP toward the core, the byte stream
// relayed both ways. Runs on one worker's asio::io_context; all its handlers run on that thread,
// so it takes no lock.
//
// The end of either side ends the bearer: close_notify, a fatal alert or a bad record on the
// access side closes the core connection; the core closing sends close_notify to the terminal.
// Either way on_release reports why (the media plane turns it into a Notify to the MGC).
#pragma once

#include <asio.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "host/media/msrp_interworker.h"
#include "host/media/write_queue.h"
#include "host/tls/profile.h"
#include "host/tls/release.h"
#include "host/tls/tls_session.h"

namespace mediasec::media {

class E2aeRelay : public std::enable_shared_from_this<E2aeRelay> {
 public:
  struct Stats {
    uint64_t access_to_core = 0;  // plaintext bytes delivered to the core
    uint64_t core_to_access = 0;  // plaintext bytes sent to the terminal
    bool core_ended = false;      // the core closed first (we then sent close_notify)
    bool established = false;     // the TLS handshake completed (a release before it is a tlsfail)
  };
  using OnRelease = std::function<void(const tls::Release&, const Stats&)>;
  using OnEstablished = std::function<void()>;  // the TLS handshake completed

  // Both sockets connected; the session in the role SDP a=setup gave it. Starts at once. With
  // `msrp`, the plaintext is relayed as MSRP messages readdressed for each side; malformed MSRP
  // from either side ends the bearer (kBadMedia). A handshake not complete after
  // `handshake_timeout` (a peer that sent half a ClientHello, or nothing) ends the bearer
  // (kHandshakeTimeout).
  static std::shared_ptr<E2aeRelay> start(asio::ip::tcp::socket access, asio::ip::tcp::socket core,
                                          std::unique_ptr<tls::TlsSession> session, OnRelease on_release,
                                          OnEstablished on_established = {},
                                          std::unique_ptr<MsrpInterworking> msrp = nullptr,
                                          std::chrono::milliseconds handshake_timeout = tls::Profile{}.handshake_timeout);

  // Ends the bearer from our side (Subtract): close_notify to the terminal, core closed.
  void stop();
  const Stats& stats() const { return stats_; }
  const tls::TlsSession& session() const { return *session_; }

 private:
  E2aeRelay(asio::ip::tcp::socket access, asio::ip::tcp::socket core, std::unique_ptr<tls::TlsSession> session,
            OnRelease on_release, OnEstablished on_established, std::unique_ptr<MsrpInterworking> msrp);
  void watch_handshake(std::chrono::milliseconds timeout);
  void bad_media(const std::string& side, const msrp::MsrpError& e);
  void note_established();
  // A side is read while the relay runs and the other side's queue is below the high-water mark.
  bool may_read_access() const { return !finished_ && core_out_.queued() <= kHighWater; }
  bool may_read_core() const { return !finished_ && access_out_.queued() <= kHighWater; }
  void read_access();
  void drain_access();
  void from_access(std::span<const uint8_t> bytes);
  void read_core();
  void drain_core();
  bool from_core(std::span<const uint8_t> plain);  // false: the bearer ended
  void core_ended();
  void to_access();  // whatever the session has for the terminal
  void to_core(std::vector<uint8_t> bytes);
  void write_access();
  void write_core();
  void check_released();
  void finish(const tls::Release& why);

  static constexpr size_t kReadSize = 32 * 1024;  // per read, on the stack
  static constexpr size_t kReadsPerWake = 8;
  static constexpr size_t kHighWater = 1 << 20;  // stop reading a side while the other has this much queued

  asio::ip::tcp::socket access_, core_;
  asio::steady_timer handshake_timer_;
  std::unique_ptr<tls::TlsSession> session_;
  std::unique_ptr<MsrpInterworking> msrp_;
  std::vector<uint8_t> rewritten_;
  OnRelease on_release_;
  OnEstablished on_established_;
  bool established_ = false;
  WriteQueue access_out_, core_out_;
  bool access_reading_ = false, core_reading_ = false;
  bool finished_ = false;
  bool core_closed_ = false;
  Stats stats_;
};

}  // namespace mediasec::media
