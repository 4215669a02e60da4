#include "host/h248/encode.h"

#include <charconv>

#include "host/h248/text_chars.h"

namespace mediasec::h248 {
namespace {

class Writer {
 public:
  Writer(std::string& out, Form form) : out_(out), form_(form), pretty_(form == Form::kPretty) {}

  void message(const Message& m);

 private:
  // ---- primitives ----
  void raw(std::string_view s) { out_.append(s); }
  void ch(char c) { out_.push_back(c); }
  void tok(Token t) { out_.append(spelling(t, form_)); }
  void eq() { pretty_ ? out_.append(" = ") : out_.append("="); }
  template <typename T>
  void num(T v) {
    char buf[24];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
    (void)ec;
    out_.append(buf, p);
  }
  void value(std::string_view v) {
    if (is_bare_value(v) ||
        (v.size() >= 2 && v.front() == '"' && v.back() == '"' && is_quotable(v.substr(1, v.size() - 2)))) {
      raw(v);
      return;
    }
    quoted(v);
  }
  // A quoted string: characters it cannot hold (DQUOTE, CR, LF, NUL) are dropped.
  void quoted(std::string_view text) {
    ch('"');
    for (char c : text)
      if (c != '"' && c != '\r' && c != '\n' && c != '\0') ch(c);
    ch('"');
  }
  // "Stream = n" as the next item of a list, if the stream is given.
  void stream_item(size_t& i, std::optional<uint16_t> stream) {
    if (!stream) return;
    item(i++);
    tok(Token::kStream);
    eq();
    num(*stream);
  }
  void open() {
    pretty_ ? out_.append(" {") : out_.append("{");
    ++level_;
  }
  void close() {
    --level_;
    if (pretty_) newline();
    ch('}');
  }
  void newline() {
    ch('\n');
    out_.append(level_, '\t');
  }
  // Before the i-th item of a list.
  void item(size_t i) {
    if (i > 0) ch(',');
    if (pretty_) newline();
  }

  // ---- structure ----
  void mid(const MessageId& id);
  void transaction(const Transaction& t);
  void action(const Action& a, bool request);
  size_t context_properties(const ContextProperties& p, size_t i);
  void context_id(ContextId c);
  void command(const Command& c, bool request);
  void terminations(const std::vector<TerminationId>& ids);
  void descriptor(const Descriptor& d);
  void property(const PropertyParm& p);
  void properties(const std::vector<PropertyParm>& ps, size_t& i);
  void keyword_properties(const std::vector<PropertyParm>& ps, size_t& i);
  void error(const ErrorDescriptor& e);
  void media(const MediaDescriptor& m);
  void stream_parms(const StreamParms& s, size_t& i);
  void local_control(const LocalControlDescriptor& lc);
  void termination_state(const TerminationStateDescriptor& ts);
  void octets(Token t, const std::string& sdp);
  void statistics(const StatisticsDescriptor& s);
  void events(const EventsDescriptor& e);
  void requested_event(const RequestedEvent& ev);
  void embed(const EmbedDescriptor& e);
  void signals(const SignalsDescriptor& s);
  void signal(const Signal& s);
  void digit_map(const DigitMapDescriptor& dm, bool in_event);
  void event_buffer(const EventBufferDescriptor& eb);
  void stream_and_parameters(std::optional<uint16_t> stream, const std::vector<PropertyParm>& parameters);
  void observed_events(const ObservedEventsDescriptor& oe);
  void packages(const PackagesDescriptor& pg);
  void audit(const AuditDescriptor& a);
  void audit_item(AuditItem item);
  void services(const ServiceChangeDescriptor& sc);
  void mux(const MuxDescriptor& mx);
  void modem(const ModemDescriptor& md);
  void type_name(std::string_view name);

