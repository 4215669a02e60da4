#include "host/h248/decode.h"

#include <charconv>
#include <limits>
#include <utility>

#include "base/ascii.h"
#include "host/h248/error_codes.h"
#include "host/h248/text_chars.h"
#include "host/h248/tokens.h"

namespace mediasec::h248 {
namespace {

// Thrown inside the parser only; decode() turns it into a DecodeError.
struct ParseFailure {
  uint16_t code;
  size_t offset;
  std::string reason;
};

bool is_timestamp(std::string_view w) {
  // yyyymmddThhmmssss
  if (w.size() != 17 || (w[8] != 'T' && w[8] != 't')) return false;
  for (size_t i = 0; i < w.size(); ++i) {
    if (i == 8) continue;
    if (w[i] < '0' || w[i] > '9') return false;
  }
  return true;
}

// Lists in a message (commands of an action, descriptors of a command, properties, observed
// events) rarely hold more items than this: reserving it costs one allocation instead of three.
constexpr size_t kTypicalListSize = 4;

class Parser {
 public:
  Parser(std::string_view in, const DecodeLimits& limits) : in_(in), limits_(limits) {}

  Message message();

  std::optional<uint32_t> transaction_id() const { return transaction_id_; }
  bool transaction_is_request() const { return transaction_is_request_; }

 private:
  // ---- lexing -------------------------------------------------------------------------------
  [[noreturn]] void fail(std::string reason, uint16_t code = 0) const {
    if (code == 0) code = transaction_id_ ? errors::kSyntaxErrorInTransaction : errors::kBadRequestFormat;
    throw ParseFailure{code, pos_, std::move(reason)};
  }

  std::string found() const {
    if (pos_ >= in_.size()) return "end of message";
    char c = in_[pos_];
    if (c >= 0x20 && c < 0x7f) return std::string("'") + c + "'";
    return "byte " + std::to_string(static_cast<unsigned char>(c));
  }

  void skip() {
    while (pos_ < in_.size()) {
      char c = in_[pos_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        ++pos_;
      } else if (c == ';') {
        while (pos_ < in_.size() && in_[pos_] != '\n' && in_[pos_] != '\r') ++pos_;
      } else {
        break;
      }
    }
  }

  char peek() {
    skip();
    return pos_ < in_.size() ? in_[pos_] : '\0';
  }
  bool at_end() {
    skip();
    return pos_ >= in_.size();
  }
  bool accept(char c) {
    if (peek() == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!accept(c)) fail(std::string("expected '") + c + "' but found " + found());
  }

  void open(char c) {
    expect(c);
    if (++depth_ > limits_.max_nesting) fail("nesting deeper than " + std::to_string(limits_.max_nesting));
  }
  void close(char c) {
    expect(c);
    --depth_;
  }

  std::string_view word() {
    skip();
    size_t start = pos_;
    while (pos_ < in_.size() && is_safe_char(in_[pos_])) ++pos_;
    if (pos_ == start) fail("expected a name or value but found " + found());
    return in_.substr(start, pos_ - start);
  }

  // The keyword at the current position, if any, without consuming it. The answer is cached for
  // the token() call that usually follows.
  std::optional<Token> peek_token() {
    skip();
    if (pos_ == peeked_at_) return peeked_;
    size_t end = pos_;
    while (end < in_.size() && is_safe_char(in_[end])) ++end;
    peeked_at_ = pos_;
    peeked_end_ = end;
    peeked_ = end > pos_ ? lookup_token(in_.substr(pos_, end - pos_)) : std::nullopt;
    return peeked_;
  }

  Token token() {
    skip();
    if (pos_ == peeked_at_ && peeked_) {
      pos_ = peeked_end_;
      return *peeked_;
    }
    size_t start = pos_;
    std::string_view w = word();
    auto t = lookup_token(w);
    if (!t) {
      pos_ = start;
      skip();
      fail("unknown keyword '" + std::string(w) + "'");
    }
    return *t;
  }

  void expect_token(Token want) {
    size_t start = pos_;
    Token t = token();
    if (t != want) {
      pos_ = start;
      skip();
      fail("expected " + std::string(spelling(want, Form::kPretty)) + " but found " + found());
    }
  }

  // VALUE = quotedString / 1*SafeChar. Property values keep their quotes (packages tell a quoted
  // string from a token); texts (reasons, error texts) do not.
  std::string value(bool keep_quotes = true) {
    if (peek() == '"') {
      size_t start = pos_++;
      while (pos_ < in_.size() && in_[pos_] != '"') ++pos_;
      if (pos_ >= in_.size()) fail("unterminated quoted string");
      ++pos_;
      return keep_quotes ? std::string(in_.substr(start, pos_ - start))
                         : std::string(in_.substr(start + 1, pos_ - start - 2));
    }
    return std::string(word());
  }

  template <typename T>
  T number(std::string_view w, const char* what) {
    T v{};
    auto [p, ec] = std::from_chars(w.data(), w.data() + w.size(), v);
    if (ec != std::errc() || p != w.data() + w.size()) fail(std::string("bad ") + what + " '" + std::string(w) + "'");
    return v;
  }
  template <typename T>
  T number(const char* what) {
    return number<T>(word(), what);
  }

