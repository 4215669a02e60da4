// One TLS session over a byte stream (the TCP bearer of MSRP or BFCP), sans I/O: the owner feeds
// the bytes it reads from the connection and writes what take_output() returns.
//
// OpenSSL runs the handshake (certificate, fingerprint check, resumption). When it completes,
// the traffic keys and the exact record sequence numbers go into two device key slots, and from
// then on application data is protected and unprotected by the device only. Records of any other
// content type (alerts; the handshake messages of a renegotiation, KeyUpdate, NewSessionTicket)
// still go to OpenSSL, re-protected at the sequence number it expects; what OpenSSL writes is
// re-protected at the wire's. Renegotiation and KeyUpdate load new slots and zeroize the old.
// docs/tls-offload.md has the design.
#pragma once

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
#include "host/tls/key_log.h"
#include "host/tls/peer_check.h"
#include "host/tls/release.h"
#include "host/tls/traffic_keys.h"

namespace mediasec::tls {

class TlsSession final : private SessionHooks {
 public:
  struct Options {
    Role role = Role::kServer;
    // The Remote descriptor's a=fingerprint values; the peer's certificate must match one.
    std::vector<security::Fingerprint> peer_fingerprints;
    // With no fingerprint to check: refuse (true, the default) or accept any certificate.
    bool require_peer_fingerprint = true;
    SslSessionPtr resume;     // client: a session to resume (a ticket or a session ID)
    std::string server_name;  // client: SNI, optional
  };

  struct Info {
    std::string version;  // "TLSv1.2", "TLSv1.3"; empty before the handshake
    std::string cipher;   // OpenSSL's name of the suite
    bool resumed = false;
    bool offloaded = false;
    bool without_openssl = false;  // a TLS 1.3 server session that freed its OpenSSL connection
    uint32_t renegotiations = 0;
    uint32_t key_updates_sent = 0, key_updates_received = 0;
    uint64_t records_in = 0, records_out = 0;  // application-data records on the device
    uint64_t bytes_in = 0, bytes_out = 0;
    uint64_t records_to_openssl = 0, records_from_openssl = 0;  // after the handshake
    uint32_t tx_slot = 0, rx_slot = 0;                          // valid while offloaded
  };

  static Result<std::unique_ptr<TlsSession>> create(TlsContext& context, device::SlotPool& slots, Options options);
  ~TlsSession() override;
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  // Client: writes the ClientHello. Server: nothing (it waits for one).
  void start();
  // Bytes read from the transport.
  void receive(std::span<const uint8_t> bytes);
  // Application data for the peer; held while a handshake is in progress.
  Result<void> send(std::span<const uint8_t> data);
  // Bytes to write to the transport.
  std::vector<uint8_t> take_output();
  // Application data received from the peer.
  std::vector<uint8_t> take_received();

  // Bytes read from the transport, with a buffer for the plaintext: application records are
  // opened into it while it has room (no allocation per record; the sw device writes there
  // directly). What they carried is then in received_views(), not in take_received().
  void receive_into(std::span<const uint8_t> bytes, std::span<uint8_t> plaintext);
  // The application data the last receive_into() yielded, in order: views into the caller's
  // plaintext buffer, or into the session's own memory for records beyond it. Valid until the
  // next call on this session.
  const std::vector<std::span<const uint8_t>>& received_views() const { return views_; }

  // close_notify, then released (kLocalClose, or the cause given: kBadMedia when what the
  // session carries broke its own protocol).
  void close(ReleaseCause cause = ReleaseCause::kLocalClose, std::string reason = "we sent close_notify");
  // The transport closed (FIN or reset): released (kTransportClosed) unless already released.
  void transport_closed();
  // TLS 1.2: a secure renegotiation started by us (HelloRequest as server, ClientHello as client).
  Result<void> renegotiate();
  // TLS 1.3: KeyUpdate; with request_peer the peer updates its keys too.
  Result<void> update_keys(bool request_peer);

