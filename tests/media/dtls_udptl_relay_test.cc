// The T.38 bearer with e2ae security: openssl s_client/s_server -dtls1_2 as the terminal, a UDP
// peer as the core UDPTL end, the gateway's DTLS-UDPTL relay in between, on every device
// backend: the terminal's address latched, packets both ways, close_notify from the terminal and
// a stop from our side, each reported.
#include <gtest/gtest.h>

#include <asio.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "drivers/key_slot.h"
#include "host/media/dtls_udptl_relay.h"
#include "host/tls/identity.h"
#include "tests/device/backends.h"
#include "tests/media/peer_loop.h"
#include "tests/support/test_identities.h"

namespace mediasec::media {
namespace {

using namespace std::chrono_literals;
using asio::ip::udp;
using test_env::Subprocess;

// The core: echoes every UDPTL packet back and keeps them.
class UdpCore {
 public:
  explicit UdpCore(asio::io_context& io) : socket_(io, udp::endpoint(asio::ip::address_v4::loopback(), 0)) { read(); }
  udp::endpoint endpoint() const { return socket_.local_endpoint(); }
  std::vector<std::string> packets;

 private:
  void read() {
    socket_.async_receive_from(asio::buffer(buf_), from_, [this](asio::error_code ec, size_t n) {
      if (ec) return;
      packets.emplace_back(buf_.data(), n);
      asio::error_code ignored;
      socket_.send_to(asio::buffer(buf_.data(), n), from_, 0, ignored);
      read();
    });
  }
  udp::socket socket_;
  udp::endpoint from_;
  std::array<char, 2048> buf_{};
};

class T38 : public ::testing::TestWithParam<std::string>, protected test::PeerLoop {
 protected:
  void SetUp() override {
    device_ = tb::OpenOrFail(GetParam());
    ASSERT_TRUE(device_);
    pool_ = std::make_unique<device::SlotPool>(*device_);
    context_ =
        std::move(tls::TlsContext::create(*ids_.gateway, tls::Profile{}, nullptr, tls::Transport::kDatagram).value());
  }
  std::unique_ptr<tls::DtlsSession> Session(tls::Role role) {
    tls::DtlsSession::Options o;
    o.role = role;
    o.peer_fingerprints = {*ids_.terminal->fingerprint()};
    return std::move(tls::DtlsSession::create(*context_, *pool_, o).value());
  }
  void Released(const tls::Release& r, const DtlsUdptlRelay::Stats& s) {
    release_ = r;
    stats_ = s;
  }

