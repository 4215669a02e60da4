#include "host/h248/gateway.h"

#include <ctime>

#include "base/ascii.h"
#include "host/h248/error_codes.h"

namespace mediasec::h248 {
namespace {

// "tcp/*" matches "tcp/7"; "*" matches everything; "$" never matches an existing name.
bool wildcard_match(std::string_view pattern, std::string_view name) {
  if (pattern == "*") return true;
  size_t star = pattern.find('*');
  if (star == std::string_view::npos) return iequals(pattern, name);
  return name.size() >= star && iequals(pattern.substr(0, star), name.substr(0, star));
}

std::string timestamp_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%S00", &tm);
  return buf;
}

// The name prefix of an ephemeral termination, from the bearer of its SDP.
std::string prefix_for(const TerminationRequest& r) {
  const sdp::SessionDescription* s = r.local ? &*r.local : (r.remote ? &*r.remote : nullptr);
  if (s == nullptr || s->media.empty()) return "tcp";
  switch (s->media.front().transport()) {
    case sdp::Transport::kTlsMsrp:
    case sdp::Transport::kTlsBfcp: return "tls";
    case sdp::Transport::kUdptl:
    case sdp::Transport::kDtlsUdptl: return "udptl";
    case sdp::Transport::kOther: return "ip";
    default: return "tcp";
  }
}

}  // namespace

Gateway::Gateway(const PackageRegistry& packages, MediaPlane& media, GatewayConfig config)
    : packages_(packages), media_(media), config_(config) {}

std::vector<std::string> Gateway::terminations_in(uint32_t context) const {
  auto it = contexts_.find(context);
  return it == contexts_.end() ? std::vector<std::string>{} : it->second;
}

void Gateway::clear() {
  for (auto& [name, t] : terminations_) media_.subtract(name);
  terminations_.clear();
  contexts_.clear();
}

TransactionReply Gateway::handle(const TransactionRequest& request) {
  TransactionReply reply;
  reply.id = request.id;
  for (const Action& a : request.actions) reply.actions.push_back(execute(a));
  return reply;
}

Action Gateway::execute(const Action& request) {
  Action reply;
  uint32_t context = request.context.value;
  if (!request.context.is_null() && !request.context.is_choose() && !request.context.is_all() &&
      !contexts_.count(context)) {
    reply.context = request.context;
    reply.error = ErrorDescriptor{errors::kUnknownContextId, std::string(errors::text(errors::kUnknownContextId))};
    return reply;
  }
  for (const Command& cmd : request.commands) {
    Command out;
    out.type = cmd.type;
    out.terminations = cmd.terminations;
    std::optional<Fault> fault = check_names(cmd);
    if (!fault) fault = run(cmd, context, out);
    if (fault) {
      out.descriptors.clear();
      out.descriptors.emplace_back(ErrorDescriptor{fault->code, fault->text});
      reply.commands.push_back(std::move(out));
      if (!cmd.optional) break;  // the rest of the action is not executed
      continue;
    }
    reply.commands.push_back(std::move(out));
  }
  reply.context = ContextId{context};
  if (context == ContextId::kChoose) reply.context = ContextId::null();  // nothing was created
  return reply;
}

std::optional<Gateway::Fault> Gateway::check_names(const Command& cmd) const {
  for (const Descriptor& d : cmd.descriptors) {
    if (auto* m = std::get_if<MediaDescriptor>(&d)) {
      auto check_parms = [&](const StreamParms& s) -> std::optional<Fault> {
        if (!s.local_control) return std::nullopt;
        for (const PropertyParm& p : s.local_control->properties) {
          NameCheck c = packages_.check(ElementKind::kProperty, p.name, p.values.empty() ? nullptr : &p.values.front());
          if (!c.ok()) return Fault{c.code, c.reason};
        }
        return std::nullopt;
      };
      if (auto f = check_parms(m->single)) return f;
      for (const StreamDescriptor& s : m->streams)
        if (auto f = check_parms(s.parms)) return f;
    } else if (auto* e = std::get_if<EventsDescriptor>(&d)) {
      for (const RequestedEvent& ev : e->events) {
        NameCheck c = packages_.check(ElementKind::kEvent, ev.name);
        if (!c.ok()) return Fault{c.code, c.reason};
      }
    } else if (auto* s = std::get_if<SignalsDescriptor>(&d)) {
      for (const auto& item : s->items) {
        if (auto* sig = std::get_if<Signal>(&item)) {
          NameCheck c = packages_.check(ElementKind::kSignal, sig->name);
          if (!c.ok()) return Fault{c.code, c.reason};
        }
      }
    } else if (auto* st = std::get_if<StatisticsDescriptor>(&d)) {
      // A statistic asked for by name (Statistics{nt/os} in a command, or in an audit): 453 for an
      // unknown one of a known package, as 450-452 for the other kinds.
      for (const PropertyParm& p : st->statistics) {
        NameCheck c = packages_.check(ElementKind::kStatistic, p.name);
        if (!c.ok()) return Fault{c.code, c.reason};
      }
    } else if (std::holds_alternative<ModemDescriptor>(d) || std::holds_alternative<MuxDescriptor>(d)) {
      return Fault{errors::kUnsupportedOrUnknownDescriptor, "Modem and Mux descriptors are not supported"};
    }
  }
  return std::nullopt;
}

