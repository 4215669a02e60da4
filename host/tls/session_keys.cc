#include "host/tls/session_keys.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <string>
#include <vector>

namespace mediasec::tls {

Result<Suite> suite_of(const SSL_CIPHER* cipher) {
  if (cipher == nullptr) return make_error(ErrorCode::kInternal, "no negotiated suite");
  Suite s;
  switch (SSL_CIPHER_get_cipher_nid(cipher)) {
    case NID_aes_128_gcm: s.cipher = device::Cipher::kAes128Gcm; break;
    case NID_aes_256_gcm: s.cipher = device::Cipher::kAes256Gcm; break;
    default:
      return make_error(ErrorCode::kInvalidArgument,
                        std::string("suite ") + SSL_CIPHER_get_name(cipher) + " is not AES-GCM");
  }
  const EVP_MD* md = SSL_CIPHER_get_handshake_digest(cipher);
  s.hash = md != nullptr && EVP_MD_get_type(md) == NID_sha384 ? SuiteHash::kSha384 : SuiteHash::kSha256;
  return s;
}

Result<Tls12Keys> tls12_session_keys(SSL* ssl, Suite* suite_out) {
  const SSL_SESSION* session = SSL_get_session(ssl);
  if (session == nullptr) return make_error(ErrorCode::kInternal, "no session");
  auto suite = suite_of(SSL_SESSION_get0_cipher(session));
  if (!suite) return suite.error();
  if (suite_out != nullptr) *suite_out = *suite;
  std::vector<uint8_t> master(48), client_random(32), server_random(32);
  if (SSL_SESSION_get_master_key(session, master.data(), master.size()) != master.size()) {
    return make_error(ErrorCode::kInternal, "no master secret");
  }
  SSL_get_client_random(ssl, client_random.data(), client_random.size());
  SSL_get_server_random(ssl, server_random.data(), server_random.size());
  auto keys = tls12_keys(suite->cipher, suite->hash, master, client_random, server_random);
  OPENSSL_cleanse(master.data(), master.size());
  return keys;
}

}  // namespace mediasec::tls
