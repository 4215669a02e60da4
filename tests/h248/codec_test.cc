// The H.248 text codec on messages written by hand: every transaction kind, the commands and
// descriptors of an eMediasec call, both token forms, and the error code of bad input.
#include <gtest/gtest.h>

#include <string>

#include "host/h248/decode.h"
#include "host/h248/encode.h"
#include "host/h248/error_codes.h"

namespace mediasec::h248 {
namespace {

Message decode_ok(std::string_view text) {
  auto m = decode(text);
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : describe(m.error())) << "\n" << text;
  return m.ok() ? std::move(m).value() : Message{};
}

void expect_round_trip(const Message& m) {
  for (Form form : {Form::kCompact, Form::kPretty}) {
    std::string text = encode(m, {form});
    auto again = decode(text);
    ASSERT_TRUE(again.ok()) << describe(again.error()) << "\n" << text;
    EXPECT_EQ(*again, m) << text;
  }
}

DecodeError decode_error(std::string_view text) {
  auto m = decode(text);
  EXPECT_FALSE(m.ok()) << "decoded: " << text;
  return m.ok() ? DecodeError{} : m.error();
}

TEST(H248Codec, ServiceChangeRestartInBothForms) {
  const char* pretty =
      "MEGACO/3 [10.0.0.2]:2944\n"
      "Transaction = 1 {\n"
      "\tContext = - {\n"
      "\t\tServiceChange = ROOT {\n"
      "\t\t\tServices {\n"
      "\t\t\t\tMethod = Restart,\n"
      "\t\t\t\tReason = \"901 Cold Boot\",\n"
      "\t\t\t\tVersion = 3,\n"
      "\t\t\t\tProfile = ETSI_BGF/1\n"
      "\t\t\t}\n\t\t}\n\t}\n}\n";
  const char* compact = "!/3 [10.0.0.2]:2944\nT=1{C=-{SC=ROOT{SV{MT=RS,RE=\"901 Cold Boot\",V=3,PF=ETSI_BGF/1}}}}";
  Message a = decode_ok(pretty);
  Message b = decode_ok(compact);
  EXPECT_EQ(a, b);
  ASSERT_EQ(a.transactions.size(), 1u);
  const auto& tr = std::get<TransactionRequest>(a.transactions[0]);
  EXPECT_EQ(tr.id, 1u);
  ASSERT_EQ(tr.actions.size(), 1u);
  EXPECT_TRUE(tr.actions[0].context.is_null());
  const Command& sc = tr.actions[0].commands.at(0);
  EXPECT_EQ(sc.type, CommandType::kServiceChange);
  EXPECT_TRUE(sc.terminations.at(0).is_root());
  const auto& parms = std::get<ServiceChangeDescriptor>(sc.descriptors.at(0));
  EXPECT_EQ(parms.method, ServiceChangeMethod::kRestart);
  EXPECT_EQ(parms.reason, "901 Cold Boot");
  EXPECT_EQ(parms.version, 3u);
  EXPECT_EQ(parms.profile, "ETSI_BGF/1");
  EXPECT_EQ(a.mid.address, "10.0.0.2");
  EXPECT_EQ(a.mid.port, 2944);
  // The encoder writes Services parameters in one fixed order.
  EXPECT_EQ(encode(a), "!/3 [10.0.0.2]:2944\nT=1{C=-{SC=ROOT{SV{MT=RS,V=3,PF=ETSI_BGF/1,RE=\"901 Cold Boot\"}}}}");
  expect_round_trip(a);
}

TEST(H248Codec, AddWithUnderspecifiedTlsMsrpSdp) {
  const char* text =
      "!/3 [10.0.0.1]:2944\nT=2{C=${A=${M{O{MO=SR,tlsbsc/role=client},L{\n"
      "v=0\nc=IN IP4 $\nm=message $ TCP/TLS/MSRP *\na=setup:actpass\na=connection:new\n"
      "a=fingerprint:SHA-256 AB:CD:EF\n}}},A=tcp/${M{L{v=0\nc=IN IP4 $\nm=message $ TCP/MSRP *\n}}}}}";
  Message m = decode_ok(text);
  const auto& tr = std::get<TransactionRequest>(m.transactions.at(0));
  const Action& a = tr.actions.at(0);
  EXPECT_TRUE(a.context.is_choose());
  ASSERT_EQ(a.commands.size(), 2u);
  EXPECT_EQ(a.commands[0].terminations.at(0).name, "$");
  EXPECT_TRUE(a.commands[1].terminations.at(0).is_choose());
  const auto& media = std::get<MediaDescriptor>(a.commands[0].descriptors.at(0));
  ASSERT_TRUE(media.single.local_control);
  EXPECT_EQ(media.single.local_control->mode, StreamMode::kSendReceive);
  ASSERT_EQ(media.single.local_control->properties.size(), 1u);
  EXPECT_EQ(media.single.local_control->properties[0].name, "tlsbsc/role");
  EXPECT_EQ(*media.single.local_control->properties[0].value(), "client");
  ASSERT_TRUE(media.single.local);
  EXPECT_EQ(media.single.local->rfind("v=0\nc=IN IP4 $\nm=message $ TCP/TLS/MSRP *", 0), 0u);
  EXPECT_EQ(media.single.local->back(), 'F');  // the text without trailing white space
  expect_round_trip(m);
}

TEST(H248Codec, RepliesPendingAcksAndSegments) {
  const char* text =
      "MEGACO/3 <mg1.example.net>:2944\n"
      "Reply = 7 { ImmAckRequired, Context = 12 { Add = tls/3 { Media { Stream = 1 { Local { v=0 } } } },"
      " Subtract = tcp/4 { Statistics { tcptv/octs = 1200, nt/dur = 40 } } } }\n"
      "Pending = 8 { }\n"
      "TransactionResponseAck { 1-5, 9 }\n"
      "Reply = 9/2/END { Context = - { Notify = ROOT } }\n"
      "Segment = 10/3\n"
      "Reply = 11 { Error = 430 { \"Unknown TerminationID\" } }\n"
      "Reply = 12 { Context = 5 { Modify = tls/9 { Error = 445 { \"Unsupported or Unknown Property\" } } } }";
  Message m = decode_ok(text);
  ASSERT_EQ(m.transactions.size(), 7u);
  EXPECT_EQ(m.mid.kind, MessageId::Kind::kDomain);
  const auto& r7 = std::get<TransactionReply>(m.transactions[0]);
  EXPECT_TRUE(r7.immediate_ack_required);
  EXPECT_EQ(r7.actions.at(0).context.value, 12u);
  const auto& stats = std::get<StatisticsDescriptor>(r7.actions[0].commands.at(1).descriptors.at(0));
  EXPECT_EQ(stats.statistics.size(), 2u);
  EXPECT_EQ(std::get<TransactionPending>(m.transactions[1]).id, 8u);
  const auto& k = std::get<TransactionResponseAck>(m.transactions[2]);
  ASSERT_EQ(k.acks.size(), 2u);
  EXPECT_EQ(k.acks[0], (TransactionAck{1, 5}));
  EXPECT_EQ(k.acks[1], (TransactionAck{9, 9}));
  const auto& r9 = std::get<TransactionReply>(m.transactions[3]);
  EXPECT_EQ(r9.segment, 2);
  EXPECT_TRUE(r9.segmentation_complete);
  EXPECT_EQ(std::get<SegmentReply>(m.transactions[4]).segment, 3);
  EXPECT_EQ(std::get<TransactionReply>(m.transactions[5]).error->code, 430);
  EXPECT_EQ(std::get<TransactionReply>(m.transactions[5]).error->text, "Unknown TerminationID");
  expect_round_trip(m);
}

TEST(H248Codec, NotifyEventsSignalsAndAuditReplies) {
  const char* text =
      "!/3 [10.0.0.2]:2944\n"
      "T=3{C=7{N=tls/1{OE=11{20261124T12000000:tlsbsc/tlsrel{reason=\"peer closed\"},g/cause{gencause=NR}}}}}\n"
      "T=4{C=7{MF=tcp/2{E=22{tcpbcc/tcpest{KA},g/cause},SG{SL=3{g/sc{SY=BR,DR=100,NC={TO,IBE}}}}}}}\n"
      "P=5{C=7{AV=tcp/2{M{ST=1{O{MO=SO}}},PG{tcpbcc-1,tlsbsc-1},E=22{tcpbcc/tcpest}}}}\n"
      "P=6{C=-{AC=ROOT{M,DM,PG{root-2,g-2}}}}\n"
      "T=7{C=*{O-W-AV=*{AT{M,E,SA,PG}}}}\n"
      "P=8{C=7{AV=C{tcp/2,tls/1}}}\n"
      "!/3 [10.0.0.2]:2944 T=9{C=-{A=x{DM=dial{(0s|xx)}}}}";
  // The second header makes the message invalid: exactly one header per message.
  auto bad = decode(text);
  ASSERT_FALSE(bad.ok());
  std::string good(text, std::string(text).find("\n!/3 [10.0.0.2]:2944 T=9"));
  Message m = decode_ok(good);
  ASSERT_EQ(m.transactions.size(), 6u);
  const auto& n = std::get<TransactionRequest>(m.transactions[0]).actions[0].commands[0];
  const auto& oe = std::get<ObservedEventsDescriptor>(n.descriptors.at(0));
  EXPECT_EQ(oe.request_id, 11u);
  ASSERT_EQ(oe.events.size(), 2u);
  EXPECT_EQ(oe.events[0].timestamp, "20261124T12000000");
  EXPECT_EQ(oe.events[0].name, "tlsbsc/tlsrel");
  EXPECT_EQ(*oe.events[0].parameters.at(0).value(), "\"peer closed\"");
  EXPECT_EQ(unquoted(*oe.events[0].parameters.at(0).value()), "peer closed");
  const auto& mf = std::get<TransactionRequest>(m.transactions[1]).actions[0].commands[0];
  const auto& ev = std::get<EventsDescriptor>(mf.descriptors.at(0));
  EXPECT_TRUE(ev.events.at(0).keep_active);
  const auto& sg = std::get<SignalsDescriptor>(mf.descriptors.at(1));
  const auto& list = std::get<SignalList>(sg.items.at(0));
  EXPECT_EQ(list.signals.at(0).duration, 100u);
  EXPECT_EQ(list.signals.at(0).notify_completion, (std::vector<std::string>{"TimeOut", "IntByEvent"}));
  const auto& w = std::get<TransactionRequest>(m.transactions[4]).actions[0].commands[0];
  EXPECT_TRUE(w.optional);
  EXPECT_TRUE(w.wildcard_reply);
  EXPECT_EQ(std::get<AuditDescriptor>(w.descriptors.at(0)).items.size(), 4u);
  const auto& ctx_audit = std::get<TransactionReply>(m.transactions[5]).actions[0].commands[0];
  EXPECT_TRUE(ctx_audit.context_audit);
  EXPECT_EQ(ctx_audit.terminations.size(), 2u);
  expect_round_trip(m);
}

TEST(H248Codec, CaseCommentsAndWhiteSpaceAreFree) {
  Message a = decode_ok("!/3 [10.0.0.2]:2944\nT=1{C=-{SC=root{SV{MT=RS,V=3}}}}");
  Message b = decode_ok(
      "; a comment line\n  megaco/3   [10.0.0.2]:2944 ; trailing comment\n"
      "transaction= 1 {context =-{ serviceCHANGE = root {services{ method = restart , version = 3 }}}}\n");
  EXPECT_EQ(a, b);
}

TEST(H248Codec, MessageLevelErrorAndAuthenticationHeader) {
  Message m = decode_ok("AU=0x1234:0x0001:0xABCDEF01\n!/2 [10.0.0.2]:2944\nER=402{\"Unauthorized\"}");
  ASSERT_TRUE(m.authentication);
  EXPECT_EQ(m.authentication->spi, "0x1234");
  ASSERT_TRUE(m.error);
  EXPECT_EQ(m.error->code, errors::kUnauthorized);
  EXPECT_EQ(m.version, 2);
  expect_round_trip(m);
}

TEST(H248Codec, EncoderQuotesWhatIsNotAToken) {
  Message m;
  m.mid = {MessageId::Kind::kIp4, "192.0.2.1", 2944};
  TransactionRequest tr{5, {}};
  Action a;
  a.context = ContextId{3};
  Command c;
  c.type = CommandType::kModify;
  c.terminations = {{"tls/1"}};
  LocalControlDescriptor lc;
  lc.properties.push_back({"x/a", PropertyParm::Relation::kEqual, PropertyParm::Form::kSingle, {"two words"}});
  lc.properties.push_back({"x/b", PropertyParm::Relation::kEqual, PropertyParm::Form::kSingle, {"bad\"quote"}});
  MediaDescriptor md;
  md.single.local_control = lc;
  md.single.local = "v=0\na=x:{}";
  c.descriptors.emplace_back(md);
  a.commands.push_back(c);
  tr.actions.push_back(a);
  m.transactions.push_back(tr);
  std::string text = encode(m);
  EXPECT_NE(text.find("x/a=\"two words\""), std::string::npos) << text;
  EXPECT_NE(text.find("x/b=\"badquote\""), std::string::npos) << text;
  EXPECT_NE(text.find("a=x:{\\}"), std::string::npos) << text;
  auto back = decode(text);
  ASSERT_TRUE(back.ok()) << describe(back.error());
  const auto& md2 = std::get<MediaDescriptor>(
      std::get<TransactionRequest>(back->transactions[0]).actions[0].commands[0].descriptors[0]);
  EXPECT_EQ(*md2.single.local, "v=0\na=x:{}");
}

// ---- bad input ----------------------------------------------------------------------------

TEST(H248CodecErrors, VersionNotSupportedIs406) {
  auto e = decode_error("!/4 [10.0.0.2]:2944\nT=1{C=-{SC=ROOT{SV{MT=RS}}}}");
  EXPECT_EQ(e.code, errors::kVersionNotSupported);
}

TEST(H248CodecErrors, HeaderFaultsAre400) {
  EXPECT_EQ(decode_error("").code, errors::kBadRequestFormat);
  EXPECT_EQ(decode_error("HELLO/3 [1.2.3.4]:2944 T=1{C=-{SC=ROOT{SV{MT=RS}}}}").code, errors::kBadRequestFormat);
  EXPECT_EQ(decode_error("!/3 [1.2.3.4:2944 T=1{}").code, errors::kBadRequestFormat);
  EXPECT_EQ(decode_error("!/3 [1.2.3.4]:2944").code, errors::kBadRequestFormat);
  EXPECT_EQ(decode_error("!/3 [1.2.x.4]:2944 T=1{C=-{N=ROOT{OE=1{g/x}}}}").code, errors::kBadRequestFormat);
  EXPECT_EQ(decode_error("!/3 [1.2.3.4]:99999 T=1{C=-{N=ROOT{OE=1{g/x}}}}").code, errors::kBadRequestFormat);
}

TEST(H248CodecErrors, TransactionFaultsAre403WithTheTransactionId) {
  auto e = decode_error("!/3 [10.0.0.2]:2944\nT=42{C=1{A=tcp/1{M{L{v=0}},}}}");
  EXPECT_EQ(e.code, errors::kSyntaxErrorInTransaction);
  EXPECT_EQ(e.transaction_id, 42u);
  EXPECT_TRUE(e.transaction_is_request);
  EXPECT_GT(e.offset, 30u);
  auto n = decode_error("!/3 [10.0.0.2]:2944\nT=43{C=1{N=tcp/1}}");  // Notify needs ObservedEvents
  EXPECT_EQ(n.code, errors::kSyntaxErrorInTransaction);
  auto d = decode_error("!/3 [10.0.0.2]:2944\nT=44{C=1{S=tcp/1{M{L{v=0}}}}}");  // Media in Subtract
  EXPECT_EQ(d.code, errors::kSyntaxErrorInTransaction);
  EXPECT_NE(d.reason.find("not legal"), std::string::npos) << d.reason;
}

TEST(H248CodecErrors, TruncatedAtEveryByteNeverDecodesOrCrashes) {
  const std::string text =
      "!/3 [10.0.0.1]:2944\nT=2{C=${A=${M{O{MO=SR,tlsbsc/role=client},L{\n"
      "v=0\nm=message $ TCP/TLS/MSRP *\n}},E=1{tcpbcc/tcpest}}}}";
  ASSERT_TRUE(decode(text).ok());
  for (size_t n = 0; n + 1 < text.size(); ++n) {
    auto m = decode(std::string_view(text).substr(0, n));
    EXPECT_FALSE(m.ok()) << "prefix of " << n << " bytes decoded";
    if (!m.ok()) {
      EXPECT_LE(m.error().offset, n);
    }
  }
}

TEST(H248CodecErrors, UnbalancedBracesDeepNestingAndHugeInput) {
  EXPECT_FALSE(decode("!/3 [1.1.1.1]:1 T=1{C=1{A=t{M{ST=1{O{MO=SR}}}}}").ok());
  EXPECT_FALSE(decode("!/3 [1.1.1.1]:1 T=1{C=1{A=t{M{ST=1{O{MO=SR}}}}}}}").ok());
  // Property sublists nest braces: the nesting limit stops them early.
  std::string deep = "!/3 [1.1.1.1]:1 T=1{C=1{A=t{M{O{x/y=";
  for (int i = 0; i < 5000; ++i) deep += "[";
  auto e = decode(deep);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, errors::kSyntaxErrorInTransaction);
  // Oversized: refused before parsing.
  std::string big = "!/3 [1.1.1.1]:1 T=1{C=1{A=t{M{L{v=0\n" + std::string(70000, 'a') + "}}}}}";
  auto b = decode(big);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().reason.find("exceeds"), std::string::npos);
  // A 64 KiB line inside the limit is parsed (and refused for its content) in one pass.
  DecodeLimits roomy;
  roomy.max_message_bytes = 1 << 20;
  std::string line = "!/3 [1.1.1.1]:1 T=1{C=1{A=" + std::string(65536, 'x') + "{M{ST=1{O{MO=XX}}}}}}";
  auto l = decode(line, roomy);
  ASSERT_FALSE(l.ok());
  EXPECT_NE(l.error().reason.find("'XX'"), std::string::npos) << l.error().reason;
  EXPECT_GT(l.error().offset, 65536u);
}

TEST(H248CodecErrors, BinaryGarbageIsRefused) {
  std::string garbage;
  uint32_t x = 12345;
  for (int i = 0; i < 4096; ++i) {
    x = x * 1103515245u + 12345u;
    garbage.push_back(static_cast<char>(x >> 24));
  }
  for (size_t start = 0; start < 64; ++start) EXPECT_FALSE(decode(std::string_view(garbage).substr(start)).ok());
  std::string with_nul = "!/3 [1.1.1.1]:1 T=1{C=1{A=t{M{L{v=0";
  with_nul.push_back('\0');
  with_nul += "}}}}}";
  EXPECT_FALSE(decode(with_nul).ok());
}

}  // namespace
}  // namespace mediasec::h248
