// TlsSession across a loopback socket against openssl s_client and s_server (separate processes,
// OpenSSL's own command-line peers), on every device backend and TLS 1.2/1.3 suite: data both
// ways, renegotiation started by s_client ('R'), s_server ('r') and us, KeyUpdate ('k', 'K' and
// ours), resumption by ticket and by session ID (-sess_out/-sess_in), a mismatched fingerprint,
// and close in both directions.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "drivers/key_slot.h"
#include "tests/device/backends.h"
#include "tests/support/temp_dir.h"
#include "tests/tls/socket_pump.h"

namespace mediasec::tls::test {
namespace {

using namespace std::chrono_literals;
using test_env::Subprocess;

struct Suite {
  bool tls13;
  const char* name;
};
const Suite kSuites[] = {
    {false, "ECDHE-ECDSA-AES128-GCM-SHA256"},
    {false, "ECDHE-ECDSA-AES256-GCM-SHA384"},
    {true, "TLS_AES_128_GCM_SHA256"},
    {true, "TLS_AES_256_GCM_SHA384"},
};

// Our identity, the terminal's and an impostor's, as PEM files for the peer processes.
class Files {
 public:
  Files() {
    for (const char* who : {"gateway", "terminal", "impostor"}) {
      auto id = Identity::load_or_create(cert(who), key(who));
      EXPECT_TRUE(id.ok());
    }
  }
  std::string cert(const std::string& who) const { return (dir_ / (who + ".pem")).string(); }
  std::string key(const std::string& who) const { return (dir_ / (who + ".key")).string(); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  Identity identity(const std::string& who) const { return Identity::load(cert(who), key(who)).value(); }

 private:
  test_env::TempDir dir_{"tls"};
};

using Param = std::tuple<std::string, Suite>;

class OpenSslTools : public ::testing::TestWithParam<Param> {
 protected:
  void SetUp() override {
    const auto& [backend, suite] = GetParam();
    suite_ = suite;
    device_ = tb::OpenOrFail(backend);
    ASSERT_TRUE(device_);
    pool_ = std::make_unique<device::SlotPool>(*device_);
    context_ =
        std::move(TlsContext::create(files_.identity("gateway"), Profile{}, nullptr, Transport::kStream).value());
  }
  std::vector<std::string> VersionArgs() const {
    if (suite_.tls13) return {"-tls1_3", "-ciphersuites", suite_.name};
    return {"-tls1_2", "-cipher", suite_.name};
  }
  std::unique_ptr<TlsSession> Session(Role role, const std::string& peer, SslSessionPtr resume = nullptr) {
    TlsSession::Options o;
    o.role = role;
    o.peer_fingerprints = {*files_.identity(peer).fingerprint()};
    o.resume = std::move(resume);
    return std::move(TlsSession::create(*context_, *pool_, o).value());
  }
  std::unique_ptr<Subprocess> SClient(uint16_t port, const std::string& who, std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {"openssl", "s_client",       "-connect", "127.0.0.1:" + std::to_string(port),
                                     "-cert",   files_.cert(who), "-key",     files_.key(who)};
    for (auto& a : VersionArgs()) argv.push_back(a);
    for (auto& a : extra) argv.push_back(a);
    return std::make_unique<Subprocess>(argv, Subprocess::Options{true, true});
  }
  std::unique_ptr<Subprocess> SServer(uint16_t port, std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {"openssl",
                                     "s_server",
                                     "-accept",
                                     std::to_string(port),
                                     "-4",
                                     "-cert",
                                     files_.cert("terminal"),
                                     "-key",
                                     files_.key("terminal"),
                                     "-verify",
                                     "1",
                                     "-client_renegotiation"};
    for (auto& a : VersionArgs()) argv.push_back(a);
    for (auto& a : extra) argv.push_back(a);
    return std::make_unique<Subprocess>(argv, Subprocess::Options{true, true});
  }
  // A line each way: what the peer process types reaches us, what we send it prints.
  void LineEachWay(SocketPump& pump, TlsSession& s, Subprocess& peer, const std::string& tag) {
    const std::string from_peer = "from the peer " + tag + "\n";
    peer.write_stdin(from_peer);
    EXPECT_EQ(pump.Receive(from_peer.size()), from_peer) << (s.released() ? s.release()->reason : "") << "\n"
                                                         << pump.Transcript();
    const std::string from_us = "from mediasec " + tag;
    ASSERT_TRUE(s.send(std::span(reinterpret_cast<const uint8_t*>((from_us + "\n").data()), from_us.size() + 1)).ok());
    EXPECT_TRUE(pump.WaitForLine(from_us)) << pump.Transcript();
    ASSERT_FALSE(s.released()) << s.release()->reason << "\n" << pump.Transcript();
  }

