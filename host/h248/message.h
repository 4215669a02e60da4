// The typed model of an H.248.1 (v1-v3) message, as the text codec decodes and encodes it.
//
// Value types only. Names of packages, properties, events and signals are kept as written
// ("tlsbsc/role"); the package registry (packages.h) validates them. Values are kept without
// their quotes: the encoder quotes whatever is not a plain token.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace mediasec::h248 {

// ---------------------------------------------------------------------------------------------
// Identifiers

struct ContextId {
  static constexpr uint32_t kNull = 0;             // "-"
  static constexpr uint32_t kChoose = 0xFFFFFFFE;  // "$"
  static constexpr uint32_t kAll = 0xFFFFFFFF;     // "*"
  uint32_t value = kNull;

  static constexpr ContextId null() { return {kNull}; }
  static constexpr ContextId choose() { return {kChoose}; }
  static constexpr ContextId all() { return {kAll}; }
  bool is_null() const { return value == kNull; }
  bool is_choose() const { return value == kChoose; }
  bool is_all() const { return value == kAll; }
  friend bool operator==(const ContextId&, const ContextId&) = default;
};

// "ROOT", a path name such as "tls/7", or one with wildcards: "$" (choose) and "*" (all) as a
// whole level or inside one ("tcp/*", "tcp/$").
struct TerminationId {
  std::string name;

  bool is_root() const;
  bool has_wildcard() const;  // contains '*' or '$'
  bool is_choose() const;     // contains '$'
  friend bool operator==(const TerminationId&, const TerminationId&) = default;
};

// The sender's message identifier (mId).
struct MessageId {
  enum class Kind : uint8_t { kIp4, kIp6, kDomain, kDevice, kMtp };
  Kind kind = Kind::kIp4;
  std::string address;  // "10.0.0.2", "::1", "mgc.example.net", a device or MTP name
  std::optional<uint16_t> port;
  friend bool operator==(const MessageId&, const MessageId&) = default;
};

// ---------------------------------------------------------------------------------------------
// Properties and parameters

struct PropertyParm {
  enum class Relation : uint8_t { kNone, kEqual, kGreater, kLess, kNotEqual };
  // kSingle: name=v; kAlternatives: name=[a,b] (one of); kRange: name=[a:b]; kSublist: name={a,b}.
  enum class Form : uint8_t { kSingle, kAlternatives, kRange, kSublist };
  std::string name;                      // "pkg/item", "pkg/*", "*/*" or a bare name
  Relation relation = Relation::kEqual;  // kNone: a name only (audit requests, statistics)
  Form form = Form::kSingle;
  // As written: a quoted value keeps its quotes ("\"abc\"") because packages tell a quoted
  // string from a token; unquoted() gives the text.
  std::vector<std::string> values;

  const std::string* value() const { return values.empty() ? nullptr : &values.front(); }
  friend bool operator==(const PropertyParm&, const PropertyParm&) = default;
};

// The text of a property value: without its quotes if it has them.
inline std::string_view unquoted(std::string_view v) {
  return (v.size() >= 2 && v.front() == '"' && v.back() == '"') ? v.substr(1, v.size() - 2) : v;
}

enum class StreamMode : uint8_t { kSendOnly, kReceiveOnly, kSendReceive, kInactive, kLoopback };
enum class ServiceState : uint8_t { kTest, kOutOfService, kInService };
enum class EventBufferControl : uint8_t { kOff, kLockStep };

// ---------------------------------------------------------------------------------------------
// Descriptors

struct ErrorDescriptor {
  uint16_t code = 0;
  std::string text;  // may be empty
  friend bool operator==(const ErrorDescriptor&, const ErrorDescriptor&) = default;
};

struct LocalControlDescriptor {
  std::optional<StreamMode> mode;
  std::optional<bool> reserve_value;
  std::optional<bool> reserve_group;
  std::vector<PropertyParm> properties;
  friend bool operator==(const LocalControlDescriptor&, const LocalControlDescriptor&) = default;
};

struct StatisticsDescriptor {
  std::vector<PropertyParm> statistics;  // name only (kNone) or name=value
  friend bool operator==(const StatisticsDescriptor&, const StatisticsDescriptor&) = default;
};

