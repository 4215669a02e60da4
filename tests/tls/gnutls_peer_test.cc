// TlsSession against GnuTLS (gnutls-cli, gnutls-serv): a second TLS implementation that shares
// no code with OpenSSL, on every device backend, TLS 1.2 and 1.3: data both ways, GnuTLS's
// renegotiation (^renegotiate^) with our server, TLS 1.3 key update (^rekey^), and an
// echo through gnutls-serv with our client.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <tuple>

#include "drivers/key_slot.h"
#include "tests/device/backends.h"
#include "tests/support/test_identities.h"
#include "tests/tls/socket_pump.h"

namespace mediasec::tls::test {
namespace {

using namespace std::chrono_literals;
using test_env::Subprocess;

struct Version {
  bool tls13;
  const char* priority;
};
const Version kVersions[] = {
    {false, "NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM"},
    {true, "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM"},
};

using Param = std::tuple<std::string, Version>;

class GnuTls : public ::testing::TestWithParam<Param> {
 protected:
  void SetUp() override {
    if (::system("command -v gnutls-cli >/dev/null 2>&1 && command -v gnutls-serv >/dev/null 2>&1") != 0) {
      GTEST_SKIP() << "gnutls-bin is not installed (scripts/bootstrap installs it)";
    }
    const auto& [backend, version] = GetParam();
    version_ = version;
    device_ = tb::OpenOrFail(backend);
    ASSERT_TRUE(device_);
    pool_ = std::make_unique<device::SlotPool>(*device_);
    context_ = std::move(TlsContext::create(*ids_.gateway, Profile{}, nullptr, Transport::kStream).value());
  }
  std::unique_ptr<TlsSession> Session(Role role) {
    TlsSession::Options o;
    o.role = role;
    o.peer_fingerprints = {*ids_.terminal->fingerprint("sha-256")};
    return std::move(TlsSession::create(*context_, *pool_, o).value());
  }
  std::string Cert() const { return "--x509certfile=" + (ids_.dir / "t.pem").string(); }
  std::string Key() const { return "--x509keyfile=" + (ids_.dir / "t.key").string(); }

  Version version_{};
  test_env::TestIdentities ids_{"gnutls"};
  std::unique_ptr<device::Device> device_;
  std::unique_ptr<device::SlotPool> pool_;
  std::unique_ptr<TlsContext> context_;
};

TEST_P(GnuTls, GnutlsCliWithOurServer) {
  uint16_t port = 0;
  Fd listener = Listen(port);
  Subprocess cli({"gnutls-cli", "--insecure", "--inline-commands", Cert(), Key(),
                  std::string("--priority=") + version_.priority, "-p", std::to_string(port), "127.0.0.1"},
                 Subprocess::Options{true, true});
  auto s = Session(Role::kServer);
  SocketPump pump(Accept(listener, 10s), *s, &cli);
  ASSERT_TRUE(pump.RunUntil([&] { return s->established() || s->released(); })) << pump.Transcript();
  ASSERT_TRUE(s->established()) << s->release()->reason << "\n" << pump.Transcript();
  EXPECT_EQ(s->info().version, version_.tls13 ? "TLSv1.3" : "TLSv1.2");
  cli.write_stdin("hello from gnutls\n");
  EXPECT_EQ(pump.Receive(18), "hello from gnutls\n") << pump.Transcript();
  const std::string ours = "hello from mediasec\n";
  ASSERT_TRUE(s->send(std::span(reinterpret_cast<const uint8_t*>(ours.data()), ours.size())).ok());
  EXPECT_TRUE(pump.WaitForLine("hello from mediasec")) << pump.Transcript();
  if (version_.tls13) {
    cli.write_stdin("^rekey^\n");  // GnuTLS updates its keys and asks us to update ours
    ASSERT_TRUE(pump.RunUntil([&] { return s->info().key_updates_received >= 1 || s->released(); }))
        << pump.Transcript();
    cli.write_stdin("after rekey\n");
    EXPECT_EQ(pump.Receive(12), "after rekey\n") << pump.Transcript();
    ASSERT_TRUE(s->update_keys(false).ok());
    ASSERT_TRUE(s->send(std::span(reinterpret_cast<const uint8_t*>(ours.data()), ours.size())).ok());
    EXPECT_TRUE(pump.WaitForLine("hello from mediasec")) << pump.Transcript();
  } else {
    cli.write_stdin("^renegotiate^\n");
    ASSERT_TRUE(pump.RunUntil([&] { return s->info().renegotiations >= 1 || s->released(); })) << pump.Transcript();
    cli.write_stdin("after rehandshake\n");
    EXPECT_EQ(pump.Receive(18), "after rehandshake\n") << pump.Transcript();
  }
  ASSERT_FALSE(s->released()) << s->release()->reason;
  cli.close_stdin();  // gnutls-cli sends close_notify at end of input
  ASSERT_TRUE(pump.RunUntil([&] { return s->released(); })) << pump.Transcript();
  EXPECT_TRUE(s->release()->cause == ReleaseCause::kCloseNotify ||
              s->release()->cause == ReleaseCause::kTransportClosed)
      << s->release()->reason;
  EXPECT_EQ(pool_->free_slots(), device_->identity().key_slots);
}

TEST_P(GnuTls, GnutlsServEchoesThroughOurClient) {
  const uint16_t port = FreePort();
  Subprocess serv({"gnutls-serv", "--echo", Cert(), Key(), std::string("--priority=") + version_.priority, "-p",
                   std::to_string(port)},
                  Subprocess::Options{false, true});
  auto s = Session(Role::kClient);
  SocketPump pump(Connect(port, 10s), *s, &serv);
  s->start();
  ASSERT_TRUE(pump.RunUntil([&] { return s->established() || s->released(); })) << pump.Transcript();
  ASSERT_TRUE(s->established()) << s->release()->reason << "\n" << pump.Transcript();
  std::string big(4000, 'x');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  big.back() = '\n';
  ASSERT_TRUE(s->send(std::span(reinterpret_cast<const uint8_t*>(big.data()), big.size())).ok());
  EXPECT_TRUE(pump.Receive(big.size()) == big) << pump.Transcript();
  if (version_.tls13) {
    ASSERT_TRUE(s->update_keys(true).ok());
  } else {
    ASSERT_TRUE(s->renegotiate().ok());
    ASSERT_TRUE(pump.RunUntil([&] { return s->info().renegotiations >= 1 || s->released(); })) << pump.Transcript();
  }
  const std::string line = "after the re-key\n";
  ASSERT_TRUE(s->send(std::span(reinterpret_cast<const uint8_t*>(line.data()), line.size())).ok());
  EXPECT_EQ(pump.Receive(line.size()), line) << pump.Transcript();
  ASSERT_FALSE(s->released()) << s->release()->reason;
  s->close();
  EXPECT_EQ(pool_->free_slots(), device_->identity().key_slots);
}

std::string Name(const ::testing::TestParamInfo<Param>& info) {
  std::string n =
      tb::BackendName({std::get<0>(info.param), info.index}) + (std::get<1>(info.param).tls13 ? "_tls13" : "_tls12");
  for (char& c : n)
    if (std::isalnum(static_cast<unsigned char>(c)) == 0) c = '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(Backends, GnuTls,
                         ::testing::Combine(::testing::ValuesIn(tb::DeviceBackends()), ::testing::ValuesIn(kVersions)),
                         Name);

}  // namespace
}  // namespace mediasec::tls::test
