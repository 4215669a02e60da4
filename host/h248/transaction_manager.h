// H.248.1 transactions with one peer, over an unreliable transport (Annex D.1 application-level
// framing): request retransmission with back-off, duplicate requests answered from stored
// replies, Pending when a request outlives the provisional timer, long timer after a Pending,
// TransactionResponseAck for replies that ask for it (ImmAckRequired) and for our stored replies.
// Segmentation (H.248.1 v3): a reply larger than the largest message we may send is split into
// segments at action boundaries, each retransmitted until the peer's SegmentReply acknowledges
// it; segmented replies to our own requests are acknowledged and put back together.
//
// Sans I/O: the caller feeds received messages and the time, and sends what take_output()
// returns. One manager per peer: each has its own transaction-ID space.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "host/h248/encode.h"
#include "host/h248/message.h"

namespace mediasec::h248 {

using Clock = std::chrono::steady_clock;
using Millis = std::chrono::milliseconds;

struct TransactionTimers {
  Millis initial_retransmit{1000};   // first retransmission of a request
  Millis max_retransmit{8000};       // back-off doubles up to this
  Millis request_timeout{30000};     // no reply and no Pending: give up (normalMGExecutionTime-ish)
  Millis long_timeout{60000};        // after a Pending: give up if no reply by then
  Millis provisional{1000};          // MGProvisionalResponseTimerValue: send Pending after this
  Millis reply_retention{30000};     // keep replies to answer duplicates
  unsigned peer_pending_limit = 16;  // MGCOriginatedPendingLimit: more Pendings fail the request
  unsigned own_pending_limit = 16;   // MGOriginatedPendingLimit: Pendings we send per request
};

enum class RequestOutcome : uint8_t { kReplied, kTimedOut, kCancelled };

struct RequestResult {
  RequestOutcome outcome = RequestOutcome::kReplied;
  TransactionReply reply;  // when kReplied
  unsigned retransmissions = 0;
  unsigned pendings = 0;
};

struct TransactionStats {
  uint64_t requests_sent = 0;
  uint64_t retransmissions = 0;
  uint64_t requests_timed_out = 0;
  uint64_t pendings_received = 0;
  uint64_t pendings_sent = 0;
  uint64_t duplicates_answered = 0;
  uint64_t acks_sent = 0;
  uint64_t acks_received = 0;
  uint64_t segments_sent = 0;  // segments of our replies, first transmissions
  uint64_t segment_retransmissions = 0;
  uint64_t segment_replies_received = 0;
  uint64_t segments_received = 0;    // segments of replies to our requests
  uint64_t responses_too_large = 0;  // replies that became error 533
  uint64_t messages_rejected = 0;    // message-level errors sent (400, 406)
};

class TransactionManager {
 public:
  using ReplyCallback = std::function<void(const RequestResult&)>;
  // A received request. The handler answers now or later through reply(); until it does,
  // duplicates are answered with Pending.
  using RequestHandler = std::function<void(const TransactionRequest&)>;

  TransactionManager(MessageId own_mid, uint8_t version, TransactionTimers timers, Form form = Form::kCompact);

  void set_request_handler(RequestHandler handler) { handler_ = std::move(handler); }
  void set_version(uint8_t version) { version_ = version; }
  // The largest message we send, in bytes (0: no limit, as over TCP). A reply that does not fit
  // is segmented; without version 3, or when one action's reply alone does not fit, the reply
  // becomes error 533 (response exceeds maximum transport PDU size).
  void set_max_message_size(size_t bytes) { max_message_size_ = bytes; }
  size_t max_message_size() const { return max_message_size_; }
  // New timers apply to what is sent and received from now on.
  void set_timers(const TransactionTimers& timers) { timers_ = timers; }
  const TransactionTimers& timers() const { return timers_; }

  // Sends a request; the callback runs once with the reply, a timeout or a cancellation.
  uint32_t send_request(std::vector<Action> actions, ReplyCallback callback, Clock::time_point now);
  // Answers a received request (the reply's id selects it).
  void reply(TransactionReply reply, Clock::time_point now);
  // Answers a request that could not be decoded (its ID was readable) with an error.
  void reject(uint32_t id, ErrorDescriptor error, Clock::time_point now);
  // Answers a message none of whose transactions could be identified (a syntax error before the
  // first transaction ID, an unsupported version) with a message-level error, H.248.1 8.2.2.
  void reject_message(ErrorDescriptor error);
  // Feeds one received message.
  void receive(const Message& message, Clock::time_point now);
  // Retransmissions, Pendings and timeouts due by now.
  void tick(Clock::time_point now);
  // The next time tick() has something to do.
  Clock::time_point next_deadline() const;
  // Messages to send, encoded, in order.
  std::vector<std::string> take_output();
  // Gives up every outstanding request (their callbacks run with kCancelled).
  void cancel_all();

  size_t outstanding() const { return outgoing_.size(); }
  const TransactionStats& stats() const { return stats_; }

 private:
  struct Outgoing {
    std::string encoded;
    ReplyCallback callback;
    Clock::time_point next_send;
    Clock::time_point give_up;
    Millis interval;
    unsigned retransmissions = 0;
    unsigned pendings = 0;
    std::map<uint16_t, TransactionReply> segments;  // of a segmented reply, by number
    std::optional<uint16_t> last_segment;           // the number of the one marked END
  };
  struct Incoming {
    uint8_t version = 1;  // of the message the request came in: its reply's
    bool answered = false;
    Clock::time_point received;
    Clock::time_point expires;  // answered: when the stored reply is dropped
    bool pending_sent = false;
    unsigned pendings = 0;
    std::vector<std::string> encoded_reply;  // one message, or one per segment
    std::vector<bool> segment_acked;         // segmented: the peer's SegmentReplies so far
    Clock::time_point segment_resend;        // segmented: when unacknowledged segments go again
    Millis segment_interval{0};
  };

  std::string encode_one(Transaction t, uint8_t version) const;
  // The messages that carry a reply: one, its segments, or an error 533 when it cannot fit.
  std::vector<std::string> encode_reply(TransactionReply r, uint8_t version);
  size_t send_unacknowledged(const Incoming& in);  // returns how many were sent
  void receive_reply(const TransactionReply& reply, Clock::time_point now);
  void emit(Transaction t, uint8_t version);
  void finish(uint32_t id, RequestResult result);

  MessageId mid_;
  uint8_t version_;
  TransactionTimers timers_;
  Form form_;
  RequestHandler handler_;
  uint32_t next_id_ = 1;
  std::map<uint32_t, Outgoing> outgoing_;
  std::map<uint32_t, Incoming> incoming_;
  // Timers in the order they fire, so tick() and next_deadline() do not walk every stored reply:
  // replies expire in the order they were sent (the retention is constant), and requests not yet
  // answered wait for the provisional timer in the order they arrived.
  std::deque<std::pair<Clock::time_point, uint32_t>> retention_;
  std::deque<std::pair<Clock::time_point, uint32_t>> provisional_;
  std::set<uint32_t> segmented_;  // answered requests whose segments are not all acknowledged
  size_t max_message_size_ = 0;
  std::deque<std::string> output_;
  TransactionStats stats_;
};

}  // namespace mediasec::h248
