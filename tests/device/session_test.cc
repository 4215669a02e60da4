// Records of real OpenSSL TLS 1.2 and TLS 1.3 connections: two SSL objects talk over memory BIOs,
// their secrets come from OpenSSL's key-log callback, host/tls derives the device keys, and
//   - the records the client's SSL_write puts on the wire unprotect on the device;
//   - records the device protects (continuing the client's sequence) are accepted by the server's
//     SSL_read, and the same for the server-to-client direction.
#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "host/tls/key_log.h"
#include "host/tls/openssl_handles.h"
#include "host/tls/traffic_keys.h"
#include "tests/device/backends.h"

namespace mediasec::tb {
namespace {

using device::Cipher;
using device::Op;
using device::Status;

using SslCtx = tls::SslCtxPtr;
using Ssl = tls::SslPtr;
using Pkey = tls::PkeyPtr;
using Cert = tls::X509Ptr;

struct Suite {
  int version;       // TLS1_2_VERSION or TLS1_3_VERSION
  const char* name;  // OpenSSL cipher (1.2) or ciphersuite (1.3) name
  Cipher cipher;
  tls::SuiteHash hash;
};

// A self-signed P-256 certificate for the server.
std::pair<Pkey, Cert> SelfSigned() {
  Pkey key(EVP_EC_gen("P-256"));
  Cert cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("mediasec-test"), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), name);
  X509_sign(cert.get(), key.get(), EVP_sha256());
  return {std::move(key), std::move(cert)};
}

void KeyLogLine(const SSL* ssl, const char* line) {
  auto* log = static_cast<tls::KeyLog*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  EXPECT_TRUE(log->add_line(line).ok());
}

// Moves every byte waiting in one BIO into another, returning them too.
Bytes Pump(BIO* from, BIO* to) {
  Bytes all;
  uint8_t buf[4096];
  int n;
  while ((n = BIO_read(from, buf, sizeof buf)) > 0) {
    all.insert(all.end(), buf, buf + n);
    if (to != nullptr) BIO_write(to, buf, n);
  }
  return all;
}

// Splits a byte stream into whole TLS records.
std::vector<Bytes> Records(const Bytes& wire) {
  std::vector<Bytes> out;
  size_t at = 0;
  while (at + 5 <= wire.size()) {
    const size_t len = static_cast<size_t>(wire[at + 3]) << 8 | wire[at + 4];
    if (at + 5 + len > wire.size()) break;
    out.emplace_back(wire.begin() + static_cast<long>(at), wire.begin() + static_cast<long>(at + 5 + len));
    at += 5 + len;
  }
  EXPECT_EQ(at, wire.size()) << "a partial record on the wire";
  return out;
}

class Endpoint {
 public:
  Endpoint(const Suite& s, bool server, const std::pair<Pkey, Cert>* id, tls::KeyLog* log) {
    ctx_.reset(SSL_CTX_new(server ? TLS_server_method() : TLS_client_method()));
    SSL_CTX_set_min_proto_version(ctx_.get(), s.version);
    SSL_CTX_set_max_proto_version(ctx_.get(), s.version);
    if (s.version == TLS1_3_VERSION) {
      SSL_CTX_set_ciphersuites(ctx_.get(), s.name);
    } else {
      SSL_CTX_set_cipher_list(ctx_.get(), s.name);
    }
    SSL_CTX_set_num_tickets(ctx_.get(), 0);  // no NewSessionTicket records after the handshake
    SSL_CTX_set_options(ctx_.get(), SSL_OP_NO_TICKET);
    SSL_CTX_set_app_data(ctx_.get(), log);
    SSL_CTX_set_keylog_callback(ctx_.get(), KeyLogLine);
    if (server) {
      SSL_CTX_use_certificate(ctx_.get(), id->second.get());
      SSL_CTX_use_PrivateKey(ctx_.get(), id->first.get());
    }
    ssl_.reset(SSL_new(ctx_.get()));
    rbio_ = BIO_new(BIO_s_mem());
    wbio_ = BIO_new(BIO_s_mem());
    SSL_set_bio(ssl_.get(), rbio_, wbio_);
    if (server) {
      SSL_set_accept_state(ssl_.get());
    } else {
      SSL_set_connect_state(ssl_.get());
    }
  }
  SSL* ssl() { return ssl_.get(); }
  BIO* in() { return rbio_; }
  BIO* out() { return wbio_; }

