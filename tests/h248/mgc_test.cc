// Our gateway (MgAssociation + Gateway + PortReservation) driven over UDP by a real MGC:
// Erlang/OTP megaco running tests/peers/mgc_peer.erl. A lossy UDP relay in between drops and
// delays datagrams to prove retransmission, duplicate handling and Pending.
#include <gtest/gtest.h>
#include <poll.h>

#include <atomic>
#include <cctype>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

#include "host/h248/gateway.h"
#include "host/h248/mg_association.h"
#include "host/h248/packages.h"
#include "host/net/udp_socket.h"
#include "tests/support/port_reservation.h"
#include "tests/support/subprocess.h"

namespace mediasec::h248 {
namespace {

using namespace std::chrono_literals;
using test_env::Subprocess;

uint16_t free_udp_port() {
  auto s = net::UdpSocket::bind(*net::Endpoint::parse("127.0.0.1", 0));
  return s->local().port();
}

// Forwards datagrams between the MG and the MGC; `drop` decides, per datagram and direction,
// whether it is lost.
class LossyRelay {
 public:
  using Drop = std::function<bool(bool to_mgc, const std::string& data)>;

  LossyRelay(uint16_t mgc_port, Drop drop)
      : mg_side_(std::move(net::UdpSocket::bind(*net::Endpoint::parse("127.0.0.1", 0))).value()),
        mgc_side_(std::move(net::UdpSocket::bind(*net::Endpoint::parse("127.0.0.1", 0))).value()),
        mgc_(*net::Endpoint::parse("127.0.0.1", mgc_port)),
        drop_(std::move(drop)),
        thread_([this] { loop(); }) {}
  ~LossyRelay() {
    stop_ = true;
    thread_.join();
  }
  uint16_t port() const { return mg_side_.local().port(); }
  int dropped() const { return dropped_; }

 private:
  void loop() {
    std::optional<net::Endpoint> mg;
    while (!stop_) {
      pollfd p[2] = {{mg_side_.fd(), POLLIN, 0}, {mgc_side_.fd(), POLLIN, 0}};
      if (::poll(p, 2, 20) <= 0) continue;
      if (p[0].revents & POLLIN) {
        auto d = mg_side_.receive(0ms);
        if (d.ok() && d.value()) {
          mg = d.value()->from;
          if (drop_(true, d.value()->data)) {
            ++dropped_;
          } else {
            (void)mgc_side_.send_to(mgc_, d.value()->data);
          }
        }
      }
      if (p[1].revents & POLLIN) {
        auto d = mgc_side_.receive(0ms);
        if (d.ok() && d.value() && mg) {
          if (drop_(false, d.value()->data)) {
            ++dropped_;
          } else {
            (void)mg_side_.send_to(*mg, d.value()->data);
          }
        }
      }
    }
  }

  net::UdpSocket mg_side_;
  net::UdpSocket mgc_side_;
  net::Endpoint mgc_;
  Drop drop_;
  std::atomic<bool> stop_{false};
  std::atomic<int> dropped_{0};
  std::thread thread_;
};

class MegacoMgc : public ::testing::Test {
 protected:
  struct Run {
    std::map<std::string, std::string> lines;  // first word -> rest of the line
    std::vector<std::string> transcript;
    bool done = false;
    size_t contexts_after_add = 0;
  };

