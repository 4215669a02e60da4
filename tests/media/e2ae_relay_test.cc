// The e2ae relay end to end: openssl s_client or s_server as the terminal (TLS, fingerprint
// checked), a plain TCP peer as the core, the gateway in between on one asio::io_context, on
// every device backend: bytes both ways, release from the terminal (close_notify), from the core
// (close_notify sent to the terminal) and from our side, each reported with its cause.
#include <gtest/gtest.h>

#include <asio.hpp>

#include <array>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "drivers/key_slot.h"
#include "host/media/e2ae_relay.h"
#include "host/tls/identity.h"
#include "tests/device/backends.h"
#include "tests/media/peer_loop.h"
#include "tests/support/test_identities.h"

namespace mediasec::media {
namespace {

using namespace std::chrono_literals;
using asio::ip::tcp;
using test_env::Subprocess;

using test::TcpEcho;

class E2ae : public ::testing::TestWithParam<std::string>, protected test::PeerLoop {
 protected:
  void SetUp() override {
    device_ = tb::OpenOrFail(GetParam());
    ASSERT_TRUE(device_);
    pool_ = std::make_unique<device::SlotPool>(*device_);
    context_ =
        std::move(tls::TlsContext::create(*ids_.gateway, tls::Profile{}, nullptr, tls::Transport::kStream).value());
  }

