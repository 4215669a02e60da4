// The MG association probed from outside, as any UDP sender can: a datagram with newlines in its
// message identifier must not write lines of its own into the log, and a ServiceChange HandOff
// moves the MG only to an MGC of its configured list. The MGC here is a plain UDP socket of the
// test writing H.248 text, because what is tested is what an arbitrary sender can do.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <string>

#include "host/h248/decode.h"
#include "host/h248/mg_association.h"
#include "host/h248/tpkt.h"
#include "tests/support/port_reservation.h"

namespace mediasec::h248 {
namespace {

using namespace std::chrono_literals;

// The transaction ID of the MG's request ("T=12{" compact, "Transaction = 12 {" pretty), by a plain
// scan: GCC 12 warns about std::regex in the sanitizer build.
std::string TransactionIdOf(const std::string& text) {
  for (const std::string key : {"Transaction", "T"}) {
    for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + 1)) {
      size_t i = at + key.size();
      while (i < text.size() && text[i] == ' ') ++i;
      if (i >= text.size() || text[i] != '=') continue;
      ++i;
      while (i < text.size() && text[i] == ' ') ++i;
      size_t end = i;
      while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
      if (end > i) return text.substr(i, end - i);
    }
  }
  return "";
}

net::Endpoint Loopback(uint16_t port) { return *net::Endpoint::parse("127.0.0.1", port); }

class AssociationProbe : public ::testing::Test {
 protected:
  // Starts the MG with the given MGC list (the test's socket first) and answers its registration.
  void Start(std::vector<MgcPeer> extra = {}) {
    AssociationConfig c;
    c.local_port = 0;
    c.mgcs.push_back({"127.0.0.1", mgc_.local().port()});
    for (const auto& e : extra) c.mgcs.push_back(e);
    auto mg = MgAssociation::open(c, gateway_);
    ASSERT_TRUE(mg.ok()) << mg.error().message;
    mg_ = std::move(*mg);
    mg_->start();
    mg_->run_for(50ms);
    auto sc = mgc_.receive(1000ms);
    ASSERT_TRUE(sc.ok() && sc->has_value()) << "no registration";
    const std::string id = TransactionIdOf((*sc)->data);
    ASSERT_FALSE(id.empty()) << (*sc)->data;
    Send("P=" + id + "{C=-{SC=ROOT{SV{V=3}}}}");
    mg_->run_for(100ms);
    ASSERT_EQ(mg_->state(), AssociationState::kRegistered) << Log();
  }
  void Send(const std::string& body, net::UdpSocket* from = nullptr) {
    const std::string text =
        "MEGACO/3 [127.0.0.1]:" + std::to_string((from ? *from : mgc_).local().port()) + "\n" + body;
    ASSERT_TRUE((from ? *from : mgc_).send_to(mg_->local(), text).ok());
  }
  std::string Log() {
    std::string all;
    for (const auto& l : mg_->take_log()) {
      EXPECT_EQ(l.find('\n'), std::string::npos) << "a log line with a raw newline: " << l;
      EXPECT_EQ(l.find('\r'), std::string::npos) << l;
      all += l + "|";
    }
    return all;
  }

  PackageRegistry packages_ = PackageRegistry::standard();
  test::PortReservation media_{"127.0.0.1"};
  Gateway gateway_{packages_, media_};
  net::UdpSocket mgc_ = std::move(net::UdpSocket::bind(Loopback(0)).value());
  net::UdpSocket stranger_ = std::move(net::UdpSocket::bind(Loopback(0)).value());
  std::unique_ptr<MgAssociation> mg_;
};

TEST_F(AssociationProbe, BytesFromTheWireNeverBreakALogLine) {
  Start();
  Log();
  const std::string forged = "MEGACO/3 [1.2.3.4\n2026-12-05T00:00:00.000 info FORGED\r]:2944\nTransaction = 9 { }";
  ASSERT_TRUE(stranger_.send_to(mg_->local(), forged).ok());
  ASSERT_TRUE(mgc_.send_to(mg_->local(), forged).ok());
  mg_->run_for(100ms);
  const std::string log = Log();
  EXPECT_EQ(mg_->stats().malformed_messages, 2u);
  EXPECT_NE(log.find("not an MGC of this MG"), std::string::npos) << log;
  EXPECT_NE(log.find("\\n2026-12-05T00:00:00.000 info FORGED\\r"), std::string::npos)
      << "the MGC's own bad message is quoted, escaped: " << log;
}

