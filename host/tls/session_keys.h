// The device keys of a live OpenSSL connection, from public APIs only: the suite of the current
// session, and for TLS 1.2 / DTLS 1.2 the key block from its master secret and the randoms of the
// handshake that made it (SSL_SESSION_get_master_key, SSL_get_client_random/server_random).
#pragma once

#include <openssl/ssl.h>

#include "base/result.h"
#include "host/tls/traffic_keys.h"

namespace mediasec::tls {

struct Suite {
  device::Cipher cipher = device::Cipher::kAes128Gcm;
  SuiteHash hash = SuiteHash::kSha256;
};

// The cipher and hash of an AES-GCM suite; an error for anything else.
Result<Suite> suite_of(const SSL_CIPHER* cipher);

// Both directions' keys of the session `ssl` is on now (after a renegotiation: the new one).
// Framing kTls12 (callers switch DTLS to kDtls12); sequence 0; the caller wipes them.
Result<Tls12Keys> tls12_session_keys(SSL* ssl, Suite* suite_out = nullptr);

}  // namespace mediasec::tls