  std::string& out_;
  Form form_;
  bool pretty_;
  size_t level_ = 0;
  unsigned version_ = 3;
};

void Writer::message(const Message& m) {
  version_ = m.version;
  if (m.authentication) {
    tok(Token::kAuthentication);
    eq();
    raw(m.authentication->spi);
    ch(':');
    raw(m.authentication->sequence);
    ch(':');
    raw(m.authentication->data);
    ch('\n');
  }
  tok(Token::kMegacop);
  ch('/');
  num(static_cast<unsigned>(m.version));
  ch(' ');
  mid(m.mid);
  ch('\n');
  if (m.error) {
    error(*m.error);
    return;
  }
  for (size_t i = 0; i < m.transactions.size(); ++i) {
    if (i) ch('\n');
    transaction(m.transactions[i]);
  }
}

void Writer::mid(const MessageId& id) {
  switch (id.kind) {
    case MessageId::Kind::kIp4:
    case MessageId::Kind::kIp6:
      ch('[');
      raw(id.address);
      ch(']');
      break;
    case MessageId::Kind::kDomain:
      ch('<');
      raw(id.address);
      ch('>');
      break;
    case MessageId::Kind::kDevice: raw(id.address); return;
    case MessageId::Kind::kMtp:
      tok(Token::kMtp);
      ch('{');
      raw(id.address);
      ch('}');
      return;
  }
  if (id.port) {
    ch(':');
    num(*id.port);
  }
}

void Writer::transaction(const Transaction& t) {
  if (auto* req = std::get_if<TransactionRequest>(&t)) {
    tok(Token::kTransaction);
    eq();
    num(req->id);
    open();
    for (size_t i = 0; i < req->actions.size(); ++i) {
      item(i);
      action(req->actions[i], true);
    }
    close();
  } else if (auto* rep = std::get_if<TransactionReply>(&t)) {
    tok(Token::kReply);
    eq();
    num(rep->id);
    if (rep->segment) {
      ch('/');
      num(*rep->segment);
      if (rep->segmentation_complete) {
        ch('/');
        tok(Token::kSegmentationComplete);
      }
    }
    open();
    size_t i = 0;
    if (rep->immediate_ack_required) {
      item(i++);
      tok(Token::kImmAckRequired);
    }
    if (rep->error) {
      item(i++);
      error(*rep->error);
    } else {
      for (const Action& a : rep->actions) {
        item(i++);
        action(a, false);
      }
    }
    close();
  } else if (auto* pn = std::get_if<TransactionPending>(&t)) {
    tok(Token::kPending);
    eq();
    num(pn->id);
    pretty_ ? raw(" { }") : raw("{}");
  } else if (auto* k = std::get_if<TransactionResponseAck>(&t)) {
    tok(Token::kTransactionResponseAck);
    open();
    for (size_t i = 0; i < k->acks.size(); ++i) {
      item(i);
      num(k->acks[i].first);
      if (k->acks[i].last != k->acks[i].first) {
        ch('-');
        num(k->acks[i].last);
      }
    }
    close();
  } else if (auto* sm = std::get_if<SegmentReply>(&t)) {
    tok(Token::kSegment);
    eq();
    num(sm->id);
    ch('/');
    num(sm->segment);
    if (sm->segmentation_complete) {
      ch('/');
      tok(Token::kSegmentationComplete);
    }
  }
}

void Writer::context_id(ContextId c) {
  if (c.is_null())
    ch('-');
  else if (c.is_choose())
    ch('$');
  else if (c.is_all())
    ch('*');
  else
    num(c.value);
}

void Writer::action(const Action& a, bool request) {
  tok(Token::kContext);
  eq();
  context_id(a.context);
  open();
  size_t i = context_properties(a.properties, 0);
  for (const Command& c : a.commands) {
    item(i++);
    command(c, request);
  }
  if (a.error) {
    item(i++);
    error(*a.error);
  }
  close();
}

size_t Writer::context_properties(const ContextProperties& p, size_t i) {
  if (!p.topology.empty()) {
    item(i++);
    tok(Token::kTopology);
    open();
    for (size_t j = 0; j < p.topology.size(); ++j) {
      const TopologyTriple& tt = p.topology[j];
      item(j);
      raw(tt.from.name);
      ch(',');
      raw(tt.to.name);
      ch(',');
      switch (tt.direction) {
        case TopologyDirection::kBothway: tok(Token::kBothway); break;
        case TopologyDirection::kIsolate: tok(Token::kIsolate); break;
        case TopologyDirection::kOneway: tok(Token::kOneway); break;
        case TopologyDirection::kOnewayExternal: tok(Token::kOnewayExternal); break;
        case TopologyDirection::kOnewayBoth: tok(Token::kOnewayBoth); break;
      }
      if (tt.extension) {
        ch(',');
        tok(*tt.extension == TopologyDirection::kOnewayExternal ? Token::kOnewayExternal : Token::kOnewayBoth);
      }
      if (tt.stream) {
        ch(',');
        tok(Token::kStream);
        eq();
        num(*tt.stream);
      }
    }
    close();
  }
  if (p.priority) {
    item(i++);
    tok(Token::kPriority);
    eq();
    num(*p.priority);
  }
  if (p.emergency) {
    item(i++);
    if (!*p.emergency && pretty_ && version_ == 2) {
      raw("EmergencyOffToken");  // the v2 spelling (H.248.1 v2 Annex B)
    } else {
      tok(*p.emergency ? Token::kEmergency : Token::kEmergencyOff);
    }
  }
  if (p.ieps_call) {
    item(i++);
    tok(Token::kIepsCall);
    eq();
    tok(*p.ieps_call ? Token::kOn : Token::kOff);
  }
  // ContextAttr { properties } and ContextAttr { ContextList = {...} } are separate descriptors.
  const std::string_view list_name = spelling(Token::kContextList, Form::kPretty);
  size_t j = 0;
  for (const PropertyParm& a : p.attributes) {
    if (a.name == list_name) continue;
    if (j == 0) {
      item(i++);
      tok(Token::kContextAttr);
      open();
    }
    item(j++);
    property(a);
  }
  if (j > 0) close();
  for (const PropertyParm& a : p.attributes) {
    if (a.name != list_name) continue;
    item(i++);
    tok(Token::kContextAttr);
    open();
    item(0);
    PropertyParm list = a;
    list.name = spelling(Token::kContextList, form_);
    property(list);
    close();
  }
  if (p.has_audit) {
    item(i++);
    tok(Token::kContextAudit);
    open();
    for (size_t j = 0; j < p.audit.size(); ++j) {
      const PropertyParm& a = p.audit[j];
      item(j);
      type_name(a.name);
      if (a.relation == PropertyParm::Relation::kEqual && !a.values.empty()) {
        eq();
        if (lookup_token(a.values.front())) {
          type_name(a.values.front());
        } else {
          value(a.values.front());
        }
      }
    }
    close();
  }
  return i;
}

// A keyword kept in its pretty spelling in the model: written in the requested form.
void Writer::type_name(std::string_view name) {
  if (auto t = lookup_token(name)) {
    tok(*t);
  } else {
    raw(name);
  }
}

void Writer::terminations(const std::vector<TerminationId>& ids) {
  if (ids.size() == 1) {
    raw(ids.front().name);
    return;
  }
  ch('[');
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) ch(',');
    raw(ids[i].name);
  }
  ch(']');
}

