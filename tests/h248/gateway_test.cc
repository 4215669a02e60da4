// The gateway model on its own (with the real PortReservation media plane): the Iq semantics of
// each command and the error code of each fault.
#include <gtest/gtest.h>

#include "host/h248/decode.h"
#include "host/h248/gateway.h"
#include "tests/support/port_reservation.h"

namespace mediasec::h248 {
namespace {

class GatewayTest : public ::testing::Test {
 protected:
  // Runs the actions of "T=1{...}" and returns the reply.
  TransactionReply run(const std::string& actions) {
    auto m = decode("!/3 [127.0.0.1]:2944\nT=" + std::to_string(++id_) + "{" + actions + "}");
    EXPECT_TRUE(m.ok()) << (m.ok() ? "" : describe(m.error()));
    return gateway_.handle(std::get<TransactionRequest>(m->transactions.at(0)));
  }
  static const ErrorDescriptor* error_of(const TransactionReply& r) {
    for (const Action& a : r.actions) {
      if (a.error) return &*a.error;
      for (const Command& c : a.commands)
        for (const Descriptor& d : c.descriptors)
          if (auto* e = std::get_if<ErrorDescriptor>(&d)) return e;
    }
    return nullptr;
  }
  uint16_t code(const std::string& actions) {
    const TransactionReply r = run(actions);
    const ErrorDescriptor* e = error_of(r);
    return e ? e->code : 0;
  }
  static std::string tls_add() {
    return "C=${A=${M{O{MO=SR,tlsbsc/role=server},L{v=0\nc=IN IP4 $\nm=message $ TCP/TLS/MSRP *\n},"
           "R{v=0\nc=IN IP4 192.0.2.9\nm=message 7394 TCP/TLS/MSRP *\na=setup:active\n}}}}";
  }

