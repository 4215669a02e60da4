// The TCP byte relay: plain TCP on both sides (8 MiB both ways at once, intact; close from either
// side delivers what was sent first and is reported) and e2e security, where openssl s_client's
// TLS passes through the gateway to openssl s_server untouched (s_server sees the terminal's own
// certificate, which only an end-to-end handshake can show it).
#include <gtest/gtest.h>

#include <asio.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "host/media/tcp_relay.h"
#include "host/tls/identity.h"
#include "tests/media/peer_loop.h"

namespace mediasec::media {
namespace {

using namespace std::chrono_literals;
using asio::ip::tcp;

class Relay : public ::testing::Test, protected test::PeerLoop {
 protected:
  // A connected pair of sockets: (the gateway's end, the outside end).
  std::pair<tcp::socket, tcp::socket> Pair() {
    tcp::acceptor a(io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    tcp::socket outside(io_), inside(io_);
    outside.connect(a.local_endpoint());
    a.accept(inside);
    return {std::move(inside), std::move(outside)};
  }
};

TEST_F(Relay, PlainTcpBothWaysAtOnceIntact) {
  auto [gw_access, terminal] = Pair();
  auto [gw_core, core] = Pair();
  std::optional<TcpRelay::Release> release;
  TcpRelay::Stats stats;
  auto relay = TcpRelay::start(std::move(gw_access), std::move(gw_core),
                               [&](const TcpRelay::Release& r, const TcpRelay::Stats& s) {
                                 release = r;
                                 stats = s;
                               });
  std::mt19937 rng(7);
  std::vector<uint8_t> up(8 << 20), down(8 << 20);
  for (auto& b : up) b = static_cast<uint8_t>(rng());
  for (auto& b : down) b = static_cast<uint8_t>(rng());
  std::vector<uint8_t> got_up(up.size()), got_down(down.size());
  asio::async_write(terminal, asio::buffer(up), [&](asio::error_code ec, size_t) {
    ASSERT_FALSE(ec);
    terminal.shutdown(tcp::socket::shutdown_send);  // the terminal is done: FIN
  });
  asio::async_write(core, asio::buffer(down), [](asio::error_code ec, size_t) { ASSERT_FALSE(ec); });
  bool up_done = false, down_done = false;
  asio::async_read(core, asio::buffer(got_up), [&](asio::error_code ec, size_t) { up_done = !ec; });
  asio::async_read(terminal, asio::buffer(got_down),
                   [&](asio::error_code, size_t n) { down_done = n == got_down.size(); });
  ASSERT_TRUE(RunUntil([&] { return up_done && release.has_value(); }));
  EXPECT_TRUE(got_up == up);
  EXPECT_EQ(release->closed_by, TcpRelay::Side::kAccess);
  EXPECT_EQ(release->reason, "closed");
  EXPECT_EQ(stats.access_to_core, up.size());
  // The core sees the end after the last byte.
  std::array<char, 1> one{};
  asio::error_code ec;
  core.read_some(asio::buffer(one), ec);
  EXPECT_EQ(ec, asio::error::eof);
}

TEST_F(Relay, TheCoreClosingIsReportedAfterItsLastBytesArrive) {
  auto [gw_access, terminal] = Pair();
  auto [gw_core, core] = Pair();
  std::optional<TcpRelay::Release> release;
  auto relay = TcpRelay::start(std::move(gw_access), std::move(gw_core),
                               [&](const TcpRelay::Release& r, const TcpRelay::Stats&) { release = r; });
  const std::string last = "MSRP 12345 200 OK\r\n-------12345$\r\n";
  asio::write(core, asio::buffer(last));
  core.close();
  std::string got(last.size(), '\0');
  bool done = false;
  asio::async_read(terminal, asio::buffer(got), [&](asio::error_code ec, size_t) { done = !ec; });
  ASSERT_TRUE(RunUntil([&] { return done && release.has_value(); }));
  EXPECT_EQ(got, last);
  EXPECT_EQ(release->closed_by, TcpRelay::Side::kCore);
}

TEST_F(Relay, EndToEndTlsPassesThroughUntouched) {
  const auto dir = std::filesystem::temp_directory_path() / ("mediasec-e2e-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  ASSERT_TRUE(tls::Identity::load_or_create(dir / "far.pem", dir / "far.key").ok());
  auto terminal_id = tls::Identity::generate(tls::KeyType::kEcdsaP256, "terminal-e2e").value();
  ASSERT_TRUE(terminal_id.save(dir / "t.pem", dir / "t.key").ok());
  // The far end (s_server) listens; the terminal (s_client) connects to the gateway.
  uint16_t far_port = 0;
  {
    tcp::acceptor probe(io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    far_port = probe.local_endpoint().port();
  }
  process_ = std::make_unique<test_env::Subprocess>(
      std::vector<std::string>{"openssl", "s_server", "-accept", std::to_string(far_port), "-4", "-naccept", "1",
                               "-verify", "1", "-cert", (dir / "far.pem").string(), "-key", (dir / "far.key").string()},
      test_env::Subprocess::Options{true, true});
  ASSERT_TRUE(RunUntil([&] { return Saw("ACCEPT"); }));
  tcp::acceptor access(io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  test_env::Subprocess terminal(
      {"openssl", "s_client", "-connect", "127.0.0.1:" + std::to_string(access.local_endpoint().port()), "-cert",
       (dir / "t.pem").string(), "-key", (dir / "t.key").string()},
      test_env::Subprocess::Options{true, true});
  tcp::socket a(io_), c(io_);
  access.accept(a);
  c.connect(tcp::endpoint(asio::ip::address_v4::loopback(), far_port));
  std::optional<TcpRelay::Release> release;
  TcpRelay::Stats stats;
  auto relay = TcpRelay::start(std::move(a), std::move(c), [&](const TcpRelay::Release& r, const TcpRelay::Stats& s) {
    release = r;
    stats = s;
  });
  terminal.write_stdin("end to end\n");
  std::string transcript;
  const bool arrived = RunUntil([&] {
    while (auto l = terminal.line()) transcript += "  terminal: " + *l + "\n";
    return Saw("end to end");
  });
  for (const auto& l : lines_) transcript += "  far end: " + l + "\n";
  ASSERT_TRUE(arrived) << transcript;
  // The far end authenticated the terminal itself: the handshake went through, not to us.
  EXPECT_TRUE(Saw("subject=CN = terminal-e2e"));
  EXPECT_GT(relay->stats().access_to_core, 500u);  // a ClientHello, certificate and records, not 11 bytes
  // The terminal quits: its close_notify reaches the far end, which closes too; whichever TCP end
  // the relay sees go first, the bearer is released once.
  terminal.write_stdin("Q\n");
  ASSERT_TRUE(RunUntil([&] { return release.has_value(); }));
  EXPECT_TRUE(release->reason == "closed" || release->reason == "reset") << release->reason;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace mediasec::media
