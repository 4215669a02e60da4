// The media plane under the real H.248 gateway: Add of a TLS access termination and a TCP core
// termination (text commands through the real codec), openssl s_client as the terminal with the
// certificate named by a=fingerprint, a TCP peer as the core. The bearers connect (passive toward
// the terminal, active toward the core), are joined into an e2ae relay, carry MSRP both ways, and
// each step reaches the MGC as a Notify the Events descriptor asked for; Subtract returns the
// octet counts. On sw and sim.
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
#include "host/h248/decode.h"
#include "host/h248/encode.h"
#include "host/h248/gateway.h"
#include "host/media/bearer_plane.h"
#include "tests/device/backends.h"
#include "tests/media/peer_loop.h"
#include "tests/support/descriptor_exhaustion.h"
#include "tests/support/test_identities.h"

namespace mediasec::media {
namespace {

using namespace std::chrono_literals;
using asio::ip::tcp;

using test::TcpEcho;

// An action as the MGC would read it (compact text).
std::string Text(const h248::Action& action) {
  h248::Message m;
  m.mid.address = "127.0.0.1";
  m.mid.port = 2944;
  m.transactions.push_back(h248::TransactionRequest{1, {action}});
  return h248::encode(m);
}

class Plane : public ::testing::TestWithParam<std::string>, protected test::PeerLoop {
 protected:
  void SetUp() override {
    device_ = tb::OpenOrFail(GetParam());
    ASSERT_TRUE(device_);
    pool_ = std::make_unique<device::SlotPool>(*device_);
    tls_ = std::move(tls::TlsContext::create(*ids_.gateway, tls::Profile{}, nullptr, tls::Transport::kStream).value());
    dtls_ =
        std::move(tls::TlsContext::create(*ids_.gateway, tls::Profile{}, nullptr, tls::Transport::kDatagram).value());
    plane_ = std::make_unique<BearerPlane>(io_, "127.0.0.1", *tls_, dtls_.get(), *pool_,
                                           [this](const std::string& t, h248::ObservedEvent e) {
                                             events_.push_back(t + " " + e.name);
                                             if (auto notify = gateway_->observe(t, std::move(e)))
                                               notifies_.push_back(Text(*notify));
                                           });
    gateway_ = std::make_unique<h248::Gateway>(packages_, *plane_);
  }

  h248::TransactionReply Run(const std::string& actions) {
    auto m = h248::decode("!/3 [127.0.0.1]:2944\nT=" + std::to_string(++id_) + "{" + actions + "}");
    EXPECT_TRUE(m.ok()) << (m.ok() ? "" : h248::describe(m.error()));
    return gateway_->handle(std::get<h248::TransactionRequest>(m->transactions.at(0)));
  }
  static sdp::SessionDescription LocalOf(const h248::TransactionReply& r) {
    for (const auto& d : r.actions.at(0).commands.at(0).descriptors) {
      if (const auto* md = std::get_if<h248::MediaDescriptor>(&d); md && md->single.local)
        return sdp::parse(*md->single.local).value();
    }
    ADD_FAILURE() << "no Local SDP in the reply: " << Text(r.actions.at(0));
    return {};
  }
  bool Notified(const std::string& t) const {
    for (const auto& n : notifies_)
      if (n.find(t) != std::string::npos) return true;
    return false;
  }
  std::string Story() const {
    std::string s;
    for (const auto& e : events_) s += "  event: " + e + "\n";
    for (const auto& n : notifies_) s += "  notify: " + n + "\n";
    return s + Transcript();
  }