  PackageRegistry packages_ = PackageRegistry::standard();
  test::PortReservation media_{"127.0.0.1"};
  Gateway gateway_{packages_, media_};
  uint32_t id_ = 0;
};

TEST_F(GatewayTest, AddChoosesContextNameAndCompletesTheLocalSdp) {
  TransactionReply r = run(tls_add());
  ASSERT_EQ(error_of(r), nullptr);
  const Action& a = r.actions.at(0);
  EXPECT_EQ(a.context.value, 1u);
  const Command& add = a.commands.at(0);
  EXPECT_EQ(add.terminations.at(0).name, "tls/1");
  const auto& md = std::get<MediaDescriptor>(add.descriptors.at(0));
  auto local = sdp::parse(*md.single.local);
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(local->connection->address, "127.0.0.1");
  ASSERT_TRUE(local->media.at(0).port);
  EXPECT_GT(*local->media.at(0).port, 0);
  EXPECT_EQ(*local->media.at(0).setup().value(), sdp::Setup::kPassive) << "an active offer is answered passive";
  EXPECT_EQ(media_.reserved(), 1u);
  // The second termination of the context is the core side, plain TCP.
  TransactionReply r2 = run("C=1{A=${M{L{v=0\nc=IN IP4 $\nm=message $ TCP/MSRP *\n}}}}");
  ASSERT_EQ(error_of(r2), nullptr);
  EXPECT_EQ(r2.actions.at(0).commands.at(0).terminations.at(0).name, "tcp/1");
  EXPECT_EQ(gateway_.terminations_in(1).size(), 2u);
}

TEST_F(GatewayTest, ErrorCodes) {
  ASSERT_EQ(code(tls_add()), 0);
  ASSERT_EQ(code("C=1{A=${M{L{v=0\nm=message $ TCP/MSRP *\n}}}}"), 0);
  EXPECT_EQ(code("C=99{MF=tls/1{M{O{MO=SR}}}}"), 411);
  EXPECT_EQ(code("C=-{A=tls/9}"), 421);
  EXPECT_EQ(code("C=${A=tls/9{M{L{v=0\nm=message $ TCP/MSRP *\n}}}}"), 430);
  EXPECT_EQ(code("C=1{A=${M{L{v=0\nm=message $ TCP/MSRP *\n}}}}"), 434);
  EXPECT_EQ(code("C=${A=${M{L{v=0\nm=message nonsense TCP/MSRP *\n}}}}"), 474);
  EXPECT_EQ(code("C=${A=${M{L{v=0\nm=audio $ RTP/AVP 0\n}}}}"), 449);
  EXPECT_EQ(code("C=1{MF=tls/1{E=5{nosuch/ev}}}"), 440);
  EXPECT_EQ(code("C=1{MF=tls/1{E=5{tcpbcc/nosuch}}}"), 451);
  EXPECT_EQ(code("C=1{MF=tls/1{M{O{tlsbsc/role=sideways}}}}"), 449);
  EXPECT_EQ(code("C=1{MF=tls/7{M{O{MO=SR}}}}"), 430);
  EXPECT_EQ(code("C=1{MF=udptl/*{M{O{MO=SR}}}}"), 431);
  EXPECT_EQ(code("C=1{S=tls/7}"), 435);
  EXPECT_EQ(code("C=1{N=tls/1{OE=1{g/cause}}}"), 443);
  EXPECT_EQ(code("C=1{MF=tls/1{SA{nt/nosuch}}}"), 453) << "unknown statistic of a known package";
  EXPECT_EQ(code("C=1{MF=tls/1{SA{nosuch/os}}}"), 440);
  EXPECT_EQ(gateway_.context_count(), 1u) << "failed commands left contexts behind";
  EXPECT_EQ(media_.reserved(), 2u) << "failed Adds left reservations behind";
}

TEST_F(GatewayTest, AFailedAddNamesNoContext) {
  // The media plane refuses the bearer (449) after the gateway chose a context for it.
  TransactionReply r = run("C=${A=${M{L{v=0\nm=audio $ RTP/AVP 0\n}}}}");
  const ErrorDescriptor* e = error_of(r);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->code, 449);
  EXPECT_TRUE(r.actions.at(0).context.is_null()) << "a failed Add named context " << r.actions.at(0).context.value;
  EXPECT_EQ(gateway_.context_count(), 0u);
}

TEST_F(GatewayTest, RootPropertiesAreCheckedLikeATerminations) {
  EXPECT_EQ(code("C=-{MF=ROOT{M{TS{root/normalMGCExecutionTime=400,seg/mgcmaxpdusize=600}}}}"), 0);
  EXPECT_EQ(code("C=-{MF=ROOT{M{TS{nosuch/x=1}}}}"), 440) << "unknown package";
  EXPECT_EQ(code("C=-{MF=ROOT{M{TS{root/nosuch=1}}}}"), 450) << "unknown property of a known package";
  EXPECT_EQ(code("C=-{MF=ROOT{M{TS{root/normalMGCExecutionTime=abc}}}}"), 449) << "not a number";
  EXPECT_EQ(code("C=-{MF=ROOT{M{TS{root/normalMGCExecutionTime=-5}}}}"), 449) << "negative";
  EXPECT_EQ(code("C=-{MF=ROOT{M{TS{root/normalMGCExecutionTime=0}}}}"), 449) << "zero";
  EXPECT_EQ(code("C=-{MF=ROOT{M{TS{root/MGOriginatedPendingLimit=99999999999999999999}}}}"), 449) << "huge";
  EXPECT_EQ(code("C=-{MF=ROOT{M{TS{normalMGCExecutionTime=400}}}}"), 445) << "not package/property";
}

TEST_F(GatewayTest, SubtractReturnsStatisticsAndReleases) {
  ASSERT_EQ(code(tls_add()), 0);
  ASSERT_EQ(code("C=1{A=${M{L{v=0\nm=message $ TCP/MSRP *\n}}}}"), 0);
  TransactionReply r = run("C=1{S=*}");
  ASSERT_EQ(error_of(r), nullptr);
  const auto& stats = std::get<StatisticsDescriptor>(r.actions.at(0).commands.at(0).descriptors.at(0));
  ASSERT_EQ(stats.statistics.size(), 3u);
  EXPECT_EQ(stats.statistics[2].name, "nt/dur");
  EXPECT_EQ(gateway_.context_count(), 0u);
  EXPECT_EQ(media_.reserved(), 0u);
  // Audit{} without Statistics: no statistics.
  ASSERT_EQ(code(tls_add()), 0);
  TransactionReply quiet = run("C=2{S=tls/2{AT{}}}");
  EXPECT_TRUE(quiet.actions.at(0).commands.at(0).descriptors.empty());
}

TEST_F(GatewayTest, MoveModifyAuditAndNotify) {
  ASSERT_EQ(code(tls_add()), 0);  // context 1, tls/1
  ASSERT_EQ(code(tls_add()), 0);  // context 2, tls/2
  EXPECT_EQ(code("C=1{MV=tls/2}"), 0);
  EXPECT_EQ(gateway_.terminations_in(1).size(), 2u);
  EXPECT_EQ(gateway_.context_count(), 1u) << "the emptied context is gone";
  EXPECT_EQ(code("C=1{MF=tls/1{M{O{MO=RC}},E=9{tcpbcc/tcpest,tlsbsc/*}}}"), 0);
  TransactionReply audit = run("C=1{AV=tls/1{AT{M,E,PG}}}");
  ASSERT_EQ(error_of(audit), nullptr);
  const Command& av = audit.actions.at(0).commands.at(0);
  ASSERT_EQ(av.descriptors.size(), 3u);
  EXPECT_EQ(std::get<MediaDescriptor>(av.descriptors[0]).single.local_control->mode, StreamMode::kReceiveOnly);
  EXPECT_EQ(std::get<EventsDescriptor>(av.descriptors[1]).request_id, 9u);
  TransactionReply root = run("C=-{AV=ROOT{AT{PG}}}");
  EXPECT_EQ(std::get<PackagesDescriptor>(root.actions.at(0).commands.at(0).descriptors.at(0)).packages.size(),
            packages_.packages().size());
  // Notify only for what the MGC armed.
  ObservedEvent est{std::nullopt, "tcpbcc/tcpest", std::nullopt, {}};
  ObservedEvent rel{std::nullopt, "tlsbsc/tlsrel", std::nullopt, {}};
  ObservedEvent other{std::nullopt, "tcpbcc/tcprel", std::nullopt, {}};
  auto n = gateway_.observe("tls/1", est);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->context.value, 1u);
  const auto& oe = std::get<ObservedEventsDescriptor>(n->commands.at(0).descriptors.at(0));
  EXPECT_EQ(oe.request_id, 9u);
  EXPECT_TRUE(oe.events.at(0).timestamp);
  EXPECT_TRUE(gateway_.observe("tls/1", rel)) << "tlsbsc/* arms every tlsbsc event";
  EXPECT_FALSE(gateway_.observe("tls/1", other));
  EXPECT_FALSE(gateway_.observe("tls/2", est)) << "tls/2 armed nothing";
}

}  // namespace
}  // namespace mediasec::h248