// Local and Remote carry SDP text: the octet string between the braces, unescaped, without the
// white space around it (the encoder ends it with a line break).
struct StreamParms {
  std::optional<LocalControlDescriptor> local_control;
  std::optional<std::string> local;
  std::optional<std::string> remote;
  std::optional<StatisticsDescriptor> statistics;
  bool empty() const { return !local_control && !local && !remote && !statistics; }
  friend bool operator==(const StreamParms&, const StreamParms&) = default;
};

struct StreamDescriptor {
  uint16_t id = 1;
  StreamParms parms;
  friend bool operator==(const StreamDescriptor&, const StreamDescriptor&) = default;
};

struct TerminationStateDescriptor {
  std::vector<PropertyParm> properties;
  std::optional<ServiceState> service_state;
  std::optional<EventBufferControl> buffer;
  friend bool operator==(const TerminationStateDescriptor&, const TerminationStateDescriptor&) = default;
};

struct MediaDescriptor {
  std::optional<TerminationStateDescriptor> termination_state;
  StreamParms single;                     // stream parameters written without a Stream wrapper
  std::vector<StreamDescriptor> streams;  // Stream = n { ... }
  friend bool operator==(const MediaDescriptor&, const MediaDescriptor&) = default;
};

struct DigitMapDescriptor {
  std::string name;                  // may be empty
  std::optional<std::string> value;  // the digit map body, as written
  friend bool operator==(const DigitMapDescriptor&, const DigitMapDescriptor&) = default;
};

enum class SignalType : uint8_t { kBrief, kOnOff, kTimeOut };
enum class SignalDirection : uint8_t { kInternal, kExternal, kBoth };

struct Signal {
  std::string name;
  std::optional<uint16_t> stream;
  std::optional<SignalType> type;
  std::optional<uint32_t> duration;
  std::vector<std::string> notify_completion;  // canonical tokens: TimeOut, IntByEvent, ...
  bool keep_active = false;
  std::optional<SignalDirection> direction;
  std::optional<uint32_t> request_id;
  std::optional<uint32_t> intersignal_delay;
  std::vector<PropertyParm> parameters;
  friend bool operator==(const Signal&, const Signal&) = default;
};

struct SignalList {
  uint16_t id = 0;
  std::vector<Signal> signals;
  friend bool operator==(const SignalList&, const SignalList&) = default;
};

struct SignalsDescriptor {
  std::vector<std::variant<Signal, SignalList>> items;  // empty: "Signals { }" (stop all)
  friend bool operator==(const SignalsDescriptor&, const SignalsDescriptor&) = default;
};

enum class NotifyBehaviour : uint8_t { kImmediate, kRegulated, kNever };

struct RequestedEvent;

// Embed { Signals {...}, Events = id {...} }: what an event starts when it is detected.
struct EmbedDescriptor {
  std::optional<SignalsDescriptor> signals;
  std::optional<uint32_t> request_id;  // set when Events are embedded
  std::vector<RequestedEvent> events;
  friend bool operator==(const EmbedDescriptor&, const EmbedDescriptor&) = default;
};

struct RequestedEvent {
  std::string name;
  std::optional<uint16_t> stream;
  bool keep_active = false;
  bool reset_events = false;
  std::optional<NotifyBehaviour> notify_behaviour;
  std::optional<EmbedDescriptor> regulated_embed;  // RegulatedNotify { Embed {...} }
  std::optional<DigitMapDescriptor> digit_map;
  std::optional<EmbedDescriptor> embed;
  std::vector<PropertyParm> parameters;
  friend bool operator==(const RequestedEvent&, const RequestedEvent&) = default;
};

struct EventsDescriptor {
  std::optional<uint32_t> request_id;  // absent: "Events" with no body (clear)
  std::vector<RequestedEvent> events;
  friend bool operator==(const EventsDescriptor&, const EventsDescriptor&) = default;
};

struct EventSpec {
  std::string name;
  std::optional<uint16_t> stream;
  std::vector<PropertyParm> parameters;
  friend bool operator==(const EventSpec&, const EventSpec&) = default;
};