void Writer::command(const Command& c, bool request) {
  if (request && c.optional) raw("O-");
  if (request && c.wildcard_reply) raw("W-");
  switch (c.type) {
    case CommandType::kAdd: tok(Token::kAdd); break;
    case CommandType::kModify: tok(Token::kModify); break;
    case CommandType::kMove: tok(Token::kMove); break;
    case CommandType::kSubtract: tok(Token::kSubtract); break;
    case CommandType::kAuditValue: tok(Token::kAuditValue); break;
    case CommandType::kAuditCapability: tok(Token::kAuditCapability); break;
    case CommandType::kNotify: tok(Token::kNotify); break;
    case CommandType::kServiceChange: tok(Token::kServiceChange); break;
  }
  eq();
  if (c.context_audit) {
    tok(Token::kContext);
    open();
    if (!c.descriptors.empty()) {
      item(0);
      descriptor(c.descriptors.front());
    } else {
      for (size_t i = 0; i < c.terminations.size(); ++i) {
        item(i);
        raw(c.terminations[i].name);
      }
    }
    close();
    return;
  }
  terminations(c.terminations);
  if (c.descriptors.empty()) return;
  open();
  for (size_t i = 0; i < c.descriptors.size(); ++i) {
    item(i);
    descriptor(c.descriptors[i]);
  }
  close();
}

