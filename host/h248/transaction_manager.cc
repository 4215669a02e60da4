#include "host/h248/transaction_manager.h"

#include <algorithm>
#include <cstddef>

#include "host/h248/error_codes.h"

namespace mediasec::h248 {

TransactionManager::TransactionManager(MessageId own_mid, uint8_t version, TransactionTimers timers, Form form)
    : mid_(std::move(own_mid)), version_(version), timers_(timers), form_(form) {}

// One transaction in a message from us, encoded.
std::string TransactionManager::encode_one(Transaction t, uint8_t version) const {
  Message m;
  m.version = version;
  m.mid = mid_;
  m.transactions.push_back(std::move(t));
  return encode(m, {form_});
}

void TransactionManager::emit(Transaction t, uint8_t version) { output_.push_back(encode_one(std::move(t), version)); }

std::vector<std::string> TransactionManager::encode_reply(TransactionReply r, uint8_t version) {
  const uint32_t id = r.id;
  std::string whole = encode_one(r, version);
  if (max_message_size_ == 0 || whole.size() <= max_message_size_) return {std::move(whole)};
  auto too_large = [&] {
    ++stats_.responses_too_large;
    TransactionReply e;
    e.id = id;
    e.error = ErrorDescriptor{
        errors::kResponseExceedsMaximumPduSize,
        "reply of " + std::to_string(whole.size()) + " bytes exceeds " + std::to_string(max_message_size_)};
    return std::vector<std::string>{encode_one(std::move(e), version)};
  };
  if (version < 3 || r.error || r.actions.empty()) return too_large();
  // Greedy: as many whole actions per segment as fit. A segment is measured with the widest
  // segment number and the END mark, so its final encoding is never larger.
  auto segment_of = [&](size_t begin, size_t end, uint16_t number, bool last) {
    TransactionReply seg;
    seg.id = id;
    seg.segment = number;
    seg.segmentation_complete = last;
    seg.actions.assign(r.actions.begin() + static_cast<ptrdiff_t>(begin),
                       r.actions.begin() + static_cast<ptrdiff_t>(end));
    return encode_one(std::move(seg), version);
  };
  std::vector<std::pair<size_t, size_t>> ranges;
  size_t begin = 0;
  for (size_t end = 1; end <= r.actions.size(); ++end) {
    if (segment_of(begin, end, UINT16_MAX, true).size() <= max_message_size_) continue;
    if (end - begin == 1) return too_large();  // this action's reply alone does not fit
    ranges.emplace_back(begin, end - 1);
    begin = end - 1;
    if (segment_of(begin, end, UINT16_MAX, true).size() > max_message_size_) return too_large();
  }
  ranges.emplace_back(begin, r.actions.size());
  if (ranges.size() >= UINT16_MAX) return too_large();
  std::vector<std::string> segments;
  for (size_t i = 0; i < ranges.size(); ++i)
    segments.push_back(
        segment_of(ranges[i].first, ranges[i].second, static_cast<uint16_t>(i + 1), i + 1 == ranges.size()));
  stats_.segments_sent += segments.size();
  return segments;
}

size_t TransactionManager::send_unacknowledged(const Incoming& in) {
  size_t sent = 0;
  for (size_t i = 0; i < in.encoded_reply.size(); ++i) {
    if (i < in.segment_acked.size() && in.segment_acked[i]) continue;
    output_.push_back(in.encoded_reply[i]);
    ++sent;
  }
  return sent;
}

uint32_t TransactionManager::send_request(std::vector<Action> actions, ReplyCallback callback, Clock::time_point now) {
  const uint32_t id = next_id_;
  next_id_ = next_id_ == 0xFFFFFFFDu ? 1 : next_id_ + 1;
  Outgoing o;
  o.encoded = encode_one(TransactionRequest{id, std::move(actions)}, version_);
  o.callback = std::move(callback);
  o.interval = timers_.initial_retransmit;
  o.next_send = now + o.interval;
  o.give_up = now + timers_.request_timeout;
  output_.push_back(o.encoded);
  outgoing_[id] = std::move(o);
  ++stats_.requests_sent;
  return id;
}

void TransactionManager::reply(TransactionReply r, Clock::time_point now) {
  auto it = incoming_.find(r.id);
  if (it == incoming_.end() || it->second.answered) return;
  Incoming& in = it->second;
  in.answered = true;
  in.encoded_reply = encode_reply(std::move(r), in.version);
  in.expires = now + timers_.reply_retention;
  retention_.emplace_back(in.expires, it->first);
  send_unacknowledged(in);
  if (in.encoded_reply.size() > 1) {
    in.segment_acked.assign(in.encoded_reply.size(), false);
    in.segment_interval = timers_.initial_retransmit;
    in.segment_resend = now + in.segment_interval;
    segmented_.insert(it->first);
  }
}

void TransactionManager::reject(uint32_t id, ErrorDescriptor error, Clock::time_point now) {
  auto [it, fresh] = incoming_.try_emplace(id);
  if (fresh) {
    it->second.received = now;
    it->second.version = version_;
  }
  TransactionReply r;
  r.id = id;
  r.error = std::move(error);
  reply(std::move(r), now);
}

void TransactionManager::reject_message(ErrorDescriptor error) {
  Message m;
  m.version = version_;
  m.mid = mid_;
  m.error = std::move(error);
  output_.push_back(encode(m, {form_}));
  ++stats_.messages_rejected;
}

void TransactionManager::finish(uint32_t id, RequestResult result) {
  auto it = outgoing_.find(id);
  if (it == outgoing_.end()) return;
  ReplyCallback cb = std::move(it->second.callback);
  result.retransmissions = it->second.retransmissions;
  result.pendings = it->second.pendings;
  outgoing_.erase(it);
  if (cb) cb(result);
}

void TransactionManager::receive(const Message& message, Clock::time_point now) {
  // A reply goes in the version of the request's message, never above the association's: one
  // MEGACO/1 request does not turn the association, its segmentation or later v3 requests, to v1.
  const uint8_t version = message.version >= 1 ? std::min(message.version, version_) : version_;
  std::vector<TransactionAck> acks;
  for (const Transaction& t : message.transactions) {
    if (auto* req = std::get_if<TransactionRequest>(&t)) {
      auto it = incoming_.find(req->id);
      if (it != incoming_.end()) {
        // A retransmission: the stored reply, or Pending while we are still working on it.
        if (it->second.answered) {
          // Every segment acknowledged and still asked again: the peer lost them all, send all.
          if (send_unacknowledged(it->second) == 0)
            for (const std::string& m : it->second.encoded_reply) output_.push_back(m);
          ++stats_.duplicates_answered;
        } else if (it->second.pendings < timers_.own_pending_limit) {
          emit(TransactionPending{req->id}, it->second.version);
          it->second.pending_sent = true;
          ++it->second.pendings;
          ++stats_.pendings_sent;
        }
        continue;
      }
      Incoming in;
      in.received = now;
      in.version = version;
      incoming_[req->id] = std::move(in);
      provisional_.emplace_back(now + timers_.provisional, req->id);
      if (handler_) handler_(*req);
    } else if (auto* rep = std::get_if<TransactionReply>(&t)) {
      if (rep->immediate_ack_required) acks.push_back({rep->id, rep->id});
      receive_reply(*rep, now);
    } else if (auto* sm = std::get_if<SegmentReply>(&t)) {
      ++stats_.segment_replies_received;
      auto it = incoming_.find(sm->id);
      if (it != incoming_.end() && sm->segment >= 1 && sm->segment <= it->second.segment_acked.size())
        it->second.segment_acked[sm->segment - 1] = true;
    } else if (auto* pn = std::get_if<TransactionPending>(&t)) {
      auto it = outgoing_.find(pn->id);
      if (it != outgoing_.end()) {
        // The peer is working on it: stop retransmitting, wait for the long timer.
        ++it->second.pendings;
        ++stats_.pendings_received;
        if (it->second.pendings > timers_.peer_pending_limit) {
          ++stats_.requests_timed_out;
          RequestResult r;
          r.outcome = RequestOutcome::kTimedOut;
          finish(pn->id, std::move(r));
          continue;
        }
        it->second.give_up = now + timers_.long_timeout;
        it->second.next_send = it->second.give_up;
      }
    } else if (auto* k = std::get_if<TransactionResponseAck>(&t)) {
      for (const TransactionAck& a : k->acks) {
        ++stats_.acks_received;
        // Our stored replies are no longer needed.
        for (auto it = incoming_.lower_bound(a.first); it != incoming_.end() && it->first <= a.last;) {
          if (it->second.answered) {
            it = incoming_.erase(it);
          } else {
            ++it;
          }
        }
      }
    }
  }
  if (!acks.empty()) {
    emit(TransactionResponseAck{std::move(acks)}, version);
    ++stats_.acks_sent;
  }
}

void TransactionManager::receive_reply(const TransactionReply& rep, Clock::time_point now) {
  if (!rep.segment) {
    if (outgoing_.count(rep.id)) {
      RequestResult r;
      r.reply = rep;
      finish(rep.id, std::move(r));
    }
    return;
  }
  // Segments are numbered from 1 (H.248.1 8.1.1): a "segment 0" is neither acknowledged nor kept,
  // or it would stand before segment 1 and the reply could never be complete.
  if (*rep.segment == 0) return;
  // A segment: acknowledged whether or not it is new, kept until all have arrived.
  ++stats_.segments_received;
  emit(SegmentReply{rep.id, *rep.segment, rep.segmentation_complete}, version_);
  auto it = outgoing_.find(rep.id);
  if (it == outgoing_.end()) return;
  Outgoing& o = it->second;
  o.segments.insert_or_assign(*rep.segment, rep);
  if (rep.segmentation_complete) o.last_segment = *rep.segment;
  // The peer has answered: stop retransmitting and wait for the rest until the long timer.
  o.give_up = now + timers_.long_timeout;
  o.next_send = o.give_up;
  const bool complete = o.last_segment && o.segments.begin()->first == 1 &&
                        o.segments.rbegin()->first == *o.last_segment && o.segments.size() == *o.last_segment;
  if (!complete) return;
  RequestResult r;
  r.reply.id = rep.id;
  for (auto& [number, seg] : o.segments) {
    for (Action& a : seg.actions) r.reply.actions.push_back(std::move(a));
    if (seg.error && !r.reply.error) r.reply.error = std::move(seg.error);
  }
  finish(rep.id, std::move(r));
}

void TransactionManager::tick(Clock::time_point now) {
  std::vector<uint32_t> expired;
  for (auto& [id, o] : outgoing_) {
    if (now >= o.give_up) {
      expired.push_back(id);
    } else if (now >= o.next_send) {
      output_.push_back(o.encoded);
      ++o.retransmissions;
      ++stats_.retransmissions;
      o.interval = std::min(o.interval * 2, timers_.max_retransmit);
      o.next_send = now + o.interval;
    }
  }
  for (uint32_t id : expired) {
    ++stats_.requests_timed_out;
    RequestResult r;
    r.outcome = RequestOutcome::kTimedOut;
    finish(id, std::move(r));
  }
  while (!retention_.empty() && retention_.front().first <= now) {
    auto it = incoming_.find(retention_.front().second);
    // The entry may be gone (acknowledged) or belong to a newer request with the same ID.
    if (it != incoming_.end() && it->second.answered && it->second.expires <= now) incoming_.erase(it);
    retention_.pop_front();
  }
  for (auto sit = segmented_.begin(); sit != segmented_.end();) {
    auto it = incoming_.find(*sit);
    if (it == incoming_.end() || !it->second.answered ||
        std::all_of(it->second.segment_acked.begin(), it->second.segment_acked.end(), [](bool b) { return b; })) {
      sit = segmented_.erase(sit);
      continue;
    }
    Incoming& in = it->second;
    if (now >= in.segment_resend) {
      send_unacknowledged(in);
      ++stats_.segment_retransmissions;
      in.segment_interval = std::min(in.segment_interval * 2, timers_.max_retransmit);
      in.segment_resend = now + in.segment_interval;
    }
    ++sit;
  }
  while (!provisional_.empty() && provisional_.front().first <= now) {
    auto it = incoming_.find(provisional_.front().second);
    if (it != incoming_.end() && !it->second.answered && !it->second.pending_sent &&
        it->second.pendings < timers_.own_pending_limit) {
      emit(TransactionPending{it->first}, it->second.version);
      it->second.pending_sent = true;
      ++it->second.pendings;
      ++stats_.pendings_sent;
    }
    provisional_.pop_front();
  }
}

Clock::time_point TransactionManager::next_deadline() const {
  Clock::time_point next = Clock::time_point::max();
  for (const auto& [id, o] : outgoing_) next = std::min({next, o.next_send, o.give_up});
  if (!retention_.empty()) next = std::min(next, retention_.front().first);
  if (!provisional_.empty()) next = std::min(next, provisional_.front().first);
  for (uint32_t id : segmented_)
    if (auto it = incoming_.find(id); it != incoming_.end()) next = std::min(next, it->second.segment_resend);
  return next;
}

std::vector<std::string> TransactionManager::take_output() {
  std::vector<std::string> out(std::make_move_iterator(output_.begin()), std::make_move_iterator(output_.end()));
  output_.clear();
  return out;
}

void TransactionManager::cancel_all() {
  while (!outgoing_.empty()) {
    RequestResult r;
    r.outcome = RequestOutcome::kCancelled;
    finish(outgoing_.begin()->first, std::move(r));
  }
}

}  // namespace mediasec::h248
