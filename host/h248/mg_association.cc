#include "host/h248/mg_association.h"

#include <algorithm>
#include <cstdlib>
#include <thread>

#include "base/ascii.h"
#include "base/log_text.h"
#include "host/h248/decode.h"
#include "host/h248/error_codes.h"

namespace mediasec::h248 {
namespace {
// The smallest seg/mgcmaxpdusize we accept: a segment must hold a whole action reply.
constexpr size_t kMinMessageSize = 512;

// The text of the error we send for a message we could not decode: what the decoder found, in
// printable ASCII without quotes (the MGC's decoder must take it), at most 80 characters.
std::string error_text(const DecodeError& e) {
  std::string text;
  for (char c : e.reason) {
    if (text.size() == 80) break;
    if (c >= 0x20 && c < 0x7f && c != '"') text += c;
  }
  return text;
}
// The gateway's reply has command `ci` of action `ai`, and without an error: it was carried out.
bool command_accepted(const TransactionReply& reply, size_t ai, size_t ci) {
  if (reply.error || ai >= reply.actions.size()) return false;
  const Action& a = reply.actions[ai];
  if (a.error || ci >= a.commands.size()) return false;
  for (const Descriptor& d : a.commands[ci].descriptors)
    if (std::holds_alternative<ErrorDescriptor>(d)) return false;
  return true;
}
}  // namespace

ProfileId default_profile(Profile p) {
  switch (p) {
    case Profile::kIq: return {"3GPP_Iq", 1};
    case Profile::kIx: return {"3GPP_Ix", 1};
    case Profile::kMp: return {"3GPP_Mp", 1};
  }
  return {"3GPP_Iq", 1};
}

const char* to_string(AssociationState s) {
  switch (s) {
    case AssociationState::kIdle: return "idle";
    case AssociationState::kRegistering: return "registering";
    case AssociationState::kRegistered: return "registered";
    case AssociationState::kDisconnected: return "disconnected";
    case AssociationState::kShutDown: return "shut down";
  }
  return "?";
}

Result<std::unique_ptr<MgAssociation>> MgAssociation::open(AssociationConfig config, Gateway& gateway) {
  if (config.mgcs.empty()) return make_error(ErrorCode::kInvalidArgument, "no MGC configured");
  for (const MgcPeer& p : config.mgcs) {
    auto e = net::Endpoint::parse(p.host, p.port);
    if (!e) return e.error();
  }
  auto local = net::Endpoint::parse(config.local_address, config.local_port);
  if (!local) return local.error();
  auto socket = net::UdpSocket::bind(*local);
  if (!socket) return socket.error();
  return std::unique_ptr<MgAssociation>(new MgAssociation(std::move(config), gateway, std::move(socket).value()));
}

MgAssociation::MgAssociation(AssociationConfig config, Gateway& gateway, net::UdpSocket socket)
    : config_(std::move(config)), gateway_(gateway), socket_(std::move(socket)) {
  if (config_.transport == MgcTransport::kTcp) config_.timers.initial_retransmit = config_.timers.request_timeout;
  use_mgc(*net::Endpoint::parse(config_.mgcs.front().host, config_.mgcs.front().port));
}

// Lines carry text from the wire (a message's own words in a decode error): escaped, so a sender
// cannot write lines of its own into the log.
void MgAssociation::log(std::string line) { log_.push_back(log_text(line)); }

std::vector<std::string> MgAssociation::take_log() {
  std::vector<std::string> out;
  out.swap(log_);
  return out;
}

// A new peer: a new transaction-ID space.
void MgAssociation::use_mgc(const net::Endpoint& mgc) {
  if (transactions_) transactions_->cancel_all();
  mgc_ = mgc;
  tcp_.reset();
  tpkt_ = TpktReader();
  const net::Endpoint me = socket_.local();
  MessageId mid{me.storage.ss_family == AF_INET6 ? MessageId::Kind::kIp6 : MessageId::Kind::kIp4, me.host(), me.port()};
  transactions_ = std::make_unique<TransactionManager>(mid, config_.version, config_.timers, config_.form);
  transactions_->set_request_handler([this](const TransactionRequest& r) { on_request(r); });
  mgc_max_message_size_ = 0;
  transactions_->set_max_message_size(max_message_size());
}

size_t MgAssociation::max_message_size() const {
  constexpr size_t kUdpMaxPayload = 65507;
  size_t limit = config_.transport == MgcTransport::kUdp ? kUdpMaxPayload : kTpktMaxPayload;
  if (config_.max_message_size != 0) limit = std::min(limit, config_.max_message_size);
  if (mgc_max_message_size_ != 0) limit = std::min(limit, mgc_max_message_size_);
  return limit;
}

void MgAssociation::start() { register_with(0, ServiceChangeMethod::kRestart, "901 Cold Boot"); }

// ServiceChange on ROOT with our version and profile.
Action MgAssociation::service_change(ServiceChangeMethod method, std::string reason, uint32_t delay_s) const {
  ServiceChangeDescriptor sc;
  sc.method = method;
  sc.reason.emplace(std::move(reason));
  if (delay_s) sc.delay = delay_s;
  sc.version = config_.version;
  sc.profile = config_.profile.name + "/" + std::to_string(config_.profile.version);
  Command cmd;
  cmd.type = CommandType::kServiceChange;
  cmd.terminations = {TerminationId{"ROOT"}};
  cmd.descriptors.emplace_back(std::move(sc));
  Action a;
  a.context = ContextId::null();
  a.commands.push_back(std::move(cmd));
  return a;
}

void MgAssociation::register_with(size_t index, ServiceChangeMethod method, std::string reason) {
  mgc_index_ = index % config_.mgcs.size();
  use_mgc(*net::Endpoint::parse(config_.mgcs[mgc_index_].host, config_.mgcs[mgc_index_].port));
  state_ =
      method == ServiceChangeMethod::kDisconnected ? AssociationState::kDisconnected : AssociationState::kRegistering;
  Action a = service_change(method, std::move(reason));
  log("registering with MGC " + mgc_.to_string() + " (" + to_string(state_) + ")");
  transactions_->send_request(
      {std::move(a)},
      [this, method](const RequestResult& r) { defer([this, method, r] { on_registration_reply(r, method); }); },
      Clock::now());
  flush();
}

std::optional<net::Endpoint> MgAssociation::parse_mid(const std::string& text) const {
  // "[10.0.0.1]:2944", "10.0.0.1:2944", or a bare port (same host).
  std::string host = mgc_.host();
  uint16_t port = 2944;
  std::string t = text;
  if (!t.empty() && t.front() == '[') {
    size_t close = t.find(']');
    if (close == std::string::npos) return std::nullopt;
    host = t.substr(1, close - 1);
    t = t.substr(close + 1);
    if (!t.empty() && t.front() == ':') t = t.substr(1);
  } else if (size_t colon = t.rfind(':'); colon != std::string::npos) {
    host = t.substr(0, colon);
    t = t.substr(colon + 1);
  }
  if (!t.empty()) {
    try {
      port = static_cast<uint16_t>(std::stoul(t));
    } catch (...) {
      return std::nullopt;
    }
  }
  auto e = net::Endpoint::parse(host, port);
  if (!e) return std::nullopt;
  return *e;
}

void MgAssociation::on_registration_reply(const RequestResult& result, ServiceChangeMethod method) {
  if (state_ == AssociationState::kShutDown) return;
  if (result.outcome == RequestOutcome::kCancelled) return;
  if (result.outcome == RequestOutcome::kTimedOut) {
    log("MGC " + mgc_.to_string() + " did not answer the ServiceChange");
    size_t next = mgc_index_ + 1;
    if (next >= config_.mgcs.size()) {
      retry_at_ = Clock::now() + config_.retry_after_all_failed;  // then start over
      return;
    }
    register_with(next, method,
                  method == ServiceChangeMethod::kDisconnected ? "900 Service Restored" : "901 Cold Boot");
    return;
  }
  const TransactionReply& reply = result.reply;
  std::optional<std::string> redirect;
  bool refused = reply.error.has_value();
  for (const Action& a : reply.actions) {
    for (const Command& c : a.commands) {
      for (const Descriptor& d : c.descriptors) {
        if (std::holds_alternative<ErrorDescriptor>(d)) refused = true;
        if (auto* sc = std::get_if<ServiceChangeDescriptor>(&d)) {
          if (sc->mgc_id) redirect = sc->mgc_id;
          if (sc->version && *sc->version < config_.version)
            transactions_->set_version(static_cast<uint8_t>(*sc->version));
        }
      }
    }
  }
  if (redirect) {
    if (auto to = parse_mid(*redirect)) {
      hand_off_to(*to);
      return;
    }
  }
  if (refused) {
    log("MGC " + mgc_.to_string() + " refused the registration");
    register_with(mgc_index_ + 1, method, "901 Cold Boot");
    return;
  }
  state_ = AssociationState::kRegistered;
  ++stats_.registrations;
  last_heard_ = Clock::now();
  log("registered with MGC " + mgc_.to_string());
}

void MgAssociation::lost_mgc(const std::string& why) {
  if (state_ != AssociationState::kRegistered) return;
  ++stats_.disconnections;
  log("lost MGC " + mgc_.to_string() + ": " + why + "; contexts kept, re-registering");
  register_with(mgc_index_, ServiceChangeMethod::kDisconnected, "900 Service Restored");
}

void MgAssociation::on_request(const TransactionRequest& request) {
  // The gateway answers first; what a ROOT command asks of the association (timers, the
  // inactivity timer, a HandOff) is applied only when the gateway accepted that command, so a
  // refused Modify changes nothing.
  TransactionReply reply = gateway_.handle(request);
  std::optional<net::Endpoint> handoff;
  for (size_t ai = 0; ai < request.actions.size(); ++ai) {
    const Action& a = request.actions[ai];
    for (size_t ci = 0; ci < a.commands.size(); ++ci) {
      const Command& c = a.commands[ci];
      if (c.terminations.empty() || !c.terminations.front().is_root()) continue;
      if (!command_accepted(reply, ai, ci)) continue;
      for (const Descriptor& d : c.descriptors) {
        // ServiceChange from the MGC on ROOT: HandOff to another MGC.
        if (auto* sc = std::get_if<ServiceChangeDescriptor>(&d); sc && c.type == CommandType::kServiceChange) {
          if (sc->method == ServiceChangeMethod::kHandOff && sc->mgc_id) handoff = parse_mid(*sc->mgc_id);
        }
        if (c.type != CommandType::kModify) continue;
        // Root package properties: the transaction timers and Pending limits.
        if (auto* m = std::get_if<MediaDescriptor>(&d); m && m->termination_state)
          apply_root_properties(m->termination_state->properties);
        // The inactivity timer: Events { it/ito { mit = N } } (N in units of 10 ms).
        if (auto* e = std::get_if<EventsDescriptor>(&d)) {
          inactivity_.reset();
          for (const RequestedEvent& ev : e->events) {
            if (ev.name != "it/ito") continue;
            uint32_t mit = 0;
            for (const PropertyParm& p : ev.parameters)
              if (p.name == "mit" && p.value())
                mit = static_cast<uint32_t>(std::strtoul(p.value()->c_str(), nullptr, 10));
            if (mit > 0) {
              inactivity_ = Millis(mit * 10);
              inactivity_request_id_ = e->request_id;
            }
          }
        }
      }
    }
  }
  transactions_->reply(std::move(reply), Clock::now());
  if (handoff && !is_configured_mgc(*handoff)) {
    // A HandOff names where the MG goes next: only an MGC of its own list, or anyone who can send
    // one datagram could take the MG (and its calls) over.
    log("HandOff to " + handoff->to_string() + " refused: not an MGC of this MG's configured list");
    handoff.reset();
  }
  if (handoff) defer([this, to = *handoff] { hand_off_to(to); });
}

bool MgAssociation::is_configured_mgc(const net::Endpoint& who) const {
  for (const MgcPeer& p : config_.mgcs) {
    auto e = net::Endpoint::parse(p.host, p.port);
    if (e && *e == who) return true;
  }
  return false;
}

void MgAssociation::hand_off_to(const net::Endpoint& to) {
  flush();
  ++stats_.handoffs;
  log("MGC " + mgc_.to_string() + " hands us off to " + to.to_string());
  use_mgc(to);
  state_ = AssociationState::kRegistering;
  transactions_->send_request(
      {service_change(ServiceChangeMethod::kHandOff, "903 MGC Directed Change")},
      [this](const RequestResult& r) { defer([this, r] { on_registration_reply(r, ServiceChangeMethod::kHandOff); }); },
      Clock::now());
  flush();
}

// root/MGProvisionalResponseTimerValue -> when we send Pending; root/normalMGCExecutionTime ->
// our first retransmission (UDP); root/MGCOriginatedPendingLimit and MGOriginatedPendingLimit ->
// the Pending limits; seg/mgcmaxpdusize -> the largest message we send (replies above it are
// segmented). Values are milliseconds, counts and bytes; a value out of range is ignored.
void MgAssociation::apply_root_properties(const std::vector<PropertyParm>& properties) {
  TransactionTimers t = config_.timers;
  for (const PropertyParm& p : properties) {
    if (!p.value()) continue;
    const std::string text(unquoted(*p.value()));
    char* end = nullptr;
    const unsigned long v = std::strtoul(text.c_str(), &end, 10);
    if (end == text.c_str() || *end != '\0' || v == 0 || v > 600000) continue;
    if (iequals(p.name, "root/MGProvisionalResponseTimerValue"))
      t.provisional = Millis(v);
    else if (iequals(p.name, "root/normalMGCExecutionTime") && config_.transport == MgcTransport::kUdp)
      t.initial_retransmit = Millis(v);
    else if (iequals(p.name, "root/MGCOriginatedPendingLimit"))
      t.peer_pending_limit = static_cast<unsigned>(v);
    else if (iequals(p.name, "root/MGOriginatedPendingLimit"))
      t.own_pending_limit = static_cast<unsigned>(v);
    else if (iequals(p.name, "seg/mgcmaxpdusize") && v >= kMinMessageSize)
      mgc_max_message_size_ = v;
    else
      continue;
    log("root property " + p.name + " = " + std::to_string(v));
  }
  config_.timers = t;
  transactions_->set_timers(t);
  transactions_->set_max_message_size(max_message_size());
}

void MgAssociation::on_message(std::string_view data, const net::Endpoint& from) {
  ++stats_.messages_received;
  auto m = decode(data);
  if (!m) {
    ++stats_.malformed_messages;
    const DecodeError& e = m.error();
    // Only an MGC of ours is quoted; anyone else's datagram is counted and named by size.
    if (from == mgc_ || is_configured_mgc(from))
      log("malformed message from " + from.to_string() + ": " + describe(e));
    else
      log("malformed message from " + from.to_string() + " (not an MGC of this MG): " + std::to_string(data.size()) +
          " bytes dropped");
    // Our MGC hears what went wrong (H.248.1 8.2.2): a request we can identify gets an error
    // reply; a message whose transactions cannot be told apart (a syntax error before the first
    // transaction ID: 400; an unsupported version: 406) a message-level error. A malformed reply
    // is dropped, and a stranger gets nothing.
    if (!(from == mgc_)) return;
    ErrorDescriptor error{e.code, error_text(e)};
    if (e.transaction_id && e.transaction_is_request) {
      transactions_->reject(*e.transaction_id, std::move(error), Clock::now());
    } else if (!e.transaction_id) {
      transactions_->reject_message(std::move(error));
    }
    flush();
    return;
  }
  if (!(from == mgc_)) {
    log("message from " + from.to_string() + " which is not our MGC: dropped");
    return;
  }
  last_heard_ = Clock::now();
  // A message-level error (459 when segments of our reply went missing for the MGC's segment
  // timer) answers no transaction: it is logged.
  if (m->error) log("MGC reports error " + std::to_string(m->error->code) + " " + m->error->text);
  transactions_->receive(*m, Clock::now());
}

void MgAssociation::notify(Action action) {
  ++stats_.notifies_sent;
  transactions_->send_request(
      {std::move(action)},
      [this](const RequestResult& r) {
        if (r.outcome == RequestOutcome::kTimedOut) defer([this] { lost_mgc("a Notify was not answered"); });
      },
      Clock::now());
  flush();
}

void MgAssociation::shutdown(ServiceChangeMethod method, uint32_t delay_s, std::optional<Millis> wait) {
  const bool graceful = method == ServiceChangeMethod::kGraceful;
  Action a = service_change(method, graceful ? "905 Termination taken out of service" : "908 MG Impending Failure",
                            graceful ? delay_s : 0);
  bool answered = false;
  transactions_->send_request(
      {std::move(a)}, [&answered](const RequestResult&) { answered = true; }, Clock::now());
  flush();
  run_until([&] { return answered; }, wait.value_or(config_.timers.request_timeout));
  deferred_.clear();
  if (method == ServiceChangeMethod::kForced) gateway_.clear();
  state_ = AssociationState::kShutDown;
  log(std::string("shut down (") + (method == ServiceChangeMethod::kForced ? "forced" : "graceful") + ")");
}

// Work that replaces the transaction manager (a new MGC) must not run inside one of its calls.
void MgAssociation::defer(std::function<void()> work) { deferred_.push_back(std::move(work)); }

void MgAssociation::run_deferred() {
  while (!deferred_.empty()) {
    std::vector<std::function<void()>> work;
    work.swap(deferred_);
    for (auto& w : work) w();
  }
}

bool MgAssociation::ensure_tcp() {
  if (tcp_) return true;
  auto c = net::TcpConnection::connect(mgc_, Millis(1000));
  if (!c) {
    log("TCP to MGC " + mgc_.to_string() + ": " + c.error().message);
    return false;
  }
  tcp_.emplace(std::move(c).value());
  ++tcp_connections_;  // a new descriptor, even if it has the number of one closed before
  tpkt_ = TpktReader();
  tpkt_frame_due_ = Clock::time_point::max();
  log("TCP connection to MGC " + mgc_.to_string() + " up");
  return true;
}

void MgAssociation::flush() {
  for (std::string& out : transactions_->take_output()) {
    if (config_.transport == MgcTransport::kUdp) {
      if (socket_.send_to(mgc_, out)) ++stats_.messages_sent;
      continue;
    }
    // TCP: an unsent message is lost like a datagram; the request's timeout notices.
    auto framed = tpkt_frame(out);
    if (!framed || !ensure_tcp()) continue;
    if (tcp_->send_all(*framed)) {
      ++stats_.messages_sent;
    } else {
      tcp_.reset();
    }
  }
}

bool MgAssociation::receive_tcp(Millis wait) {
  if (!tcp_) {
    std::this_thread::sleep_for(std::min(wait, Millis(20)));
    return false;
  }
  auto bytes = tcp_->receive(wait);
  if (!bytes) {
    log("TCP connection to MGC " + mgc_.to_string() + " lost: " + bytes.error().message);
    tcp_.reset();
    if (state_ == AssociationState::kRegistered) defer([this] { lost_mgc("TCP connection lost"); });
    return false;
  }
  if (bytes->empty()) return false;
  tpkt_.feed(*bytes);
  while (auto message = tpkt_.next()) on_message(*message, mgc_);
  // A frame begun must end in time: a TPKT length that lies high would otherwise keep us waiting
  // on this connection for ever.
  if (tpkt_.buffered() == 0)
    tpkt_frame_due_ = Clock::time_point::max();
  else if (tpkt_frame_due_ == Clock::time_point::max())
    tpkt_frame_due_ = Clock::now() + config_.tpkt_frame_timeout;
  if (tpkt_.broken()) {
    ++stats_.malformed_messages;
    log("TCP stream from MGC broken: " + tpkt_.why());
    tcp_.reset();
    if (state_ == AssociationState::kRegistered) defer([this] { lost_mgc("broken TPKT stream"); });
  }
  return true;
}

bool MgAssociation::receive_one(Millis wait) {
  if (config_.transport == MgcTransport::kTcp) return receive_tcp(wait);
  auto d = socket_.receive(wait);
  if (!d.ok() || !d.value()) return false;
  on_message(d.value()->data, d.value()->from);
  return true;
}

void MgAssociation::on_timers(Clock::time_point now) {
  transactions_->tick(now);
  run_deferred();
  flush();
  if (retry_at_ <= now) {
    retry_at_ = Clock::time_point::max();
    register_with(
        0,
        state_ == AssociationState::kDisconnected ? ServiceChangeMethod::kDisconnected : ServiceChangeMethod::kRestart,
        state_ == AssociationState::kDisconnected ? "900 Service Restored" : "901 Cold Boot");
  }
  if (tcp_ && tpkt_frame_due_ <= now) {
    ++stats_.malformed_messages;
    log("TCP stream from MGC broken: a TPKT frame of which " + std::to_string(tpkt_.buffered()) +
        " bytes arrived was not complete within " + std::to_string(config_.tpkt_frame_timeout.count()) + " ms");
    tcp_.reset();
    tpkt_frame_due_ = Clock::time_point::max();
    if (state_ == AssociationState::kRegistered) defer([this] { lost_mgc("incomplete TPKT frame"); });
  }
  if (inactivity_ && state_ == AssociationState::kRegistered && now - last_heard_ > *inactivity_) {
    log("MGC silent for longer than the inactivity timer");
    last_heard_ = now;
    ObservedEvent ev;
    ev.name = "it/ito";
    Command n;
    n.type = CommandType::kNotify;
    n.terminations = {TerminationId{"ROOT"}};
    n.descriptors.emplace_back(ObservedEventsDescriptor{inactivity_request_id_.value_or(0), {ev}});
    Action a;
    a.commands.push_back(std::move(n));
    notify(std::move(a));
  }
}

Clock::time_point MgAssociation::next_wakeup() const {
  Clock::time_point wake = std::min({transactions_->next_deadline(), retry_at_, tpkt_frame_due_});
  if (inactivity_ && state_ == AssociationState::kRegistered)
    wake = std::min(wake, last_heard_ + *inactivity_ + Millis(1));
  return wake;
}

int MgAssociation::wait_fd() const {
  if (config_.transport == MgcTransport::kUdp) return socket_.fd();
  return tcp_ ? tcp_->fd() : -1;
}

bool MgAssociation::poll() {
  on_timers(Clock::now());
  // A bounded batch, so that the media on the same loop is not starved by a flood of messages.
  constexpr int kBatch = 64;
  int received = 0;
  while (received < kBatch && receive_one(Millis(0))) ++received;
  run_deferred();
  flush();
  return received == kBatch;
}

void MgAssociation::run_for(Millis budget) {
  const Clock::time_point end = Clock::now() + budget;
  for (;;) {
    const Clock::time_point now = Clock::now();
    on_timers(now);
    if (now >= end) return;
    Clock::time_point wake = std::min(end, next_wakeup());
    auto wait = std::chrono::duration_cast<Millis>(wake - now) + Millis(1);
    const Millis slice = std::max(Millis(0), std::min(wait, Millis(100)));
    receive_one(slice);
    run_deferred();
    flush();
  }
}

bool MgAssociation::run_until(const std::function<bool()>& done, Millis limit) {
  const Clock::time_point end = Clock::now() + limit;
  while (!done() && Clock::now() < end) run_for(Millis(20));
  return done();
}

}  // namespace mediasec::h248