void Writer::descriptor(const Descriptor& d) {
  std::visit(
      [this](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, MediaDescriptor>)
          media(v);
        else if constexpr (std::is_same_v<T, ModemDescriptor>)
          modem(v);
        else if constexpr (std::is_same_v<T, MuxDescriptor>)
          mux(v);
        else if constexpr (std::is_same_v<T, EventsDescriptor>)
          events(v);
        else if constexpr (std::is_same_v<T, SignalsDescriptor>)
          signals(v);
        else if constexpr (std::is_same_v<T, DigitMapDescriptor>)
          digit_map(v, false);
        else if constexpr (std::is_same_v<T, EventBufferDescriptor>)
          event_buffer(v);
        else if constexpr (std::is_same_v<T, AuditDescriptor>)
          audit(v);
        else if constexpr (std::is_same_v<T, StatisticsDescriptor>)
          statistics(v);
        else if constexpr (std::is_same_v<T, ObservedEventsDescriptor>)
          observed_events(v);
        else if constexpr (std::is_same_v<T, PackagesDescriptor>)
          packages(v);
        else if constexpr (std::is_same_v<T, ErrorDescriptor>)
          error(v);
        else if constexpr (std::is_same_v<T, ServiceChangeDescriptor>)
          services(v);
        else if constexpr (std::is_same_v<T, AuditItem>)
          audit_item(v);
      },
      d);
}

void Writer::property(const PropertyParm& p) {
  raw(p.name);
  using R = PropertyParm::Relation;
  using F = PropertyParm::Form;
  switch (p.relation) {
    case R::kNone: return;
    case R::kGreater: ch('>'); break;
    case R::kLess: ch('<'); break;
    case R::kNotEqual: ch('#'); break;
    case R::kEqual: eq(); break;
  }
  switch (p.form) {
    case F::kSingle: value(p.values.empty() ? std::string_view() : std::string_view(p.values.front())); break;
    case F::kAlternatives:
    case F::kRange:
      ch('[');
      for (size_t i = 0; i < p.values.size(); ++i) {
        if (i) ch(p.form == F::kRange ? ':' : ',');
        value(p.values[i]);
      }
      ch(']');
      break;
    case F::kSublist:
      ch('{');
      for (size_t i = 0; i < p.values.size(); ++i) {
        if (i) ch(',');
        value(p.values[i]);
      }
      ch('}');
      break;
  }
}

void Writer::properties(const std::vector<PropertyParm>& ps, size_t& i) {
  for (const PropertyParm& p : ps) {
    item(i++);
    property(p);
  }
}

// Properties of LocalControl and TerminationState, where an audit request names keyword items
// (Mode, ServiceStates, ...) without a value.
void Writer::keyword_properties(const std::vector<PropertyParm>& ps, size_t& i) {
  for (const PropertyParm& p : ps) {
    item(i++);
    if (p.relation == PropertyParm::Relation::kNone && p.name.find('/') == std::string::npos) {
      type_name(p.name);
    } else {
      property(p);
    }
  }
}

void Writer::error(const ErrorDescriptor& e) {
  tok(Token::kError);
  eq();
  num(e.code);
  if (e.text.empty()) {
    pretty_ ? raw(" { }") : raw("{}");
    return;
  }
  pretty_ ? raw(" { ") : raw("{");
  quoted(e.text);
  pretty_ ? raw(" }") : raw("}");
}

void Writer::media(const MediaDescriptor& m) {
  tok(Token::kMedia);
  open();
  size_t i = 0;
  if (m.termination_state) {
    item(i++);
    termination_state(*m.termination_state);
  }
  stream_parms(m.single, i);
  for (const StreamDescriptor& s : m.streams) {
    item(i++);
    tok(Token::kStream);
    eq();
    num(s.id);
    open();
    size_t j = 0;
    stream_parms(s.parms, j);
    close();
  }
  close();
}

void Writer::stream_parms(const StreamParms& s, size_t& i) {
  if (s.local_control) {
    item(i++);
    local_control(*s.local_control);
  }
  if (s.local) {
    item(i++);
    octets(Token::kLocal, *s.local);
  }
  if (s.remote) {
    item(i++);
    octets(Token::kRemote, *s.remote);
  }
  if (s.statistics) {
    item(i++);
    statistics(*s.statistics);
  }
}

