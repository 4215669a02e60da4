// The OpenSSL configuration every session of one worker shares: the profile, our identity, the
// ticket keys, and the callbacks through which OpenSSL reaches the session it is working for
// (key log, peer certificate check, new resumable sessions, DTLS cookies).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "base/result.h"
#include "host/security/fingerprint.h"
#include "host/security/setup_role.h"
#include "host/tls/identity.h"
#include "host/tls/openssl_handles.h"
#include "host/tls/profile.h"
#include "host/tls/ticket_keys.h"

namespace mediasec::tls {

enum class Role { kClient, kServer };

// The TLS/DTLS role from our side's negotiated a=setup (RFC 4572 §6.2, RFC 5763 §5): the endpoint
// that opens the TCP connection (active) is the TLS client, the passive one the server. actpass
// and holdconn are not outcomes of a negotiation: nullopt.
constexpr std::optional<Role> role_for(security::Setup ours) {
  switch (ours) {
    case security::Setup::kActive: return Role::kClient;
    case security::Setup::kPassive: return Role::kServer;
    default: return std::nullopt;
  }
}
enum class Transport { kStream, kDatagram };  // TLS over TCP, DTLS over UDP

// What a session does for OpenSSL's callbacks. The context finds it through SSL_get_app_data.
class SessionHooks {
 public:
  virtual ~SessionHooks() = default;
  virtual void on_key_log(const char* line) = 0;
  // The peer's certificate (the leaf); true to accept it.
  virtual bool on_peer_certificate(X509* leaf) = 0;
  // A resumable session (OpenSSL's reference is handed over).
  virtual void on_new_session(SSL_SESSION* session) = 0;
  // DTLS: the bytes identifying the peer (its address) that a cookie is bound to.
  virtual std::span<const uint8_t> cookie_subject() const = 0;
};

// The profile's versions, cipher lists and groups as OpenSSL takes them, with no certificate and
// nothing opened (mediasecd --check): the same refusals TlsContext::create would give.
Result<void> check_profile(const Profile& profile);

class TlsContext {
 public:
  static Result<std::unique_ptr<TlsContext>> create(const Identity& identity, const Profile& profile,
                                                    std::shared_ptr<TicketKeys> ticket_keys, Transport transport);

  // A new SSL object for one session in `role`, talking to `hooks`.
  Result<SslPtr> new_ssl(Role role, SessionHooks* hooks, bool require_peer_certificate);
  // Replace the certificate and key for sessions created from now on (SIGHUP reload).
  Result<void> use_identity(const Identity& identity);

  // Our certificate's a=fingerprint for Local descriptors.
  Result<security::Fingerprint> fingerprint(std::string_view hash = "sha-256") const;

  const Profile& profile() const { return profile_; }
  Transport transport() const { return transport_; }
  TicketKeys& ticket_keys() { return *ticket_keys_; }

 private:
  TlsContext(const Profile& p, std::shared_ptr<TicketKeys> keys, Transport t)
      : profile_(p), ticket_keys_(std::move(keys)), transport_(t) {}
  Result<SslCtxPtr> make_ctx(Role role, const Identity& identity);

  static int ticket_callback(SSL* ssl, unsigned char* name, unsigned char* iv, EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac,
                             int encrypt);
  static int cookie_generate(SSL* ssl, unsigned char* cookie, unsigned int* length);
  static int cookie_verify(SSL* ssl, const unsigned char* cookie, unsigned int length);
  bool cookie_for(SSL* ssl, std::array<uint8_t, 32>& out) const;

  Profile profile_;
  std::shared_ptr<TicketKeys> ticket_keys_;
  Transport transport_;
  std::array<uint8_t, 32> cookie_secret_{};
  SslCtxPtr client_, server_;
};

}  // namespace mediasec::tls