  std::unique_ptr<device::Device> device_;
  std::unique_ptr<device::SlotPool> pool_;
  test_env::TestIdentities ids_{"plane"};
  std::unique_ptr<tls::TlsContext> tls_, dtls_;
  h248::PackageRegistry packages_ = h248::PackageRegistry::standard();
  std::unique_ptr<BearerPlane> plane_;
  std::unique_ptr<h248::Gateway> gateway_;
  std::vector<std::string> events_, notifies_;
  uint32_t id_ = 0;
};

TEST_P(Plane, E2aeMsrpSessionDrivenByH248) {
  TcpEcho core(io_);
  const std::string fp = ids_.terminal->fingerprint()->to_string();
  // The access side: the terminal connects (a=setup:active), TLS with its fingerprint.
  const auto add_access =
      Run("C=${A=${M{O{MO=SR},L{v=0\nc=IN IP4 $\nm=message $ TCP/TLS/MSRP *\n},"
          "R{v=0\nc=IN IP4 127.0.0.1\nm=message 9 TCP/TLS/MSRP *\na=setup:active\na=fingerprint:" +
          fp + "\na=path:msrps://127.0.0.1:9/ue77;tcp\n}},E=1{tlsbsc/tlsest,tlsbsc/tlsrel,tcpbcc/tcpest}}}");
  const uint32_t context = add_access.actions.at(0).context.value;
  const std::string access = add_access.actions.at(0).commands.at(0).terminations.at(0).name;
  const sdp::SessionDescription local = LocalOf(add_access);
  const sdp::MediaDescription& m = local.media.at(0);
  EXPECT_EQ(*m.setup().value(), sdp::Setup::kPassive);
  ASSERT_EQ(m.fingerprints()->size(), 1u);
  EXPECT_EQ(m.fingerprints()->front(), *ids_.gateway->fingerprint()) << "our a=fingerprint";
  ASSERT_EQ(m.msrp_path().size(), 1u);
  EXPECT_EQ(m.msrp_path().front().rfind("msrps://127.0.0.1:", 0), 0u);
  // The core side: the core listens (a=setup:passive); we connect at once.
  const auto add_core =
      Run("C=" + std::to_string(context) +
          "{A=${M{O{MO=SR},L{v=0\nc=IN IP4 $\nm=message $ TCP/MSRP *\n},"
          "R{v=0\nc=IN IP4 127.0.0.1\nm=message " +
          std::to_string(core.port()) + " TCP/MSRP *\na=setup:passive\n}},E=2{tcpbcc/tcpest,tcpbcc/tcprel}}}");
  const std::string core_term = add_core.actions.at(0).commands.at(0).terminations.at(0).name;
  EXPECT_EQ(*LocalOf(add_core).media.at(0).setup().value(), sdp::Setup::kActive);
  ASSERT_TRUE(RunUntil([&] { return Notified(core_term) && Notified("tcpbcc/tcpest"); })) << Story();
  // The terminal connects to the port the gateway answered with.
  process_ = std::make_unique<test_env::Subprocess>(
      std::vector<std::string>{"openssl", "s_client", "-connect", "127.0.0.1:" + std::to_string(*m.port), "-cert",
                               (ids_.dir / "t.pem").string(), "-key", (ids_.dir / "t.key").string()},
      test_env::Subprocess::Options{true, true});
  ASSERT_TRUE(RunUntil([&] { return Notified("tlsbsc/tlsest"); })) << Story();
  EXPECT_EQ(plane_->relays(), 1u);
  process_->write_stdin("MSRP 7f3k2 SEND\n");
  ASSERT_TRUE(RunUntil([&] { return core.received == "MSRP 7f3k2 SEND\n" && Saw("MSRP 7f3k2 SEND"); })) << Story();
  // The terminal leaves: tlsrel (close-notify) on the access side, tcprel on the core side.
  process_->write_stdin("Q\n");
  ASSERT_TRUE(RunUntil([&] { return Notified("tlsbsc/tlsrel") && Notified("tcpbcc/tcprel") && core.saw_eof; }))
      << Story();
  EXPECT_TRUE(Notified("close-notify")) << Story();
  // Subtract both: Statistics with the octets each side carried.
  const auto sub = Run("C=" + std::to_string(context) + "{S=" + access + ",S=" + core_term + "}");
  const std::string text = Text(sub.actions.at(0));
  EXPECT_NE(text.find("nt/os=16"), std::string::npos) << text;
  EXPECT_EQ(gateway_->termination_count(), 0u);
  EXPECT_EQ(pool_->free_slots(), device_->identity().key_slots);
}

TEST_P(Plane, BothTerminationsSubtractedInOneActionWhileRelayingKeepTheirCounts) {
  TcpEcho core(io_);
  const std::string fp = ids_.terminal->fingerprint()->to_string();
  const auto add_access =
      Run("C=${A=${M{O{MO=SR},L{v=0\nc=IN IP4 $\nm=message $ TCP/TLS/MSRP *\n},"
          "R{v=0\nc=IN IP4 127.0.0.1\nm=message 9 TCP/TLS/MSRP *\na=setup:active\na=fingerprint:" +
          fp + "\n}},E=1{tlsbsc/tlsest}}}");
  const uint32_t context = add_access.actions.at(0).context.value;
  const std::string access = add_access.actions.at(0).commands.at(0).terminations.at(0).name;
  const uint16_t port = *LocalOf(add_access).media.at(0).port;
  const auto add_core = Run("C=" + std::to_string(context) +
                            "{A=${M{O{MO=SR},L{v=0\nc=IN IP4 $\nm=message $ TCP/MSRP *\n},"
                            "R{v=0\nc=IN IP4 127.0.0.1\nm=message " +
                            std::to_string(core.port()) + " TCP/MSRP *\na=setup:passive\n}},E=2{tcpbcc/tcpest}}}");
  const std::string core_term = add_core.actions.at(0).commands.at(0).terminations.at(0).name;
  ASSERT_TRUE(RunUntil([&] { return Notified("tcpbcc/tcpest"); })) << Story();
  process_ = std::make_unique<test_env::Subprocess>(
      std::vector<std::string>{"openssl", "s_client", "-connect", "127.0.0.1:" + std::to_string(port), "-cert",
                               (ids_.dir / "t.pem").string(), "-key", (ids_.dir / "t.key").string()},
      test_env::Subprocess::Options{true, true});
  ASSERT_TRUE(RunUntil([&] { return Notified("tlsbsc/tlsest"); })) << Story();
  process_->write_stdin("MSRP 7f3k2 SEND\n");
  ASSERT_TRUE(RunUntil([&] { return core.received == "MSRP 7f3k2 SEND\n"; })) << Story();
  // The relay is still running when both go in one action: the first stops it, the second must
  // still report what it carried (it reported 0 octets before).
  const auto sub = Run("C=" + std::to_string(context) + "{S=" + access + ",S=" + core_term + "}");
  const auto& commands = sub.actions.at(0).commands;
  ASSERT_EQ(commands.size(), 2u);
  auto stat = [&](const h248::Command& c, const std::string& name) -> std::string {
    for (const auto& d : c.descriptors)
      if (auto* st = std::get_if<h248::StatisticsDescriptor>(&d))
        for (const auto& p : st->statistics)
          if (p.name == name && p.value()) return *p.value();
    return "";
  };
  EXPECT_EQ(stat(commands[0], "nt/or"), "16") << "access: octets from the terminal";
  EXPECT_EQ(stat(commands[1], "nt/os"), "16") << "core: the same octets sent to the core";
  EXPECT_EQ(stat(commands[1], "nt/or"), stat(commands[0], "nt/os"));
  EXPECT_EQ(gateway_->termination_count(), 0u);
}

TEST_P(Plane, AFingerprintMismatchIsReportedAsTlsfail) {
  TcpEcho core(io_);
  auto impostor = tls::Identity::generate(tls::KeyType::kEcdsaP256).value();
  const auto add_access =
      Run("C=${A=${M{O{MO=SR},L{v=0\nc=IN IP4 $\nm=message $ TCP/TLS/MSRP *\n},"
          "R{v=0\nc=IN IP4 127.0.0.1\nm=message 9 TCP/TLS/MSRP *\na=setup:active\na=fingerprint:" +
          impostor.fingerprint()->to_string() + "\n}},E=1{tlsbsc/tlsfail}}}");
  const uint32_t context = add_access.actions.at(0).context.value;
  const uint16_t port = *LocalOf(add_access).media.at(0).port;
  Run("C=" + std::to_string(context) +
      "{A=${M{O{MO=SR},L{v=0\nc=IN IP4 $\nm=message $ TCP/MSRP *\n},"
      "R{v=0\nc=IN IP4 127.0.0.1\nm=message " +
      std::to_string(core.port()) + " TCP/MSRP *\na=setup:passive\n}}}}");
  process_ = std::make_unique<test_env::Subprocess>(
      std::vector<std::string>{"openssl", "s_client", "-connect", "127.0.0.1:" + std::to_string(port), "-cert",
                               (ids_.dir / "t.pem").string(), "-key", (ids_.dir / "t.key").string()},
      test_env::Subprocess::Options{true, true});
  ASSERT_TRUE(RunUntil([&] { return Notified("tlsbsc/tlsfail"); })) << Story();
  EXPECT_TRUE(Notified("fingerprint-mismatch")) << Story();
  EXPECT_TRUE(RunUntil([&] { return core.saw_eof; })) << "the core connection was not closed\n" << Story();
}

// A terminal that connects and goes away without a handshake never had a TLS session: that is a
// tlsfail (reason transport-closed), not a tlsrel, and the core connection is closed.
TEST_P(Plane, AConnectionThatNeverFinishedItsHandshakeIsATlsfail) {
  TcpEcho core(io_);
  const auto add_access =
      Run("C=${A=${M{O{MO=SR},L{v=0\nc=IN IP4 $\nm=message $ TCP/TLS/MSRP *\n},"
          "R{v=0\nc=IN IP4 127.0.0.1\nm=message 9 TCP/TLS/MSRP *\na=setup:active\na=fingerprint:" +
          ids_.terminal->fingerprint()->to_string() + "\n}},E=1{tlsbsc/tlsfail,tlsbsc/tlsrel}}}");
  const uint32_t context = add_access.actions.at(0).context.value;
  const uint16_t port = *LocalOf(add_access).media.at(0).port;
  Run("C=" + std::to_string(context) +
      "{A=${M{O{MO=SR},L{v=0\nc=IN IP4 $\nm=message $ TCP/MSRP *\n},"
      "R{v=0\nc=IN IP4 127.0.0.1\nm=message " +
      std::to_string(core.port()) + " TCP/MSRP *\na=setup:passive\n}}}}");
  tcp::socket terminal(io_);
  terminal.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port));
  ASSERT_TRUE(RunUntil([&] { return plane_->relays() == 1; })) << Story();
  terminal.close();
  ASSERT_TRUE(RunUntil([&] { return Notified("tlsbsc/tlsfail") || Notified("tlsbsc/tlsrel"); })) << Story();
  EXPECT_TRUE(Notified("tlsbsc/tlsfail")) << Story();
  EXPECT_FALSE(Notified("tlsbsc/tlsrel")) << Story();
  EXPECT_TRUE(Notified("transport-closed")) << Story();
  EXPECT_TRUE(RunUntil([&] { return core.saw_eof; })) << "the core connection was not closed\n" << Story();
}

