// The TLS layer's configuration pieces: identity (generate, keep, reload, refuse bad files),
// fingerprints, the TS 33.310 profile (nothing the device cannot offload), and ticket keys
// (rotation on a schedule, shared between workers' contexts).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "drivers/key_slot.h"
#include "drivers/open_device.h"
#include "host/sdp/sdp.h"
#include "host/tls/fingerprint.h"
#include "host/tls/ticket_keys.h"
#include "tests/support/temp_dir.h"
#include "tests/tls/openssl_peer.h"

namespace mediasec::tls::test {
namespace {

// Each test's files, removed afterwards.
struct TempDir : test_env::TempDir {
  TempDir() : test_env::TempDir("tlscfg") {}
};

TEST(Identity, GeneratedOnceThenKeptWithAPrivateKeyFile) {
  TempDir dir;
  auto first = Identity::load_or_create(dir / "c.pem", dir / "k.pem");
  ASSERT_TRUE(first.ok()) << first.error().message;
  struct stat st {};
  ASSERT_EQ(::stat((dir / "k.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto again = Identity::load_or_create(dir / "c.pem", dir / "k.pem");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(first->fingerprint()->digest, again->fingerprint()->digest) << "the fingerprint changed across a restart";
}

TEST(Identity, BadFilesAreRefusedWithTheirName) {
  TempDir dir;
  ASSERT_TRUE(Identity::generate(KeyType::kEcdsaP256)->save(dir / "a.pem", dir / "a.key").ok());
  ASSERT_TRUE(Identity::generate(KeyType::kRsa2048)->save(dir / "b.pem", dir / "b.key").ok());
  auto mismatched = Identity::load(dir / "a.pem", dir / "b.key");
  ASSERT_FALSE(mismatched.ok());
  EXPECT_NE(mismatched.error().message.find("is not the key of"), std::string::npos) << mismatched.error().message;
  std::ofstream(dir / "junk.pem") << "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n";
  auto junk = Identity::load(dir / "junk.pem", dir / "a.key");
  ASSERT_FALSE(junk.ok());
  EXPECT_NE(junk.error().message.find("junk.pem"), std::string::npos) << junk.error().message;
  EXPECT_FALSE(Identity::load(dir / "missing.pem", dir / "a.key").ok());
  // The key file's content never shows up in an error.
  std::ifstream key(dir / "b.key");
  const std::string pem((std::istreambuf_iterator<char>(key)), {});
  const std::string body = pem.substr(pem.find('\n') + 1, 40);
  EXPECT_EQ(mismatched.error().message.find(body), std::string::npos);
}

TEST(Fingerprint, EveryHashOpenSslOffersAndTheSdpRoundTrip) {
  auto id = Identity::generate(KeyType::kEcdsaP256);
  for (const char* hash : {"sha-1", "sha-224", "sha-256", "sha-384", "sha-512", "sha3-256", "sha3-512", "sm3"}) {
    auto fp = fingerprint_of(id->certificate(), hash);
    ASSERT_TRUE(fp.ok()) << hash;
    auto parsed = sdp::parse_fingerprint(fp->to_string());
    ASSERT_TRUE(parsed.ok()) << fp->to_string();
    EXPECT_EQ(*parsed, *fp);
    EXPECT_TRUE(matches_any(id->certificate(), std::vector{*fp}));
  }
  EXPECT_FALSE(fingerprint_of(id->certificate(), "no-such-hash").ok());
}

TEST(Profile, ASuiteTheDeviceCannotOffloadIsRefused) {
  auto id = Identity::generate(KeyType::kEcdsaP256).value();
  Profile p;
  p.tls12_ciphers = "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256";
  auto c = TlsContext::create(id, p, nullptr, Transport::kStream);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("CHACHA20"), std::string::npos) << c.error().message;
  p = Profile{};
  p.tls13_suites = "TLS_CHACHA20_POLY1305_SHA256";
  EXPECT_FALSE(TlsContext::create(id, p, nullptr, Transport::kStream).ok());
  p = Profile{};
  p.tls12_ciphers = "AES128-GCM-SHA256";  // static RSA key exchange: no forward secrecy
  EXPECT_FALSE(TlsContext::create(id, p, nullptr, Transport::kStream).ok());
  p = Profile{};
  p.tls12_ciphers = "NO-SUCH-SUITE";
  EXPECT_FALSE(TlsContext::create(id, p, nullptr, Transport::kStream).ok());
  EXPECT_TRUE(TlsContext::create(id, Profile{}, nullptr, Transport::kStream).ok());
  EXPECT_TRUE(TlsContext::create(id, Profile{}, nullptr, Transport::kDatagram).ok());
}

TEST(Role, FromTheNegotiatedSetup) {
  static_assert(role_for(security::Setup::kActive) == Role::kClient);
  static_assert(role_for(security::Setup::kPassive) == Role::kServer);
  EXPECT_FALSE(role_for(security::Setup::kActPass));
  EXPECT_FALSE(role_for(security::Setup::kHoldConn));
}

TEST(TicketKeys, RotateOnTheirPeriodAndStayValidForOneMore) {
  using std::chrono::seconds;
  TicketKeys keys(seconds(100));
  const auto t0 = TicketKeys::Clock::time_point{} + seconds(1000);
  const auto k0 = keys.current(t0);
  EXPECT_EQ(keys.current(t0 + seconds(99)).name, k0.name);
  const auto k1 = keys.current(t0 + seconds(100));  // a new period: a new key
  EXPECT_NE(k1.name, k0.name);
  auto old = keys.find(k0.name.data(), t0 + seconds(150));
  ASSERT_TRUE(old);
  EXPECT_TRUE(old->second) << "a ticket under the previous key should be renewed";
  auto cur = keys.find(k1.name.data(), t0 + seconds(150));
  ASSERT_TRUE(cur);
  EXPECT_FALSE(cur->second);
  EXPECT_FALSE(keys.find(k0.name.data(), t0 + seconds(200))) << "a key two periods old still decrypts";
  EXPECT_LE(keys.size(), 2u);
}

TEST(TicketKeys, ATicketFromOneWorkerResumesOnAnother) {
  auto dev = device::open_device("sw").value();
  device::SlotPool pool(*dev);
  auto gw = Identity::generate(KeyType::kEcdsaP256).value();
  auto terminal = Identity::generate(KeyType::kEcdsaP256).value();
  auto shared = std::make_shared<TicketKeys>(std::chrono::seconds(3600));
  auto worker1 = TlsContext::create(gw, Profile{}, shared, Transport::kStream).value();
  auto worker2 = TlsContext::create(gw, Profile{}, shared, Transport::kStream).value();
  auto lone = TlsContext::create(gw, Profile{}, nullptr, Transport::kStream).value();
  for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    SslSessionPtr ticket;
    for (auto [ctx, expect_resumed] :
         {std::pair{worker1.get(), false}, std::pair{worker2.get(), true}, std::pair{lone.get(), false}}) {
      TlsSession::Options o;
      o.peer_fingerprints = {*terminal.fingerprint()};
      auto s = TlsSession::create(*ctx, pool, o).value();
      OpenSslPeer client(Role::kClient, terminal, version, "");
      if (ticket) {
        ASSERT_EQ(SSL_set_session(client.ssl(), ticket.get()), 1);
      }
      Exchange(*s, client);
      ASSERT_TRUE(s->established());
      EXPECT_EQ(s->info().resumed, expect_resumed) << "TLS version " << std::hex << version;
      if (!ticket) {
        client.step();  // read our NewSessionTicket
        ticket = share_session(SSL_get1_session(client.ssl()));
        ASSERT_TRUE(SSL_SESSION_is_resumable(ticket.get()));
        ASSERT_TRUE(SSL_SESSION_has_ticket(ticket.get())) << "no ticket";
      }
      SSL_shutdown(client.ssl());  // OpenSSL forgets the session of a connection that was not closed
      s->close();
    }
  }
}

TEST(Identity, RsaCertificatesWorkWithTheEcdheRsaSuites) {
  auto dev = device::open_device("sw").value();
  device::SlotPool pool(*dev);
  auto gw = Identity::generate(KeyType::kRsa2048).value();
  auto terminal = Identity::generate(KeyType::kRsa2048).value();
  auto ctx = TlsContext::create(gw, Profile{}, nullptr, Transport::kStream).value();
  for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    TlsSession::Options o;
    o.peer_fingerprints = {*terminal.fingerprint()};
    auto s = TlsSession::create(*ctx, pool, o).value();
    OpenSslPeer client(Role::kClient, terminal, version, "");
    Exchange(*s, client);
    ASSERT_TRUE(s->established()) << (s->release() ? s->release()->reason : "");
    if (version == TLS1_2_VERSION) {
      EXPECT_EQ(s->info().cipher.rfind("ECDHE-RSA-AES", 0), 0u) << s->info().cipher;
    }
  }
}

}  // namespace
}  // namespace mediasec::tls::test