struct EventBufferDescriptor {
  std::vector<EventSpec> events;
  friend bool operator==(const EventBufferDescriptor&, const EventBufferDescriptor&) = default;
};

struct ObservedEvent {
  std::optional<std::string> timestamp;  // "yyyymmddThhmmssss"
  std::string name;
  std::optional<uint16_t> stream;
  std::vector<PropertyParm> parameters;
  friend bool operator==(const ObservedEvent&, const ObservedEvent&) = default;
};

struct ObservedEventsDescriptor {
  uint32_t request_id = 0;
  std::vector<ObservedEvent> events;
  friend bool operator==(const ObservedEventsDescriptor&, const ObservedEventsDescriptor&) = default;
};

struct PackagesDescriptor {
  struct Item {
    std::string name;
    uint16_t version = 1;
    friend bool operator==(const Item&, const Item&) = default;
  };
  std::vector<Item> packages;
  friend bool operator==(const PackagesDescriptor&, const PackagesDescriptor&) = default;
};

struct MuxDescriptor {
  std::string type;  // H221, H223, H226, V76, Nx64Kservice or an extension
  std::vector<TerminationId> terminations;
  friend bool operator==(const MuxDescriptor&, const MuxDescriptor&) = default;
};

struct ModemDescriptor {
  std::vector<std::string> types;
  std::vector<PropertyParm> properties;
  friend bool operator==(const ModemDescriptor&, const ModemDescriptor&) = default;
};

// Names of descriptors as they appear as bare items of an Audit descriptor or audit reply.
enum class AuditItem : uint8_t {
  kMux,
  kModem,
  kMedia,
  kSignals,
  kEventBuffer,
  kDigitMap,
  kStatistics,
  kEvents,
  kObservedEvents,
  kPackages
};

// Individual audit (v2+): a descriptor with names only, e.g. Audit{Media{LocalControl{Mode}}}.
using IndividualAudit = std::variant<MediaDescriptor, EventsDescriptor, SignalsDescriptor, DigitMapDescriptor,
                                     EventBufferDescriptor, StatisticsDescriptor, PackagesDescriptor>;

struct AuditDescriptor {
  std::vector<AuditItem> items;
  std::vector<IndividualAudit> individual;
  friend bool operator==(const AuditDescriptor&, const AuditDescriptor&) = default;
};

enum class ServiceChangeMethod : uint8_t { kFailover, kForced, kGraceful, kRestart, kDisconnected, kHandOff };

struct ServiceChangeDescriptor {
  std::optional<ServiceChangeMethod> method;
  std::string method_extension;       // "X-..." when the method is an extension
  std::optional<std::string> reason;  // "901 Cold Boot"
  std::optional<uint32_t> delay;
  std::optional<std::string> address;  // ServiceChangeAddress: an mId or a port, as written
  std::optional<std::string> profile;  // "name/version"
  std::optional<uint32_t> version;
  std::optional<std::string> mgc_id;  // MgcIdToTry, as written
  std::optional<std::string> timestamp;
  bool incomplete = false;               // ServiceChangeInc (v3)
  std::optional<AuditDescriptor> info;   // v2+: an audit descriptor naming what changed
  std::vector<PropertyParm> extensions;  // X-... / X+... parameters
  friend bool operator==(const ServiceChangeDescriptor&, const ServiceChangeDescriptor&) = default;
};

using Descriptor =
    std::variant<MediaDescriptor, ModemDescriptor, MuxDescriptor, EventsDescriptor, SignalsDescriptor,
                 DigitMapDescriptor, EventBufferDescriptor, AuditDescriptor, StatisticsDescriptor,
                 ObservedEventsDescriptor, PackagesDescriptor, ErrorDescriptor, ServiceChangeDescriptor, AuditItem>;

// ---------------------------------------------------------------------------------------------
// Commands, actions, transactions

enum class CommandType : uint8_t {
  kAdd,
  kModify,
  kMove,
  kSubtract,
  kAuditValue,
  kAuditCapability,
  kNotify,
  kServiceChange
};