TEST_F(AssociationProbe, AHandOffToAnAddressNotConfiguredIsRefused) {
  Start();
  Send(
      "Transaction = 7 { Context = - { ServiceChange = ROOT { Services { Method = HandOff, "
      "MgcIdToTry = [127.0.0.1]:" +
      std::to_string(stranger_.local().port()) + " } } } }");
  mg_->run_for(200ms);
  EXPECT_EQ(mg_->mgc(), mgc_.local()) << "the MG followed a HandOff to an address of no configured MGC";
  EXPECT_NE(Log().find("refused"), std::string::npos);
  EXPECT_EQ(mg_->stats().handoffs, 0u);
}

TEST_F(AssociationProbe, AHandOffToAConfiguredMgcIsFollowed) {
  Start({{"127.0.0.1", stranger_.local().port()}});
  Send(
      "Transaction = 7 { Context = - { ServiceChange = ROOT { Services { Method = HandOff, "
      "MgcIdToTry = [127.0.0.1]:" +
      std::to_string(stranger_.local().port()) + " } } } }");
  mg_->run_for(200ms);
  EXPECT_EQ(mg_->mgc(), stranger_.local());
  EXPECT_EQ(mg_->stats().handoffs, 1u);
  auto sc = stranger_.receive(1000ms);
  ASSERT_TRUE(sc.ok() && sc->has_value()) << "the configured MGC heard no ServiceChange";
  EXPECT_NE((*sc)->data.find("903 MGC Directed Change"), std::string::npos) << (*sc)->data;
}

// A message the MGC sent that cannot be decoded before its first transaction ID, and one in a
// version above ours, are answered at message level (H.248.1 8.2.2): Error 400 and Error 406,
// in a message the MGC's decoder takes, in the association's version. They used to be only
// logged. The same bytes from a stranger get no answer.
TEST_F(AssociationProbe, AnUndecodableMessageFromTheMgcIsAnsweredWithAMessageLevelError) {
  Start();
  struct Case {
    std::string text;
    uint16_t code;
  };
  const std::string mid = "[127.0.0.1]:" + std::to_string(mgc_.local().port());
  for (const Case& c : {Case{"MEGACO/3 " + mid + "\nTransactoin = 5 { }", 400},
                        Case{"MEGACO/9 " + mid + "\nTransaction = 5 { Context = - { AuditValue = ROOT { } } }", 406},
                        Case{"MEGACO/3 " + mid + "\n\x01\x02\"\n\"", 400}}) {
    ASSERT_TRUE(mgc_.send_to(mg_->local(), c.text).ok());
    mg_->run_for(100ms);
    auto reply = mgc_.receive(1000ms);
    ASSERT_TRUE(reply.ok() && reply->has_value()) << "no answer to: " << c.text;
    auto m = decode((*reply)->data);
    ASSERT_TRUE(m.ok()) << (*reply)->data;
    ASSERT_TRUE(m->error.has_value()) << (*reply)->data;
    EXPECT_EQ(m->error->code, c.code) << (*reply)->data;
    EXPECT_TRUE(m->transactions.empty()) << (*reply)->data;
    EXPECT_EQ(m->version, 3) << (*reply)->data;
    ASSERT_TRUE(stranger_.send_to(mg_->local(), c.text).ok());
    mg_->run_for(100ms);
    auto none = stranger_.receive(100ms);
    ASSERT_TRUE(none.ok());
    EXPECT_FALSE(none->has_value()) << "a stranger was answered: " << (*none)->data;
  }
  EXPECT_EQ(mg_->transaction_stats().messages_rejected, 3u);
}