  bool established() const { return phase_ == Phase::kOffloaded; }
  bool released() const { return phase_ == Phase::kReleased; }
  const std::optional<Release>& release() const { return release_; }
  Info info() const;
  // The latest session the peer let us resume (client: after the handshake or a ticket).
  SslSessionPtr resumable_session() const { return resumable_; }
  // The SHA-256 fingerprint of the peer's certificate (empty before the handshake).
  const security::Fingerprint& peer_fingerprint() const { return peer_check_.accepted(); }

 private:
  enum class Phase { kHandshake, kOffloaded, kReleased };

  TlsSession(TlsContext& context, device::SlotPool& slots, Options options);

  // SessionHooks
  void on_key_log(const char* line) override;
  bool on_peer_certificate(X509* leaf) override;
  void on_new_session(SSL_SESSION* session) override;
  std::span<const uint8_t> cookie_subject() const override { return {}; }

  // Handles the whole records at the start of `data`; returns the bytes used.
  size_t process_inbound(std::span<const uint8_t> data);
  // With a record cut by the previous read in inbound_: takes what completes it from `bytes`,
  // processes it once whole, and returns the bytes after it.
  std::span<const uint8_t> complete_kept_record(std::span<const uint8_t> bytes);
  void process_kept();  // processes inbound_, keeping what is left of it
  void handshake_record(std::span<const uint8_t> record);
  void advance_handshake();
  size_t offloaded_records(const std::vector<std::span<const uint8_t>>& records);
  bool to_openssl(uint8_t content_type, std::vector<uint8_t> plaintext);
  // A TLS 1.3 server session without OpenSSL: alerts and KeyUpdate handled here.
  bool tls13_post_handshake(uint8_t content_type, std::span<const uint8_t> plaintext);
  void send_key_update(bool request_peer);
  void drive_openssl();
  void forward_openssl_output();
  void collect_openssl_output();
  void on_established();
  Result<void> load_tls12_keys(bool write_side, uint64_t sequence);
  Result<void> load_tls13_keys();
  Result<void> next_tls13_keys(bool write_side);
  Result<void> protect_and_write(std::span<const uint8_t> data);
  void flush_held();
  void release_idle_memory();
  void note_handshake_progress();
  void fail(ReleaseCause cause, std::string reason, int alert);
  void send_alert(uint8_t level, uint8_t description);  // on the wire slot
  void release_now(ReleaseCause cause, std::string reason);
  void after_call();

  TlsContext& context_;
  device::SlotPool& slots_;
  Options options_;
  SslPtr ssl_;
  BIO* rbio_ = nullptr;  // owned by ssl_
  BIO* wbio_ = nullptr;
  Phase phase_ = Phase::kHandshake;
  std::optional<Release> release_;

  std::vector<uint8_t> inbound_;      // received bytes short of a whole record
  std::vector<uint8_t> openssl_out_;  // bytes OpenSSL wrote short of a whole record (offloaded)
  std::vector<uint8_t> output_, held_;
  std::vector<std::vector<uint8_t>> received_;  // application records' plaintext, in order
  // receive_into(): the caller's plaintext buffer and how much of it holds views, the views,
  // and what backs those that are not in it.
  std::span<uint8_t> plain_out_{};
  size_t plain_used_ = 0;
  bool into_views_ = false;  // inside receive_into(): application data goes to views_, whatever the buffer's size
  std::vector<std::span<const uint8_t>> views_;
  std::vector<std::vector<uint8_t>> view_storage_;

  KeyLog key_log_;  // emptied once the keys are on the device
  PeerCheck peer_check_;
  SslSessionPtr resumable_;

  bool tls13_ = false;
  device::Cipher cipher_ = device::Cipher::kAes128Gcm;
  SuiteHash hash_ = SuiteHash::kSha256;
  DirectionKeys tx_, rx_;
  bool in_handshake_ = false;  // a renegotiation is running (after the first handshake)
  Info info_;
};

}  // namespace mediasec::tls