void Writer::local_control(const LocalControlDescriptor& lc) {
  tok(Token::kLocalControl);
  open();
  size_t i = 0;
  if (lc.mode) {
    item(i++);
    tok(Token::kMode);
    eq();
    switch (*lc.mode) {
      case StreamMode::kSendOnly: tok(Token::kSendOnly); break;
      case StreamMode::kReceiveOnly: tok(Token::kReceiveOnly); break;
      case StreamMode::kSendReceive: tok(Token::kSendReceive); break;
      case StreamMode::kInactive: tok(Token::kInactive); break;
      case StreamMode::kLoopback: tok(Token::kLoopback); break;
    }
  }
  if (lc.reserve_value) {
    item(i++);
    tok(Token::kReservedValue);
    eq();
    tok(*lc.reserve_value ? Token::kOn : Token::kOff);
  }
  if (lc.reserve_group) {
    item(i++);
    tok(Token::kReservedGroup);
    eq();
    tok(*lc.reserve_group ? Token::kOn : Token::kOff);
  }
  keyword_properties(lc.properties, i);
  close();
}

void Writer::termination_state(const TerminationStateDescriptor& ts) {
  tok(Token::kTerminationState);
  open();
  size_t i = 0;
  if (ts.service_state) {
    item(i++);
    tok(Token::kServiceStates);
    eq();
    switch (*ts.service_state) {
      case ServiceState::kTest: tok(Token::kTest); break;
      case ServiceState::kOutOfService: tok(Token::kOutOfService); break;
      case ServiceState::kInService: tok(Token::kInService); break;
    }
  }
  if (ts.buffer) {
    item(i++);
    tok(Token::kBuffer);
    eq();
    tok(*ts.buffer == EventBufferControl::kOff ? Token::kOff : Token::kLockStep);
  }
  keyword_properties(ts.properties, i);
  close();
}

void Writer::octets(Token t, const std::string& sdp) {
  tok(t);
  pretty_ ? raw(" {\n") : raw("{");
  size_t run = 0;
  for (size_t k = 0; k < sdp.size(); ++k) {
    if (sdp[k] == '}') {
      out_.append(sdp, run, k - run);
      raw("\\}");
      run = k + 1;
    }
  }
  out_.append(sdp, run, std::string::npos);
  if (!sdp.empty()) ch('\n');
  ch('}');
}

void Writer::statistics(const StatisticsDescriptor& s) {
  tok(Token::kStatistics);
  open();
  size_t i = 0;
  properties(s.statistics, i);
  close();
}

void Writer::events(const EventsDescriptor& e) {
  tok(Token::kEvents);
  if (!e.request_id) return;
  eq();
  num(*e.request_id);
  open();
  for (size_t i = 0; i < e.events.size(); ++i) {
    item(i);
    requested_event(e.events[i]);
  }
  close();
}

void Writer::requested_event(const RequestedEvent& ev) {
  raw(ev.name);
  bool has_params = ev.stream || ev.keep_active || ev.reset_events || ev.notify_behaviour || ev.digit_map || ev.embed ||
                    !ev.parameters.empty();
  if (!has_params) return;
  open();
  size_t i = 0;
  stream_item(i, ev.stream);
  if (ev.keep_active) {
    item(i++);
    tok(Token::kKeepActive);
  }
  if (ev.embed) {
    item(i++);
    embed(*ev.embed);
  }
  if (ev.digit_map) {
    item(i++);
    digit_map(*ev.digit_map, true);
  }
  if (ev.notify_behaviour) {
    item(i++);
    switch (*ev.notify_behaviour) {
      case NotifyBehaviour::kImmediate: tok(Token::kImmediateNotify); break;
      case NotifyBehaviour::kRegulated:
        tok(Token::kRegulatedNotify);
        if (ev.regulated_embed) {
          open();
          item(0);
          embed(*ev.regulated_embed);
          close();
        }
        break;
      case NotifyBehaviour::kNever: tok(Token::kNeverNotify); break;
    }
  }
  if (ev.reset_events) {
    item(i++);
    tok(Token::kResetEventsDescriptor);
  }
  properties(ev.parameters, i);
  close();
}

void Writer::embed(const EmbedDescriptor& e) {
  tok(Token::kEmbed);
  open();
  size_t j = 0;
  if (e.signals) {
    item(j++);
    signals(*e.signals);
  }
  if (e.request_id) {
    item(j++);
    tok(Token::kEvents);
    eq();
    num(*e.request_id);
    open();
    for (size_t k = 0; k < e.events.size(); ++k) {
      item(k);
      requested_event(e.events[k]);
    }
    close();
  }
  close();
}

