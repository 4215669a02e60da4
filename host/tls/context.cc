#include "host/tls/context.h"

#include "host/tls/fingerprint.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstring>
#include <string>

namespace mediasec::tls {
namespace {

SessionHooks* hooks_of(const SSL* ssl) { return static_cast<SessionHooks*>(SSL_get_app_data(ssl)); }

void key_log_callback(const SSL* ssl, const char* line) {
  if (SessionHooks* h = hooks_of(ssl)) h->on_key_log(line);
}

// Replaces chain building: a=fingerprint authenticates the peer, not a CA (RFC 8122 §6.2).
int verify_callback(X509_STORE_CTX* store, void*) {
  auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  SessionHooks* h = ssl != nullptr ? hooks_of(ssl) : nullptr;
  X509* leaf = X509_STORE_CTX_get0_cert(store);
  if (h == nullptr || leaf == nullptr || !h->on_peer_certificate(leaf)) {
    X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
    return 0;
  }
  X509_STORE_CTX_set_error(store, X509_V_OK);
  return 1;
}

int new_session_callback(SSL* ssl, SSL_SESSION* session) {
  SessionHooks* h = hooks_of(ssl);
  if (h == nullptr) return 0;
  h->on_new_session(session);
  return 1;  // the hooks own the reference now
}

int to_openssl_version(Version v) { return v == Version::kTls12 ? TLS1_2_VERSION : TLS1_3_VERSION; }

// Every suite the context would offer must be one the device protects (AES-GCM).
Result<void> check_aes_gcm_only(SSL_CTX* ctx) {
  STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(ctx);
  if (ciphers == nullptr || sk_SSL_CIPHER_num(ciphers) == 0) {
    return make_error(ErrorCode::kInvalidArgument, "TLS profile: no cipher suite left");
  }
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    const SSL_CIPHER* c = sk_SSL_CIPHER_value(ciphers, i);
    const int nid = SSL_CIPHER_get_cipher_nid(c);
    if (nid != NID_aes_128_gcm && nid != NID_aes_256_gcm) {
      return make_error(ErrorCode::kInvalidArgument, std::string("TLS profile: suite ") + SSL_CIPHER_get_name(c) +
                                                         " is not AES-GCM (the device offloads AES-GCM only)");
    }
    if (SSL_CIPHER_get_kx_nid(c) != NID_kx_ecdhe && SSL_CIPHER_get_kx_nid(c) != NID_kx_any) {
      return make_error(ErrorCode::kInvalidArgument,
                        std::string("TLS profile: suite ") + SSL_CIPHER_get_name(c) + " is not ECDHE");
    }
  }
  return ok_result();
}

// Versions, cipher lists and groups of the profile, each refused by name when OpenSSL refuses it.
Result<void> apply_profile(SSL_CTX* x, const Profile& profile, bool dgram) {
  const int min = dgram ? DTLS1_2_VERSION : to_openssl_version(profile.min_version);
  const int max = dgram ? DTLS1_2_VERSION : to_openssl_version(profile.max_version);
  if (min > max && !dgram) return make_error(ErrorCode::kInvalidArgument, "TLS profile: minimum version above maximum");
  SSL_CTX_set_min_proto_version(x, min);
  SSL_CTX_set_max_proto_version(x, max);
  if (SSL_CTX_set_cipher_list(x, profile.tls12_ciphers.c_str()) != 1) {
    ERR_clear_error();
    return make_error(ErrorCode::kInvalidArgument,
                      "TLS profile: bad TLS 1.2 cipher list '" + profile.tls12_ciphers + "'");
  }
  if (SSL_CTX_set_ciphersuites(x, profile.tls13_suites.c_str()) != 1) {
    ERR_clear_error();
    return make_error(ErrorCode::kInvalidArgument, "TLS profile: bad TLS 1.3 suites '" + profile.tls13_suites + "'");
  }
  if (SSL_CTX_set1_groups_list(x, profile.groups.c_str()) != 1) {
    ERR_clear_error();
    return make_error(ErrorCode::kInvalidArgument, "TLS profile: bad groups '" + profile.groups + "'");
  }
  ERR_clear_error();
  return check_aes_gcm_only(x);
}

}  // namespace

