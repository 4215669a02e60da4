// TransactionManager on a clock we move by hand: back-off, Pending and the long timer, duplicate
// requests, acks, the provisional Pending, and timeouts.
#include <gtest/gtest.h>

#include "host/h248/decode.h"
#include "host/h248/transaction_manager.h"

namespace mediasec::h248 {
namespace {

using namespace std::chrono_literals;

Message parse(const std::string& text) {
  auto m = decode(text);
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : describe(m.error()));
  return m.ok() ? *m : Message{};
}

Action notify_action() {
  Command n;
  n.type = CommandType::kNotify;
  n.terminations = {{"ROOT"}};
  n.descriptors.emplace_back(ObservedEventsDescriptor{1, {ObservedEvent{std::nullopt, "it/ito", std::nullopt, {}}}});
  Action a;
  a.commands.push_back(n);
  return a;
}

class TransactionManagerTest : public ::testing::Test {
 protected:
  TransactionManagerTest() : tm_({MessageId::Kind::kIp4, "127.0.0.1", 2944}, 3, timers()) {}
  static TransactionTimers timers() {
    TransactionTimers t;
    t.initial_retransmit = 100ms;
    t.max_retransmit = 400ms;
    t.request_timeout = 2000ms;
    t.long_timeout = 5000ms;
    t.provisional = 300ms;
    t.reply_retention = 1000ms;
    return t;
  }
  size_t sent_at(Clock::time_point t) {
    tm_.tick(t);
    return tm_.take_output().size();
  }
  Clock::time_point t0_ = Clock::now();
  TransactionManager tm_;
};

TEST_F(TransactionManagerTest, RetransmitsWithBackOffThenTimesOut) {
  std::optional<RequestResult> result;
  tm_.send_request({notify_action()}, [&](const RequestResult& r) { result = r; }, t0_);
  EXPECT_EQ(tm_.take_output().size(), 1u);
  EXPECT_EQ(sent_at(t0_ + 50ms), 0u);
  EXPECT_EQ(sent_at(t0_ + 100ms), 1u);   // after 100 ms
  EXPECT_EQ(sent_at(t0_ + 250ms), 0u);
  EXPECT_EQ(sent_at(t0_ + 300ms), 1u);   // then 200 ms later
  EXPECT_EQ(sent_at(t0_ + 700ms), 1u);   // then 400 ms (the cap)
  EXPECT_EQ(sent_at(t0_ + 1100ms), 1u);  // still 400 ms
  EXPECT_FALSE(result);
  tm_.tick(t0_ + 2000ms);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->outcome, RequestOutcome::kTimedOut);
  EXPECT_EQ(result->retransmissions, 4u);
  EXPECT_EQ(tm_.outstanding(), 0u);
}

TEST_F(TransactionManagerTest, PendingStopsRetransmissionUntilTheLongTimer) {
  std::optional<RequestResult> result;
  uint32_t id = tm_.send_request({notify_action()}, [&](const RequestResult& r) { result = r; }, t0_);
  tm_.take_output();
  tm_.receive(parse("!/3 [10.0.0.1]:2944\nPN=" + std::to_string(id) + "{}"), t0_ + 50ms);
  EXPECT_EQ(sent_at(t0_ + 1900ms), 0u);
  tm_.tick(t0_ + 2100ms);
  EXPECT_FALSE(result) << "the long timer applies after a Pending";
  tm_.receive(parse("!/3 [10.0.0.1]:2944\nP=" + std::to_string(id) + "{IA,C=-{N=ROOT}}"), t0_ + 3000ms);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->outcome, RequestOutcome::kReplied);
  EXPECT_EQ(result->pendings, 1u);
  auto out = tm_.take_output();
  ASSERT_EQ(out.size(), 1u) << "ImmAckRequired is acknowledged";
  EXPECT_NE(out[0].find("K{" + std::to_string(id) + "}"), std::string::npos) << out[0];
}

TEST_F(TransactionManagerTest, DuplicatesProvisionalPendingAndAcks) {
  int handled = 0;
  tm_.set_request_handler([&](const TransactionRequest&) { ++handled; });
  const Message req = parse("!/3 [10.0.0.1]:2944\nT=7{C=-{AV=ROOT}}");
  tm_.receive(req, t0_);
  EXPECT_EQ(handled, 1);
  tm_.receive(req, t0_ + 10ms);  // a retransmission while we work on it: Pending
  auto out = tm_.take_output();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NE(out[0].find("PN=7"), std::string::npos);
  EXPECT_EQ(handled, 1);
  TransactionReply r;
  r.id = 7;
  tm_.reply(r, t0_ + 20ms);
  ASSERT_EQ(tm_.take_output().size(), 1u);
  tm_.receive(req, t0_ + 30ms);  // after the reply: the stored reply again
  out = tm_.take_output();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NE(out[0].find("P=7"), std::string::npos);
  EXPECT_EQ(handled, 1);
  EXPECT_EQ(tm_.stats().duplicates_answered, 1u);
  // The MGC acknowledges: the stored reply is dropped, a late duplicate is a new request.
  tm_.receive(parse("!/3 [10.0.0.1]:2944\nK{5-9}"), t0_ + 40ms);
  tm_.receive(req, t0_ + 50ms);
  EXPECT_EQ(handled, 2);
  // Unanswered for longer than the provisional timer: Pending, once.
  tm_.take_output();
  EXPECT_EQ(sent_at(t0_ + 400ms), 1u);
  EXPECT_EQ(sent_at(t0_ + 800ms), 0u);
}

TEST_F(TransactionManagerTest, PendingLimits) {
  TransactionTimers t = timers();
  t.peer_pending_limit = 2;
  t.own_pending_limit = 1;
  tm_.set_timers(t);
  std::optional<RequestResult> result;
  uint32_t id = tm_.send_request({notify_action()}, [&](const RequestResult& r) { result = r; }, t0_);
  const Message pn = parse("!/3 [10.0.0.1]:2944\nPN=" + std::to_string(id) + "{}");
  tm_.receive(pn, t0_ + 10ms);
  tm_.receive(pn, t0_ + 20ms);
  EXPECT_FALSE(result);
  tm_.receive(pn, t0_ + 30ms);  // one Pending more than the MGC may send
  ASSERT_TRUE(result);
  EXPECT_EQ(result->outcome, RequestOutcome::kTimedOut);
  // We send at most one Pending per request.
  tm_.set_request_handler([](const TransactionRequest&) {});
  const Message req = parse("!/3 [10.0.0.1]:2944\nT=9{C=-{AV=ROOT}}");
  tm_.receive(req, t0_);
  tm_.take_output();
  tm_.receive(req, t0_ + 10ms);
  tm_.receive(req, t0_ + 20ms);
  tm_.tick(t0_ + 1000ms);
  EXPECT_EQ(tm_.take_output().size(), 1u);
}

}  // namespace
}  // namespace mediasec::h248