  // Starts megaco on `mgc_port`, lets our MG register through `via_port` (the MGC itself or a
  // relay) and runs the scenario; answers WAITING_NOTIFY with a Notify of tcpbcc/tcpest.
  Run run_call(uint16_t mgc_port, uint16_t via_port, const std::string& encoding, int sc_delay_ms,
               TransactionTimers timers = {}, MgcTransport transport = MgcTransport::kUdp,
               const std::string& scenario = "call") {
    Run run;
    Subprocess mgc({"erl", "-noshell", "-pa", MEDIASEC_MGC_PEER_DIR, "-run", "mgc_peer", "main",
                    std::to_string(mgc_port), encoding, std::to_string(sc_delay_ms),
                    transport == MgcTransport::kTcp ? "tcp" : "udp", scenario, "0", "0"});
    EXPECT_TRUE(mgc.started());
    // Wait for megaco to listen before registering.
    auto deadline = std::chrono::steady_clock::now() + 20s;
    bool listening = false;
    while (!listening && std::chrono::steady_clock::now() < deadline) {
      while (auto l = mgc.line()) {
        run.transcript.push_back(*l);
        listening = listening || l->rfind("LISTENING", 0) == 0;
      }
      std::this_thread::sleep_for(20ms);
    }
    EXPECT_TRUE(listening) << "megaco did not start";
    if (!listening) return run;

    AssociationConfig config;
    config.transport = transport;
    config.local_port = 0;
    config.mgcs = {{"127.0.0.1", via_port}};
    config.timers = timers;
    auto assoc = MgAssociation::open(config, gateway_);
    EXPECT_TRUE(assoc.ok()) << (assoc.ok() ? "" : assoc.error().message);
    if (!assoc.ok()) return run;
    MgAssociation& mg = **assoc;
    mg.start();
    deadline = std::chrono::steady_clock::now() + 40s;
    while (!run.done && std::chrono::steady_clock::now() < deadline) {
      mg.run_for(20ms);
      while (auto l = mgc.line()) {
        run.transcript.push_back(*l);
        std::string word = l->substr(0, l->find(' '));
        run.lines[word] = l->size() > word.size() ? l->substr(word.size() + 1) : "";
        if (word == "ADD") run.contexts_after_add = gateway_.context_count();
        if (word == "WAITING_NOTIFY") {
          ObservedEvent ev;
          ev.name = "tcpbcc/tcpest";
          auto action = gateway_.observe("tls/1", ev);
          EXPECT_TRUE(action.has_value()) << "the MGC asked for tcpbcc/tcpest on tls/1";
          if (action) mg.notify(std::move(*action));
        }
        if (word == "DONE" || word == "FAIL") run.done = true;
      }
    }
    mg.run_for(100ms);  // let the last reply go out
    tx_ = mg.transaction_stats();
    assoc_ = mg.stats();
    state_ = mg.state();
    timers_ = mg.timers();
    return run;
  }

  static std::string dump(const Run& r) {
    std::ostringstream s;
    for (const auto& l : r.transcript) s << "  mgc: " << l << "\n";
    return s.str();
  }

