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
  tm_.send_request(
      {notify_action()}, [&](const RequestResult& r) { result = r; }, t0_);
  EXPECT_EQ(tm_.take_output().size(), 1u);
  EXPECT_EQ(sent_at(t0_ + 50ms), 0u);
  EXPECT_EQ(sent_at(t0_ + 100ms), 1u);  // after 100 ms
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
  uint32_t id = tm_.send_request(
      {notify_action()}, [&](const RequestResult& r) { result = r; }, t0_);
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
  uint32_t id = tm_.send_request(
      {notify_action()}, [&](const RequestResult& r) { result = r; }, t0_);
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

// ---- segmentation (H.248.1 v3) ---------------------------------------------------------------

// A reply with `n` actions, each an Add reply of about 100 bytes.
TransactionReply big_reply(uint32_t id, size_t n) {
  TransactionReply r;
  r.id = id;
  for (size_t i = 0; i < n; ++i) {
    Command c;
    c.type = CommandType::kAdd;
    c.terminations = {{"tls/" + std::to_string(1000 + i)}};
    MediaDescriptor m;
    StreamParms sp;
    sp.local = "v=0\r\nc=IN IP4 192.0.2.1\r\nm=message " + std::to_string(20000 + i) + " TCP/TLS/MSRP *\r\n";
    m.streams.push_back(StreamDescriptor{1, sp});
    c.descriptors.emplace_back(std::move(m));
    Action a;
    a.context = ContextId{static_cast<uint32_t>(i + 1)};
    a.commands.push_back(std::move(c));
    r.actions.push_back(std::move(a));
  }
  return r;
}

std::string request_text(uint32_t id, int version = 3) {
  return "!/" + std::to_string(version) + " [10.0.0.1]:2944\nT=" + std::to_string(id) + "{C=-{AV=ROOT}}";
}

// A version `version` request T=id, answered with `actions` action replies by a manager that may
// send at most `limit` bytes per message; what the manager sent.
std::vector<std::string> answer_big(TransactionManager& tm, uint32_t id, size_t actions, size_t limit,
                                    Clock::time_point at, int version = 3) {
  tm.set_max_message_size(limit);
  tm.receive(parse(request_text(id, version)), at);
  tm.reply(big_reply(id, actions), at);
  return tm.take_output();
}

TEST_F(TransactionManagerTest, SegmentsALargeReplyAtActionBoundaries) {
  auto out = answer_big(tm_, 7, 12, 600, t0_);
  ASSERT_GT(out.size(), 1u);
  std::vector<Action> actions;
  for (size_t i = 0; i < out.size(); ++i) {
    EXPECT_LE(out[i].size(), 600u);
    Message m = parse(out[i]);
    ASSERT_EQ(m.transactions.size(), 1u);
    auto* rep = std::get_if<TransactionReply>(&m.transactions[0]);
    ASSERT_NE(rep, nullptr);
    EXPECT_EQ(rep->id, 7u);
    EXPECT_EQ(rep->segment, i + 1);
    EXPECT_EQ(rep->segmentation_complete, i + 1 == out.size());
    for (auto& a : rep->actions) actions.push_back(a);
  }
  // Every action, once, in order.
  ASSERT_EQ(actions.size(), 12u);
  for (uint32_t i = 0; i < 12; ++i) {
    EXPECT_EQ(actions[i].context, ContextId{i + 1});
    EXPECT_EQ(actions[i].commands.at(0).terminations.at(0).name, "tls/" + std::to_string(1000 + i));
  }
  EXPECT_EQ(tm_.stats().segments_sent, out.size());
}

TEST_F(TransactionManagerTest, RetransmitsUnacknowledgedSegmentsUntilSegmentReplies) {
  const size_t segments = answer_big(tm_, 7, 12, 300, t0_).size();
  ASSERT_GE(segments, 3u);
  // The peer acknowledges all but segment 2.
  for (size_t n = 1; n <= segments; ++n) {
    if (n == 2) continue;
    tm_.receive(parse("!/3 [10.0.0.1]:2944\nSM=7/" + std::to_string(n) + (n == segments ? "/END" : "")), t0_ + 10ms);
  }
  EXPECT_EQ(sent_at(t0_ + 50ms), 0u);
  tm_.tick(t0_ + 100ms);
  auto again = tm_.take_output();
  ASSERT_EQ(again.size(), 1u) << "only the unacknowledged segment goes again";
  EXPECT_EQ(std::get<TransactionReply>(parse(again[0]).transactions[0]).segment, 2);
  EXPECT_EQ(sent_at(t0_ + 300ms), 1u) << "with back-off";
  // A retransmitted request also brings back only what is missing.
  tm_.receive(parse(request_text(7)), t0_ + 310ms);
  EXPECT_EQ(tm_.take_output().size(), 1u);
  tm_.receive(parse("!/3 [10.0.0.1]:2944\nSM=7/2"), t0_ + 320ms);
  EXPECT_EQ(sent_at(t0_ + 2000ms), 0u) << "all acknowledged: nothing more";
  EXPECT_EQ(tm_.stats().segment_retransmissions, 2u);
  EXPECT_EQ(tm_.stats().segment_replies_received, segments);
}