// One command of a request or one command reply. The descriptors a command may carry depend on
// its type and on whether it is a request or a reply; the decoder enforces the grammar.
struct Command {
  CommandType type = CommandType::kAdd;
  bool optional = false;                    // "O-" prefix (requests)
  bool wildcard_reply = false;              // "W-" prefix (requests)
  std::vector<TerminationId> terminations;  // one, or a list written as [a, b]
  // Audit replies of the form AuditValue = Context { t1, t2 } (contextTerminationAudit).
  bool context_audit = false;
  std::vector<Descriptor> descriptors;
  friend bool operator==(const Command&, const Command&) = default;
};

enum class TopologyDirection : uint8_t { kBothway, kIsolate, kOneway, kOnewayExternal, kOnewayBoth };

struct TopologyTriple {
  TerminationId from;
  TerminationId to;
  TopologyDirection direction = TopologyDirection::kBothway;
  std::optional<TopologyDirection> extension;  // v3: OnewayExternal or OnewayBoth after Oneway
  std::optional<uint16_t> stream;
  friend bool operator==(const TopologyTriple&, const TopologyTriple&) = default;
};

// Context properties of an action request or reply, and a context audit request.
struct ContextProperties {
  std::vector<TopologyTriple> topology;
  std::optional<uint32_t> priority;
  std::optional<bool> emergency;
  std::optional<bool> ieps_call;
  std::vector<PropertyParm> attributes;  // ContextAttr { ... }
  // ContextAudit { ... }: names (keywords in their pretty spelling, or package properties) with
  // a value when the item selects (Priority = 10, EmergencyValue = Emergency).
  std::vector<PropertyParm> audit;
  bool has_audit = false;
  bool empty() const {
    return topology.empty() && !priority && !emergency && !ieps_call && attributes.empty() && !has_audit;
  }
  friend bool operator==(const ContextProperties&, const ContextProperties&) = default;
};

struct Action {
  ContextId context;
  ContextProperties properties;
  std::vector<Command> commands;
  std::optional<ErrorDescriptor> error;  // replies: an error for the action as a whole
  friend bool operator==(const Action&, const Action&) = default;
};

struct TransactionRequest {
  uint32_t id = 0;
  std::vector<Action> actions;
  friend bool operator==(const TransactionRequest&, const TransactionRequest&) = default;
};

struct TransactionReply {
  uint32_t id = 0;
  std::optional<uint16_t> segment;  // v3 segmentation
  bool segmentation_complete = false;
  bool immediate_ack_required = false;
  std::optional<ErrorDescriptor> error;  // the transaction failed as a whole
  std::vector<Action> actions;
  friend bool operator==(const TransactionReply&, const TransactionReply&) = default;
};

struct TransactionPending {
  uint32_t id = 0;
  friend bool operator==(const TransactionPending&, const TransactionPending&) = default;
};

struct TransactionAck {
  uint32_t first = 0;
  uint32_t last = 0;  // == first for a single ID
  friend bool operator==(const TransactionAck&, const TransactionAck&) = default;
};

struct TransactionResponseAck {
  std::vector<TransactionAck> acks;
  friend bool operator==(const TransactionResponseAck&, const TransactionResponseAck&) = default;
};

struct SegmentReply {
  uint32_t id = 0;
  uint16_t segment = 0;
  bool segmentation_complete = false;
  friend bool operator==(const SegmentReply&, const SegmentReply&) = default;
};

using Transaction =
    std::variant<TransactionRequest, TransactionReply, TransactionPending, TransactionResponseAck, SegmentReply>;

struct AuthenticationHeader {
  std::string spi;       // security parameter index (hex)
  std::string sequence;  // sequence number (hex)
  std::string data;      // authentication data (hex)
  friend bool operator==(const AuthenticationHeader&, const AuthenticationHeader&) = default;
};

struct Message {
  std::optional<AuthenticationHeader> authentication;
  uint8_t version = 3;
  MessageId mid;
  std::optional<ErrorDescriptor> error;  // a message-level error instead of transactions
  std::vector<Transaction> transactions;
  friend bool operator==(const Message&, const Message&) = default;
};

}  // namespace mediasec::h248