Result<void> check_profile(const Profile& profile) {
  for (const bool dgram : {false, true}) {
    SslCtxPtr ctx(SSL_CTX_new(dgram ? DTLS_method() : TLS_method()));
    if (!ctx) return make_error(ErrorCode::kInternal, "SSL_CTX_new: " + openssl_error_text());
    if (auto r = apply_profile(ctx.get(), profile, dgram); !r) return r.error();
  }
  return ok_result();
}

Result<std::unique_ptr<TlsContext>> TlsContext::create(const Identity& identity, const Profile& profile,
                                                       std::shared_ptr<TicketKeys> ticket_keys, Transport transport) {
  if (!ticket_keys) ticket_keys = std::make_shared<TicketKeys>(profile.ticket_key_period);
  std::unique_ptr<TlsContext> c(new TlsContext(profile, std::move(ticket_keys), transport));
  RAND_priv_bytes(c->cookie_secret_.data(), static_cast<int>(c->cookie_secret_.size()));
  auto client = c->make_ctx(Role::kClient, identity);
  if (!client) return client.error();
  auto server = c->make_ctx(Role::kServer, identity);
  if (!server) return server.error();
  c->client_ = std::move(*client);
  c->server_ = std::move(*server);
  return c;
}

Result<SslCtxPtr> TlsContext::make_ctx(Role role, const Identity& identity) {
  const bool server = role == Role::kServer;
  const bool dgram = transport_ == Transport::kDatagram;
  const SSL_METHOD* method = dgram ? (server ? DTLS_server_method() : DTLS_client_method())
                                   : (server ? TLS_server_method() : TLS_client_method());
  SslCtxPtr ctx(SSL_CTX_new(method));
  if (!ctx) return make_error(ErrorCode::kInternal, "SSL_CTX_new: " + openssl_error_text());
  SSL_CTX* x = ctx.get();
  if (auto r = apply_profile(x, profile_, dgram); !r) return r.error();

  SSL_CTX_set_options(x, SSL_OP_NO_COMPRESSION);
  // RFC 5746 both ways: no connection to a server without renegotiation_info, no unsafe legacy
  // renegotiation (OpenSSL 3 refuses both unless these options are set; make it explicit).
  SSL_CTX_clear_options(x, SSL_OP_LEGACY_SERVER_CONNECT | SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION);
  if (!profile_.renegotiation) {
    SSL_CTX_set_options(x, SSL_OP_NO_RENEGOTIATION);
  } else if (server) {
    SSL_CTX_set_options(x, SSL_OP_ALLOW_CLIENT_RENEGOTIATION);
  }
  // Records go to OpenSSL one at a time; after each, it returns (no retry loops inside) and its
  // buffers are released while it is idle.
  SSL_CTX_set_mode(x, SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_clear_mode(x, SSL_MODE_AUTO_RETRY);

  SSL_CTX_set_keylog_callback(x, key_log_callback);
  SSL_CTX_set_cert_verify_callback(x, verify_callback, nullptr);
  SSL_CTX_set_app_data(x, this);
  if (server) {
    SSL_CTX_set_session_cache_mode(x, SSL_SESS_CACHE_SERVER);
    static const unsigned char kSessionContext[] = "mediasec";
    SSL_CTX_set_session_id_context(x, kSessionContext, sizeof kSessionContext - 1);
    // TLS 1.3 tickets are sent once the session is offloaded (see TlsSession), not inside the
    // handshake, so that OpenSSL's record sequence numbers are known when the keys go to the device.
    SSL_CTX_set_num_tickets(x, 0);
    SSL_CTX_set_tlsext_ticket_key_evp_cb(x, ticket_callback);
  } else {
    // A client keeps the sessions it may resume (the server's cache keeps its own).
    SSL_CTX_set_session_cache_mode(x, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(x, new_session_callback);
  }
  if (dgram) {
    SSL_CTX_set_options(x, SSL_OP_NO_QUERY_MTU);
    if (server) {
      SSL_CTX_set_options(x, SSL_OP_COOKIE_EXCHANGE);
      SSL_CTX_set_cookie_generate_cb(x, cookie_generate);
      SSL_CTX_set_cookie_verify_cb(x, cookie_verify);
    }
  }
  if (SSL_CTX_use_certificate(x, identity.certificate()) != 1 ||
      SSL_CTX_use_PrivateKey(x, identity.private_key()) != 1) {
    return make_error(ErrorCode::kInvalidArgument, "TLS: cannot use the certificate: " + openssl_error_text());
  }
  return ctx;
}

Result<void> TlsContext::use_identity(const Identity& identity) {
  for (SSL_CTX* x : {client_.get(), server_.get()}) {
    if (SSL_CTX_use_certificate(x, identity.certificate()) != 1 ||
        SSL_CTX_use_PrivateKey(x, identity.private_key()) != 1) {
      return make_error(ErrorCode::kInvalidArgument, "TLS: cannot use the certificate: " + openssl_error_text());
    }
  }
  return ok_result();
}

Result<security::Fingerprint> TlsContext::fingerprint(std::string_view hash) const {
  return fingerprint_of(SSL_CTX_get0_certificate(server_.get()), hash);
}

Result<SslPtr> TlsContext::new_ssl(Role role, SessionHooks* hooks, bool require_peer_certificate) {
  SslPtr ssl(SSL_new(role == Role::kServer ? server_.get() : client_.get()));
  if (!ssl) return make_error(ErrorCode::kInternal, "SSL_new: " + openssl_error_text());
  SSL_set_app_data(ssl.get(), hooks);
  int mode = SSL_VERIFY_PEER;
  if (role == Role::kServer && require_peer_certificate) mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  if (role == Role::kServer && !require_peer_certificate) mode = SSL_VERIFY_NONE;
  SSL_set_verify(ssl.get(), mode, nullptr);
  if (transport_ == Transport::kDatagram) SSL_set_mtu(ssl.get(), static_cast<long>(profile_.dtls_mtu));
  if (role == Role::kServer) {
    SSL_set_accept_state(ssl.get());
  } else {
    SSL_set_connect_state(ssl.get());
  }
  return ssl;
}

int TlsContext::ticket_callback(SSL* ssl, unsigned char* name, unsigned char* iv, EVP_CIPHER_CTX* cipher,
                                EVP_MAC_CTX* mac, int encrypt) {
  auto* self = static_cast<TlsContext*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  if (self == nullptr) return -1;
  const auto now = TicketKeys::Clock::now();
  TicketKeys::Key key;
  int result = 1;
  if (encrypt != 0) {
    key = self->ticket_keys_->current(now);
    std::memcpy(name, key.name.data(), key.name.size());
    if (RAND_bytes(iv, 16) != 1) return -1;
  } else {
    auto found = self->ticket_keys_->find(name, now);
    if (!found) return 0;  // unknown or expired key: a full handshake, no error
    key = found->first;
    result = found->second ? 2 : 1;  // 2: accept and issue a ticket under the current key
  }
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, key.hmac.data(), key.hmac.size()),
                               OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_construct_end()};
  const bool ok = EVP_MAC_CTX_set_params(mac, params) == 1 &&
                  EVP_CipherInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key.aes.data(), iv, encrypt) == 1;
  OPENSSL_cleanse(&key, sizeof key);
  return ok ? result : -1;
}