TEST_P(Plane, T38OverDtlsDrivenByH248) {
  // The core's UDPTL end: echoes each packet.
  asio::ip::udp::socket core(io_, asio::ip::udp::endpoint(asio::ip::address_v4::loopback(), 0));
  std::vector<std::string> core_packets;
  std::array<char, 2048> buf{};
  asio::ip::udp::endpoint from;
  std::function<void()> read = [&] {
    core.async_receive_from(asio::buffer(buf), from, [&](asio::error_code ec, size_t n) {
      if (ec) return;
      core_packets.emplace_back(buf.data(), n);
      core.send_to(asio::buffer(buf.data(), n), from);
      read();
    });
  };
  read();
  const std::string fp = ids_.terminal->fingerprint()->to_string();
  const auto add_access =
      Run("C=${A=${M{O{MO=SR},L{v=0\nc=IN IP4 $\nm=image $ UDP/TLS/UDPTL t38\n},"
          "R{v=0\nc=IN IP4 127.0.0.1\nm=image 9 UDP/TLS/UDPTL t38\na=setup:active\na=fingerprint:" +
          fp + "\n}},E=1{tlsbsc/tlsest,tlsbsc/tlsrel}}}");
  const uint32_t context = add_access.actions.at(0).context.value;
  const sdp::SessionDescription local = LocalOf(add_access);
  EXPECT_EQ(*local.media.at(0).setup().value(), sdp::Setup::kPassive);  // the terminal is the DTLS client
  EXPECT_EQ(local.media.at(0).fingerprints()->front(), *ids_.gateway->fingerprint());
  Run("C=" + std::to_string(context) +
      "{A=${M{O{MO=SR},L{v=0\nc=IN IP4 $\nm=image $ udptl t38\n},"
      "R{v=0\nc=IN IP4 127.0.0.1\nm=image " +
      std::to_string(core.local_endpoint().port()) + " udptl t38\n}}}}");
  EXPECT_EQ(plane_->relays(), 1u);
  process_ = std::make_unique<test_env::Subprocess>(
      std::vector<std::string>{"openssl", "s_client", "-dtls1_2", "-connect",
                               "127.0.0.1:" + std::to_string(*local.media.at(0).port), "-cert",
                               (ids_.dir / "t.pem").string(), "-key", (ids_.dir / "t.key").string()},
      test_env::Subprocess::Options{true, true});
  ASSERT_TRUE(RunUntil([&] { return Notified("tlsbsc/tlsest"); })) << Story();
  process_->write_stdin("t38 page\n");
  ASSERT_TRUE(RunUntil([&] { return !core_packets.empty() && Saw("t38 page"); })) << Story();
  EXPECT_EQ(core_packets.front(), "t38 page\n");
  process_->write_stdin("Q\n");
  ASSERT_TRUE(RunUntil([&] { return Notified("tlsbsc/tlsrel"); })) << Story();
  EXPECT_TRUE(Notified("close-notify")) << Story();
  EXPECT_EQ(pool_->free_slots(), device_->identity().key_slots);
}

