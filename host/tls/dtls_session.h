// One DTLS 1.2 session over UDP (T.38 fax over UDPTL, RFC 7345), sans I/O: the owner passes each
// datagram it receives and sends each datagram take_datagrams() returns.
//
// OpenSSL runs the handshake (retransmission timers, MTU-sized fragments, the cookie exchange in
// the server role, fingerprint check). Then the epoch-1 keys go to the device and every UDPTL
// packet is one record protected or unprotected there. Records are checked against a 64-record
// replay window and the current epoch before the device sees them; invalid records are dropped
// silently (RFC 6347 §4.1.2.7) and counted. Handshake records that arrive after the handshake
// (the peer repeating its last flight because ours was lost) still reach OpenSSL, and what it
// repeats is re-protected at the wire's sequence numbers (docs/tls-offload.md).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "drivers/key_slot.h"
#include "host/security/fingerprint.h"
#include "host/tls/context.h"
#include "host/tls/direction_keys.h"
#include "host/tls/peer_check.h"
#include "host/tls/release.h"
#include "host/tls/replay_window.h"

namespace mediasec::tls {

class DtlsSession final : private SessionHooks {
 public:
  using Datagram = std::vector<uint8_t>;

  struct Options {
    Role role = Role::kServer;
    std::vector<security::Fingerprint> peer_fingerprints;
    bool require_peer_fingerprint = true;
    std::vector<uint8_t> peer_address;  // what the server's cookie is bound to (address and port)
  };

  struct Info {
    std::string cipher;
    bool offloaded = false;
    uint64_t records_in = 0, records_out = 0;
    uint64_t replayed = 0;     // dropped: sequence number already seen or left of the window
    uint64_t old_epoch = 0;    // dropped: an epoch other than the current one
    uint64_t bad_records = 0;  // dropped: malformed or failed authentication on the device
    uint64_t handshake_retransmissions = 0;
  };

  static Result<std::unique_ptr<DtlsSession>> create(TlsContext& context, device::SlotPool& slots, Options options);
  ~DtlsSession() override;
  DtlsSession(const DtlsSession&) = delete;
  DtlsSession& operator=(const DtlsSession&) = delete;

  void start();  // client: the ClientHello
  // The peer's address once known (a server learns it from the first datagram): cookies bind to it.
  void set_peer_address(std::vector<uint8_t> address) { options_.peer_address = std::move(address); }
  void receive(std::span<const uint8_t> datagram);
  // One application record (a UDPTL packet) to the peer.
  Result<void> send(std::span<const uint8_t> payload);
  std::vector<Datagram> take_datagrams();
  std::vector<Datagram> take_received();  // one entry per application record
  // Time until the handshake retransmission timer fires; nullopt when none runs.
  std::optional<std::chrono::milliseconds> timeout() const;
  void on_timeout();
  void close();  // close_notify, then released (kLocalClose)

  bool established() const { return phase_ == Phase::kOffloaded; }
  bool released() const { return phase_ == Phase::kReleased; }
  const std::optional<Release>& release() const { return release_; }
  const Info& info() const { return info_; }

 private:
  enum class Phase { kHandshake, kOffloaded, kReleased };
  DtlsSession(TlsContext& context, device::SlotPool& slots, Options options);

  void on_key_log(const char*) override {}
  bool on_peer_certificate(X509* leaf) override;
  void on_new_session(SSL_SESSION* session) override { SSL_SESSION_free(session); }
  std::span<const uint8_t> cookie_subject() const override { return options_.peer_address; }

  void drive_handshake();
  void on_established();
  void offloaded_datagram(std::span<const uint8_t> datagram);
  void feed_openssl(std::span<const uint8_t> record);
  void collect_openssl_output();
  void release_now(ReleaseCause cause, std::string reason);

  TlsContext& context_;
  device::SlotPool& slots_;
  Options options_;
  SslPtr ssl_;
  BIO* rbio_ = nullptr;
  Phase phase_ = Phase::kHandshake;
  std::optional<Release> release_;
  std::vector<Datagram> openssl_out_;  // datagrams OpenSSL wrote (through the datagram BIO)
  std::vector<Datagram> out_, received_;
  PeerCheck peer_check_;
  uint16_t epoch_ = 1;
  DirectionKeys tx_, rx_;
  ReplayWindow window_;
  Info info_;
};

}  // namespace mediasec::tls