// ROOT's TerminationState properties (the association applies them: timers, Pending limits, the
// MGC's largest PDU): each must be a known package/property with a value of its type, and an
// integer a positive count that fits 32 bits. Anything else is that command's error, not a plain
// success the MGC would take as applied.
std::optional<Gateway::Fault> Gateway::check_root_properties(const Command& cmd) const {
  for (const Descriptor& d : cmd.descriptors) {
    const auto* m = std::get_if<MediaDescriptor>(&d);
    if (m == nullptr || !m->termination_state) continue;
    for (const PropertyParm& p : m->termination_state->properties) {
      const std::string* value = p.values.empty() ? nullptr : &p.values.front();
      NameCheck c = packages_.check(ElementKind::kProperty, p.name, value);
      if (!c.ok()) return Fault{c.code, c.reason};
      if (value == nullptr || value->empty() || value->find_first_not_of("0123456789") != std::string::npos) continue;
      if (value->size() > 10 || std::stoull(*value) == 0 || std::stoull(*value) > UINT32_MAX)
        return Fault{errors::kUnsupportedParameterValue, "'" + *value + "' is out of range for " + p.name};
    }
  }
  return std::nullopt;
}

std::optional<Gateway::Fault> Gateway::run(const Command& cmd, uint32_t& context, Command& reply) {
  if (cmd.terminations.size() != 1) return Fault{errors::kSyntaxErrorInCommand, "one termination ID per command"};
  switch (cmd.type) {
    case CommandType::kAdd: return add(cmd, context, reply);
    case CommandType::kModify: return modify(cmd, context, reply, false);
    case CommandType::kMove: return modify(cmd, context, reply, true);
    case CommandType::kSubtract: return subtract(cmd, context, reply);
    case CommandType::kAuditValue:
    case CommandType::kAuditCapability: return audit(cmd, context, reply);
    case CommandType::kServiceChange:
      // The MGC's ServiceChange (handoff, forced) is acted on by the association; here it is
      // acknowledged.
      return std::nullopt;
    case CommandType::kNotify: return Fault{errors::kUnsupportedOrUnknownCommand, "the MG does not accept Notify"};
  }
  return Fault{errors::kUnsupportedOrUnknownCommand, "unknown command"};
}

std::string Gateway::choose_name(const std::string& requested, const TerminationRequest& media) {
  std::string prefix = prefix_for(media);
  if (requested != "$") {
    size_t slash = requested.find('/');
    prefix = requested.substr(0, slash);
  }
  uint32_t& n = next_number_[prefix];
  std::string name;
  do {
    name = prefix + "/" + std::to_string(++n);
  } while (terminations_.count(name));
  return name;
}

