// TlsSession against an OpenSSL peer in this process, on every device backend: the handshake in
// both roles and every suite, application data through the device only, fingerprint checks,
// renegotiation (either side; a changed certificate refused), KeyUpdate (either side), resumption,
// close and bad records.
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "drivers/key_slot.h"
#include "host/tls/fingerprint.h"
#include "tests/device/backends.h"
#include "tests/tls/openssl_peer.h"

namespace mediasec::tls::test {
namespace {

struct Suite {
  int version;
  const char* name;
};
const Suite kSuites[] = {
    {TLS1_2_VERSION, "ECDHE-ECDSA-AES128-GCM-SHA256"},
    {TLS1_2_VERSION, "ECDHE-ECDSA-AES256-GCM-SHA384"},
    {TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256"},
    {TLS1_3_VERSION, "TLS_AES_256_GCM_SHA384"},
};

Bytes Random(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  Bytes b(n);
  for (auto& x : b) x = static_cast<uint8_t>(rng());
  return b;
}

class Fixture {
 public:
  explicit Fixture(const std::string& backend, Profile profile = Profile{}) : device_(tb::OpenOrFail(backend)) {
    if (device_) pool_ = std::make_unique<device::SlotPool>(*device_);
    ours_ = std::make_unique<Identity>(*Identity::generate(KeyType::kEcdsaP256, "mediasec"));
    theirs_ = std::make_unique<Identity>(*Identity::generate(KeyType::kEcdsaP256, "terminal"));
    context_ = std::move(TlsContext::create(*ours_, profile, nullptr, Transport::kStream).value());
  }
  std::unique_ptr<TlsSession> Session(Role role, std::vector<security::Fingerprint> fps,
                                      SslSessionPtr resume = nullptr) {
    TlsSession::Options o;
    o.role = role;
    o.peer_fingerprints = std::move(fps);
    o.resume = std::move(resume);
    auto s = TlsSession::create(*context_, *pool_, o);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return s.ok() ? std::move(*s) : nullptr;
  }
  security::Fingerprint PeerFingerprint() { return *theirs_->fingerprint(); }

  std::unique_ptr<device::Device> device_;
  std::unique_ptr<device::SlotPool> pool_;
  std::unique_ptr<Identity> ours_, theirs_;
  std::unique_ptr<TlsContext> context_;
};

// backend, suite, our role, and whether a TLS 1.3 server session keeps OpenSSL after the handshake.
using Param = std::tuple<std::string, Suite, Role, bool>;

class Offload : public ::testing::TestWithParam<Param> {
 protected:
  void SetUp() override {
    const auto& [backend, suite, role, keep_openssl] = GetParam();
    Profile profile;
    profile.tls13_server_without_openssl = !keep_openssl;
    f_ = std::make_unique<Fixture>(backend, profile);
    keep_openssl_ = keep_openssl;
    ASSERT_TRUE(f_->device_);
    suite_ = suite;
    role_ = role;
    free_at_start_ = f_->pool_->free_slots();
  }
  Role PeerRole() const { return role_ == Role::kServer ? Role::kClient : Role::kServer; }
  std::unique_ptr<OpenSslPeer> Peer(const Identity* id = nullptr, SSL_CTX* shared = nullptr) {
    return std::make_unique<OpenSslPeer>(PeerRole(), id != nullptr ? *id : *f_->theirs_, suite_.version, suite_.name,
                                         shared);
  }
  void Handshake(TlsSession& s, OpenSslPeer& p) {
    s.start();
    Exchange(s, p);
    ASSERT_TRUE(s.established()) << (s.release() ? s.release()->reason : "still handshaking") << " / peer: " << p.error;
    ASSERT_TRUE(SSL_is_init_finished(p.ssl()));
  }
  // Data both ways through the device; the peer's OpenSSL is the judge.
  void Traffic(TlsSession& s, OpenSslPeer& p, uint32_t seed) {
    for (size_t n : {size_t{1}, size_t{1000}, size_t{16384}, size_t{40000}}) {
      const Bytes out = Random(n, seed++);
      ASSERT_TRUE(s.send(out).ok());
      p.feed(s.take_output());
      ASSERT_TRUE(p.step()) << p.error;
      ASSERT_EQ(p.received, out);
      p.received.clear();
      const Bytes in = Random(n, seed++);
      p.write(in);
      s.receive(p.take());
      ASSERT_FALSE(s.released()) << s.release()->reason;
      ASSERT_EQ(s.take_received(), in);
    }
  }
  std::unique_ptr<Fixture> f_;
  Suite suite_{};
  Role role_{};
  bool keep_openssl_ = false;
  size_t free_at_start_ = 0;
};

TEST_P(Offload, HandshakeThenApplicationDataOnlyThroughTheDeviceThenCloseZeroizes) {
  auto s = f_->Session(role_, {f_->PeerFingerprint()});
  auto p = Peer();
  Handshake(*s, *p);
  const auto info0 = s->info();
  EXPECT_TRUE(info0.offloaded);
  EXPECT_EQ(info0.without_openssl, suite_.version == TLS1_3_VERSION && role_ == Role::kServer && !keep_openssl_);
  EXPECT_EQ(info0.version, suite_.version == TLS1_3_VERSION ? "TLSv1.3" : "TLSv1.2");
  EXPECT_EQ(info0.cipher, suite_.name);
  EXPECT_EQ(f_->pool_->free_slots(), free_at_start_ - 2);
  auto tx = f_->device_->read_slot(info0.tx_slot);
  ASSERT_TRUE(tx.ok());
  EXPECT_TRUE(tx->valid);
  const uint64_t device_records_before = tx->counters.records;
  Traffic(*s, *p, 1);
  const auto info = s->info();
  EXPECT_EQ(info.records_out, 1u + 1 + 1 + 3);  // 40000 bytes are three records
  EXPECT_EQ(info.records_in, 6u);
  EXPECT_EQ(info.bytes_out, 57385u);
  // The device protected every application record (and nothing went through OpenSSL but the
  // server's TLS 1.3 ticket).
  auto tx_after = f_->device_->read_slot(info0.tx_slot);
  EXPECT_EQ(tx_after->counters.records - device_records_before, 6u);
  // (A TLS 1.3 client gets the OpenSSL server's two tickets through OpenSSL.)
  EXPECT_EQ(info.records_to_openssl, suite_.version == TLS1_3_VERSION && role_ == Role::kClient ? 2u : 0u);
  // close_notify from us reaches the peer's OpenSSL; the slots are zeroized and returned.
  s->close();
  p->feed(s->take_output());
  EXPECT_FALSE(p->step());
  EXPECT_TRUE(p->closed) << p->error;
  ASSERT_TRUE(s->released());
  EXPECT_EQ(s->release()->cause, ReleaseCause::kLocalClose);
  EXPECT_EQ(f_->pool_->free_slots(), free_at_start_);
  EXPECT_FALSE(f_->device_->read_slot(info0.tx_slot)->valid);
  EXPECT_FALSE(f_->device_->read_slot(info0.rx_slot)->valid);
}

TEST_P(Offload, RecordsCutAnywhereByTheReadsArriveWhole) {
  auto s = f_->Session(role_, {f_->PeerFingerprint()});
  auto p = Peer();
  Handshake(*s, *p);
  // Records of many sizes, read back in pieces that cut headers and bodies at every offset.
  Bytes sent;
  for (size_t n : {size_t{1}, size_t{7}, size_t{1000}, size_t{16384}, size_t{40000}, size_t{3}}) {
    const Bytes part = Random(n, static_cast<uint32_t>(n));
    p->write(part);
    sent.insert(sent.end(), part.begin(), part.end());
  }
  const Bytes wire = p->take();
  Bytes got;
  size_t at = 0;
  for (size_t i = 0; at < wire.size(); ++i) {
    const size_t cut = std::min(wire.size() - at, std::vector<size_t>{1, 2, 3, 4, 5, 6, 9, 700, 16390, 20000}[i % 10]);
    s->receive(std::span<const uint8_t>(wire).subspan(at, cut));
    at += cut;
    ASSERT_FALSE(s->released()) << s->release()->reason;
    const Bytes now = s->take_received();
    got.insert(got.end(), now.begin(), now.end());
  }
  EXPECT_EQ(got, sent);
  EXPECT_EQ(s->info().records_in, 1u + 1 + 1 + 1 + 3 + 1);
}

TEST_P(Offload, ReceiveIntoACallersBufferYieldsTheSameBytesAcrossAKeyUpdate) {
  // A plaintext buffer too small for all of it (the rest comes back in the session's memory),
  // and none at all (all of it there): either way everything comes through the views.
  for (const size_t buffer : {size_t{30000}, size_t{0}}) {
    SCOPED_TRACE("plaintext buffer of " + std::to_string(buffer) + " bytes");
    auto s = f_->Session(role_, {f_->PeerFingerprint()});
    auto p = Peer();
    Handshake(*s, *p);
    // Records before and after the peer's KeyUpdate in one read: the records after it were first
    // opened under the old keys, then again under the new ones.
    Bytes sent;
    const auto write = [&](size_t n, uint32_t seed) {
      const Bytes part = Random(n, seed);
      p->write(part);
      sent.insert(sent.end(), part.begin(), part.end());
    };
    write(5000, 1);
    write(16384, 2);
    const bool tls13 = suite_.version == TLS1_3_VERSION;
    if (tls13) {  // (TLS 1.2: the same records, each with its explicit nonce, and no KeyUpdate)
      ASSERT_EQ(SSL_key_update(p->ssl(), SSL_KEY_UPDATE_NOT_REQUESTED), 1);
      SSL_do_handshake(p->ssl());
    }
    write(16384, 3);
    write(20000, 4);
    const Bytes wire = p->take();
    std::vector<uint8_t> plaintext(buffer);
    Bytes got;
    const size_t cut = wire.size() / 2 + 7;  // and a record cut between two reads
    for (auto part : {std::span<const uint8_t>(wire).first(cut), std::span<const uint8_t>(wire).subspan(cut)}) {
      s->receive_into(part, plaintext);
      ASSERT_FALSE(s->released()) << s->release()->reason;
      for (const auto& v : s->received_views()) got.insert(got.end(), v.begin(), v.end());
      EXPECT_TRUE(s->take_received().empty()) << "everything came through the views";
    }
    EXPECT_EQ(got, sent);
    EXPECT_EQ(s->info().key_updates_received, tls13 ? 1u : 0u);
    EXPECT_EQ(s->info().bytes_in, sent.size());
  }
}

TEST_P(Offload, PeerCloseNotifyIsAnsweredAndReleases) {
  auto s = f_->Session(role_, {f_->PeerFingerprint()});
  auto p = Peer();
  Handshake(*s, *p);
  SSL_shutdown(p->ssl());
  s->receive(p->take());
  ASSERT_TRUE(s->released());
  EXPECT_EQ(s->release()->cause, ReleaseCause::kCloseNotify);
  p->feed(s->take_output());
  EXPECT_EQ(SSL_shutdown(p->ssl()), 1) << "our close_notify did not reach the peer";
  EXPECT_EQ(f_->pool_->free_slots(), free_at_start_);
}

TEST_P(Offload, FingerprintMismatchFailsTheHandshakeWithAReason) {
  security::Fingerprint wrong = f_->PeerFingerprint();
  wrong.digest[0] ^= 1;
  auto s = f_->Session(role_, {wrong});
  auto p = Peer();
  s->start();
  Exchange(*s, *p);
  ASSERT_TRUE(s->released());
  EXPECT_EQ(s->release()->cause, ReleaseCause::kFingerprintMismatch);
  EXPECT_NE(s->release()->reason.find("matches no a=fingerprint"), std::string::npos) << s->release()->reason;
  EXPECT_FALSE(p->error.empty()) << "the peer was not told (alert)";
  EXPECT_EQ(f_->pool_->free_slots(), free_at_start_);
}

TEST_P(Offload, AnyHashOfTheFingerprintIsAccepted) {
  for (const char* hash : {"sha-1", "sha-384", "sha-512", "sha3-256"}) {
    auto s = f_->Session(role_, {*fingerprint_of(f_->theirs_->certificate(), hash)});
    auto p = Peer();
    Handshake(*s, *p);
  }
}

TEST_P(Offload, RenegotiationOrKeyUpdateStartedByThePeer) {
  auto s = f_->Session(role_, {f_->PeerFingerprint()});
  auto p = Peer();
  Handshake(*s, *p);
  Traffic(*s, *p, 10);
  const uint32_t old_tx = s->info().tx_slot, old_rx = s->info().rx_slot;
  if (suite_.version == TLS1_2_VERSION) {
    ASSERT_EQ(SSL_renegotiate(p->ssl()), 1);
    SSL_do_handshake(p->ssl());  // HelloRequest from a server, ClientHello from a client
  } else {
    ASSERT_EQ(SSL_key_update(p->ssl(), SSL_KEY_UPDATE_REQUESTED), 1);
    SSL_do_handshake(p->ssl());
  }
  s->receive(p->take());
  Exchange(*s, *p);
  ASSERT_FALSE(s->released()) << s->release()->reason;
  if (suite_.version == TLS1_2_VERSION) {
    EXPECT_EQ(s->info().renegotiations, 1u);
    EXPECT_EQ(SSL_renegotiate_pending(p->ssl()), 0);
  } else {
    EXPECT_EQ(s->info().key_updates_received, 1u);
    EXPECT_EQ(s->info().key_updates_sent, 1u);  // requested: we answered with ours
  }
  // New slots; the old ones were zeroized (or handed out again to this session).
  const auto now = s->info();
  EXPECT_NE(now.tx_slot, old_tx);
  EXPECT_NE(now.rx_slot, old_rx);
  for (uint32_t old : {old_tx, old_rx}) {
    EXPECT_TRUE(!f_->device_->read_slot(old)->valid || old == now.tx_slot || old == now.rx_slot) << old;
  }
  Traffic(*s, *p, 20);
  EXPECT_EQ(f_->pool_->free_slots(), free_at_start_ - 2);
}

TEST_P(Offload, RenegotiationOrKeyUpdateStartedByUs) {
  auto s = f_->Session(role_, {f_->PeerFingerprint()});
  auto p = Peer();
  Handshake(*s, *p);
  Traffic(*s, *p, 30);
  if (suite_.version == TLS1_2_VERSION) {
    ASSERT_TRUE(s->renegotiate().ok());
    // Data written during the renegotiation is held and sent once it is over.
    const Bytes during = Random(5000, 99);
    ASSERT_TRUE(s->send(during).ok());
    Exchange(*s, *p);
    ASSERT_FALSE(s->released()) << s->release()->reason;
    EXPECT_EQ(s->info().renegotiations, 1u);
    EXPECT_EQ(p->received, during);
    p->received.clear();
  } else {
    ASSERT_TRUE(s->update_keys(false).ok());
    Exchange(*s, *p);
    Traffic(*s, *p, 40);
    ASSERT_TRUE(s->update_keys(true).ok());
    Exchange(*s, *p);
    ASSERT_FALSE(s->released()) << s->release()->reason;
    EXPECT_EQ(s->info().key_updates_sent, 2u);
  }
  Traffic(*s, *p, 50);
  // OpenSSL answers a requested KeyUpdate with its next write.
  if (suite_.version == TLS1_3_VERSION) {
    EXPECT_EQ(s->info().key_updates_received, 1u);
  }
}

// Renegotiation is TLS 1.2 only: these run with the TLS 1.2 suites.
class OffloadTls12 : public Offload {};

TEST_P(OffloadTls12, RenegotiationWithADifferentPeerCertificateIsRefused) {
  auto s = f_->Session(role_, {f_->PeerFingerprint()});
  auto p = Peer();
  Handshake(*s, *p);
  Traffic(*s, *p, 70);
  // The peer swaps its certificate (the fingerprint still names the first one) and renegotiates.
  auto other = Identity::generate(KeyType::kEcdsaP256, "impostor");
  ASSERT_TRUE(other.ok());
  ASSERT_EQ(SSL_use_certificate(p->ssl(), other->certificate()), 1);
  ASSERT_EQ(SSL_use_PrivateKey(p->ssl(), other->private_key()), 1);
  SSL_set_options(p->ssl(), SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION);  // a full handshake
  ASSERT_EQ(SSL_renegotiate(p->ssl()), 1);
  SSL_do_handshake(p->ssl());
  s->receive(p->take());
  Exchange(*s, *p);
  ASSERT_TRUE(s->released());
  EXPECT_EQ(s->release()->cause, ReleaseCause::kCertificateChanged) << s->release()->reason;
  EXPECT_NE(s->release()->reason.find(other->fingerprint()->to_string()), std::string::npos) << s->release()->reason;
  EXPECT_FALSE(p->error.empty()) << "the peer was not told (alert)";
  EXPECT_EQ(f_->pool_->free_slots(), free_at_start_);
}

TEST_P(Offload, ABadRecordReleasesWithAnAlert) {
  for (int kind = 0; kind < 3; ++kind) {
    auto s = f_->Session(role_, {f_->PeerFingerprint()});
    auto p = Peer();
    Handshake(*s, *p);
    p->write(Random(100, 7));
    Bytes rec = p->take();
    if (kind == 0) rec[rec.size() - 3] ^= 0x10;   // tag bit
    if (kind == 1) rec[3] = 0xFF, rec[4] = 0xFF;  // length over the limit
    if (kind == 2) rec[0] = 99;                   // no such content type
    s->receive(rec);
    ASSERT_TRUE(s->released()) << kind;
    EXPECT_EQ(s->release()->cause, ReleaseCause::kBadRecord) << kind;
    EXPECT_TRUE(s->take_received().empty());
    p->feed(s->take_output());
    EXPECT_FALSE(p->step()) << "the peer did not get our alert (" << kind << ")";
    EXPECT_NE(p->error.find("alert"), std::string::npos) << p->error;
    EXPECT_EQ(f_->pool_->free_slots(), free_at_start_);
  }
}

TEST_P(Offload, ResumptionWithATicketOrSessionId) {
  for (bool tickets : {true, false}) {
    if (!tickets && suite_.version == TLS1_3_VERSION) continue;  // TLS 1.3 resumes by ticket only
    SslSessionPtr saved;
    std::unique_ptr<OpenSslPeer> keep_server;  // an OpenSSL server keeps its own session cache
    for (int round = 0; round < 2; ++round) {
      std::unique_ptr<TlsSession> s;
      std::unique_ptr<OpenSslPeer> p;
      if (role_ == Role::kClient) {
        // Our client resumes the session it got from the OpenSSL server.
        if (!keep_server) keep_server = Peer();
        p = Peer(nullptr, keep_server->ctx());
        if (!tickets) SSL_set_options(p->ssl(), SSL_OP_NO_TICKET);
        s = f_->Session(role_, {f_->PeerFingerprint()}, round == 1 ? saved : nullptr);
      } else {
        // The OpenSSL client resumes with our server (our ticket keys or our session cache).
        s = f_->Session(role_, {f_->PeerFingerprint()});
        p = Peer();
        if (!tickets) SSL_set_options(p->ssl(), SSL_OP_NO_TICKET);
        if (round == 1) SSL_set_session(p->ssl(), saved.get());
      }
      Handshake(*s, *p);
      Traffic(*s, *p, 60);  // also carries any TLS 1.3 ticket across
      EXPECT_EQ(s->info().resumed, round == 1) << "tickets=" << tickets;
      if (round == 1) {
        EXPECT_EQ(SSL_session_reused(p->ssl()), 1);
      }
      saved = role_ == Role::kClient ? s->resumable_session() : share_session(SSL_get1_session(p->ssl()));
      ASSERT_TRUE(saved) << "nothing to resume with";
      // A clean close both ways (OpenSSL forgets the session of a connection that was not closed).
      s->close();
      p->feed(s->take_output());
      p->step();
      SSL_shutdown(p->ssl());
    }
  }
}

std::string Name(const ::testing::TestParamInfo<Param>& info) {
  std::string n = tb::BackendName({std::get<0>(info.param), info.index}) + "_" + std::get<1>(info.param).name +
                  (std::get<2>(info.param) == Role::kServer ? "_server" : "_client") +
                  (std::get<3>(info.param) ? "_with_openssl" : "");
  for (char& c : n)
    if (std::isalnum(static_cast<unsigned char>(c)) == 0) c = '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(Backends, OffloadTls12,
                         ::testing::Combine(::testing::ValuesIn(tb::DeviceBackends()),
                                            ::testing::ValuesIn(kSuites, kSuites + 2),
                                            ::testing::Values(Role::kServer, Role::kClient), ::testing::Values(false)),
                         Name);

INSTANTIATE_TEST_SUITE_P(Backends, Offload,
                         ::testing::Combine(::testing::ValuesIn(tb::DeviceBackends()), ::testing::ValuesIn(kSuites),
                                            ::testing::Values(Role::kServer, Role::kClient), ::testing::Values(false)),
                         Name);
// A TLS 1.3 server that keeps its OpenSSL connection: KeyUpdate and alerts go through OpenSSL
// (re-protected) as they do for TLS 1.2 and for clients.
INSTANTIATE_TEST_SUITE_P(Tls13ServerWithOpenSsl, Offload,
                         ::testing::Combine(::testing::ValuesIn(tb::DeviceBackends()),
                                            ::testing::ValuesIn(kSuites + 2, kSuites + 4),
                                            ::testing::Values(Role::kServer), ::testing::Values(true)),
                         Name);

}  // namespace
}  // namespace mediasec::tls::test

namespace mediasec::tls::test {
namespace {

// Bad input on the sw backend (the device backends are covered above): garbage, mutated and
// out-of-order handshakes, truncated records. Nothing may crash or hang, every failure is a
// release with a reason, and no reason ever holds key material.
class BadInput : public ::testing::Test {
 protected:
  BadInput() : f_("sw") {}
  std::unique_ptr<TlsSession> Server() { return f_.Session(Role::kServer, {f_.PeerFingerprint()}); }
  // Every reason seen, to check for secrets at the end.
  void Note(const TlsSession& s) {
    if (s.release()) reasons_.push_back(s.release()->reason);
  }
  Fixture f_;
  std::vector<std::string> reasons_;
};

TEST_F(BadInput, GarbageMutationsAndOutOfOrderFlightsAreReleasedNotCrashed) {
  const uint64_t seed = tb::TestSeed(11);
  std::mt19937_64 rng(seed);
  SCOPED_TRACE("seed " + std::to_string(seed));
  const int rounds = static_cast<int>(300 * tb::TestScale());
  // A genuine client's first and second flights, to mutate.
  Bytes hello, second;
  {
    auto s = Server();
    OpenSslPeer client(Role::kClient, *f_.theirs_, 0, "");
    client.step();
    hello = client.take();
    s->receive(hello);
    client.feed(s->take_output());
    client.step();
    second = client.take();
  }
  for (int i = 0; i < rounds; ++i) {
    auto s = Server();
    Bytes input;
    switch (i % 4) {
      case 0:  // random bytes
        input.resize(rng() % 3000);
        for (auto& b : input) b = static_cast<uint8_t>(rng());
        break;
      case 1:  // a ClientHello with bytes flipped
      case 2:
        input = hello;
        for (int k = 0; k < 1 + static_cast<int>(rng() % 8); ++k)
          input[rng() % input.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
        break;
      case 3:  // the second flight without the first (out of order)
        input = second;
        break;
    }
    s->receive(input);
    if (!s->released()) s->transport_closed();  // a truncated record waits for more; then the peer goes
    ASSERT_TRUE(s->released()) << i;
    const auto cause = s->release()->cause;
    EXPECT_TRUE(cause == ReleaseCause::kHandshakeFailed || cause == ReleaseCause::kBadRecord ||
                cause == ReleaseCause::kTransportClosed || cause == ReleaseCause::kFingerprintMismatch)
        << i << ": " << to_string(cause);
    if (i % 4 == 3) {
      EXPECT_EQ(cause, ReleaseCause::kHandshakeFailed);
      const Bytes alert = s->take_output();
      ASSERT_GE(alert.size(), 7u) << "no alert for an out-of-order flight";
      EXPECT_EQ(alert[0], 21);  // alert record
    }
    Note(*s);
  }
  EXPECT_EQ(f_.pool_->free_slots(), f_.device_->identity().key_slots);
}

TEST_F(BadInput, MutatedRecordsAfterTheHandshakeAndNoSecretInAnyReason) {
  const uint64_t seed = tb::TestSeed(12);
  std::mt19937_64 rng(seed);
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::vector<std::string> secrets;  // the peer's key log: every secret of these sessions
  const int rounds = static_cast<int>(100 * tb::TestScale());
  for (int i = 0; i < rounds; ++i) {
    auto s = Server();
    OpenSslPeer client(Role::kClient, *f_.theirs_, i % 2 == 0 ? TLS1_2_VERSION : TLS1_3_VERSION, "");
    SSL_CTX_set_app_data(client.ctx(), &secrets);
    SSL_CTX_set_keylog_callback(client.ctx(), [](const SSL* ssl, const char* line) {
      auto* out = static_cast<std::vector<std::string>*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
      const std::string l(line);
      out->push_back(l.substr(l.rfind(' ') + 1));
    });
    s->start();
    Exchange(*s, client);
    ASSERT_TRUE(s->established());
    client.write(Random(1 + rng() % 3000, static_cast<uint32_t>(rng())));
    Bytes rec = client.take();
    const int kind = static_cast<int>(rng() % 3);
    if (kind == 0) rec[5 + rng() % (rec.size() - 5)] ^= static_cast<uint8_t>(1 + rng() % 255);  // body or tag
    if (kind == 1) rec.resize(5 + rng() % (rec.size() - 5));                                    // truncated
    if (kind == 2) rec[1 + rng() % 4] ^= static_cast<uint8_t>(1 + rng() % 255);                 // header
    s->receive(rec);
    if (!s->released()) s->transport_closed();
    ASSERT_TRUE(s->released());
    EXPECT_TRUE(s->take_received().empty()) << "a damaged record released plaintext";
    Note(*s);
  }
  ASSERT_FALSE(secrets.empty());
  for (const std::string& reason : reasons_) {
    std::string lower = reason;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const std::string& secret : secrets) {
      std::string hex = secret;
      for (char& c : hex) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      ASSERT_EQ(lower.find(hex.substr(0, 16)), std::string::npos) << "a secret in: " << reason;
    }
  }
  EXPECT_EQ(f_.pool_->free_slots(), f_.device_->identity().key_slots);
}

}  // namespace
}  // namespace mediasec::tls::test
