// Owning handles for the OpenSSL objects the TLS layer keeps (RAII: freed with their owner).
#pragma once

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

namespace mediasec::tls {

template <auto Free>
struct OpenSslFree {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};

using SslCtxPtr = std::unique_ptr<SSL_CTX, OpenSslFree<SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, OpenSslFree<SSL_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslFree<X509_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslFree<EVP_PKEY_free>>;
using BioPtr = std::unique_ptr<BIO, OpenSslFree<BIO_free_all>>;
// Sessions are shared: a client keeps one to resume with while the SSL that made it lives on.
using SslSessionPtr = std::shared_ptr<SSL_SESSION>;
inline SslSessionPtr share_session(SSL_SESSION* s) { return SslSessionPtr(s, SSL_SESSION_free); }

// The oldest error on OpenSSL's thread-local queue as text (never key material), and clears it.
inline std::string openssl_error_text() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "no OpenSSL error recorded";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

}  // namespace mediasec::tls