std::optional<Gateway::Fault> Gateway::apply_descriptors(const Command& cmd, Termination& t) {
  t.media.signals.clear();  // signals are asked for by each command anew
  for (const Descriptor& d : cmd.descriptors) {
    if (auto* m = std::get_if<MediaDescriptor>(&d)) {
      if (m->streams.size() > 1) return Fault{errors::kUnsupportedParameterValue, "one stream per termination"};
      const StreamParms& s = m->streams.empty() ? m->single : m->streams.front().parms;
      if (s.local_control) {
        if (s.local_control->mode) t.media.mode = s.local_control->mode;
        for (const PropertyParm& p : s.local_control->properties) {
          bool replaced = false;
          for (PropertyParm& q : t.media.properties)
            if (iequals(q.name, p.name)) {
              q = p;
              replaced = true;
            }
          if (!replaced) t.media.properties.push_back(p);
        }
      }
      auto sdp_of = [](const std::string& text) -> Result<sdp::SessionDescription, Fault> {
        auto parsed = sdp::parse(text);
        if (!parsed) {
          return Fault{errors::kInvalidSdpSyntax,
                       "SDP line " + std::to_string(parsed.error().line) + ": " + parsed.error().reason};
        }
        return std::move(parsed).value();
      };
      if (s.local) {
        auto l = sdp_of(*s.local);
        if (!l) return l.error();
        t.media.local = std::move(l).value();
      }
      if (s.remote) {
        auto r = sdp_of(*s.remote);
        if (!r) return r.error();
        t.media.remote = std::move(r).value();
      }
    } else if (auto* e = std::get_if<EventsDescriptor>(&d)) {
      t.events = *e;
    } else if (auto* sg = std::get_if<SignalsDescriptor>(&d)) {
      t.signals = *sg;
      for (const auto& item : sg->items) {
        if (const auto* one = std::get_if<Signal>(&item)) t.media.signals.push_back(one->name);
      }
    }
  }
  return std::nullopt;
}

std::optional<Gateway::Fault> Gateway::add(const Command& cmd, uint32_t& context, Command& reply) {
  if (context == ContextId::kNull || context == ContextId::kAll)
    return Fault{errors::kUnknownAction, "Add needs a context (or $)"};
  const std::string& requested = cmd.terminations.front().name;
  if (!TerminationId{requested}.is_choose())
    return Fault{errors::kNoSuchTerminationId, "ephemeral terminations are named by the gateway: use $ or prefix/$"};
  if (context != ContextId::kChoose && contexts_[context].size() >= config_.max_terminations_per_context)
    return Fault{errors::kMaxTerminationsInContextExceeded,
                 std::string(errors::text(errors::kMaxTerminationsInContextExceeded))};
  if (context == ContextId::kChoose && contexts_.size() >= config_.max_contexts)
    return Fault{errors::kNoContextIdsAvailable, std::string(errors::text(errors::kNoContextIdsAvailable))};

  Termination t;
  if (auto f = apply_descriptors(cmd, t)) return f;
  t.name = choose_name(requested, t.media);
  const bool chosen_here = context == ContextId::kChoose;
  if (chosen_here) {
    while (contexts_.count(next_context_) || next_context_ == 0 || next_context_ >= ContextId::kChoose)
      next_context_ = next_context_ >= ContextId::kChoose - 1 ? 1 : next_context_ + 1;
    context = next_context_++;
    contexts_[context];
  }
  t.context = context;
  t.media.termination = t.name;
  t.media.context = context;
  t.added = std::chrono::steady_clock::now();
  auto answered = media_.add(t.media);
  if (!answered) {
    if (contexts_[context].empty()) contexts_.erase(context);
    // The context this Add chose is gone again: the reply names none (C=-), not one that does not exist.
    if (chosen_here) context = ContextId::kChoose;
    return Fault{answered.error().code, answered.error().reason};
  }
  t.answered_local = std::move(answered).value();
  reply.terminations = {TerminationId{t.name}};
  if (t.media.local || !t.answered_local->media.empty()) {
    MediaDescriptor md;
    md.single.local = sdp::write(*t.answered_local);
    reply.descriptors.emplace_back(std::move(md));
  }
  contexts_[context].push_back(t.name);
  terminations_[t.name] = std::move(t);
  return std::nullopt;
}

std::vector<std::string> Gateway::match(const TerminationId& id, uint32_t context) const {
  std::vector<std::string> out;
  if (context == ContextId::kNull || context == ContextId::kAll) {
    for (const auto& [name, t] : terminations_)
      if (wildcard_match(id.name, name)) out.push_back(name);
    return out;
  }
  auto it = contexts_.find(context);
  if (it == contexts_.end()) return out;
  for (const std::string& name : it->second)
    if (wildcard_match(id.name, name)) out.push_back(name);
  return out;
}