void Writer::signals(const SignalsDescriptor& s) {
  tok(Token::kSignals);
  if (s.items.empty()) return;  // a bare Signals: stop all signals
  open();
  for (size_t i = 0; i < s.items.size(); ++i) {
    item(i);
    if (auto* sig = std::get_if<Signal>(&s.items[i])) {
      signal(*sig);
    } else {
      const SignalList& list = std::get<SignalList>(s.items[i]);
      tok(Token::kSignalList);
      eq();
      num(list.id);
      open();
      for (size_t j = 0; j < list.signals.size(); ++j) {
        item(j);
        signal(list.signals[j]);
      }
      close();
    }
  }
  close();
}

void Writer::signal(const Signal& s) {
  raw(s.name);
  bool has_params = s.stream || s.type || s.duration || !s.notify_completion.empty() || s.keep_active || s.direction ||
                    s.request_id || s.intersignal_delay || !s.parameters.empty();
  if (!has_params) return;
  open();
  size_t i = 0;
  stream_item(i, s.stream);
  if (s.type) {
    item(i++);
    tok(Token::kSignalType);
    eq();
    switch (*s.type) {
      case SignalType::kBrief: tok(Token::kBrief); break;
      case SignalType::kOnOff: tok(Token::kOnOff); break;
      case SignalType::kTimeOut: tok(Token::kTimeOut); break;
    }
  }
  if (s.duration) {
    item(i++);
    tok(Token::kDuration);
    eq();
    num(*s.duration);
  }
  if (!s.notify_completion.empty()) {
    item(i++);
    tok(Token::kNotifyCompletion);
    eq();
    ch('{');
    for (size_t j = 0; j < s.notify_completion.size(); ++j) {
      if (j) ch(',');
      type_name(s.notify_completion[j]);
    }
    ch('}');
  }
  if (s.keep_active) {
    item(i++);
    tok(Token::kKeepActive);
  }
  if (s.direction) {
    item(i++);
    tok(Token::kDirection);
    eq();
    switch (*s.direction) {
      case SignalDirection::kInternal: tok(Token::kInternal); break;
      case SignalDirection::kExternal: tok(Token::kExternal); break;
      case SignalDirection::kBoth: tok(Token::kBoth); break;
    }
  }
  if (s.request_id) {
    item(i++);
    tok(Token::kRequestId);
    eq();
    num(*s.request_id);
  }
  if (s.intersignal_delay) {
    item(i++);
    tok(Token::kIntersignalDelay);
    eq();
    num(*s.intersignal_delay);
  }
  properties(s.parameters, i);
  close();
}

void Writer::digit_map(const DigitMapDescriptor& dm, bool in_event) {
  tok(Token::kDigitMap);
  if (!dm.name.empty()) {
    eq();
    raw(dm.name);
  } else if (!in_event) {
    eq();
  }
  if (dm.value) {
    ch('{');
    raw(*dm.value);
    ch('}');
  }
}

void Writer::event_buffer(const EventBufferDescriptor& eb) {
  tok(Token::kEventBuffer);
  if (eb.events.empty()) return;
  open();
  for (size_t i = 0; i < eb.events.size(); ++i) {
    const EventSpec& spec = eb.events[i];
    item(i);
    raw(spec.name);
    stream_and_parameters(spec.stream, spec.parameters);
  }
  close();
}

// The optional "{ Stream = n, parameters }" after an event name.
void Writer::stream_and_parameters(std::optional<uint16_t> stream, const std::vector<PropertyParm>& parameters) {
  if (!stream && parameters.empty()) return;
  open();
  size_t i = 0;
  stream_item(i, stream);
  properties(parameters, i);
  close();
}

void Writer::observed_events(const ObservedEventsDescriptor& oe) {
  tok(Token::kObservedEvents);
  eq();
  num(oe.request_id);
  open();
  for (size_t i = 0; i < oe.events.size(); ++i) {
    const ObservedEvent& ev = oe.events[i];
    item(i);
    if (ev.timestamp) {
      raw(*ev.timestamp);
      ch(':');
    }
    raw(ev.name);
    stream_and_parameters(ev.stream, ev.parameters);
  }
  close();
}

void Writer::packages(const PackagesDescriptor& pg) {
  tok(Token::kPackages);
  open();
  for (size_t i = 0; i < pg.packages.size(); ++i) {
    item(i);
    raw(pg.packages[i].name);
    ch('-');
    num(pg.packages[i].version);
  }
  close();
}

