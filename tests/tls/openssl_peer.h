// A plain OpenSSL endpoint in this process (an SSL object over memory BIOs, records through
// OpenSSL's own record layer): the peer of TlsSession in the tests that need to steer the other
// side precisely (renegotiate with another certificate, KeyUpdate at a chosen moment, feed bad
// records). It is real OpenSSL, not a model; s_client/s_server tests cover the same ground
// across a socket.
#pragma once

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <string>
#include <vector>

#include "host/tls/identity.h"
#include "host/tls/openssl_handles.h"
#include "host/tls/tls_session.h"

namespace mediasec::tls::test {

using Bytes = std::vector<uint8_t>;

class OpenSslPeer {
 public:
  // role: the peer's role. version 0: any of TLS 1.2 and 1.3.
  // With `shared`, the peer uses that context (and its session cache) instead of its own.
  OpenSslPeer(Role role, const Identity& id, int version, const std::string& suite, SSL_CTX* shared = nullptr) {
    const bool server = role == Role::kServer;
    if (shared != nullptr) {
      SSL_CTX_up_ref(shared);
      ctx_.reset(shared);
    } else {
      ctx_.reset(SSL_CTX_new(server ? TLS_server_method() : TLS_client_method()));
    }
    if (version != 0) {
      SSL_CTX_set_min_proto_version(ctx_.get(), version);
      SSL_CTX_set_max_proto_version(ctx_.get(), version);
    }
    if (!suite.empty()) {
      if (version == TLS1_3_VERSION) {
        SSL_CTX_set_ciphersuites(ctx_.get(), suite.c_str());
      } else {
        SSL_CTX_set_cipher_list(ctx_.get(), suite.c_str());
      }
    }
    SSL_CTX_use_certificate(ctx_.get(), id.certificate());
    SSL_CTX_use_PrivateKey(ctx_.get(), id.private_key());
    SSL_CTX_set_options(ctx_.get(), SSL_OP_ALLOW_CLIENT_RENEGOTIATION);
    SSL_CTX_clear_mode(ctx_.get(), SSL_MODE_AUTO_RETRY);
    // The peer checks nothing: the tests are about our side's checks.
    SSL_CTX_set_verify(ctx_.get(), server ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, [](int, X509_STORE_CTX*) { return 1; });
    SSL_CTX_set_session_id_context(ctx_.get(), reinterpret_cast<const unsigned char*>("peer"), 4);
    ssl_.reset(SSL_new(ctx_.get()));
    in_ = BIO_new(BIO_s_mem());
    out_ = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(in_, -1);
    SSL_set_bio(ssl_.get(), in_, out_);
    if (server) {
      SSL_set_accept_state(ssl_.get());
    } else {
      SSL_set_connect_state(ssl_.get());
    }
  }

  SSL* ssl() { return ssl_.get(); }
  SSL_CTX* ctx() { return ctx_.get(); }

  void feed(const Bytes& b) {
    if (!b.empty()) BIO_write(in_, b.data(), static_cast<int>(b.size()));
  }
  Bytes take() {
    Bytes out(static_cast<size_t>(BIO_ctrl_pending(out_)));
    if (!out.empty()) BIO_read(out_, out.data(), static_cast<int>(out.size()));
    return out;
  }
  // Runs OpenSSL: the handshake, or reads what arrived (application data appended to received).
  // Returns false once OpenSSL failed or the peer closed.
  bool step() {
    if (!SSL_is_init_finished(ssl_.get())) {
      const int r = SSL_do_handshake(ssl_.get());
      if (r != 1 && SSL_get_error(ssl_.get(), r) != SSL_ERROR_WANT_READ) return failed();
    }
    for (;;) {
      uint8_t buf[16384];
      size_t n = 0;
      if (SSL_read_ex(ssl_.get(), buf, sizeof buf, &n) == 1) {
        received.insert(received.end(), buf, buf + n);
        continue;
      }
      const int e = SSL_get_error(ssl_.get(), 0);
      if (e == SSL_ERROR_WANT_READ) return true;
      if (e == SSL_ERROR_ZERO_RETURN) {
        closed = true;
        return false;
      }
      return failed();
    }
  }
  void write(const Bytes& b) {
    ASSERT_EQ(SSL_write(ssl_.get(), b.data(), static_cast<int>(b.size())), static_cast<int>(b.size()));
  }

  Bytes received;
  bool closed = false;
  std::string error;

 private:
  bool failed() {
    error = openssl_error_text();
    return false;
  }
  SslCtxPtr ctx_;
  SslPtr ssl_;
  BIO* in_ = nullptr;
  BIO* out_ = nullptr;
};

// Moves bytes both ways until neither side has anything to say.
inline void Exchange(TlsSession& ours, OpenSslPeer& peer, int rounds = 20) {
  for (int i = 0; i < rounds; ++i) {
    Bytes a = ours.take_output();
    peer.feed(a);
    peer.step();
    Bytes b = peer.take();
    if (a.empty() && b.empty()) return;
    ours.receive(b);
  }
}

}  // namespace mediasec::tls::test
