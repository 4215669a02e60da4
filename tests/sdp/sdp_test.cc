// SDP of eMediasec calls: underspecified offers, TLS/MSRP, BFCP, T.38 over DTLS, fingerprints of
// every digest OpenSSL offers, round trips, and errors with line numbers.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <string>

#include "host/sdp/sdp.h"

namespace mediasec::sdp {
namespace {

SessionDescription parse_ok(std::string_view text) {
  auto s = parse(text);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : "line " + std::to_string(s.error().line) + ": " + s.error().reason);
  return s.ok() ? std::move(s).value() : SessionDescription{};
}

TEST(Sdp, UnderspecifiedTlsMsrpOffer) {
  auto s = parse_ok(
      "v=0\nc=IN IP4 $\nm=message $ TCP/TLS/MSRP *\na=setup:actpass\na=connection:new\n"
      "a=fingerprint:SHA-256 "
      "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89\n"
      "a=tls-id:abc123\na=3ge2ae:requested\na=accept-types:message/cpim text/plain\n"
      "a=path:msrps://ue.example.com:7394/s111;tcp\n");
  ASSERT_EQ(s.media.size(), 1u);
  const MediaDescription& m = s.media[0];
  EXPECT_TRUE(s.connection->underspecified());
  EXPECT_FALSE(m.port);
  EXPECT_EQ(m.transport(), Transport::kTlsMsrp);
  EXPECT_TRUE(is_tls(m.transport()));
  EXPECT_TRUE(is_tcp(m.transport()));
  EXPECT_EQ(*m.setup().value(), Setup::kActPass);
  EXPECT_EQ(*m.connection_attr().value(), ConnectionAttr::kNew);
  auto fps = m.fingerprints().value();
  ASSERT_EQ(fps.size(), 1u);
  EXPECT_EQ(fps[0].hash, "sha-256");
  EXPECT_EQ(fps[0].digest.size(), 32u);
  EXPECT_EQ(fps[0].digest[0], 0xAB);
  EXPECT_EQ(m.tls_id(), "abc123");
  EXPECT_EQ(m.e2ae(), "requested");
  EXPECT_EQ(m.accept_types(), (std::vector<std::string>{"message/cpim", "text/plain"}));
  EXPECT_EQ(m.msrp_path(), (std::vector<std::string>{"msrps://ue.example.com:7394/s111;tcp"}));
  auto again = parse_ok(write(s));
  EXPECT_EQ(again, s);
}

TEST(Sdp, BfcpAndT38OverDtlsWithBandwidth) {
  auto s = parse_ok(
      "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n"
      "m=application 50000 TCP/TLS/BFCP *\r\nc=IN IP4 192.0.2.1\r\na=setup:passive\r\na=connection:existing\r\n"
      "a=floorctrl:s-only\r\na=confid:4321\r\na=userid:1234\r\na=floorid:1 mstrm:10\r\na=bfcpver:1 2\r\n"
      "m=image 5004 UDP/TLS/UDPTL t38\r\nb=AS:64\r\nb=TIAS:64000\r\na=setup:active\r\n"
      "a=fingerprint:sha-1 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33\r\n"
      "a=T38FaxVersion:0\r\na=T38MaxBitRate:14400\r\na=T38FaxMaxDatagram:512\r\na=T38FaxUdpEC:t38UDPRedundancy\r\n");
  ASSERT_EQ(s.media.size(), 2u);
  EXPECT_EQ(s.media[0].transport(), Transport::kTlsBfcp);
  EXPECT_EQ(*s.media[0].setup().value(), Setup::kPassive);
  EXPECT_EQ(*s.media[0].connection_attr().value(), ConnectionAttr::kExisting);
  EXPECT_EQ(s.media[0].attribute("floorctrl")->value, "s-only");
  EXPECT_EQ(s.media[0].port, 50000);
  EXPECT_EQ(s.media[1].transport(), Transport::kDtlsUdptl);
  EXPECT_FALSE(is_tcp(s.media[1].transport()));
  EXPECT_EQ(s.media[1].bandwidth("AS"), 64u);
  EXPECT_EQ(s.media[1].bandwidth("tias"), 64000u);
  EXPECT_EQ(s.media[1].attribute("t38maxbitrate")->value, "14400");
  EXPECT_EQ(s.media[1].fingerprints().value().at(0).hash, "sha-1");
  EXPECT_EQ(s.other_lines, (std::vector<std::string>{"t=0 0"}));
  auto again = parse_ok(write(s, {"\r\n"}));
  EXPECT_EQ(again, s);
}

TEST(Sdp, EveryProtoIsClassified) {
  EXPECT_EQ(classify("TCP"), Transport::kTcp);
  EXPECT_EQ(classify("TCP/MSRP"), Transport::kTcpMsrp);
  EXPECT_EQ(classify("tcp/tls/msrp"), Transport::kTlsMsrp);
  EXPECT_EQ(classify("TCP/BFCP"), Transport::kTcpBfcp);
  EXPECT_EQ(classify("TCP/TLS/BFCP"), Transport::kTlsBfcp);
  EXPECT_EQ(classify("udptl"), Transport::kUdptl);
  EXPECT_EQ(classify("UDP/TLS/UDPTL"), Transport::kDtlsUdptl);
  EXPECT_EQ(classify("RTP/AVP"), Transport::kOther);
}

// A fingerprint of every digest OpenSSL offers, in RFC 8122 form, parses back to the same bytes.
TEST(Sdp, FingerprintsOfEveryOpenSslDigest) {
  const char* names[] = {"md5",     "sha-1",    "sha-224",  "sha-256",   "sha-384",
                         "sha-512", "sha3-256", "sha3-512", "sha512-256"};
  const unsigned char data[] = "certificate";
  for (const char* name : names) {
    std::string openssl_name;
    for (const char* c = name; *c; ++c)
      if (*c != '-' || std::string(name).find("sha3") == 0 || std::string(name).find("sha512") == 0) openssl_name += *c;
    const EVP_MD* md = EVP_get_digestbyname(openssl_name.c_str());
    ASSERT_NE(md, nullptr) << openssl_name;
    Fingerprint fp;
    fp.hash = name;
    fp.digest.resize(EVP_MD_get_size(md));
    unsigned int n = 0;
    ASSERT_EQ(EVP_Digest(data, sizeof data, fp.digest.data(), &n, md, nullptr), 1);
    auto back = parse_fingerprint(fp.to_string());
    ASSERT_TRUE(back.ok()) << name << ": " << back.error().reason;
    EXPECT_EQ(back.value(), fp) << name;
  }
}

TEST(Sdp, BadFingerprintsAreRefused) {
  EXPECT_FALSE(parse_fingerprint("sha-256 AB:CD").ok());                                   // wrong length
  EXPECT_FALSE(parse_fingerprint("sha-999 AB:CD").ok());                                   // unknown hash
  EXPECT_FALSE(parse_fingerprint("sha-1 ZZ:11").ok());                                     // not hex
  EXPECT_FALSE(parse_fingerprint("sha-1").ok());                                           // no value
  EXPECT_FALSE(parse_fingerprint("sha-1 00112233445566778899AABBCCDDEEFF00112233").ok());  // no colons
}

TEST(Sdp, ErrorsNameTheLine) {
  auto e = parse("v=0\nc=IN IP4 $\nm=message xyz TCP/MSRP *\n");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().line, 3u);
  EXPECT_FALSE(parse("v=0\nthis is not sdp\n").ok());
  EXPECT_FALSE(parse("v=0\nm=message 1 TCP/MSRP\n").ok());  // no format
  EXPECT_FALSE(parse("v=0\nc=IN IPX 1.2.3.4\n").ok());
  EXPECT_FALSE(parse("v=0\nm=message 1 TCP/MSRP *\na=setup:sideways\n").ok());
  EXPECT_FALSE(parse("v=0\nm=message 1 TCP/MSRP *\na=connection:old\n").ok());
  EXPECT_FALSE(parse("v=0\nb=AS:lots\n").ok());
  EXPECT_FALSE(parse(std::string("v=0\na=x\x01y\n")).ok());
  EXPECT_FALSE(parse("v=0\nm=message 70000 TCP/MSRP *\n").ok());
}

TEST(Sdp, UnderspecifiedAttributesReadAsAbsent) {
  auto s = parse_ok("v=0\nm=message $ TCP/TLS/MSRP *\na=setup:$\na=connection:$\na=fingerprint:$\n");
  EXPECT_FALSE(s.media[0].setup().value());
  EXPECT_FALSE(s.media[0].connection_attr().value());
  EXPECT_TRUE(s.media[0].fingerprints().value().empty());
}

TEST(Sdp, EditingAttributesForTheAnswer) {
  auto s = parse_ok("v=0\nc=IN IP4 $\nm=message $ TCP/TLS/MSRP *\na=setup:actpass\n");
  MediaDescription& m = s.media[0];
  m.port = 40000;
  s.connection->address = "198.51.100.9";
  m.set_attribute("setup", "passive");
  m.set_attribute("fingerprint", "sha-256 00");
  m.remove_attribute("fingerprint");
  EXPECT_EQ(write(s), "v=0\nc=IN IP4 198.51.100.9\nm=message 40000 TCP/TLS/MSRP *\na=setup:passive\n");
}

}  // namespace
}  // namespace mediasec::sdp