std::optional<Gateway::Fault> Gateway::modify(const Command& cmd, uint32_t context, Command& reply, bool move) {
  const TerminationId& id = cmd.terminations.front();
  if (id.is_root()) return check_root_properties(cmd);  // applied by the association once accepted
  if (move && (context == ContextId::kNull || context == ContextId::kChoose))
    return Fault{errors::kUnknownAction, "Move needs an existing context"};
  std::vector<std::string> names = move ? match(id, ContextId::kAll) : match(id, context);
  if (names.empty())
    return Fault{id.has_wildcard() ? errors::kNoTerminationIdMatchedWildcard : errors::kNoSuchTerminationId,
                 "no termination " + id.name + (move ? "" : " in this context")};
  if (names.size() > 1 && !id.has_wildcard()) return Fault{errors::kSyntaxErrorInCommand, "ambiguous termination"};
  // The reply carries the Local in force when the request touched the stream.
  bool answers_local = false;
  for (const Descriptor& d : cmd.descriptors)
    if (auto* m = std::get_if<MediaDescriptor>(&d))
      answers_local = answers_local || m->single.local || !m->streams.empty();
  for (const std::string& name : names) {
    Termination& t = terminations_.at(name);
    Termination updated = t;
    if (auto f = apply_descriptors(cmd, updated)) return f;
    if (move && t.context != context) {
      if (contexts_[context].size() >= config_.max_terminations_per_context)
        return Fault{errors::kMaxTerminationsInContextExceeded,
                     std::string(errors::text(errors::kMaxTerminationsInContextExceeded))};
      updated.context = context;
      updated.media.context = context;
    }
    auto local = media_.modify(updated.media);
    if (!local) return Fault{local.error().code, local.error().reason};
    updated.answered_local = std::move(local).value();
    if (move && t.context != context) {
      std::erase(contexts_[t.context], name);
      if (contexts_[t.context].empty()) contexts_.erase(t.context);
      contexts_[context].push_back(name);
    }
    t = std::move(updated);
    if (answers_local) {
      MediaDescriptor md;
      md.single.local = sdp::write(*t.answered_local);
      reply.descriptors.emplace_back(std::move(md));
    }
  }
  if (names.size() == 1) reply.terminations = {TerminationId{names.front()}};
  return std::nullopt;
}

StatisticsDescriptor Gateway::statistics_of(const MediaStatistics& s) const {
  StatisticsDescriptor sd;
  auto add = [&](const char* name, uint64_t v) {
    sd.statistics.push_back({name, PropertyParm::Relation::kEqual, PropertyParm::Form::kSingle, {std::to_string(v)}});
  };
  add("nt/os", s.octets_sent);
  add("nt/or", s.octets_received);
  add("nt/dur", s.duration_ms);
  if (s.latches) add("lstat/latches", *s.latches);
  return sd;
}

void Gateway::remove(const std::string& name) {
  auto it = terminations_.find(name);
  if (it == terminations_.end()) return;
  uint32_t ctx = it->second.context;
  terminations_.erase(it);
  auto c = contexts_.find(ctx);
  if (c != contexts_.end()) {
    std::erase(c->second, name);
    if (c->second.empty()) contexts_.erase(c);
  }
}

std::optional<Gateway::Fault> Gateway::subtract(const Command& cmd, uint32_t context, Command& reply) {
  const TerminationId& id = cmd.terminations.front();
  if (context == ContextId::kNull || context == ContextId::kChoose)
    return Fault{errors::kUnknownAction, "Subtract needs a context"};
  std::vector<std::string> names = match(id, context);
  if (names.empty())
    return Fault{id.has_wildcard() ? errors::kNoTerminationIdMatchedWildcard : errors::kTerminationIdNotInContext,
                 "no termination " + id.name + " in context " + std::to_string(context)};
  bool want_stats = true;
  for (const Descriptor& d : cmd.descriptors)
    if (auto* a = std::get_if<AuditDescriptor>(&d)) {
      want_stats = false;
      for (AuditItem i : a->items) want_stats = want_stats || i == AuditItem::kStatistics;
    }
  MediaStatistics total;
  for (const std::string& name : names) {
    MediaStatistics s = media_.subtract(name);
    total.octets_sent += s.octets_sent;
    total.octets_received += s.octets_received;
    total.duration_ms = std::max(total.duration_ms, s.duration_ms);
    if (s.latches) total.latches = total.latches.value_or(0) + *s.latches;
    remove(name);
  }
  if (names.size() == 1) reply.terminations = {TerminationId{names.front()}};
  if (want_stats) reply.descriptors.emplace_back(statistics_of(total));
  return std::nullopt;
}

PackagesDescriptor Gateway::packages_descriptor() const {
  PackagesDescriptor pg;
  for (const Package& p : packages_.packages()) pg.packages.push_back({p.name, p.version});
  return pg;
}

