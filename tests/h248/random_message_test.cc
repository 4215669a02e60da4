// Property test: random message models survive encode -> decode in both forms unchanged, and
// random mutations of their encodings never crash the decoder.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "host/h248/decode.h"
#include "host/h248/encode.h"
#include "tests/support/test_env.h"

namespace mediasec::h248 {
namespace {

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  Message message() {
    Message m;
    m.version = 3;
    m.mid =
        pick({MessageId{MessageId::Kind::kIp4, "10.0.0.2", 2944}, MessageId{MessageId::Kind::kIp6, "2001:db8::1", 2944},
              MessageId{MessageId::Kind::kDomain, "mgc.example.net", std::nullopt},
              MessageId{MessageId::Kind::kDevice, "gw1", std::nullopt}});
    if (chance(0.03)) {
      m.error = error();
      return m;
    }
    int n = range(1, 3);
    for (int i = 0; i < n; ++i) m.transactions.push_back(transaction());
    return m;
  }

 private:
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  int range(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  template <typename T>
  T pick(std::initializer_list<T> options) {
    auto it = options.begin();
    std::advance(it, range(0, static_cast<int>(options.size()) - 1));
    return *it;
  }
  uint32_t id() { return static_cast<uint32_t>(range(1, 1 << 30)); }
  std::string name() {
    return pick<std::string>({"tlsbsc/role", "tcpbcc/est", "ipnapt/latch", "nt/jit", "x/y", "g/cause"});
  }
  std::string value() {
    return pick<std::string>({"client", "7", "0.25", "\"two words\"", "\"\"", "ON", "abc-def", "$", "*", "X-1"});
  }
  TerminationId term() { return {pick<std::string>({"tls/1", "tcp/$", "tcp/*", "ROOT", "udptl/77", "$", "*"})}; }
  ContextId context() { return pick({ContextId::null(), ContextId::choose(), ContextId::all(), ContextId{id()}}); }
  ErrorDescriptor error() {
    return {static_cast<uint16_t>(pick({400, 403, 430, 445, 474, 510})), chance(0.5) ? "some text" : ""};
  }
  PropertyParm property() {
    PropertyParm p;
    p.name = name();
    int kind = range(0, 6);
    if (kind <= 2) {
      p.values = {value()};
    } else if (kind == 3) {
      p.form = PropertyParm::Form::kAlternatives;
      p.values = {value(), value()};
    } else if (kind == 4) {
      p.form = PropertyParm::Form::kRange;
      p.values = {"1", "9"};
    } else if (kind == 5) {
      p.form = PropertyParm::Form::kSublist;
      p.values = {value(), value(), value()};
    } else {
      p.relation =
          pick({PropertyParm::Relation::kGreater, PropertyParm::Relation::kLess, PropertyParm::Relation::kNotEqual});
      p.values = {value()};
    }
    return p;
  }
  std::vector<PropertyParm> properties(int max) {
    std::vector<PropertyParm> v;
    for (int i = range(0, max); i > 0; --i) v.push_back(property());
    return v;
  }
  std::string sdp() {
    return pick<std::string>(
        {"v=0\nc=IN IP4 $\nm=message $ TCP/TLS/MSRP *\na=setup:actpass",
         "v=0\r\nc=IN IP4 192.0.2.7\r\nm=image 5000 UDP/TLS/UDPTL t38\r\na=fingerprint:SHA-256 AB:CD", "v=0",
         "a=weird:{braces}"});
  }
  StreamParms stream_parms() {
    StreamParms s;
    if (chance(0.7)) {
      LocalControlDescriptor lc;
      if (chance(0.6))
        lc.mode = pick({StreamMode::kSendOnly, StreamMode::kReceiveOnly, StreamMode::kSendReceive,
                        StreamMode::kInactive, StreamMode::kLoopback});
      if (chance(0.2)) lc.reserve_value = chance(0.5);
      if (chance(0.2)) lc.reserve_group = chance(0.5);
      lc.properties = properties(2);
      if (lc.mode || lc.reserve_value || lc.reserve_group || !lc.properties.empty()) s.local_control = lc;
    }
    if (chance(0.6)) s.local = sdp();
    if (chance(0.4)) s.remote = sdp();
    if (chance(0.2)) s.statistics = StatisticsDescriptor{{{"nt/os", PropertyParm::Relation::kEqual, {}, {"12"}}}};
    if (s.empty()) s.local = "v=0";
    return s;
  }
  MediaDescriptor media() {
    MediaDescriptor m;
    if (chance(0.3)) {
      TerminationStateDescriptor ts;
      if (chance(0.5))
        ts.service_state = pick({ServiceState::kTest, ServiceState::kOutOfService, ServiceState::kInService});
      if (chance(0.3)) ts.buffer = pick({EventBufferControl::kOff, EventBufferControl::kLockStep});
      ts.properties = properties(2);
      if (ts.service_state || ts.buffer || !ts.properties.empty()) m.termination_state = ts;
    }
    if (chance(0.5)) {
      m.single = stream_parms();
    } else {
      for (int i = range(1, 2); i > 0; --i) m.streams.push_back({static_cast<uint16_t>(range(1, 4)), stream_parms()});
    }
    return m;
  }
  Signal signal() {
    Signal s;
    s.name = pick<std::string>({"g/sc", "tlsbsc/start", "al/ri"});
    if (chance(0.3)) s.stream = 1;
    if (chance(0.3)) s.type = pick({SignalType::kBrief, SignalType::kOnOff, SignalType::kTimeOut});
    if (chance(0.3)) s.duration = static_cast<uint32_t>(range(1, 10000));
    if (chance(0.2)) s.notify_completion = {"TimeOut", "OtherReason"};
    s.keep_active = chance(0.2);
    if (chance(0.2))
      s.direction = pick({SignalDirection::kInternal, SignalDirection::kExternal, SignalDirection::kBoth});
    if (chance(0.2)) s.request_id = id();
    if (chance(0.1)) s.intersignal_delay = 30;
    s.parameters = properties(1);
    return s;
  }
  SignalsDescriptor signals() {
    SignalsDescriptor s;
    for (int i = range(0, 2); i > 0; --i) {
      if (chance(0.3)) {
        s.items.emplace_back(SignalList{static_cast<uint16_t>(range(1, 9)), {signal(), signal()}});
      } else {
        s.items.emplace_back(signal());
      }
    }
    return s;
  }
  RequestedEvent event(int depth) {
    RequestedEvent e;
    e.name = pick<std::string>({"tcpbcc/tcpest", "tlsbsc/tlsrel", "g/cause", "ipnapt/latch"});
    if (chance(0.2)) e.stream = 1;
    e.keep_active = chance(0.2);
    e.reset_events = chance(0.1);
    if (chance(0.2))
      e.notify_behaviour = pick({NotifyBehaviour::kImmediate, NotifyBehaviour::kNever, NotifyBehaviour::kRegulated});
    if (chance(0.1)) e.digit_map = DigitMapDescriptor{"dial", std::nullopt};
    if (depth < 2 && chance(0.15)) {
      EmbedDescriptor em;
      if (chance(0.5)) em.signals = signals();
      if (!em.signals || chance(0.5)) {
        em.request_id = id();
        em.events = {event(depth + 1)};
      }
      e.embed = em;
    }
    e.parameters = properties(1);
    return e;
  }
  Descriptor request_descriptor(CommandType type) {
    switch (type) {
      case CommandType::kNotify: {
        ObservedEventsDescriptor oe;
        oe.request_id = id();
        for (int i = range(1, 3); i > 0; --i) {
          ObservedEvent e;
          if (chance(0.5)) e.timestamp = "20261124T12000000";
          e.name = "tcpbcc/tcpcf";
          if (chance(0.3)) e.stream = 1;
          e.parameters = properties(2);
          oe.events.push_back(e);
        }
        return oe;
      }
      case CommandType::kServiceChange: {
        ServiceChangeDescriptor sc;
        sc.method =
            pick({ServiceChangeMethod::kRestart, ServiceChangeMethod::kForced, ServiceChangeMethod::kGraceful,
                  ServiceChangeMethod::kDisconnected, ServiceChangeMethod::kHandOff, ServiceChangeMethod::kFailover});
        if (chance(0.8))
          sc.reason = pick<std::string>({"901 Cold Boot", "905 Termination taken out of service", "900"});
        if (chance(0.3)) sc.delay = 10;
        if (chance(0.3)) sc.address = "[10.0.0.9]:2944";
        if (chance(0.5)) sc.profile = "3GPP_Iq/1";
        if (chance(0.5)) sc.version = 3;
        if (chance(0.2)) sc.mgc_id = "<mgc2.example.net>:2944";
        if (chance(0.2)) sc.timestamp = "20261124T12000000";
        sc.incomplete = chance(0.1);
        return sc;
      }
      case CommandType::kSubtract:
      case CommandType::kAuditValue:
      case CommandType::kAuditCapability: {
        AuditDescriptor a;
        if (chance(0.7)) a.items = {AuditItem::kMedia, AuditItem::kStatistics, AuditItem::kPackages};
        return a;
      }
      default:
        switch (range(0, 5)) {
          case 0:
          case 1: return media();
          case 2: {
            EventsDescriptor e;
            if (chance(0.9)) {
              e.request_id = id();
              for (int i = range(1, 3); i > 0; --i) e.events.push_back(event(0));
            }
            return e;
          }
          case 3: return signals();
          case 4: return EventBufferDescriptor{{EventSpec{"g/cause", 1, {}}}};
          default: return DigitMapDescriptor{"dial", "(0s|00s|[1-7]xxx|8xxxxxxx)"};
        }
    }
  }
  Command command(bool request) {
    Command c;
    c.type = pick({CommandType::kAdd, CommandType::kModify, CommandType::kMove, CommandType::kSubtract,
                   CommandType::kAuditValue, CommandType::kAuditCapability, CommandType::kNotify,
                   CommandType::kServiceChange});
    c.terminations = {term()};
    if (chance(0.1)) c.terminations.push_back(term());
    if (request) {
      c.optional = chance(0.1);
      c.wildcard_reply = chance(0.1);
      bool needs_body = c.type == CommandType::kNotify || c.type == CommandType::kServiceChange;
      int n = needs_body ? 1 : range(0, 3);
      for (int i = 0; i < n; ++i) c.descriptors.push_back(request_descriptor(c.type));
    } else if (c.type == CommandType::kNotify || c.type == CommandType::kServiceChange) {
      if (chance(0.3)) c.descriptors.emplace_back(error());
    } else if (chance(0.6)) {
      c.descriptors.emplace_back(media());
      if (chance(0.3)) c.descriptors.emplace_back(PackagesDescriptor{{{"tlsbsc", 1}, {"tcpbcc", 1}}});
      if (chance(0.3)) c.descriptors.emplace_back(AuditItem::kDigitMap);
    }
    return c;
  }
  Action action(bool request) {
    Action a;
    a.context = context();
    if (chance(0.2)) a.properties.priority = static_cast<uint32_t>(range(0, 15));
    if (chance(0.1)) a.properties.emergency = chance(0.5);
    if (chance(0.1)) a.properties.ieps_call = chance(0.5);
    if (chance(0.1)) a.properties.topology = {{{"tls/1"}, {"tcp/2"}, TopologyDirection::kOneway, std::nullopt, 1}};
    for (int i = range(1, 3); i > 0; --i) a.commands.push_back(command(request));
    if (!request && chance(0.1)) a.error = error();
    return a;
  }
  Transaction transaction() {
    switch (range(0, 9)) {
      case 0: return TransactionPending{id()};
      case 1: return TransactionResponseAck{{{1, 1}, {3, 9}}};
      case 2: return SegmentReply{id(), 2, chance(0.5)};
      case 3:
      case 4:
      case 5: {
        TransactionReply r;
        r.id = id();
        r.immediate_ack_required = chance(0.2);
        if (chance(0.15)) {
          r.error = error();
        } else {
          for (int i = range(1, 2); i > 0; --i) r.actions.push_back(action(false));
        }
        return r;
      }
      default: {
        TransactionRequest t;
        t.id = id();
        for (int i = range(1, 2); i > 0; --i) t.actions.push_back(action(true));
        return t;
      }
    }
  }

  std::mt19937_64 rng_;
};

TEST(H248RandomMessages, SurviveEncodeDecodeInBothForms) {
  const uint64_t seed = test_env::TestSeed(0x48248);
  const int n = static_cast<int>(3000 * test_env::TestScale());
  Generator gen(seed);
  for (int i = 0; i < n; ++i) {
    Message m = gen.message();
    for (Form form : {Form::kCompact, Form::kPretty}) {
      std::string text = encode(m, {form});
      auto back = decode(text);
      ASSERT_TRUE(back.ok()) << "seed " << seed << " message " << i << ": " << describe(back.error()) << "\n" << text;
      ASSERT_EQ(*back, m) << "seed " << seed << " message " << i << "\n" << text;
    }
  }
}

TEST(H248RandomMessages, MutationsNeverCrashTheDecoder) {
  const uint64_t seed = test_env::TestSeed(0xbad248);
  const int n = static_cast<int>(3000 * test_env::TestScale());
  Generator gen(seed);
  std::mt19937_64 rng(seed);
  int decoded = 0;
  for (int i = 0; i < n; ++i) {
    std::string text = encode(gen.message());
    for (int k = 0; k < 4; ++k) {
      std::string t = text;
      size_t at = rng() % t.size();
      switch (rng() % 4) {
        case 0: t[at] = static_cast<char>(rng()); break;                                   // flip a byte
        case 1: t.erase(at, 1 + rng() % 8); break;                                         // delete a run
        case 2: t.insert(at, std::string(1 + rng() % 4, "{}[],=\"\\"[rng() % 8])); break;  // structure
        default: t.resize(at); break;                                                      // truncate
      }
      auto m = decode(t);
      if (m.ok()) {
        ++decoded;
        // Whatever decodes must encode and decode again to the same model.
        auto again = decode(encode(*m));
        ASSERT_TRUE(again.ok()) << "seed " << seed << "\n" << t;
        EXPECT_EQ(*again, *m);
      } else {
        EXPECT_LE(m.error().offset, t.size());
        EXPECT_FALSE(m.error().reason.empty());
      }
    }
  }
  RecordProperty("mutants_that_still_decode", decoded);
}

}  // namespace
}  // namespace mediasec::h248