  Files files_;
  Suite suite_{};
  std::unique_ptr<device::Device> device_;
  std::unique_ptr<device::SlotPool> pool_;
  std::unique_ptr<TlsContext> context_;
};

TEST_P(OpenSslTools, OurServerWithSClient) {
  uint16_t port = 0;
  Fd listener = Listen(port);
  auto client = SClient(port, "terminal");
  auto s = Session(Role::kServer, "terminal");
  SocketPump pump(Accept(listener, 10s), *s, client.get());
  ASSERT_TRUE(pump.RunUntil([&] { return s->established() || s->released(); })) << pump.Transcript();
  ASSERT_TRUE(s->established()) << s->release()->reason << "\n" << pump.Transcript();
  LineEachWay(pump, *s, *client, "1");
  if (!suite_.tls13) {
    client->write_stdin("R\n");  // s_client renegotiates
    ASSERT_TRUE(pump.RunUntil([&] { return s->info().renegotiations == 1 || s->released(); })) << pump.Transcript();
    LineEachWay(pump, *s, *client, "after s_client's renegotiation");
    ASSERT_TRUE(s->renegotiate().ok());  // we do (HelloRequest)
    ASSERT_TRUE(pump.RunUntil([&] { return s->info().renegotiations == 2 || s->released(); })) << pump.Transcript();
    LineEachWay(pump, *s, *client, "after our renegotiation");
  } else {
    client->write_stdin("k\n");  // s_client updates its keys
    ASSERT_TRUE(pump.RunUntil([&] { return s->info().key_updates_received == 1 || s->released(); }))
        << pump.Transcript();
    LineEachWay(pump, *s, *client, "after k");
    client->write_stdin("K\n");  // and asks us to update ours
    ASSERT_TRUE(pump.RunUntil([&] { return s->info().key_updates_sent == 1 || s->released(); })) << pump.Transcript();
    LineEachWay(pump, *s, *client, "after K");
    ASSERT_TRUE(s->update_keys(true).ok());
    LineEachWay(pump, *s, *client, "after our KeyUpdate");
    EXPECT_EQ(s->info().key_updates_sent, 2u);
  }
  EXPECT_EQ(s->info().records_in, suite_.tls13 ? 4u : 3u);
  client->write_stdin("Q\n");  // s_client closes with close_notify
  ASSERT_TRUE(pump.RunUntil([&] { return s->released(); })) << pump.Transcript();
  EXPECT_EQ(s->release()->cause, ReleaseCause::kCloseNotify) << s->release()->reason;
  EXPECT_EQ(pool_->free_slots(), device_->identity().key_slots);
}

TEST_P(OpenSslTools, OurClientWithSServer) {
  const uint16_t port = FreePort();
  auto server = SServer(port, {"-naccept", "1"});
  auto s = Session(Role::kClient, "terminal");
  SocketPump pump(Connect(port, 10s), *s, server.get());
  s->start();
  ASSERT_TRUE(pump.RunUntil([&] { return s->established() || s->released(); })) << pump.Transcript();
  ASSERT_TRUE(s->established()) << s->release()->reason << "\n" << pump.Transcript();
  LineEachWay(pump, *s, *server, "1");
  if (!suite_.tls13) {
    server->write_stdin("r\n");  // s_server renegotiates (HelloRequest)
    ASSERT_TRUE(pump.RunUntil([&] { return s->info().renegotiations == 1 || s->released(); })) << pump.Transcript();
    LineEachWay(pump, *s, *server, "after s_server's renegotiation");
    ASSERT_TRUE(s->renegotiate().ok());  // we do (ClientHello)
    ASSERT_TRUE(pump.RunUntil([&] { return s->info().renegotiations == 2 || s->released(); })) << pump.Transcript();
    LineEachWay(pump, *s, *server, "after our renegotiation");
  } else {
    server->write_stdin("K\n");
    ASSERT_TRUE(pump.RunUntil([&] { return s->info().key_updates_sent == 1 || s->released(); })) << pump.Transcript();
    LineEachWay(pump, *s, *server, "after K");
    ASSERT_TRUE(s->update_keys(false).ok());
    LineEachWay(pump, *s, *server, "after our KeyUpdate");
  }
  s->close();  // close_notify; s_server ends its only connection
  pump.RunUntil([&] { return pump.closed(); }, 5s);
  EXPECT_EQ(server->wait_exit(5s), 0) << pump.Transcript();
  EXPECT_EQ(s->release()->cause, ReleaseCause::kLocalClose);
  EXPECT_EQ(pool_->free_slots(), device_->identity().key_slots);
}

TEST_P(OpenSslTools, SClientResumesWithSessOutAndSessIn) {
  // Tickets, and (TLS 1.2) session IDs with -no_ticket.
  for (bool tickets : {true, false}) {
    if (!tickets && suite_.tls13) continue;
    const std::string sess = files_.path(std::string("session-") + (tickets ? "ticket" : "id") + ".pem");
    for (int round = 0; round < 2; ++round) {
      uint16_t port = 0;
      Fd listener = Listen(port);
      std::vector<std::string> extra = {round == 0 ? "-sess_out" : "-sess_in", sess};
      if (!tickets) extra.push_back("-no_ticket");
      auto client = SClient(port, "terminal", extra);
      auto s = Session(Role::kServer, "terminal");
      SocketPump pump(Accept(listener, 10s), *s, client.get());
      ASSERT_TRUE(pump.RunUntil([&] { return s->established() || s->released(); })) << pump.Transcript();
      ASSERT_TRUE(s->established()) << s->release()->reason;
      LineEachWay(pump, *s, *client, "resume");  // TLS 1.3: s_client has our ticket by now
      EXPECT_TRUE(pump.Saw(round == 0 ? "New, TLSv1." : "Reused, TLSv1.")) << pump.Transcript();
      EXPECT_EQ(s->info().resumed, round == 1) << "tickets=" << tickets;
      client->write_stdin("Q\n");
      pump.RunUntil([&] { return s->released(); });
    }
  }
}

TEST_P(OpenSslTools, WeResumeWithSServer) {
  for (bool tickets : {true, false}) {
    if (!tickets && suite_.tls13) continue;
    const uint16_t port = FreePort();
    std::vector<std::string> extra = {"-naccept", "2"};
    if (!tickets) extra.push_back("-no_ticket");
    auto server = SServer(port, extra);
    SslSessionPtr saved;
    for (int round = 0; round < 2; ++round) {
      auto s = Session(Role::kClient, "terminal", saved);
      SocketPump pump(Connect(port, 10s), *s, server.get());
      s->start();
      ASSERT_TRUE(pump.RunUntil([&] { return s->established() || s->released(); })) << pump.Transcript();
      ASSERT_TRUE(s->established()) << s->release()->reason;
      LineEachWay(pump, *s, *server, "resume");  // TLS 1.3: the tickets arrive
      EXPECT_EQ(s->info().resumed, round == 1) << "tickets=" << tickets << "\n" << pump.Transcript();
      saved = s->resumable_session();
      ASSERT_TRUE(saved);
      s->close();
      pump.RunUntil([&] { return pump.closed(); }, 5s);
    }
    EXPECT_EQ(server->wait_exit(5s), 0);
  }
}

TEST_P(OpenSslTools, ACertificateThatMatchesNoFingerprintIsRefused) {
  uint16_t port = 0;
  Fd listener = Listen(port);
  auto client = SClient(port, "impostor");
  auto s = Session(Role::kServer, "terminal");
  SocketPump pump(Accept(listener, 10s), *s, client.get());
  ASSERT_TRUE(pump.RunUntil([&] { return s->released(); })) << pump.Transcript();
  EXPECT_EQ(s->release()->cause, ReleaseCause::kFingerprintMismatch) << s->release()->reason;
  EXPECT_TRUE(pump.WaitForLine("alert", 5s)) << "s_client was not told:\n" << pump.Transcript();
}

std::string Name(const ::testing::TestParamInfo<Param>& info) {
  std::string n = tb::BackendName({std::get<0>(info.param), info.index}) + "_" + std::get<1>(info.param).name;
  for (char& c : n)
    if (std::isalnum(static_cast<unsigned char>(c)) == 0) c = '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(Backends, OpenSslTools,
                         ::testing::Combine(::testing::ValuesIn(tb::DeviceBackends()), ::testing::ValuesIn(kSuites)),
                         Name);

}  // namespace
}  // namespace mediasec::tls::test