bool TlsContext::cookie_for(SSL* ssl, std::array<uint8_t, 32>& out) const {
  SessionHooks* h = hooks_of(ssl);
  if (h == nullptr) return false;
  const std::span<const uint8_t> subject = h->cookie_subject();
  size_t len = 0;
  return EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, cookie_secret_.data(), cookie_secret_.size(),
                   subject.data(), subject.size(), out.data(), out.size(), &len) != nullptr &&
         len == out.size();
}

int TlsContext::cookie_generate(SSL* ssl, unsigned char* cookie, unsigned int* length) {
  auto* self = static_cast<TlsContext*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  std::array<uint8_t, 32> mac{};
  if (self == nullptr || !self->cookie_for(ssl, mac)) return 0;
  std::memcpy(cookie, mac.data(), mac.size());
  *length = static_cast<unsigned int>(mac.size());
  return 1;
}

int TlsContext::cookie_verify(SSL* ssl, const unsigned char* cookie, unsigned int length) {
  auto* self = static_cast<TlsContext*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  std::array<uint8_t, 32> mac{};
  if (self == nullptr || length != mac.size() || !self->cookie_for(ssl, mac)) return 0;
  return CRYPTO_memcmp(mac.data(), cookie, mac.size()) == 0 ? 1 : 0;
}

}  // namespace mediasec::tls