  std::unique_ptr<device::Device> device_;
  std::unique_ptr<device::SlotPool> pool_;
  test_env::TestIdentities ids_{"t38"};
  std::unique_ptr<tls::TlsContext> context_;
  std::optional<tls::Release> release_;
  DtlsUdptlRelay::Stats stats_;
};

TEST_P(T38, TerminalAsDtlsClientThroughToTheCoreAndBack) {
  UdpCore core(io_);
  udp::socket access(io_, udp::endpoint(asio::ip::address_v4::loopback(), 0));
  udp::socket to_core(io_, udp::endpoint(asio::ip::address_v4::loopback(), 0));
  to_core.connect(core.endpoint());
  const uint16_t port = access.local_endpoint().port();
  auto relay = DtlsUdptlRelay::start(std::move(access), std::nullopt, std::move(to_core), Session(tls::Role::kServer),
                                     [this](const tls::Release& r, const DtlsUdptlRelay::Stats& s) { Released(r, s); });
  process_ = std::make_unique<Subprocess>(
      std::vector<std::string>{"openssl", "s_client", "-dtls1_2", "-connect", "127.0.0.1:" + std::to_string(port),
                               "-cert", (ids_.dir / "t.pem").string(), "-key", (ids_.dir / "t.key").string()},
      Subprocess::Options{true, true});
  ASSERT_TRUE(RunUntil([&] { return relay->session().established() || relay->session().released(); })) << Transcript();
  ASSERT_TRUE(relay->session().established()) << relay->session().release()->reason << Transcript();
  process_->write_stdin("t38 page\n");
  ASSERT_TRUE(RunUntil([&] { return !core.packets.empty(); })) << Transcript();
  EXPECT_EQ(core.packets.front(), "t38 page\n");                           // plain UDPTL on the core side
  ASSERT_TRUE(RunUntil([&] { return Saw("t38 page"); })) << Transcript();  // the core's echo, through DTLS
  process_->write_stdin("Q\n");
  ASSERT_TRUE(RunUntil([&] { return release_.has_value(); })) << Transcript();
  EXPECT_EQ(release_->cause, tls::ReleaseCause::kCloseNotify) << release_->reason;
  EXPECT_EQ(stats_.packets_to_core, 1u);
  EXPECT_EQ(stats_.packets_to_access, 1u);
  EXPECT_EQ(pool_->free_slots(), device_->identity().key_slots);
}

TEST_P(T38, JunkFromAnyAddressBeforeTheTerminalLatchesNothing) {
  UdpCore core(io_);
  udp::socket access(io_, udp::endpoint(asio::ip::address_v4::loopback(), 0));
  udp::socket to_core(io_, udp::endpoint(asio::ip::address_v4::loopback(), 0));
  to_core.connect(core.endpoint());
  const udp::endpoint gateway = access.local_endpoint();
  auto relay = DtlsUdptlRelay::start(std::move(access), std::nullopt, std::move(to_core), Session(tls::Role::kServer),
                                     [this](const tls::Release& r, const DtlsUdptlRelay::Stats& s) { Released(r, s); });
  // Before the terminal's first packet: a junk datagram, and one that looks like a DTLS record but
  // is no ClientHello (an alert), from a stranger. Either used to latch the bearer onto it.
  udp::socket stranger(io_, udp::endpoint(asio::ip::address_v4::loopback(), 0));
  const std::string junk = "not DTLS at all";
  const std::array<uint8_t, 15> alert{21, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 40};
  stranger.send_to(asio::buffer(junk), gateway);
  stranger.send_to(asio::buffer(alert), gateway);
  RunUntil([&] { return relay->stats().datagrams_ignored >= 2; });
  EXPECT_EQ(relay->stats().datagrams_ignored, 2u);
  EXPECT_EQ(relay->stats().latches, 0u);
  process_ = std::make_unique<Subprocess>(
      std::vector<std::string>{"openssl", "s_client", "-dtls1_2", "-connect",
                               "127.0.0.1:" + std::to_string(gateway.port()), "-cert", (ids_.dir / "t.pem").string(),
                               "-key", (ids_.dir / "t.key").string()},
      Subprocess::Options{true, true});
  ASSERT_TRUE(RunUntil([&] { return relay->session().established() || relay->session().released(); })) << Transcript();
  ASSERT_TRUE(relay->session().established()) << relay->session().release()->reason << Transcript();
  EXPECT_EQ(relay->stats().latches, 1u) << "latched on the terminal's ClientHello only";
  process_->write_stdin("t38 page\n");
  ASSERT_TRUE(RunUntil([&] { return !core.packets.empty(); })) << Transcript();
  EXPECT_EQ(core.packets.front(), "t38 page\n");
  relay->stop();
}

TEST_P(T38, GatewayAsDtlsClientAndAStop) {
  UdpCore core(io_);
  uint16_t port = 0;
  {
    udp::socket probe(io_, udp::endpoint(asio::ip::address_v4::loopback(), 0));
    port = probe.local_endpoint().port();
  }
  process_ = std::make_unique<Subprocess>(
      std::vector<std::string>{"openssl", "s_server", "-dtls1_2", "-accept", std::to_string(port), "-4", "-naccept",
                               "1", "-cert", (ids_.dir / "t.pem").string(), "-key", (ids_.dir / "t.key").string()},
      Subprocess::Options{true, true});
  ASSERT_TRUE(RunUntil([&] { return Saw("ACCEPT"); })) << Transcript();
  udp::socket access(io_, udp::endpoint(asio::ip::address_v4::loopback(), 0));
  udp::socket to_core(io_, udp::endpoint(asio::ip::address_v4::loopback(), 0));
  to_core.connect(core.endpoint());
  auto relay = DtlsUdptlRelay::start(std::move(access), udp::endpoint(asio::ip::address_v4::loopback(), port),
                                     std::move(to_core), Session(tls::Role::kClient),
                                     [this](const tls::Release& r, const DtlsUdptlRelay::Stats& s) { Released(r, s); });
  ASSERT_TRUE(RunUntil([&] { return relay->session().established() || relay->session().released(); })) << Transcript();
  ASSERT_TRUE(relay->session().established()) << Transcript();
  process_->write_stdin("fax from the terminal\n");
  ASSERT_TRUE(RunUntil([&] { return !core.packets.empty() && Saw("fax from the terminal"); })) << Transcript();
  relay->stop();
  ASSERT_TRUE(RunUntil([&] { return release_.has_value() && (Saw("CONNECTION CLOSED") || Saw("shutting down")); }))
      << Transcript();
  EXPECT_EQ(release_->cause, tls::ReleaseCause::kLocalClose);
  EXPECT_EQ(pool_->free_slots(), device_->identity().key_slots);
}

INSTANTIATE_TEST_SUITE_P(Backends, T38, ::testing::ValuesIn(tb::DeviceBackends()), tb::BackendName);

}  // namespace
}  // namespace mediasec::media