// A ROOT Modify the gateway refuses (one of its properties is of no package we know: 440) is
// not half applied: its valid timer property used to take effect all the same. One that is
// accepted does.
TEST_F(AssociationProbe, ARefusedRootModifyChangesNoTimer) {
  Start();
  const auto before = mg_->timers().provisional;
  Send("T=21{C=-{MF=ROOT{M{TS{root/MGProvisionalResponseTimerValue=4321,xyzzy/foo=1}}}}}");
  mg_->run_for(100ms);
  auto reply = mgc_.receive(1000ms);
  ASSERT_TRUE(reply.ok() && reply->has_value());
  EXPECT_NE((*reply)->data.find("440"), std::string::npos) << (*reply)->data;
  EXPECT_EQ(mg_->timers().provisional, before) << "a refused Modify changed a timer";
  Send("T=22{C=-{MF=ROOT{M{TS{root/MGProvisionalResponseTimerValue=4321}}}}}");
  mg_->run_for(100ms);
  reply = mgc_.receive(1000ms);
  ASSERT_TRUE(reply.ok() && reply->has_value());
  EXPECT_EQ((*reply)->data.find("ER="), std::string::npos) << (*reply)->data;
  EXPECT_EQ(mg_->timers().provisional, Millis(4321));
}

// An MGC over TCP that registers the MG, then sends a TPKT header whose length lies high (65,535
// bytes announced, 10 sent) and nothing more. The MG used to wait on that connection for ever.
TEST(AssociationProbeTcp, ATpktLengthThatLiesHighBreaksTheConnectionInTime) {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  socklen_t len = sizeof addr;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  const uint16_t port = ntohs(addr.sin_port);

  PackageRegistry packages = PackageRegistry::standard();
  test::PortReservation media{"127.0.0.1"};
  Gateway gateway{packages, media};
  AssociationConfig c;
  c.transport = MgcTransport::kTcp;
  c.local_port = 0;
  c.mgcs.push_back({"127.0.0.1", port});
  c.tpkt_frame_timeout = 300ms;
  auto mg = MgAssociation::open(c, gateway);
  ASSERT_TRUE(mg.ok()) << mg.error().message;
  (*mg)->start();
  (*mg)->run_for(100ms);
  const int conn = ::accept(listener, nullptr, nullptr);
  ASSERT_GE(conn, 0);
  char buf[4096];
  (*mg)->run_for(50ms);
  const ssize_t n = ::recv(conn, buf, sizeof buf, MSG_DONTWAIT);
  ASSERT_GT(n, 0) << "no registration";
  const std::string sc(buf + kTpktHeader, static_cast<size_t>(n) - kTpktHeader);
  const std::string id = TransactionIdOf(sc);
  ASSERT_FALSE(id.empty()) << sc;
  const std::string reply =
      *tpkt_frame("!/3 [127.0.0.1]:" + std::to_string(port) + "\nP=" + id + "{C=-{SC=ROOT{SV{V=3}}}}");
  ASSERT_EQ(::send(conn, reply.data(), reply.size(), 0), static_cast<ssize_t>(reply.size()));
  ASSERT_TRUE((*mg)->run_until([&] { return (*mg)->state() == AssociationState::kRegistered; }, 1000ms));
  const std::string liar = std::string("\x03\x00\xff\xff", 4) + "MEGACO/3 [";
  ASSERT_EQ(::send(conn, liar.data(), liar.size(), 0), static_cast<ssize_t>(liar.size()));
  std::string log;
  (*mg)->run_until(
      [&] {
        for (const auto& l : (*mg)->take_log()) log += l + "|";
        return log.find("not complete within 300 ms") != std::string::npos;
      },
      3000ms);
  EXPECT_NE(log.find("not complete within 300 ms"), std::string::npos) << log;
  EXPECT_EQ((*mg)->stats().malformed_messages, 1u);
  // The MG gave the connection up and comes back on a new one.
  ::fcntl(listener, F_SETFL, O_NONBLOCK);
  int again = -1;
  for (int i = 0; i < 30 && again < 0; ++i) {
    (*mg)->run_for(100ms);
    again = ::accept(listener, nullptr, nullptr);
  }
  EXPECT_GE(again, 0) << "the MG did not reconnect";
  if (again >= 0) ::close(again);
  ::close(conn);
  ::close(listener);
}

}  // namespace
}  // namespace mediasec::h248