  std::unique_ptr<tls::TlsSession> Session(tls::Role role) {
    tls::TlsSession::Options o;
    o.role = role;
    o.peer_fingerprints = {*ids_.terminal->fingerprint()};
    return std::move(tls::TlsSession::create(*context_, *pool_, o).value());
  }
  // The relay with our TLS server toward s_client.
  void StartWithSClient(TcpEcho& core, std::chrono::milliseconds handshake_timeout = tls::Profile{}.handshake_timeout) {
    tcp::acceptor access(io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    process_ = std::make_unique<Subprocess>(
        std::vector<std::string>{"openssl", "s_client", "-connect",
                                 "127.0.0.1:" + std::to_string(access.local_endpoint().port()), "-cert",
                                 (ids_.dir / "t.pem").string(), "-key", (ids_.dir / "t.key").string()},
        Subprocess::Options{true, true});
    std::optional<tcp::socket> a;
    access.async_accept([&](asio::error_code ec, tcp::socket s) {
      if (!ec) a.emplace(std::move(s));
    });
    ASSERT_TRUE(RunUntil([&] { return a.has_value(); })) << Transcript();
    tcp::socket c(io_);
    c.connect(tcp::endpoint(asio::ip::address_v4::loopback(), core.port()));
    relay_ = E2aeRelay::start(
        std::move(*a), std::move(c), Session(tls::Role::kServer),
        [this](const tls::Release& r, const E2aeRelay::Stats& s) {
          release_ = r;
          stats_ = s;
        },
        {}, nullptr, handshake_timeout);
  }

  std::unique_ptr<device::Device> device_;
  std::unique_ptr<device::SlotPool> pool_;
  test_env::TestIdentities ids_{"e2ae"};
  std::unique_ptr<tls::TlsContext> context_;
  std::shared_ptr<E2aeRelay> relay_;
  std::optional<tls::Release> release_;
  E2aeRelay::Stats stats_;
};

TEST_P(E2ae, TerminalToCoreAndBackThenTheTerminalCloses) {
  TcpEcho core(io_);
  StartWithSClient(core);
  process_->write_stdin("MSRP a1b2c3 SEND from the terminal\n");
  ASSERT_TRUE(RunUntil([&] { return core.received.find("from the terminal\n") != std::string::npos; })) << Transcript();
  EXPECT_EQ(core.received, "MSRP a1b2c3 SEND from the terminal\n");  // plaintext on the core side
  // The core's echo comes back through TLS to the terminal.
  ASSERT_TRUE(RunUntil([&] { return Saw("MSRP a1b2c3 SEND from the terminal"); })) << Transcript();
  EXPECT_TRUE(relay_->session().info().offloaded);
  process_->write_stdin("Q\n");
  ASSERT_TRUE(RunUntil([&] { return release_.has_value() && core.saw_eof; })) << Transcript();
  EXPECT_EQ(release_->cause, tls::ReleaseCause::kCloseNotify) << release_->reason;
  EXPECT_EQ(stats_.access_to_core, 35u);
  EXPECT_EQ(stats_.core_to_access, 35u);
  EXPECT_EQ(pool_->free_slots(), device_->identity().key_slots);
}

TEST_P(E2ae, TheCoreClosesAndTheTerminalGetsCloseNotify) {
  TcpEcho core(io_);
  StartWithSClient(core);
  process_->write_stdin("one line\n");
  ASSERT_TRUE(RunUntil([&] { return Saw("one line"); })) << Transcript();
  core.close();
  ASSERT_TRUE(RunUntil([&] { return release_.has_value(); })) << Transcript();
  EXPECT_EQ(release_->cause, tls::ReleaseCause::kLocalClose) << release_->reason;
  // s_client reports the close_notify it received and exits.
  EXPECT_EQ(process_->wait_exit(5s), 0) << Transcript();
  EXPECT_EQ(pool_->free_slots(), device_->identity().key_slots);
}

TEST_P(E2ae, OurTlsClientTowardSServerAndAStopFromTheMgc) {
  TcpEcho core(io_);
  // a=setup:active on our side: the terminal listens.
  uint16_t port = 0;
  {
    tcp::acceptor probe(io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    port = probe.local_endpoint().port();
  }
  process_ = std::make_unique<Subprocess>(
      std::vector<std::string>{"openssl", "s_server", "-accept", std::to_string(port), "-4", "-naccept", "1", "-cert",
                               (ids_.dir / "t.pem").string(), "-key", (ids_.dir / "t.key").string()},
      Subprocess::Options{true, true});
  ASSERT_TRUE(RunUntil([&] { return Saw("ACCEPT"); })) << Transcript();
  tcp::socket a(io_), c(io_);
  a.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port));
  c.connect(tcp::endpoint(asio::ip::address_v4::loopback(), core.port()));
  relay_ = E2aeRelay::start(std::move(a), std::move(c), Session(tls::Role::kClient),
                            [this](const tls::Release& r, const E2aeRelay::Stats& s) {
                              release_ = r;
                              stats_ = s;
                            });
  ASSERT_TRUE(RunUntil([&] { return relay_->session().established() || relay_->session().released(); }))
      << Transcript();
  process_->write_stdin("BFCP from the terminal\n");
  ASSERT_TRUE(RunUntil([&] { return core.received == "BFCP from the terminal\n"; })) << Transcript();
  ASSERT_TRUE(RunUntil([&] { return Saw("BFCP from the terminal"); })) << Transcript();  // the echo
  relay_->stop();                                                                        // Subtract
  ASSERT_TRUE(RunUntil([&] { return release_.has_value() && core.saw_eof; })) << Transcript();
  EXPECT_EQ(release_->cause, tls::ReleaseCause::kLocalClose);
  EXPECT_EQ(process_->wait_exit(5s), 0) << Transcript();
}

// A terminal that starts a ClientHello and never finishes it (the record header promises 512
// bytes, 43 come) holds nothing for long: the handshake timeout releases the bearer, the
// terminal's connection is closed, the key slot is free again, and the release says it was
// never established (the plane reports it as tlsfail).
TEST_P(E2ae, ATruncatedClientHelloIsReleasedByTheHandshakeTimeout) {
  TcpEcho core(io_);
  tcp::acceptor access(io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  tcp::socket terminal(io_);
  terminal.connect(access.local_endpoint());
  std::vector<uint8_t> hello = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03};
  hello.resize(hello.size() + 32, 0x5a);  // the client random, then nothing more
  asio::write(terminal, asio::buffer(hello));
  tcp::socket a = access.accept();
  tcp::socket c(io_);
  c.connect(tcp::endpoint(asio::ip::address_v4::loopback(), core.port()));
  relay_ = E2aeRelay::start(
      std::move(a), std::move(c), Session(tls::Role::kServer),
      [this](const tls::Release& r, const E2aeRelay::Stats& s) {
        release_ = r;
        stats_ = s;
      },
      {}, nullptr, 300ms);
  RunUntil([] { return false; }, 100ms);
  EXPECT_FALSE(release_.has_value()) << "released before the timeout";
  ASSERT_TRUE(RunUntil([&] { return release_.has_value(); }, 5s));
  EXPECT_EQ(release_->cause, tls::ReleaseCause::kHandshakeTimeout) << release_->reason;
  EXPECT_FALSE(stats_.established);
  EXPECT_TRUE(RunUntil([&] { return core.saw_eof; }));
  // The terminal reads whatever we sent (at most an alert), then the end of the connection.
  std::array<uint8_t, 256> buf;
  asio::error_code ec;
  size_t total = 0;
  while (!ec) total += terminal.read_some(asio::buffer(buf), ec);
  EXPECT_EQ(ec, asio::error::eof) << ec.message();
  EXPECT_LE(total, 7u);
  EXPECT_EQ(pool_->free_slots(), device_->identity().key_slots);
}

// The timeout is for the handshake only: a session established within it runs on past it.
TEST_P(E2ae, AnEstablishedSessionOutlivesTheHandshakeTimeout) {
  TcpEcho core(io_);
  StartWithSClient(core, 500ms);
  ASSERT_TRUE(RunUntil([&] { return relay_->session().established() || release_.has_value(); })) << Transcript();
  RunUntil([] { return false; }, 800ms);
  ASSERT_FALSE(release_.has_value()) << release_->reason;
  process_->write_stdin("still here\n");
  ASSERT_TRUE(RunUntil([&] { return Saw("still here"); })) << Transcript();
  EXPECT_FALSE(release_.has_value());
  relay_->stop();
  ASSERT_TRUE(RunUntil([&] { return release_.has_value(); }));
  EXPECT_EQ(release_->cause, tls::ReleaseCause::kLocalClose) << release_->reason;
  EXPECT_TRUE(stats_.established);
}

INSTANTIATE_TEST_SUITE_P(Backends, E2ae, ::testing::ValuesIn(tb::DeviceBackends()), tb::BackendName);

}  // namespace
}  // namespace mediasec::media