void Writer::audit_item(AuditItem a) {
  switch (a) {
    case AuditItem::kMux: tok(Token::kMux); break;
    case AuditItem::kModem: tok(Token::kModem); break;
    case AuditItem::kMedia: tok(Token::kMedia); break;
    case AuditItem::kSignals: tok(Token::kSignals); break;
    case AuditItem::kEventBuffer: tok(Token::kEventBuffer); break;
    case AuditItem::kDigitMap: tok(Token::kDigitMap); break;
    case AuditItem::kStatistics: tok(Token::kStatistics); break;
    case AuditItem::kEvents: tok(Token::kEvents); break;
    case AuditItem::kObservedEvents: tok(Token::kObservedEvents); break;
    case AuditItem::kPackages: tok(Token::kPackages); break;
  }
}

void Writer::audit(const AuditDescriptor& a) {
  tok(Token::kAudit);
  open();
  size_t i = 0;
  for (AuditItem it : a.items) {
    item(i++);
    audit_item(it);
  }
  for (const IndividualAudit& ind : a.individual) {
    item(i++);
    std::visit(
        [this](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, DigitMapDescriptor>) {
            digit_map(v, false);
          } else {
            descriptor(Descriptor(v));
          }
        },
        ind);
  }
  close();
}

void Writer::services(const ServiceChangeDescriptor& sc) {
  tok(Token::kServices);
  open();
  size_t i = 0;
  if (sc.method || !sc.method_extension.empty()) {
    item(i++);
    tok(Token::kMethod);
    eq();
    if (!sc.method) {
      raw(sc.method_extension);
    } else {
      switch (*sc.method) {
        case ServiceChangeMethod::kFailover: tok(Token::kFailover); break;
        case ServiceChangeMethod::kForced: tok(Token::kForced); break;
        case ServiceChangeMethod::kGraceful: tok(Token::kGraceful); break;
        case ServiceChangeMethod::kRestart: tok(Token::kRestart); break;
        case ServiceChangeMethod::kDisconnected: tok(Token::kDisconnected); break;
        case ServiceChangeMethod::kHandOff: tok(Token::kHandOff); break;
      }
    }
  }
  if (sc.address) {
    item(i++);
    tok(Token::kServiceChangeAddress);
    eq();
    raw(*sc.address);
  }
  if (sc.version) {
    item(i++);
    tok(Token::kVersion);
    eq();
    num(*sc.version);
  }
  if (sc.profile) {
    item(i++);
    tok(Token::kProfile);
    eq();
    raw(*sc.profile);
  }
  if (sc.reason) {
    item(i++);
    tok(Token::kReason);
    eq();
    quoted(*sc.reason);
  }
  if (sc.delay) {
    item(i++);
    tok(Token::kDelay);
    eq();
    num(*sc.delay);
  }
  if (sc.mgc_id) {
    item(i++);
    tok(Token::kMgcIdToTry);
    eq();
    raw(*sc.mgc_id);
  }
  if (sc.timestamp) {
    item(i++);
    raw(*sc.timestamp);
  }
  if (sc.incomplete) {
    item(i++);
    tok(Token::kServiceChangeIncomplete);
  }
  if (sc.info) {
    item(i++);
    audit(*sc.info);
  }
  properties(sc.extensions, i);
  close();
}

void Writer::mux(const MuxDescriptor& mx) {
  tok(Token::kMux);
  eq();
  type_name(mx.type);
  ch('{');
  for (size_t i = 0; i < mx.terminations.size(); ++i) {
    if (i) ch(',');
    raw(mx.terminations[i].name);
  }
  ch('}');
}

void Writer::modem(const ModemDescriptor& md) {
  tok(Token::kModem);
  if (md.types.size() == 1) {
    eq();
    type_name(md.types.front());
  } else {
    ch('[');
    for (size_t i = 0; i < md.types.size(); ++i) {
      if (i) ch(',');
      type_name(md.types[i]);
    }
    ch(']');
  }
  if (!md.properties.empty()) {
    open();
    size_t i = 0;
    properties(md.properties, i);
    close();
  }
}

}  // namespace

void encode(const Message& message, std::string& out, const EncodeOptions& options) {
  Writer(out, options.form).message(message);
}

std::string encode(const Message& message, const EncodeOptions& options) {
  std::string out;
  out.reserve(256);
  encode(message, out, options);
  return out;
}

}  // namespace mediasec::h248