 private:
  SslCtx ctx_;
  Ssl ssl_;
  BIO* rbio_ = nullptr;  // owned by ssl_
  BIO* wbio_ = nullptr;
};

using Param = std::tuple<std::string, Suite>;

class RealSession : public ::testing::TestWithParam<Param> {};

TEST_P(RealSession, DeviceOpensOpenSslRecordsAndOpenSslAcceptsDeviceRecords) {
  const auto& [spec, suite] = GetParam();
  auto dev = OpenOrFail(spec);
  ASSERT_TRUE(dev);
  const auto id = SelfSigned();
  tls::KeyLog client_log, server_log;
  Endpoint client(suite, false, nullptr, &client_log), server(suite, true, &id, &server_log);
  for (int i = 0; i < 20 && !(SSL_is_init_finished(client.ssl()) && SSL_is_init_finished(server.ssl())); ++i) {
    SSL_do_handshake(client.ssl());
    Pump(client.out(), server.in());
    SSL_do_handshake(server.ssl());
    Pump(server.out(), client.in());
  }
  ASSERT_TRUE(SSL_is_init_finished(client.ssl()) && SSL_is_init_finished(server.ssl())) << "handshake did not finish";
  ASSERT_EQ(SSL_version(client.ssl()), suite.version);

  // Device keys for both directions from the client's key log.
  std::vector<uint8_t> client_random(32), server_random(32);
  SSL_get_client_random(client.ssl(), client_random.data(), client_random.size());
  SSL_get_server_random(client.ssl(), server_random.data(), server_random.size());
  device::SlotConfig c2s, s2c;
  uint64_t first_seq = 0;
  if (suite.version == TLS1_2_VERSION) {
    auto master = client_log.secret("CLIENT_RANDOM", client_random);
    ASSERT_TRUE(master.ok());
    auto keys = tls::tls12_keys(suite.cipher, suite.hash, master->bytes(), client_random, server_random);
    ASSERT_TRUE(keys.ok()) << keys.error().message;
    c2s = keys->client_write;
    s2c = keys->server_write;
    first_seq = 1;  // Finished went out as record 0 under these keys
  } else {
    auto cs = client_log.secret("CLIENT_TRAFFIC_SECRET_0", client_random);
    auto ss = client_log.secret("SERVER_TRAFFIC_SECRET_0", client_random);
    ASSERT_TRUE(cs.ok() && ss.ok());
    auto ck = tls::tls13_keys(suite.cipher, suite.hash, cs->bytes());
    auto sk = tls::tls13_keys(suite.cipher, suite.hash, ss->bytes());
    ASSERT_TRUE(ck.ok() && sk.ok());
    c2s = *ck;
    s2c = *sk;
  }
  // The server's log agrees with the client's: both ends saw the same secrets.
  EXPECT_EQ(server_log.size(), client_log.size());

  // 1. The client writes; the device (as the server) opens the records.
  std::mt19937_64 rng(5);
  std::vector<Bytes> sent;
  for (size_t n : {size_t{1}, size_t{100}, size_t{1500}, size_t{16384}}) {
    sent.push_back(RandomBytes(rng, n));
    ASSERT_EQ(SSL_write(client.ssl(), sent.back().data(), static_cast<int>(n)), static_cast<int>(n));
  }
  const Bytes wire = Pump(client.out(), nullptr);
  const std::vector<Bytes> recs = Records(wire);
  ASSERT_EQ(recs.size(), sent.size());
  device::SlotConfig rx = c2s;
  rx.direction = Op::kUnprotect;
  rx.sequence = first_seq;
  ASSERT_TRUE(dev->load_slot(3, rx).ok());
  for (size_t i = 0; i < recs.size(); ++i) {
    auto c = dev->run(device::Job{i, 3, Op::kUnprotect, 0, 0, recs[i]});
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->status, Status::kOk) << "record " << i;
    EXPECT_EQ(c->content_type, 23);
    EXPECT_EQ(c->output, sent[i]) << "record " << i;
  }
  // The server's own OpenSSL reads them too (keeps its sequence in step with the client's).
  BIO_write(server.in(), wire.data(), static_cast<int>(wire.size()));
  for (const Bytes& want : sent) {
    Bytes got(want.size());
    ASSERT_EQ(SSL_read(server.ssl(), got.data(), static_cast<int>(got.size())), static_cast<int>(want.size()));
    EXPECT_EQ(got, want);
  }

  // 2. The device (as the client) protects the next records; the server's SSL_read accepts them.
  device::SlotConfig tx = c2s;
  tx.direction = Op::kProtect;
  tx.sequence = first_seq + sent.size();
  ASSERT_TRUE(dev->load_slot(4, tx).ok());
  for (size_t n : {size_t{0}, size_t{7}, size_t{4096}, size_t{16384}}) {
    const Bytes msg = RandomBytes(rng, n);
    auto c = dev->run(device::Job{n, 4, Op::kProtect, 23, 0, msg});
    ASSERT_TRUE(c.ok());
    ASSERT_EQ(c->status, Status::kOk);
    BIO_write(server.in(), c->output.data(), static_cast<int>(c->output.size()));
    if (n == 0) continue;  // an empty record delivers nothing to SSL_read
    Bytes got(n);
    const int r = SSL_read(server.ssl(), got.data(), static_cast<int>(n));
    ASSERT_EQ(r, static_cast<int>(n)) << "OpenSSL refused a device record: "
                                      << ERR_error_string(ERR_get_error(), nullptr);
    EXPECT_EQ(got, msg);
  }

  // 3. The other direction: the server writes, the device opens; the device writes, the client reads.
  device::SlotConfig srx = s2c;
  srx.direction = Op::kUnprotect;
  srx.sequence = first_seq;
  ASSERT_TRUE(dev->load_slot(5, srx).ok());
  const Bytes hello = RandomBytes(rng, 333);
  ASSERT_EQ(SSL_write(server.ssl(), hello.data(), static_cast<int>(hello.size())), 333);
  const std::vector<Bytes> srecs = Records(Pump(server.out(), nullptr));
  ASSERT_EQ(srecs.size(), 1u);
  auto opened = dev->run(device::Job{0, 5, Op::kUnprotect, 0, 0, srecs[0]});
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->status, Status::kOk);
  EXPECT_EQ(opened->output, hello);
  device::SlotConfig stx = s2c;
  stx.direction = Op::kProtect;
  stx.sequence = first_seq + 1;
  ASSERT_TRUE(dev->load_slot(6, stx).ok());
  BIO_write(client.in(), srecs[0].data(), static_cast<int>(srecs[0].size()));
  Bytes got(333);
  ASSERT_EQ(SSL_read(client.ssl(), got.data(), 333), 333);
  auto sealed = dev->run(device::Job{0, 6, Op::kProtect, 23, 0, hello});
  ASSERT_TRUE(sealed.ok());
  BIO_write(client.in(), sealed->output.data(), static_cast<int>(sealed->output.size()));
  ASSERT_EQ(SSL_read(client.ssl(), got.data(), 333), 333);
  EXPECT_EQ(got, hello);
  for (device::SlotConfig* c : {&c2s, &s2c, &rx, &tx, &srx, &stx}) device::secure_wipe(*c);
}

const Suite kSuites[] = {
    {TLS1_2_VERSION, "ECDHE-ECDSA-AES128-GCM-SHA256", Cipher::kAes128Gcm, tls::SuiteHash::kSha256},
    {TLS1_2_VERSION, "ECDHE-ECDSA-AES256-GCM-SHA384", Cipher::kAes256Gcm, tls::SuiteHash::kSha384},
    {TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256", Cipher::kAes128Gcm, tls::SuiteHash::kSha256},
    {TLS1_3_VERSION, "TLS_AES_256_GCM_SHA384", Cipher::kAes256Gcm, tls::SuiteHash::kSha384},
};

std::string ParamName(const ::testing::TestParamInfo<Param>& info) {
  std::string n = BackendName({std::get<0>(info.param), info.index}) + "_" + std::get<1>(info.param).name;
  for (char& c : n) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0) c = '_';
  }
  return n;
}

INSTANTIATE_TEST_SUITE_P(Backends, RealSession,
                         ::testing::Combine(::testing::ValuesIn(DeviceBackends()), ::testing::ValuesIn(kSuites)),
                         ParamName);

}  // namespace
}  // namespace mediasec::tb