void Gateway::audit_termination(const Termination& t, const AuditDescriptor* what, Command& reply) const {
  auto wants = [&](AuditItem item) {
    if (what == nullptr) return false;
    for (AuditItem i : what->items)
      if (i == item) return true;
    return false;
  };
  if (wants(AuditItem::kMedia)) {
    MediaDescriptor md;
    LocalControlDescriptor lc;
    lc.mode = t.media.mode;
    lc.properties = t.media.properties;
    if (lc.mode || !lc.properties.empty()) md.single.local_control = lc;
    if (t.answered_local) md.single.local = sdp::write(*t.answered_local);
    if (t.media.remote) md.single.remote = sdp::write(*t.media.remote);
    reply.descriptors.emplace_back(std::move(md));
  }
  if (wants(AuditItem::kEvents)) reply.descriptors.emplace_back(t.events.value_or(EventsDescriptor{}));
  if (wants(AuditItem::kSignals)) reply.descriptors.emplace_back(t.signals.value_or(SignalsDescriptor{}));
  if (wants(AuditItem::kStatistics)) reply.descriptors.emplace_back(statistics_of(media_.statistics(t.name)));
  if (wants(AuditItem::kPackages)) reply.descriptors.emplace_back(packages_descriptor());
}

std::optional<Gateway::Fault> Gateway::audit(const Command& cmd, uint32_t context, Command& reply) {
  const TerminationId& id = cmd.terminations.front();
  const AuditDescriptor* what = nullptr;
  for (const Descriptor& d : cmd.descriptors)
    if (auto* a = std::get_if<AuditDescriptor>(&d)) what = a;
  if (id.is_root()) {
    if (what == nullptr) return std::nullopt;
    for (AuditItem i : what->items) {
      if (i == AuditItem::kPackages) reply.descriptors.emplace_back(packages_descriptor());
      if (i == AuditItem::kMedia) {
        MediaDescriptor md;
        TerminationStateDescriptor ts;
        auto prop = [](const char* n, uint64_t v) {
          return PropertyParm{n, PropertyParm::Relation::kEqual, PropertyParm::Form::kSingle, {std::to_string(v)}};
        };
        ts.properties.push_back(prop("root/maxNumberOfContexts", config_.max_contexts));
        ts.properties.push_back(prop("root/maxTerminationsPerContext", config_.max_terminations_per_context));
        md.termination_state = ts;
        reply.descriptors.emplace_back(std::move(md));
      }
    }
    return std::nullopt;
  }
  std::vector<std::string> names = match(id, context);
  if (names.empty())
    return Fault{id.has_wildcard() ? errors::kNoTerminationIdMatchedWildcard : errors::kNoSuchTerminationId,
                 "no termination " + id.name};
  if (names.size() == 1) {
    reply.terminations = {TerminationId{names.front()}};
    audit_termination(terminations_.at(names.front()), what, reply);
    return std::nullopt;
  }
  // A wildcard audit: the matching terminations as a list (their details need one audit each).
  reply.terminations.clear();
  for (const std::string& n : names) reply.terminations.push_back(TerminationId{n});
  return std::nullopt;
}

std::optional<Action> Gateway::observe(const std::string& termination, ObservedEvent event) {
  auto it = terminations_.find(termination);
  if (it == terminations_.end() || !it->second.events || !it->second.events->request_id) return std::nullopt;
  const EventsDescriptor& ev = *it->second.events;
  bool requested = false;
  for (const RequestedEvent& r : ev.events) {
    size_t slash = r.name.find('/');
    bool all_of_package = slash != std::string::npos && r.name.substr(slash + 1) == "*" &&
                          iequals(std::string_view(r.name).substr(0, slash),
                                  std::string_view(event.name).substr(0, event.name.find('/')));
    requested = requested || iequals(r.name, event.name) || all_of_package;
  }
  if (!requested) return std::nullopt;
  if (!event.timestamp) event.timestamp = timestamp_now();
  Command notify;
  notify.type = CommandType::kNotify;
  notify.terminations = {TerminationId{termination}};
  notify.descriptors.emplace_back(ObservedEventsDescriptor{*ev.request_id, {std::move(event)}});
  Action a;
  a.context = ContextId{it->second.context};
  a.commands.push_back(std::move(notify));
  return a;
}

}  // namespace mediasec::h248