  // ---- structure ------------------------------------------------------------------------------
  MessageId mid();
  std::string raw_until_delimiter();
  Transaction transaction();
  TransactionRequest transaction_request();
  TransactionReply transaction_reply();
  TransactionResponseAck response_ack();
  void reply_id(std::string_view w, uint32_t& id, std::optional<uint16_t>& segment, bool& complete);
  ContextId context_id();
  Action action(bool request);
  bool context_property(Token t, ContextProperties& props);
  void context_audit(ContextProperties& props);
  Command command(bool request);
  std::vector<TerminationId> termination_list();
  TerminationId termination();
  void command_body(Command& cmd, bool request);
  Descriptor descriptor(Token t, bool names_only);
  MediaDescriptor media(bool names_only);
  bool stream_parm(Token t, StreamParms& parms, bool names_only);
  LocalControlDescriptor local_control(bool names_only);
  TerminationStateDescriptor termination_state(bool names_only);
  std::string octet_string();
  StatisticsDescriptor statistics();
  PropertyParm property(std::string_view name);
  // An audit request naming a keyword item (Mode, ServiceStates, ...) without a value.
  static PropertyParm name_only(Token t) {
    PropertyParm p;
    p.name = std::string(spelling(t, Form::kPretty));
    p.relation = PropertyParm::Relation::kNone;
    return p;
  }
  EventsDescriptor events(bool names_only);
  RequestedEvent requested_event();
  EmbedDescriptor embed();
  SignalsDescriptor signals();
  Signal signal_request(std::string_view name);
  DigitMapDescriptor digit_map();
  std::string digit_map_body();
  EventBufferDescriptor event_buffer();
  void stream_and_parameters(std::optional<uint16_t>& stream, std::vector<PropertyParm>& parameters);
  ObservedEventsDescriptor observed_events();
  PackagesDescriptor packages();
  ErrorDescriptor error_descriptor();
  AuditDescriptor audit();
  ServiceChangeDescriptor services();
  MuxDescriptor mux();
  ModemDescriptor modem();
  TopologyTriple topology_triple();

