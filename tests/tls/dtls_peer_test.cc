// DtlsSession over UDP loopback against openssl s_client -dtls1_2 and s_server -dtls1_2, on every
// device backend and both AES-GCM suites: the cookie exchange in our server role, handshake
// retransmission after a lost flight, records both ways through the device, the replay window,
// old-epoch and forged records dropped, close_notify both ways.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <tuple>

#include "drivers/key_slot.h"
#include "host/tls/dtls_session.h"
#include "tests/device/backends.h"
#include "tests/support/subprocess.h"
#include "tests/support/test_identities.h"
#include "tests/tls/socket_pump.h"

namespace mediasec::tls::test {
namespace {

using namespace std::chrono_literals;
using test_env::Subprocess;

// A UDP socket on 127.0.0.1 that moves datagrams between the kernel and a DtlsSession.
class UdpPump {
 public:
  UdpPump() {
    fd_ = Fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ::bind(fd_.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  uint16_t port() const { return port_; }
  void set_session(DtlsSession* s) { s_ = s; }
  void set_peer_process(Subprocess* p) { peer_ = p; }
  void ConnectTo(uint16_t port) {
    peer_addr_.sin_family = AF_INET;
    peer_addr_.sin_port = htons(port);
    peer_addr_.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    have_peer_ = true;
  }
  // Waits for the first datagram and returns the sender's address bytes (for the cookie).
  std::vector<uint8_t> WaitForPeer(std::chrono::milliseconds timeout) {
    pollfd p{fd_.get(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return {};
    socklen_t len = sizeof peer_addr_;
    ::recvfrom(fd_.get(), nullptr, 0, MSG_PEEK, reinterpret_cast<sockaddr*>(&peer_addr_), &len);
    have_peer_ = true;
    const auto* b = reinterpret_cast<const uint8_t*>(&peer_addr_);
    return std::vector<uint8_t>(b, b + sizeof peer_addr_);
  }
  bool RunUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout = 10s) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      Step();
      if (done()) return true;
      if (std::chrono::steady_clock::now() >= end) return false;
    }
  }
  bool WaitForLine(const std::string& text) {
    return RunUntil([&] {
      for (const auto& l : lines)
        if (l.find(text) != std::string::npos) return true;
      return false;
    });
  }
  void Inject(const std::vector<uint8_t>& d) { s_->receive(d); }
  std::string Transcript() const {
    std::string t;
    for (const auto& l : lines) t += "  peer: " + l + "\n";
    return t;
  }

  std::vector<std::string> lines;
  std::vector<std::vector<uint8_t>> sent, got;  // every datagram each way
  std::vector<std::vector<uint8_t>> records;    // application records received
  int drop_outgoing = 0;                        // datagrams to lose on the way out

 private:
  void Step() {
    if (s_ == nullptr) {  // no session yet: only the peer's output
      if (peer_ != nullptr) {
        while (auto l = peer_->line()) lines.push_back(*l);
      }
      ::usleep(10000);
      return;
    }
    for (auto& d : s_->take_datagrams()) {
      sent.push_back(d);
      if (drop_outgoing > 0) {
        --drop_outgoing;
        continue;
      }
      if (have_peer_)
        ::sendto(fd_.get(), d.data(), d.size(), 0, reinterpret_cast<sockaddr*>(&peer_addr_), sizeof peer_addr_);
    }
    if (peer_ != nullptr) {
      while (auto l = peer_->line()) lines.push_back(*l);
    }
    pollfd p{fd_.get(), POLLIN, 0};
    int wait = 10;
    if (auto t = s_->timeout()) wait = static_cast<int>(std::min<long>(10, t->count()));
    if (::poll(&p, 1, wait) == 1) {
      uint8_t buf[65536];
      const ssize_t n = ::recv(fd_.get(), buf, sizeof buf, 0);
      if (n > 0) {
        got.emplace_back(buf, buf + n);
        s_->receive(std::span<const uint8_t>(buf, static_cast<size_t>(n)));
      }
    }
    if (auto t = s_->timeout(); t && t->count() == 0) s_->on_timeout();
    for (auto& r : s_->take_received()) records.push_back(std::move(r));
  }

  DtlsSession* s_ = nullptr;
  Subprocess* peer_ = nullptr;
  Fd fd_;
  uint16_t port_ = 0;
  sockaddr_in peer_addr_{};
  bool have_peer_ = false;
};

uint16_t FreeUdpPort() {
  UdpPump probe;
  return probe.port();
}

std::vector<uint8_t> Bytes(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }

using Param = std::tuple<std::string, std::string>;

class Dtls : public ::testing::TestWithParam<Param> {
 protected:
  void SetUp() override {
    const auto& [backend, cipher] = GetParam();
    cipher_ = cipher;
    device_ = tb::OpenOrFail(backend);
    ASSERT_TRUE(device_);
    pool_ = std::make_unique<device::SlotPool>(*device_);
    context_ = std::move(TlsContext::create(*ids_.gateway, Profile{}, nullptr, Transport::kDatagram).value());
  }
  void UseMtu(uint32_t mtu) {
    Profile p;
    p.dtls_mtu = mtu;
    context_ = std::move(TlsContext::create(*ids_.gateway, p, nullptr, Transport::kDatagram).value());
  }
  std::unique_ptr<DtlsSession> Session(Role role, std::vector<uint8_t> peer_address = {}) {
    DtlsSession::Options o;
    o.role = role;
    o.peer_fingerprints = {*ids_.terminal->fingerprint()};
    o.peer_address = std::move(peer_address);
    return std::move(DtlsSession::create(*context_, *pool_, o).value());
  }
  std::vector<std::string> PeerArgs() const {
    return {
        "-dtls1_2", "-cipher", cipher_, "-cert", (ids_.dir / "t.pem").string(), "-key", (ids_.dir / "t.key").string()};
  }