  PackageRegistry packages_ = PackageRegistry::standard();
  test::PortReservation media_{"127.0.0.1"};
  Gateway gateway_{packages_, media_};
  TransactionStats tx_;
  AssociationStats assoc_;
  AssociationState state_ = AssociationState::kIdle;
  TransactionTimers timers_;
};

TEST_F(MegacoMgc, RegistersAndRunsACallOverUdp) {
  const uint16_t port = free_udp_port();
  Run r = run_call(port, port, "pretty", 0);
  ASSERT_TRUE(r.done) << dump(r);
  ASSERT_EQ(r.lines.count("FAIL"), 0u) << dump(r);
  // megaco lower-cases unquoted values: the profile arrives as 3gpp_iq.
  EXPECT_EQ(r.lines["REGISTERED"], "restart 3gpp_iq") << dump(r);
  // ADD <context> tls/1 <port>: a context chosen, the termination named from the bearer, and
  // the underspecified port filled in with a real one.
  std::istringstream add(r.lines["ADD"]);
  uint32_t ctx = 0;
  std::string term, port_text;
  add >> ctx >> term >> port_text;
  EXPECT_GE(ctx, 1u) << dump(r);
  EXPECT_EQ(term, "tls/1") << dump(r);
  EXPECT_GT(std::atoi(port_text.c_str()), 0) << dump(r);
  EXPECT_EQ(r.lines["MODIFY"], "tls/1");
  EXPECT_EQ(r.lines["MODIFY_ERROR"], "440") << "unknown package";
  EXPECT_NE(r.lines["AUDIT"].find("tlsbsc"), std::string::npos) << dump(r);
  EXPECT_NE(r.lines["AUDIT"].find("tcpbcc"), std::string::npos) << dump(r);
  EXPECT_EQ(r.lines["NOTIFY"], "tls/1 tcpbcc/tcpest") << dump(r);
  EXPECT_EQ(r.lines["SUBTRACT"], "tls/1 nt/os,nt/or,nt/dur") << dump(r);
  EXPECT_EQ(gateway_.context_count(), 0u);
  EXPECT_EQ(media_.reserved(), 0u);
  EXPECT_EQ(state_, AssociationState::kRegistered);
  EXPECT_EQ(assoc_.malformed_messages, 0u);
  // The MGC set root properties: they are the timers now.
  EXPECT_EQ(r.lines.count("ROOT_PROPERTIES"), 1u) << dump(r);
  EXPECT_EQ(timers_.provisional, 500ms);
  EXPECT_EQ(timers_.initial_retransmit, 400ms);
  EXPECT_EQ(timers_.peer_pending_limit, 5u);
}

TEST_F(MegacoMgc, RegistersAndRunsACallOverTcpWithTpkt) {
  const uint16_t port = free_udp_port();  // the same number is very likely free on TCP too
  Run r = run_call(port, port, "compact", 0, {}, MgcTransport::kTcp);
  ASSERT_TRUE(r.done) << dump(r);
  ASSERT_EQ(r.lines.count("FAIL"), 0u) << dump(r);
  EXPECT_EQ(r.lines["REGISTERED"], "restart 3gpp_iq") << dump(r);
  EXPECT_EQ(r.lines["NOTIFY"], "tls/1 tcpbcc/tcpest") << dump(r);
  EXPECT_EQ(r.lines["SUBTRACT"], "tls/1 nt/os,nt/or,nt/dur") << dump(r);
  EXPECT_EQ(tx_.retransmissions, 0u) << "no retransmission over TCP";
  EXPECT_EQ(gateway_.context_count(), 0u);
}

TEST_F(MegacoMgc, RetransmissionDuplicatesAndPendingThroughALossyRelay) {
  const uint16_t port = free_udp_port();
  // Lose our first reply to the Add: megaco retransmits the Add, and we must answer from the
  // stored reply without executing it twice.
  std::atomic<int> add_replies_dropped{0};
  LossyRelay relay(port, [&](bool to_mgc, const std::string& data) {
    if (to_mgc && data.find("A=tls/1") != std::string::npos && data.find("P=") != std::string::npos &&
        add_replies_dropped == 0) {
      ++add_replies_dropped;
      return true;
    }
    return false;
  });
  TransactionTimers timers;
  timers.initial_retransmit = 200ms;
  // megaco holds its ServiceChange reply for 900 ms: we retransmit, megaco answers Pending.
  Run r = run_call(port, relay.port(), "compact", 900, timers);
  ASSERT_TRUE(r.done) << dump(r);
  ASSERT_EQ(r.lines.count("FAIL"), 0u) << dump(r);
  EXPECT_EQ(add_replies_dropped, 1);
  EXPECT_GE(tx_.retransmissions, 1u) << "the ServiceChange was not retransmitted";
  EXPECT_GE(tx_.pendings_received, 1u) << "megaco did not answer the duplicate with Pending";
  EXPECT_GE(tx_.duplicates_answered, 1u) << "the retransmitted Add was not answered from the stored reply";
  EXPECT_EQ(r.contexts_after_add, 1u) << "the retransmitted Add was executed twice";
  EXPECT_EQ(r.lines["NOTIFY"], "tls/1 tcpbcc/tcpest") << dump(r);
  EXPECT_EQ(gateway_.context_count(), 0u);
}

TEST_F(MegacoMgc, TriesTheNextMgcWhenTheFirstIsSilent) {
  const uint16_t silent = free_udp_port();
  const uint16_t port = free_udp_port();
  Subprocess mgc({"erl", "-noshell", "-pa", MEDIASEC_MGC_PEER_DIR, "-run", "mgc_peer", "main", std::to_string(port),
                  "pretty", "0"});
  std::this_thread::sleep_for(1500ms);
  AssociationConfig config;
  config.local_port = 0;
  config.mgcs = {{"127.0.0.1", silent}, {"127.0.0.1", port}};
  config.timers.initial_retransmit = 100ms;
  config.timers.request_timeout = 600ms;
  auto assoc = MgAssociation::open(config, gateway_);
  ASSERT_TRUE(assoc.ok());
  (*assoc)->start();
  EXPECT_TRUE((*assoc)->run_until([&] { return (*assoc)->state() == AssociationState::kRegistered; }, 20s));
  EXPECT_EQ((*assoc)->mgc().port(), port);
  EXPECT_GE((*assoc)->transaction_stats().requests_timed_out, 0u);
  bool registered_line = false;
  for (int i = 0; i < 100 && !registered_line; ++i) {
    while (auto l = mgc.line()) registered_line = registered_line || l->rfind("REGISTERED restart", 0) == 0;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(registered_line);
}

// The MGC goes away: an unanswered Notify tells us, we re-register with Method = Disconnected
// (contexts kept) until an MGC answers again.
TEST_F(MegacoMgc, ReRegistersAsDisconnectedAfterLosingTheMgc) {
  const uint16_t port = free_udp_port();
  auto wait_for_line = [](Subprocess& p, const std::string& prefix) {
    for (int i = 0; i < 1000; ++i) {
      while (auto l = p.line())
        if (l->rfind(prefix, 0) == 0) return *l;
      std::this_thread::sleep_for(20ms);
    }
    return std::string();
  };
  auto first =
      std::make_unique<Subprocess>(std::vector<std::string>{"erl", "-noshell", "-pa", MEDIASEC_MGC_PEER_DIR, "-run",
                                                            "mgc_peer", "main", std::to_string(port), "pretty", "0"});
  ASSERT_FALSE(wait_for_line(*first, "LISTENING").empty());
  AssociationConfig config;
  config.local_port = 0;
  config.mgcs = {{"127.0.0.1", port}};
  config.timers.initial_retransmit = 100ms;
  config.timers.request_timeout = 800ms;
  config.retry_after_all_failed = 300ms;
  auto assoc = MgAssociation::open(config, gateway_);
  ASSERT_TRUE(assoc.ok());
  MgAssociation& mg = **assoc;
  mg.start();
  ASSERT_TRUE(mg.run_until([&] { return mg.state() == AssociationState::kRegistered; }, 20s));
  EXPECT_EQ(wait_for_line(*first, "REGISTERED"), "REGISTERED restart 3gpp_iq");
  // The call megaco starts leaves a context behind: it must survive the MGC's loss.
  ASSERT_TRUE(mg.run_until([&] { return gateway_.context_count() == 1; }, 10s));
  first.reset();  // the MGC dies

  Command n;
  n.type = CommandType::kNotify;
  n.terminations = {TerminationId{"ROOT"}};
  n.descriptors.emplace_back(ObservedEventsDescriptor{1, {ObservedEvent{std::nullopt, "g/cause", std::nullopt, {}}}});
  Action a;
  a.commands.push_back(n);
  mg.notify(std::move(a));
  ASSERT_TRUE(mg.run_until([&] { return mg.state() == AssociationState::kDisconnected; }, 10s));
  EXPECT_EQ(mg.stats().disconnections, 1u);
  EXPECT_EQ(gateway_.context_count(), 1u) << "contexts are kept while the MGC is away";

  Subprocess second({"erl", "-noshell", "-pa", MEDIASEC_MGC_PEER_DIR, "-run", "mgc_peer", "main", std::to_string(port),
                     "compact", "0"});
  ASSERT_TRUE(mg.run_until([&] { return mg.state() == AssociationState::kRegistered; }, 30s));
  EXPECT_EQ(wait_for_line(second, "REGISTERED"), "REGISTERED disconnected 3gpp_iq");
}

// A transaction of sixteen Adds whose reply exceeds the 600 bytes the MGC allows (ROOT
// seg/mgcmaxpdusize): we send it in segments, megaco acknowledges each and puts the reply back
// together. The relay loses the first copy of segment 2; we send it again until acknowledged.
TEST_F(MegacoMgc, SegmentsRepliesLargerThanTheMgcAllowsAndResendsALostSegment) {
  const uint16_t port = free_udp_port();
  // Segment 2 of a reply: "P=<digits>/2{" or "P=<digits>/2/END".
  auto is_segment_two = [](const std::string& data) {
    for (size_t at = data.find("P="); at != std::string::npos; at = data.find("P=", at + 1)) {
      size_t i = at + 2;
      while (i < data.size() && std::isdigit(static_cast<unsigned char>(data[i]))) ++i;
      if (i > at + 2 && data.compare(i, 2, "/2") == 0 && i + 2 < data.size() &&
          (data[i + 2] == '{' || data[i + 2] == '/'))
        return true;
    }
    return false;
  };
  std::atomic<int> dropped{0};
  LossyRelay relay(port, [&](bool to_mgc, const std::string& data) {
    if (to_mgc && dropped == 0 && is_segment_two(data)) {
      ++dropped;
      return true;
    }
    return false;
  });
  TransactionTimers timers;
  timers.initial_retransmit = 200ms;
  Run r = run_call(port, relay.port(), "compact", 0, timers, MgcTransport::kUdp, "segments");
  ASSERT_TRUE(r.done) << dump(r);
  ASSERT_EQ(r.lines.count("FAIL"), 0u) << dump(r);
  EXPECT_EQ(r.lines["MAX_PDU"], "600") << dump(r);
  std::istringstream seg(r.lines["SEGMENTS"]);
  size_t segments = 0, actions = 0;
  std::string word;
  seg >> segments >> word >> actions;
  EXPECT_GE(segments, 3u) << dump(r);
  EXPECT_EQ(actions, 16u) << "every Add reply arrived, once" << dump(r);
  EXPECT_EQ(r.lines["SUBTRACTED"], "16") << dump(r);
  EXPECT_EQ(dropped, 1);
  EXPECT_EQ(tx_.segments_sent, segments);
  EXPECT_GE(tx_.segment_retransmissions, 1u) << "the lost segment was not sent again";
  EXPECT_GE(tx_.segment_replies_received, segments) << "megaco acknowledges every segment";
  EXPECT_EQ(tx_.responses_too_large, 0u);
  EXPECT_EQ(gateway_.context_count(), 0u);
  EXPECT_EQ(media_.reserved(), 0u);
}

}  // namespace
}  // namespace mediasec::h248