  std::string_view in_;
  const DecodeLimits& limits_;
  size_t pos_ = 0;
  size_t depth_ = 0;
  size_t peeked_at_ = std::string_view::npos;  // position of the last peek_token()
  size_t peeked_end_ = 0;
  std::optional<Token> peeked_;
  std::optional<uint32_t> transaction_id_;
  bool transaction_is_request_ = false;
};

// ---- message ------------------------------------------------------------------------------

Message Parser::message() {
  Message m;
  skip();
  // Optional authentication header: AU = spi:seq:data
  if (auto t = peek_token(); t == Token::kAuthentication) {
    token();
    expect('=');
    AuthenticationHeader auth;
    auth.spi = std::string(word());
    expect(':');
    auth.sequence = std::string(word());
    expect(':');
    auth.data = std::string(word());
    m.authentication = std::move(auth);
  }
  // MEGACO/3 or !/3
  size_t start = pos_;
  std::string_view head = word();
  size_t slash = head.find('/');
  if (slash == std::string_view::npos || lookup_token(head.substr(0, slash)) != Token::kMegacop) {
    pos_ = start;
    skip();
    fail("a message starts with MEGACO/<version> or !/<version>");
  }
  std::string_view ver = head.substr(slash + 1);
  unsigned v = 0;
  auto [p, ec] = std::from_chars(ver.data(), ver.data() + ver.size(), v);
  if (ec != std::errc() || p != ver.data() + ver.size() || ver.size() > 2) {
    pos_ = start;
    fail("bad protocol version '" + std::string(ver) + "'");
  }
  if (v < 1 || v > limits_.max_version) {
    pos_ = start;
    fail("version " + std::to_string(v) + " is not supported (1 to " + std::to_string(limits_.max_version) + ")",
         errors::kVersionNotSupported);
  }
  m.version = static_cast<uint8_t>(v);
  if (pos_ >= in_.size() || !(in_[pos_] == ' ' || in_[pos_] == '\t' || in_[pos_] == '\r' || in_[pos_] == '\n'))
    fail("expected white space after the version");
  m.mid = mid();

  if (at_end()) fail("a message needs a transaction or an error");
  if (peek_token() == Token::kError) {
    token();
    m.error = error_descriptor();
    if (!at_end()) fail("nothing may follow a message-level error but found " + found());
    return m;
  }
  while (!at_end()) m.transactions.push_back(transaction());
  return m;
}

MessageId Parser::mid() {
  MessageId id;
  char c = peek();
  if (c == '[') {
    ++pos_;
    size_t start = pos_;
    while (pos_ < in_.size() && in_[pos_] != ']' && pos_ - start < 64) ++pos_;
    if (pos_ >= in_.size() || in_[pos_] != ']') fail("unterminated address in the message identifier");
    id.address = std::string(in_.substr(start, pos_ - start));
    ++pos_;
    if (id.address.empty()) fail("empty address in the message identifier");
    bool ip6 = id.address.find(':') != std::string::npos;
    for (char a : id.address) {
      bool ok =
          (a >= '0' && a <= '9') || a == '.' || (ip6 && (a == ':' || (a >= 'a' && a <= 'f') || (a >= 'A' && a <= 'F')));
      if (!ok) fail("bad address '" + id.address + "' in the message identifier");
    }
    id.kind = ip6 ? MessageId::Kind::kIp6 : MessageId::Kind::kIp4;
  } else if (c == '<') {
    ++pos_;
    size_t start = pos_;
    while (pos_ < in_.size() && in_[pos_] != '>' && pos_ - start < 256) ++pos_;
    if (pos_ >= in_.size() || in_[pos_] != '>') fail("unterminated domain name in the message identifier");
    id.address = std::string(in_.substr(start, pos_ - start));
    ++pos_;
    if (id.address.empty()) fail("empty domain name in the message identifier");
    id.kind = MessageId::Kind::kDomain;
  } else if (peek_token() == Token::kMtp) {
    token();
    open('{');
    id.address = std::string(word());
    close('}');
    id.kind = MessageId::Kind::kMtp;
    return id;
  } else {
    id.address = std::string(word());
    id.kind = MessageId::Kind::kDevice;
    return id;
  }
  if (pos_ < in_.size() && in_[pos_] == ':') {
    ++pos_;
    size_t start = pos_;
    while (pos_ < in_.size() && in_[pos_] >= '0' && in_[pos_] <= '9') ++pos_;
    id.port = number<uint16_t>(in_.substr(start, pos_ - start), "port");
  }
  return id;
}

// A ServiceChangeAddress or MgcIdToTry as written: an mId or a port number.
std::string Parser::raw_until_delimiter() {
  skip();
  size_t start = pos_;
  size_t depth = 0;
  while (pos_ < in_.size()) {
    char c = in_[pos_];
    if (c == '[' || c == '<') ++depth;
    if (c == ']' || c == '>') {
      if (depth == 0) break;
      --depth;
    }
    if (depth == 0 && (c == ',' || c == '}' || c == ' ' || c == '\t' || c == '\r' || c == '\n')) break;
    ++pos_;
  }
  if (pos_ == start) fail("expected an address but found " + found());
  return std::string(in_.substr(start, pos_ - start));
}

// ---- transactions --------------------------------------------------------------------------

Transaction Parser::transaction() {
  transaction_id_.reset();
  size_t start = pos_;
  Token t = token();
  switch (t) {
    case Token::kTransaction: return transaction_request();
    case Token::kReply: return transaction_reply();
    case Token::kPending: {
      expect('=');
      TransactionPending p;
      p.id = number<uint32_t>("transaction ID");
      open('{');
      close('}');
      return p;
    }
    case Token::kTransactionResponseAck: return response_ack();
    case Token::kSegment: {
      expect('=');
      SegmentReply s;
      std::optional<uint16_t> seg;
      reply_id(word(), s.id, seg, s.segmentation_complete);
      if (!seg) fail("a segment reply needs a segment number");
      s.segment = *seg;
      return s;
    }
    default:
      pos_ = start;
      skip();
      fail("expected a transaction but found " + found());
  }
}

TransactionRequest Parser::transaction_request() {
  TransactionRequest tr;
  expect('=');
  tr.id = number<uint32_t>("transaction ID");
  transaction_id_ = tr.id;
  transaction_is_request_ = true;
  open('{');
  do {
    tr.actions.push_back(action(true));
  } while (accept(','));
  close('}');
  return tr;
}

void Parser::reply_id(std::string_view w, uint32_t& id, std::optional<uint16_t>& segment, bool& complete) {
  size_t slash = w.find('/');
  id = number<uint32_t>(w.substr(0, slash), "transaction ID");
  if (slash == std::string_view::npos) return;
  std::string_view rest = w.substr(slash + 1);
  size_t slash2 = rest.find('/');
  segment = number<uint16_t>(rest.substr(0, slash2), "segment number");
  if (slash2 == std::string_view::npos) return;
  if (lookup_token(rest.substr(slash2 + 1)) != Token::kSegmentationComplete)
    fail("expected END after the segment number");
  complete = true;
}

TransactionReply Parser::transaction_reply() {
  TransactionReply r;
  expect('=');
  // "5", "5/2" or "5/2/END"; the compact END is "&", which is a safe character too.
  reply_id(word(), r.id, r.segment, r.segmentation_complete);
  transaction_id_ = r.id;
  transaction_is_request_ = false;
  open('{');
  if (peek_token() == Token::kImmAckRequired) {
    token();
    r.immediate_ack_required = true;
    expect(',');
  }
  if (peek_token() == Token::kError) {
    token();
    r.error = error_descriptor();
  } else {
    do {
      r.actions.push_back(action(false));
    } while (accept(','));
  }
  close('}');
  return r;
}

TransactionResponseAck Parser::response_ack() {
  TransactionResponseAck k;
  open('{');
  do {
    std::string_view w = word();
    size_t dash = w.find('-');
    TransactionAck a;
    a.first = number<uint32_t>(w.substr(0, dash), "transaction ID");
    a.last = dash == std::string_view::npos ? a.first : number<uint32_t>(w.substr(dash + 1), "transaction ID");
    if (a.last < a.first) fail("transaction ID range runs backwards");
    k.acks.push_back(a);
  } while (accept(','));
  close('}');
  return k;
}

// ---- actions -------------------------------------------------------------------------------

ContextId Parser::context_id() {
  std::string_view w = word();
  if (w == "-") return ContextId::null();
  if (w == "$") return ContextId::choose();
  if (w == "*") return ContextId::all();
  return ContextId{number<uint32_t>(w, "context ID")};
}

Action Parser::action(bool request) {
  Action a;
  expect_token(Token::kContext);
  expect('=');
  a.context = context_id();
  open('{');
  if (!request && peek() == '}') {  // an empty action reply (v3 allows a context with nothing)
    close('}');
    return a;
  }
  a.commands.reserve(kTypicalListSize);
  do {
    std::optional<Token> t = peek_token();
    if (t && context_property(*t, a.properties)) continue;
    if (t == Token::kContextAudit) {
      token();
      context_audit(a.properties);
      continue;
    }
    if (!request && t == Token::kError) {
      token();
      a.error = error_descriptor();
      if (peek() != '}') fail("an action's error must come last");
      continue;
    }
    a.commands.push_back(command(request));
  } while (accept(','));
  close('}');
  return a;
}

bool Parser::context_property(Token t, ContextProperties& props) {
  switch (t) {
    case Token::kTopology:
      token();
      open('{');
      do {
        props.topology.push_back(topology_triple());
      } while (accept(','));
      close('}');
      return true;
    case Token::kPriority:
      token();
      expect('=');
      props.priority = number<uint16_t>("priority");
      if (*props.priority > 15) fail("priority above 15");
      return true;
    case Token::kEmergency:
      token();
      props.emergency = true;
      return true;
    case Token::kEmergencyOff:
      token();
      props.emergency = false;
      return true;
    case Token::kIepsCall: {
      token();
      expect('=');
      Token v = token();
      if (v != Token::kOn && v != Token::kOff) fail("IEPSCall takes ON or OFF");
      props.ieps_call = v == Token::kOn;
      return true;
    }
    case Token::kContextAttr:
      token();
      open('{');
      do {
        // ContextList is a keyword: kept in its pretty spelling so both forms decode alike.
        std::string_view w = word();
        auto kw = lookup_token(w);
        props.attributes.push_back(property(kw == Token::kContextList ? spelling(*kw, Form::kPretty) : w));
      } while (accept(','));
      close('}');
      return true;
    default: return false;
  }
}

void Parser::context_audit(ContextProperties& props) {
  props.has_audit = true;
  open('{');
  if (peek() != '}') {
    do {
      std::string_view w = word();
      auto t = lookup_token(w);
      PropertyParm item = property(t ? spelling(*t, Form::kPretty) : w);
      for (std::string& v : item.values)
        if (auto vt = lookup_token(v)) v = std::string(spelling(*vt, Form::kPretty));
      props.audit.push_back(std::move(item));
    } while (accept(','));
  }
  close('}');
}

TopologyTriple Parser::topology_triple() {
  TopologyTriple tt;
  tt.from = termination();
  expect(',');
  tt.to = termination();
  expect(',');
  switch (token()) {
    case Token::kBothway: tt.direction = TopologyDirection::kBothway; break;
    case Token::kIsolate: tt.direction = TopologyDirection::kIsolate; break;
    case Token::kOneway: tt.direction = TopologyDirection::kOneway; break;
    case Token::kOnewayExternal: tt.direction = TopologyDirection::kOnewayExternal; break;
    case Token::kOnewayBoth: tt.direction = TopologyDirection::kOnewayBoth; break;
    default: fail("expected a topology direction");
  }
  // Optional: a direction extension (v3) and a stream.
  for (int k = 0; k < 2 && peek() == ','; ++k) {
    size_t save = pos_;
    ++pos_;
    auto t = peek_token();
    if (t == Token::kStream && !tt.stream) {
      token();
      expect('=');
      tt.stream = number<uint16_t>("stream ID");
    } else if ((t == Token::kOnewayExternal || t == Token::kOnewayBoth) && !tt.extension && !tt.stream) {
      token();
      tt.extension = t == Token::kOnewayExternal ? TopologyDirection::kOnewayExternal : TopologyDirection::kOnewayBoth;
    } else {
      pos_ = save;
      break;
    }
  }
  return tt;
}

// ---- commands ------------------------------------------------------------------------------

TerminationId Parser::termination() {
  std::string_view w = word();
  return TerminationId{std::string(w)};
}

std::vector<TerminationId> Parser::termination_list() {
  std::vector<TerminationId> ids;
  if (peek() == '[') {
    open('[');
    do {
      ids.push_back(termination());
    } while (accept(','));
    close(']');
  } else {
    ids.push_back(termination());
  }
  return ids;
}

Command Parser::command(bool request) {
  Command cmd;
  skip();
  size_t start = pos_;
  std::optional<Token> peeked = peek_token();  // usually cached by the caller's look-ahead
  std::string_view w = word();
  // ["O-"] ["W-"] prefixes (requests only)
  for (; !peeked;) {
    if (request && istarts_with(w, "O-") && !cmd.optional) {
      cmd.optional = true;
      w.remove_prefix(2);
    } else if (request && istarts_with(w, "W-") && !cmd.wildcard_reply) {
      cmd.wildcard_reply = true;
      w.remove_prefix(2);
    } else {
      break;
    }
  }
  auto t = peeked ? peeked : lookup_token(w);
  if (!t) {
    pos_ = start;
    fail("unknown command '" + std::string(w) + "'");
  }
  switch (*t) {
    case Token::kAdd: cmd.type = CommandType::kAdd; break;
    case Token::kModify: cmd.type = CommandType::kModify; break;
    case Token::kMove: cmd.type = CommandType::kMove; break;
    case Token::kSubtract: cmd.type = CommandType::kSubtract; break;
    case Token::kAuditValue: cmd.type = CommandType::kAuditValue; break;
    case Token::kAuditCapability: cmd.type = CommandType::kAuditCapability; break;
    case Token::kNotify: cmd.type = CommandType::kNotify; break;
    case Token::kServiceChange: cmd.type = CommandType::kServiceChange; break;
    default: pos_ = start; fail("expected a command but found '" + std::string(w) + "'");
  }
  expect('=');
  bool audit_cmd = cmd.type == CommandType::kAuditValue || cmd.type == CommandType::kAuditCapability;
  if (!request && audit_cmd && peek_token() == Token::kContext) {
    // AuditValue = Context { t1, t2 } or { Error = ... }
    size_t save = pos_;
    token();
    if (peek() == '{') {
      cmd.context_audit = true;
      open('{');
      if (peek_token() == Token::kError) {
        token();
        cmd.descriptors.emplace_back(error_descriptor());
      } else {
        do {
          cmd.terminations.push_back(termination());
        } while (accept(','));
      }
      close('}');
      return cmd;
    }
    pos_ = save;  // a termination that happens to be named like the keyword
  }
  cmd.terminations = termination_list();
  command_body(cmd, request);
  return cmd;
}

// Which descriptors each command may carry (H.248.1 Annex B).
bool allowed(CommandType type, bool request, const Descriptor& d) {
  auto is = [&](auto tag) { return std::holds_alternative<decltype(tag)>(d); };
  if (request) {
    switch (type) {
      case CommandType::kAdd:
      case CommandType::kModify:
      case CommandType::kMove:
        return is(MediaDescriptor{}) || is(ModemDescriptor{}) || is(MuxDescriptor{}) || is(EventsDescriptor{}) ||
               is(SignalsDescriptor{}) || is(DigitMapDescriptor{}) || is(EventBufferDescriptor{}) ||
               is(AuditDescriptor{}) || is(StatisticsDescriptor{});
      case CommandType::kSubtract:
      case CommandType::kAuditValue:
      case CommandType::kAuditCapability: return is(AuditDescriptor{});
      case CommandType::kNotify: return is(ObservedEventsDescriptor{}) || is(ErrorDescriptor{});
      case CommandType::kServiceChange: return is(ServiceChangeDescriptor{});
    }
    return false;
  }
  switch (type) {
    case CommandType::kNotify: return is(ErrorDescriptor{});
    case CommandType::kServiceChange: return is(ErrorDescriptor{}) || is(ServiceChangeDescriptor{});
    default: return !is(AuditDescriptor{}) && !is(ServiceChangeDescriptor{});
  }
}

void Parser::command_body(Command& cmd, bool request) {
  if (peek() != '{') {
    if (request && (cmd.type == CommandType::kNotify || cmd.type == CommandType::kServiceChange))
      fail("this command needs a body");
    return;
  }
  open('{');
  if (!request && peek() == '}') {  // W-/audit replies may be empty
    close('}');
    return;
  }
  cmd.descriptors.reserve(kTypicalListSize);
  do {
    skip();
    size_t start = pos_;
    std::string_view w = word();
    auto t = lookup_token(w);
    if (!t) {
      pos_ = start;
      fail("unknown descriptor '" + std::string(w) + "'");
    }
    Descriptor d = descriptor(*t, false);
    if (!allowed(cmd.type, request, d)) {
      pos_ = start;
      fail("descriptor " + std::string(w) + " is not legal in this command");
    }
    cmd.descriptors.push_back(std::move(d));
  } while (accept(','));
  close('}');
  if (request && cmd.type == CommandType::kNotify &&
      (cmd.descriptors.empty() || !std::holds_alternative<ObservedEventsDescriptor>(cmd.descriptors.front())))
    fail("a Notify request needs an ObservedEvents descriptor");
  if (request && cmd.type == CommandType::kServiceChange &&
      (cmd.descriptors.size() != 1 || !std::holds_alternative<ServiceChangeDescriptor>(cmd.descriptors.front())))
    fail("a ServiceChange request needs one Services descriptor");
}

// ---- descriptors ---------------------------------------------------------------------------

Descriptor Parser::descriptor(Token t, bool names_only) {
  char next = peek();
  bool bare = next == ',' || next == '}' || next == '\0';
  switch (t) {
    case Token::kMedia:
      if (bare) return AuditItem::kMedia;
      return media(names_only);
    case Token::kModem:
      if (bare) return AuditItem::kModem;
      return modem();
    case Token::kMux:
      if (bare) return AuditItem::kMux;
      return mux();
    case Token::kEvents: return events(names_only);
    case Token::kSignals: return signals();
    case Token::kDigitMap:
      if (bare) return AuditItem::kDigitMap;
      return digit_map();
    case Token::kEventBuffer: return event_buffer();
    case Token::kAudit: return audit();
    case Token::kStatistics:
      if (bare) return AuditItem::kStatistics;
      return statistics();
    case Token::kObservedEvents:
      if (bare) return AuditItem::kObservedEvents;
      return observed_events();
    case Token::kPackages:
      if (bare) return AuditItem::kPackages;
      return packages();
    case Token::kError: return error_descriptor();
    case Token::kServices: return services();
    default: fail("expected a descriptor but found " + std::string(spelling(t, Form::kPretty)));
  }
}

MediaDescriptor Parser::media(bool names_only) {
  MediaDescriptor m;
  open('{');
  do {
    skip();
    size_t start = pos_;
    Token t = token();
    if (t == Token::kTerminationState) {
      if (m.termination_state) fail("TerminationState appears twice");
      m.termination_state = termination_state(names_only);
    } else if (t == Token::kStream) {
      StreamDescriptor s;
      expect('=');
      s.id = number<uint16_t>("stream ID");
      open('{');
      if (!(names_only && peek() == '}')) {
        do {
          skip();
          size_t st = pos_;
          Token pt = token();
          if (!stream_parm(pt, s.parms, names_only)) {
            pos_ = st;
            fail("not a stream parameter: " + std::string(spelling(pt, Form::kPretty)));
          }
        } while (accept(','));
      }
      close('}');
      m.streams.push_back(std::move(s));
    } else if (!stream_parm(t, m.single, names_only)) {
      pos_ = start;
      fail("not a media parameter: " + std::string(spelling(t, Form::kPretty)));
    }
  } while (accept(','));
  close('}');
  if (!m.single.empty() && !m.streams.empty()) fail("stream parameters both inside and outside a Stream");
  return m;
}

bool Parser::stream_parm(Token t, StreamParms& parms, bool names_only) {
  switch (t) {
    case Token::kLocalControl:
      if (parms.local_control) fail("LocalControl appears twice");
      parms.local_control = local_control(names_only);
      return true;
    case Token::kLocal:
      if (parms.local) fail("Local appears twice");
      parms.local = (names_only && peek() != '{') ? std::string() : octet_string();
      return true;
    case Token::kRemote:
      if (parms.remote) fail("Remote appears twice");
      parms.remote = (names_only && peek() != '{') ? std::string() : octet_string();
      return true;
    case Token::kStatistics:
      if (parms.statistics) fail("Statistics appears twice");
      parms.statistics = statistics();
      return true;
    default: return false;
  }
}

LocalControlDescriptor Parser::local_control(bool names_only) {
  LocalControlDescriptor lc;
  open('{');
  if (names_only && peek() == '}') {
    close('}');
    return lc;
  }
  lc.properties.reserve(kTypicalListSize);
  do {
    skip();
    size_t start = pos_;
    std::string_view w = word();
    auto t = lookup_token(w);
    if (names_only && t && peek() != '=' &&
        (t == Token::kMode || t == Token::kReservedValue || t == Token::kReservedGroup)) {
      lc.properties.push_back(name_only(*t));
      continue;
    }
    if (t == Token::kMode) {
      expect('=');
      switch (token()) {
        case Token::kSendOnly: lc.mode = StreamMode::kSendOnly; break;
        case Token::kReceiveOnly: lc.mode = StreamMode::kReceiveOnly; break;
        case Token::kSendReceive: lc.mode = StreamMode::kSendReceive; break;
        case Token::kInactive: lc.mode = StreamMode::kInactive; break;
        case Token::kLoopback: lc.mode = StreamMode::kLoopback; break;
        default: fail("unknown stream mode");
      }
    } else if (t == Token::kReservedValue || t == Token::kReservedGroup) {
      expect('=');
      Token v = token();
      if (v != Token::kOn && v != Token::kOff) fail("ReservedValue/ReservedGroup take ON or OFF");
      (t == Token::kReservedValue ? lc.reserve_value : lc.reserve_group) = v == Token::kOn;
    } else if (w.find('/') != std::string_view::npos || w == "*") {
      lc.properties.push_back(property(w));
    } else {
      pos_ = start;
      fail("not a LocalControl parameter: '" + std::string(w) + "'");
    }
  } while (accept(','));
  close('}');
  return lc;
}

TerminationStateDescriptor Parser::termination_state(bool names_only) {
  TerminationStateDescriptor ts;
  open('{');
  if (names_only && peek() == '}') {
    close('}');
    return ts;
  }
  ts.properties.reserve(kTypicalListSize);
  do {
    std::string_view w = word();
    auto t = lookup_token(w);
    if (names_only && t && peek() != '=' && (t == Token::kServiceStates || t == Token::kBuffer)) {
      ts.properties.push_back(name_only(*t));
      continue;
    }
    if (t == Token::kServiceStates) {
      expect('=');
      switch (token()) {
        case Token::kTest: ts.service_state = ServiceState::kTest; break;
        case Token::kOutOfService: ts.service_state = ServiceState::kOutOfService; break;
        case Token::kInService: ts.service_state = ServiceState::kInService; break;
        default: fail("unknown service state");
      }
    } else if (t == Token::kBuffer) {
      expect('=');
      Token v = token();
      if (v == Token::kOff) {
        ts.buffer = EventBufferControl::kOff;
      } else if (v == Token::kLockStep) {
        ts.buffer = EventBufferControl::kLockStep;
      } else {
        fail("Buffer takes OFF or LockStep");
      }
    } else {
      ts.properties.push_back(property(w));
    }
  } while (accept(','));
  close('}');
  return ts;
}

// LBRKT *(octets, with "\}" standing for "}") RBRKT; white space around the text is formatting
// (the model keeps the SDP lines without it).
std::string Parser::octet_string() {
  open('{');
  while (pos_ < in_.size() && (in_[pos_] == ' ' || in_[pos_] == '\t' || in_[pos_] == '\r' || in_[pos_] == '\n')) ++pos_;
  std::string out;
  size_t run = pos_;
  while (pos_ < in_.size() && in_[pos_] != '}') {
    if (in_[pos_] == '\\' && pos_ + 1 < in_.size() && in_[pos_ + 1] == '}') {
      out.append(in_.substr(run, pos_ - run));
      out.push_back('}');
      pos_ += 2;
      run = pos_;
      continue;
    }
    if (in_[pos_] == '\0') fail("NUL byte in a Local or Remote descriptor");
    ++pos_;
  }
  if (pos_ >= in_.size()) fail("unterminated Local or Remote descriptor");
  out.append(in_.substr(run, pos_ - run));
  while (!out.empty() && (out.back() == ' ' || out.back() == '\t' || out.back() == '\r' || out.back() == '\n'))
    out.pop_back();
  ++pos_;
  --depth_;
  return out;
}

StatisticsDescriptor Parser::statistics() {
  StatisticsDescriptor s;
  open('{');
  if (peek() != '}') {
    do {
      std::string_view name = word();
      PropertyParm p = property(name);
      s.statistics.push_back(std::move(p));
    } while (accept(','));
  }
  close('}');
  return s;
}

// pkgdName parmValue, where parmValue is "= alternativeValue", "> v", "< v", "# v", or nothing
// (audit requests and statistics name a property without a value).
PropertyParm Parser::property(std::string_view name) {
  PropertyParm p;
  p.name = std::string(name);
  char c = peek();
  if (c == '=') {
    ++pos_;
    p.relation = PropertyParm::Relation::kEqual;
    char n = peek();
    if (n == '[') {
      open('[');
      p.values.push_back(value());
      if (accept(':')) {
        p.form = PropertyParm::Form::kRange;
        p.values.push_back(value());
      } else {
        p.form = PropertyParm::Form::kAlternatives;
        while (accept(',')) p.values.push_back(value());
      }
      close(']');
    } else if (n == '{') {
      open('{');
      p.form = PropertyParm::Form::kSublist;
      do {
        p.values.push_back(value());
      } while (accept(','));
      close('}');
    } else {
      p.values.push_back(value());
    }
  } else if (c == '>' || c == '<' || c == '#') {
    ++pos_;
    p.relation = c == '>'   ? PropertyParm::Relation::kGreater
                 : c == '<' ? PropertyParm::Relation::kLess
                            : PropertyParm::Relation::kNotEqual;
    p.values.push_back(value());
  } else {
    p.relation = PropertyParm::Relation::kNone;
  }
  return p;
}

EventsDescriptor Parser::events(bool names_only) {
  EventsDescriptor e;
  if (peek() != '=') return e;
  ++pos_;
  e.request_id = number<uint32_t>("request ID");
  open('{');
  if (!(names_only && peek() == '}')) {
    do {
      e.events.push_back(requested_event());
    } while (accept(','));
  }
  close('}');
  return e;
}

EmbedDescriptor Parser::embed() {
  EmbedDescriptor e;
  open('{');
  do {
    Token et = token();
    if (et == Token::kSignals && !e.signals) {
      e.signals = signals();
    } else if (et == Token::kEvents && !e.request_id) {
      expect('=');
      e.request_id = number<uint32_t>("request ID");
      open('{');
      do {
        e.events.push_back(requested_event());
      } while (accept(','));
      close('}');
    } else {
      fail("Embed holds one Signals and one Events descriptor");
    }
  } while (accept(','));
  close('}');
  return e;
}

RequestedEvent Parser::requested_event() {
  RequestedEvent ev;
  ev.name = std::string(word());
  if (peek() != '{') return ev;
  open('{');
  do {
    skip();
    std::string_view w = word();
    auto t = lookup_token(w);
    if (t == Token::kKeepActive) {
      ev.keep_active = true;
    } else if (t == Token::kResetEventsDescriptor) {
      ev.reset_events = true;
    } else if (t == Token::kStream && peek() == '=') {
      ++pos_;
      ev.stream = number<uint16_t>("stream ID");
    } else if (t == Token::kDigitMap) {
      ev.digit_map = digit_map();
    } else if (t == Token::kImmediateNotify) {
      ev.notify_behaviour = NotifyBehaviour::kImmediate;
    } else if (t == Token::kNeverNotify) {
      ev.notify_behaviour = NotifyBehaviour::kNever;
    } else if (t == Token::kRegulatedNotify) {
      ev.notify_behaviour = NotifyBehaviour::kRegulated;
      if (peek() == '{') {
        open('{');
        expect_token(Token::kEmbed);
        ev.regulated_embed = embed();
        close('}');
      }
    } else if (t == Token::kEmbed) {
      ev.embed = embed();
    } else {
      ev.parameters.push_back(property(w));
    }
  } while (accept(','));
  close('}');
  return ev;
}

SignalsDescriptor Parser::signals() {
  SignalsDescriptor s;
  if (peek() != '{') return s;
  open('{');
  if (peek() != '}') {
    do {
      std::string_view w = word();
      if (lookup_token(w) == Token::kSignalList) {
        SignalList list;
        expect('=');
        list.id = number<uint16_t>("signal list ID");
        open('{');
        do {
          list.signals.push_back(signal_request(word()));
        } while (accept(','));
        close('}');
        s.items.emplace_back(std::move(list));
      } else {
        s.items.emplace_back(signal_request(w));
      }
    } while (accept(','));
  }
  close('}');
  return s;
}

Signal Parser::signal_request(std::string_view name) {
  Signal sig;
  sig.name = std::string(name);
  if (peek() != '{') return sig;
  open('{');
  do {
    std::string_view w = word();
    auto t = lookup_token(w);
    if (t == Token::kStream && peek() == '=') {
      ++pos_;
      sig.stream = number<uint16_t>("stream ID");
    } else if (t == Token::kSignalType) {
      expect('=');
      switch (token()) {
        case Token::kBrief: sig.type = SignalType::kBrief; break;
        case Token::kOnOff: sig.type = SignalType::kOnOff; break;
        case Token::kTimeOut: sig.type = SignalType::kTimeOut; break;
        default: fail("unknown signal type");
      }
    } else if (t == Token::kDuration) {
      expect('=');
      sig.duration = number<uint32_t>("duration");
    } else if (t == Token::kNotifyCompletion) {
      expect('=');
      open('{');
      do {
        Token n = token();
        switch (n) {
          case Token::kTimeOut:
          case Token::kIntByEvent:
          case Token::kIntBySigDescr:
          case Token::kOtherReason:
          case Token::kIteration: sig.notify_completion.emplace_back(spelling(n, Form::kPretty)); break;
          default: fail("unknown NotifyCompletion reason");
        }
      } while (accept(','));
      close('}');
    } else if (t == Token::kKeepActive) {
      sig.keep_active = true;
    } else if (t == Token::kDirection) {
      expect('=');
      switch (token()) {
        case Token::kInternal: sig.direction = SignalDirection::kInternal; break;
        case Token::kExternal: sig.direction = SignalDirection::kExternal; break;
        case Token::kBoth: sig.direction = SignalDirection::kBoth; break;
        default: fail("unknown signal direction");
      }
    } else if (t == Token::kRequestId) {
      expect('=');
      sig.request_id = number<uint32_t>("request ID");
    } else if (t == Token::kIntersignalDelay) {
      expect('=');
      sig.intersignal_delay = number<uint32_t>("intersignal delay");
    } else {
      sig.parameters.push_back(property(w));
    }
  } while (accept(','));
  close('}');
  return sig;
}

// DigitMap = name, DigitMap = { body }, DigitMap = name { body }; in an event: DigitMap = name or
// DigitMap { body }.
DigitMapDescriptor Parser::digit_map() {
  DigitMapDescriptor dm;
  if (peek() == '{') {
    dm.value = digit_map_body();
    return dm;
  }
  expect('=');
  if (peek() == '{') {
    dm.value = digit_map_body();
    return dm;
  }
  dm.name = std::string(word());
  if (peek() == '{') dm.value = digit_map_body();
  return dm;
}

std::string Parser::digit_map_body() {
  open('{');
  skip();
  size_t start = pos_;
  while (pos_ < in_.size() && in_[pos_] != '}') {
    char c = in_[pos_];
    if (c == '{' || c == '"' || c == '\0') fail("bad character in a digit map");
    ++pos_;
  }
  if (pos_ >= in_.size()) fail("unterminated digit map");
  // Line breaks and the indentation after them are formatting; other spaces are kept as written.
  std::string body;
  bool after_break = false;
  for (char c : in_.substr(start, pos_ - start)) {
    if (c == '\r' || c == '\n') {
      after_break = true;
    } else if (after_break && (c == ' ' || c == '\t')) {
      continue;
    } else {
      after_break = false;
      body.push_back(c);
    }
  }
  while (!body.empty() && (body.back() == ' ' || body.back() == '\t')) body.pop_back();
  ++pos_;
  --depth_;
  return body;
}

// The optional "{ Stream = n, parameters }" after the name of an event spec or observed event.
void Parser::stream_and_parameters(std::optional<uint16_t>& stream, std::vector<PropertyParm>& parameters) {
  if (peek() != '{') return;
  open('{');
  do {
    std::string_view w = word();
    if (lookup_token(w) == Token::kStream && peek() == '=') {
      ++pos_;
      stream = number<uint16_t>("stream ID");
    } else {
      parameters.push_back(property(w));
    }
  } while (accept(','));
  close('}');
}

EventBufferDescriptor Parser::event_buffer() {
  EventBufferDescriptor eb;
  if (peek() != '{') return eb;
  open('{');
  do {
    EventSpec spec;
    spec.name = std::string(word());
    stream_and_parameters(spec.stream, spec.parameters);
    eb.events.push_back(std::move(spec));
  } while (accept(','));
  close('}');
  return eb;
}

ObservedEventsDescriptor Parser::observed_events() {
  ObservedEventsDescriptor oe;
  expect('=');
  oe.request_id = number<uint32_t>("request ID");
  open('{');
  oe.events.reserve(kTypicalListSize);
  do {
    ObservedEvent ev;
    std::string_view w = word();
    if (peek() == ':') {
      if (!is_timestamp(w)) fail("bad time stamp '" + std::string(w) + "'");
      ++pos_;
      ev.timestamp = std::string(w);
      w = word();
    }
    ev.name = std::string(w);
    stream_and_parameters(ev.stream, ev.parameters);
    oe.events.push_back(std::move(ev));
  } while (accept(','));
  close('}');
  return oe;
}

PackagesDescriptor Parser::packages() {
  PackagesDescriptor pg;
  open('{');
  if (peek() != '}') {
    do {
      std::string_view w = word();
      size_t dash = w.rfind('-');
      if (dash == std::string_view::npos || dash == 0) fail("a package item is name-version");
      pg.packages.push_back({std::string(w.substr(0, dash)), number<uint16_t>(w.substr(dash + 1), "package version")});
    } while (accept(','));
  }
  close('}');
  return pg;
}

ErrorDescriptor Parser::error_descriptor() {
  ErrorDescriptor e;
  expect('=');
  std::string_view w = word();
  if (w.size() > 4) fail("an error code has at most four digits");
  e.code = number<uint16_t>(w, "error code");
  open('{');
  if (peek() == '"') e.text = value(false);
  close('}');
  return e;
}

AuditDescriptor Parser::audit() {
  AuditDescriptor a;
  open('{');
  if (peek() != '}') {
    do {
      skip();
      size_t start = pos_;
      Token t = token();
      char next = peek();
      bool bare = next == ',' || next == '}';
      std::optional<AuditItem> item;
      switch (t) {
        case Token::kMux: item = AuditItem::kMux; break;
        case Token::kModem: item = AuditItem::kModem; break;
        case Token::kMedia: item = AuditItem::kMedia; break;
        case Token::kSignals: item = AuditItem::kSignals; break;
        case Token::kEventBuffer: item = AuditItem::kEventBuffer; break;
        case Token::kDigitMap: item = AuditItem::kDigitMap; break;
        case Token::kStatistics: item = AuditItem::kStatistics; break;
        case Token::kEvents: item = AuditItem::kEvents; break;
        case Token::kObservedEvents: item = AuditItem::kObservedEvents; break;
        case Token::kPackages: item = AuditItem::kPackages; break;
        default:
          pos_ = start;
          skip();
          fail("not an audit item: " + found());
      }
      if (bare) {
        a.items.push_back(*item);
        continue;
      }
      switch (t) {
        case Token::kMedia: a.individual.emplace_back(media(true)); break;
        case Token::kEvents: a.individual.emplace_back(events(true)); break;
        case Token::kSignals: a.individual.emplace_back(signals()); break;
        case Token::kDigitMap: a.individual.emplace_back(digit_map()); break;
        case Token::kEventBuffer: a.individual.emplace_back(event_buffer()); break;
        case Token::kStatistics: a.individual.emplace_back(statistics()); break;
        case Token::kPackages: a.individual.emplace_back(packages()); break;
        default: fail("this audit item takes no parameters");
      }
    } while (accept(','));
  }
  close('}');
  return a;
}

ServiceChangeDescriptor Parser::services() {
  ServiceChangeDescriptor sc;
  open('{');
  do {
    skip();
    size_t start = pos_;
    std::string_view w = word();
    auto t = lookup_token(w);
    if (t == Token::kMethod) {
      expect('=');
      std::string_view m = word();
      auto mt = lookup_token(m);
      if (mt == Token::kFailover)
        sc.method = ServiceChangeMethod::kFailover;
      else if (mt == Token::kForced)
        sc.method = ServiceChangeMethod::kForced;
      else if (mt == Token::kGraceful)
        sc.method = ServiceChangeMethod::kGraceful;
      else if (mt == Token::kRestart)
        sc.method = ServiceChangeMethod::kRestart;
      else if (mt == Token::kDisconnected)
        sc.method = ServiceChangeMethod::kDisconnected;
      else if (mt == Token::kHandOff)
        sc.method = ServiceChangeMethod::kHandOff;
      else if (istarts_with(m, "X-") || istarts_with(m, "X+"))
        sc.method_extension = std::string(m);
      else
        fail("unknown ServiceChange method '" + std::string(m) + "'");
    } else if (t == Token::kReason) {
      expect('=');
      sc.reason = value(false);
    } else if (t == Token::kDelay) {
      expect('=');
      sc.delay = number<uint32_t>("delay");
    } else if (t == Token::kServiceChangeAddress) {
      expect('=');
      sc.address = raw_until_delimiter();
    } else if (t == Token::kProfile) {
      expect('=');
      std::string_view p = word();
      if (p.find('/') == std::string_view::npos) fail("a profile is name/version");
      sc.profile = std::string(p);
    } else if (t == Token::kVersion) {
      expect('=');
      std::string_view v = word();
      if (v.size() > 2) fail("bad version");
      sc.version = number<uint32_t>(v, "version");
    } else if (t == Token::kMgcIdToTry) {
      expect('=');
      sc.mgc_id = raw_until_delimiter();
    } else if (t == Token::kServiceChangeIncomplete) {
      sc.incomplete = true;
    } else if (t == Token::kAudit) {
      sc.info = audit();
    } else if (is_timestamp(w)) {
      sc.timestamp = std::string(w);
    } else if (istarts_with(w, "X-") || istarts_with(w, "X+")) {
      sc.extensions.push_back(property(w));
    } else {
      pos_ = start;
      fail("not a ServiceChange parameter: '" + std::string(w) + "'");
    }
  } while (accept(','));
  close('}');
  return sc;
}

MuxDescriptor Parser::mux() {
  MuxDescriptor mx;
  expect('=');
  std::string_view type = word();
  auto t = lookup_token(type);
  mx.type = t ? std::string(spelling(*t, Form::kPretty)) : std::string(type);
  open('{');
  do {
    mx.terminations.push_back(termination());
  } while (accept(','));
  close('}');
  return mx;
}

ModemDescriptor Parser::modem() {
  ModemDescriptor md;
  auto type_name = [&]() {
    std::string_view w = word();
    auto t = lookup_token(w);
    return t ? std::string(spelling(*t, Form::kPretty)) : std::string(w);
  };
  if (accept('=')) {
    md.types.push_back(type_name());
  } else {
    open('[');
    do {
      md.types.push_back(type_name());
    } while (accept(','));
    close(']');
  }
  if (peek() == '{') {
    open('{');
    do {
      md.properties.push_back(property(word()));
    } while (accept(','));
    close('}');
  }
  return md;
}

}  // namespace

Result<Message, DecodeError> decode(std::string_view text, const DecodeLimits& limits) {
  if (text.size() > limits.max_message_bytes) {
    return DecodeError{errors::kBadRequestFormat, limits.max_message_bytes,
                       "message of " + std::to_string(text.size()) + " bytes exceeds the limit of " +
                           std::to_string(limits.max_message_bytes),
                       std::nullopt, false};
  }
  Parser parser(text, limits);
  try {
    return parser.message();
  } catch (const ParseFailure& f) {
    return DecodeError{f.code, f.offset, f.reason, parser.transaction_id(), parser.transaction_is_request()};
  }
}

std::string describe(const DecodeError& error) {
  std::string s = std::to_string(error.code) + " at byte " + std::to_string(error.offset);
  if (error.transaction_id) s += " (transaction " + std::to_string(*error.transaction_id) + ")";
  s += ": " + error.reason;
  return s;
}

}  // namespace mediasec::h248