  std::string cipher_;
  test_env::TestIdentities ids_{"dtls"};
  std::unique_ptr<device::Device> device_;
  std::unique_ptr<device::SlotPool> pool_;
  std::unique_ptr<TlsContext> context_;
};

TEST_P(Dtls, OurServerWithSClient) {
  UdpPump pump;
  std::vector<std::string> argv = {"openssl", "s_client", "-connect", "127.0.0.1:" + std::to_string(pump.port())};
  for (auto& a : PeerArgs()) argv.push_back(a);
  Subprocess client(argv, Subprocess::Options{true, true});
  pump.set_peer_process(&client);
  const std::vector<uint8_t> peer = pump.WaitForPeer(10s);
  ASSERT_FALSE(peer.empty()) << "s_client sent nothing";
  auto s = Session(Role::kServer, peer);
  pump.set_session(s.get());
  ASSERT_TRUE(pump.RunUntil([&] { return s->established() || s->released(); })) << pump.Transcript();
  ASSERT_TRUE(s->established()) << s->release()->reason << "\n" << pump.Transcript();
  // Our first answer was a HelloVerifyRequest (handshake type 3): the cookie exchange ran.
  ASSERT_FALSE(pump.sent.empty());
  EXPECT_EQ(pump.sent.front()[13], 3) << "no HelloVerifyRequest";
  // Records both ways.
  client.write_stdin("fax page one\n");
  ASSERT_TRUE(pump.RunUntil([&] { return !pump.records.empty(); })) << pump.Transcript();
  EXPECT_EQ(pump.records.front(), Bytes("fax page one\n"));
  ASSERT_TRUE(s->send(Bytes("t38 from mediasec\n")).ok());
  EXPECT_TRUE(pump.WaitForLine("t38 from mediasec")) << pump.Transcript();
  // The same datagram again: dropped by the replay window, nothing delivered twice.
  const std::vector<uint8_t> last = pump.got.back();
  pump.Inject(last);
  EXPECT_EQ(s->info().replayed, 1u);
  // An old epoch, and a forged tag: dropped, counted, the session lives on.
  std::vector<uint8_t> old = last;
  old[3] = 0, old[4] = 0;
  old[10] ^= 0x40;  // a fresh sequence number so the window is not what stops it
  pump.Inject(old);
  EXPECT_EQ(s->info().old_epoch, 1u);
  std::vector<uint8_t> forged = last;
  forged[10] ^= 0x40;
  forged.back() ^= 1;
  pump.Inject(forged);
  EXPECT_EQ(s->info().bad_records, 1u);
  std::vector<uint8_t> garbage = {23, 0xFE, 0xFD, 0, 1, 0, 0};
  pump.Inject(garbage);
  EXPECT_EQ(s->info().bad_records, 2u);
  ASSERT_FALSE(s->released());
  pump.RunUntil([] { return false; }, 50ms);
  EXPECT_EQ(pump.records.size(), 1u);
  client.write_stdin("fax page two\n");
  ASSERT_TRUE(pump.RunUntil([&] { return pump.records.size() == 2; })) << pump.Transcript();
  EXPECT_EQ(pump.records.back(), Bytes("fax page two\n"));
  EXPECT_EQ(s->info().records_in, 2u);
  // s_client quits with close_notify.
  client.write_stdin("Q\n");
  ASSERT_TRUE(pump.RunUntil([&] { return s->released(); })) << pump.Transcript();
  EXPECT_EQ(s->release()->cause, ReleaseCause::kCloseNotify) << s->release()->reason;
  EXPECT_EQ(pool_->free_slots(), device_->identity().key_slots);
}

TEST_P(Dtls, OurClientWithSServerAfterALostFlight) {
  UdpPump pump;
  const uint16_t port = FreeUdpPort();
  std::vector<std::string> argv = {"openssl", "s_server", "-accept", std::to_string(port), "-4", "-naccept",
                                   "1",       "-verify",  "1"};
  for (auto& a : PeerArgs()) argv.push_back(a);
  Subprocess server(argv, Subprocess::Options{true, true});
  pump.set_peer_process(&server);
  ASSERT_TRUE(pump.WaitForLine("ACCEPT")) << pump.Transcript();
  auto s = Session(Role::kClient);
  pump.set_session(s.get());
  pump.ConnectTo(port);
  pump.drop_outgoing = 1;  // our ClientHello is lost: the retransmission timer sends it again
  s->start();
  ASSERT_TRUE(pump.RunUntil([&] { return s->established() || s->released(); }, 15s)) << pump.Transcript();
  ASSERT_TRUE(s->established()) << s->release()->reason << "\n" << pump.Transcript();
  EXPECT_GE(pump.sent.size(), 3u);  // the lost hello, its retransmission, the second flight
  // The same ClientHello under the next record sequence number.
  EXPECT_TRUE(std::equal(pump.sent[0].begin() + 13, pump.sent[0].end(), pump.sent[1].begin() + 13, pump.sent[1].end()))
      << "the retransmitted ClientHello differs";
  EXPECT_NE(pump.sent[0][10], pump.sent[1][10]);
  ASSERT_TRUE(s->send(Bytes("t38 from mediasec\n")).ok());
  EXPECT_TRUE(pump.WaitForLine("t38 from mediasec")) << pump.Transcript();
  server.write_stdin("t38 from s_server\n");
  ASSERT_TRUE(pump.RunUntil([&] { return !pump.records.empty(); })) << pump.Transcript();
  EXPECT_EQ(pump.records.front(), Bytes("t38 from s_server\n"));
  s->close();
  pump.RunUntil([] { return false; }, 50ms);
  EXPECT_TRUE(pump.WaitForLine("CONNECTION CLOSED") || pump.WaitForLine("shutting down")) << pump.Transcript();
  EXPECT_EQ(pool_->free_slots(), device_->identity().key_slots);
}

TEST_P(Dtls, HandshakeDatagramsStayWithinASmallMtu) {
  UseMtu(400);  // our certificate flight must be fragmented
  UdpPump pump;
  std::vector<std::string> argv = {"openssl", "s_client", "-connect", "127.0.0.1:" + std::to_string(pump.port()),
                                   "-mtu",    "400"};
  for (auto& a : PeerArgs()) argv.push_back(a);
  Subprocess client(argv, Subprocess::Options{true, true});
  pump.set_peer_process(&client);
  const std::vector<uint8_t> peer = pump.WaitForPeer(10s);
  ASSERT_FALSE(peer.empty());
  auto s = Session(Role::kServer, peer);
  pump.set_session(s.get());
  ASSERT_TRUE(pump.RunUntil([&] { return s->established() || s->released(); })) << pump.Transcript();
  ASSERT_TRUE(s->established()) << s->release()->reason << "\n" << pump.Transcript();
  size_t largest = 0;
  for (const auto& d : pump.sent) largest = std::max(largest, d.size());
  EXPECT_LE(largest, 400u);
  std::string sizes;
  for (const auto& d : pump.sent) sizes += std::to_string(d.size()) + " ";
  EXPECT_GE(pump.sent.size(), 3u) << "the flight was not fragmented: "
                                  << sizes;  // HelloVerifyRequest, then two or more
  client.write_stdin("small mtu\n");
  ASSERT_TRUE(pump.RunUntil([&] { return !pump.records.empty(); })) << pump.Transcript();
  EXPECT_EQ(pump.records.front(), Bytes("small mtu\n"));
}

TEST_P(Dtls, AFingerprintMismatchFailsTheHandshake) {
  UdpPump pump;
  const uint16_t port = FreeUdpPort();
  auto impostor = Identity::generate(KeyType::kEcdsaP256, "impostor").value();
  ASSERT_TRUE(impostor.save(ids_.dir / "i.pem", ids_.dir / "i.key").ok());
  Subprocess server({"openssl", "s_server", "-accept", std::to_string(port), "-4", "-naccept", "1", "-dtls1_2", "-cert",
                     (ids_.dir / "i.pem").string(), "-key", (ids_.dir / "i.key").string()},
                    Subprocess::Options{true, true});
  pump.set_peer_process(&server);
  ASSERT_TRUE(pump.WaitForLine("ACCEPT")) << pump.Transcript();
  auto s = Session(Role::kClient);
  pump.set_session(s.get());
  pump.ConnectTo(port);
  s->start();
  ASSERT_TRUE(pump.RunUntil([&] { return s->released(); })) << pump.Transcript();
  EXPECT_EQ(s->release()->cause, ReleaseCause::kFingerprintMismatch) << s->release()->reason;
}

INSTANTIATE_TEST_SUITE_P(
    Backends, Dtls,
    ::testing::Combine(::testing::ValuesIn(tb::DeviceBackends()),
                       ::testing::Values("ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384")),
    [](const ::testing::TestParamInfo<Param>& info) {
      std::string n = tb::BackendName({std::get<0>(info.param), info.index}) + "_" + std::get<1>(info.param);
      for (char& c : n)
        if (std::isalnum(static_cast<unsigned char>(c)) == 0) c = '_';
      return n;
    });

}  // namespace
}  // namespace mediasec::tls::test