TEST_F(TransactionManagerTest, ReplyThatCannotBeSegmentedBecomesError533) {
  // One action's reply alone is larger than the limit.
  auto out = answer_big(tm_, 8, 3, 120, t0_);
  ASSERT_EQ(out.size(), 1u);
  auto rep = std::get<TransactionReply>(parse(out[0]).transactions[0]);
  ASSERT_TRUE(rep.error);
  EXPECT_EQ(rep.error->code, 533);
  EXPECT_FALSE(rep.segment);
  // Version 2 has no segmentation: a reply over the limit is refused the same way.
  TransactionManager v2({MessageId::Kind::kIp4, "127.0.0.1", 2944}, 2, timers());
  out = answer_big(v2, 9, 12, 600, t0_, 2);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(std::get<TransactionReply>(parse(out[0]).transactions[0]).error->code, 533);
  EXPECT_EQ(v2.stats().responses_too_large, 1u);
}

TEST_F(TransactionManagerTest, EachReplyFollowsItsRequestsVersionAndOneV1RequestChangesNothingElse) {
  // A MEGACO/1 request is answered in version 1, without segmentation (version 1 has none).
  auto v1 = answer_big(tm_, 20, 12, 600, t0_, 1);
  ASSERT_EQ(v1.size(), 1u);
  EXPECT_EQ(parse(v1[0]).version, 1);
  EXPECT_EQ(std::get<TransactionReply>(parse(v1[0]).transactions[0]).error->code, 533);
  // The next v3 request is answered in version 3 and segmented as before.
  auto v3 = answer_big(tm_, 21, 12, 600, t0_ + 10ms, 3);
  ASSERT_GT(v3.size(), 1u) << "segmentation was switched off by the earlier v1 request";
  for (const auto& m : v3) EXPECT_EQ(parse(m).version, 3);
  // And our own requests keep the association's version.
  tm_.send_request({notify_action()}, nullptr, t0_ + 20ms);
  auto out = tm_.take_output();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(parse(out[0]).version, 3);
}

TEST_F(TransactionManagerTest, ASegmentNumberedZeroIsNeitherAcknowledgedNorKept) {
  std::optional<RequestResult> result;
  const uint32_t id = tm_.send_request(
      {notify_action()}, [&](const RequestResult& r) { result = r; }, t0_);
  tm_.take_output();
  const std::string head = "!/3 [10.0.0.1]:2944\nP=" + std::to_string(id);
  tm_.receive(parse(head + "/0{C=9{N=ROOT}}"), t0_ + 10ms);
  EXPECT_TRUE(tm_.take_output().empty()) << "segment 0 was acknowledged";
  tm_.receive(parse(head + "/1{C=1{N=ROOT}}"), t0_ + 20ms);
  tm_.receive(parse(head + "/2/END{C=2{N=ROOT}}"), t0_ + 30ms);
  ASSERT_TRUE(result) << "segment 0 kept the reply from completing";
  EXPECT_EQ(result->reply.actions.size(), 2u);
}

TEST_F(TransactionManagerTest, PutsASegmentedReplyToOurRequestBackTogether) {
  std::optional<RequestResult> result;
  const uint32_t id = tm_.send_request(
      {notify_action()}, [&](const RequestResult& r) { result = r; }, t0_);
  tm_.take_output();
  const std::string head = "!/3 [10.0.0.1]:2944\nP=" + std::to_string(id);
  // Out of order: 2, then the last (3), then 1; each acknowledged with a SegmentReply.
  tm_.receive(parse(head + "/2{C=2{N=ROOT}}"), t0_ + 10ms);
  tm_.receive(parse(head + "/3/END{C=3{N=ROOT}}"), t0_ + 20ms);
  EXPECT_FALSE(result);
  EXPECT_EQ(sent_at(t0_ + 1500ms), 2u) << "no request retransmission once segments arrive; only the 2 acks";
  tm_.receive(parse(head + "/1{C=1{N=ROOT}}"), t0_ + 1600ms);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->outcome, RequestOutcome::kReplied);
  ASSERT_EQ(result->reply.actions.size(), 3u);
  for (uint32_t i = 0; i < 3; ++i) EXPECT_EQ(result->reply.actions[i].context, ContextId{i + 1});
  auto acks = tm_.take_output();
  ASSERT_EQ(acks.size(), 1u);
  auto sm = std::get<SegmentReply>(parse(acks[0]).transactions[0]);
  EXPECT_EQ(sm.id, id);
  EXPECT_EQ(sm.segment, 1);
  EXPECT_EQ(tm_.stats().segments_received, 3u);
}

}  // namespace
}  // namespace mediasec::h248