TEST_P(Plane, APassiveBearerOutOfDescriptorsAcceptsItsConnectionOnceTheyAreBack) {
  if (test_env::DescriptorExhaustion::kUnderSanitizers) GTEST_SKIP() << test_env::DescriptorExhaustion::kWhySkipped;
  const auto add =
      Run("C=${A=${M{O{MO=SR},L{v=0\nc=IN IP4 $\nm=message $ TCP/MSRP *\n},"
          "R{v=0\nc=IN IP4 127.0.0.1\nm=message 9 TCP/MSRP *\na=setup:active\n}},E=1{tcpbcc/tcpest}}}");
  const uint16_t port = *LocalOf(add).media.at(0).port;
  tcp::socket peer(io_);
  peer.open(tcp::v4());
  {
    // The peer's connection completes in the kernel; the gateway has no descriptor to take it.
    test_env::DescriptorExhaustion exhaustion;
    ASSERT_TRUE(exhaustion.exhausted());
    peer.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port));
    RunUntil([] { return false; }, 450ms);
    EXPECT_FALSE(Notified("tcpbcc/tcpest")) << Story();
    EXPECT_GE(plane_->accept_pauses(), 2u) << "the bearer gave up or spun instead of pausing";
    EXPECT_LE(plane_->accept_pauses(), 6u);
  }
  ASSERT_TRUE(RunUntil([&] { return Notified("tcpbcc/tcpest"); }, 2s)) << "the waiting connection was never accepted\n"
                                                                       << Story();
}

INSTANTIATE_TEST_SUITE_P(Backends, Plane, ::testing::ValuesIn(tb::DeviceBackends()), tb::BackendName);

}  // namespace
}  // namespace mediasec::media
