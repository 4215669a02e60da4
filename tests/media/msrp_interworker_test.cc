// MSRP interworking on a relay direction: however the byte stream is cut, whole messages leave
// readdressed for the side they go to with bodies and chunk flags intact; bytes of an incomplete
// message are held; malformed input is an error that ends the bearer.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "host/media/msrp_interworker.h"

namespace mediasec::media {
namespace {

const msrp::Side kCore{{"msrp://10.0.0.9:7000/core1;tcp"}, "msrp://192.0.2.1:40000/gwcore;tcp"};

const std::string kSend =
    "MSRP tx01 SEND\r\nTo-Path: msrps://192.0.2.1:40001/gwaccess;tcp\r\nFrom-Path: msrps://198.51.100.7:9/ue;tcp\r\n"
    "Message-ID: m1\r\nByte-Range: 1-5/10\r\nContent-Type: text/plain\r\n\r\nHello\r\n-------tx01+\r\n";
const std::string kRest =
    "MSRP tx02 SEND\r\nTo-Path: msrps://192.0.2.1:40001/gwaccess;tcp\r\nFrom-Path: msrps://198.51.100.7:9/ue;tcp\r\n"
    "Message-ID: m1\r\nByte-Range: 6-10/10\r\nContent-Type: text/plain\r\n\r\nWorld\r\n-------tx02$\r\n";

std::string Feed(MsrpInterworker& w, const std::string& in) {
  std::vector<uint8_t> out;
  auto ok = w.feed(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(in.data()), in.size()), out);
  EXPECT_TRUE(ok.ok()) << (ok.ok() ? "" : ok.error().reason);
  return std::string(out.begin(), out.end());
}

TEST(MsrpInterworker, ReaddressesEveryMessageHoweverTheStreamIsCut) {
  const std::string stream = kSend + kRest;
  for (size_t cut = 1; cut < stream.size(); cut += 7) {
    MsrpInterworker w(kCore);
    std::string out;
    for (size_t at = 0; at < stream.size(); at += cut) out += Feed(w, stream.substr(at, cut));
    EXPECT_EQ(w.messages(), 2u) << "cut " << cut;
    EXPECT_EQ(w.held(), 0u);
    // Each message leaves addressed to the core, from the gateway's core-side URI.
    size_t first = out.find("To-Path: msrp://10.0.0.9:7000/core1;tcp\r\n");
    ASSERT_NE(first, std::string::npos) << out;
    EXPECT_NE(out.find("To-Path: msrp://10.0.0.9:7000/core1;tcp\r\n", first + 1), std::string::npos) << out;
    EXPECT_EQ(out.find("gwaccess"), std::string::npos) << "the access-side URI leaked to the core: " << out;
    EXPECT_EQ(out.find("198.51.100.7"), std::string::npos) << "the terminal's URI leaked to the core: " << out;
    EXPECT_NE(out.find("From-Path: msrp://192.0.2.1:40000/gwcore;tcp\r\n"), std::string::npos);
    // Bodies, ranges and continuation flags unchanged.
    EXPECT_NE(out.find("\r\n\r\nHello\r\n-------tx01+\r\n"), std::string::npos) << out;
    EXPECT_NE(out.find("\r\n\r\nWorld\r\n-------tx02$\r\n"), std::string::npos) << out;
    EXPECT_NE(out.find("Byte-Range: 6-10/10\r\n"), std::string::npos);
  }
}

TEST(MsrpInterworker, HoldsAnIncompleteMessage) {
  MsrpInterworker w(kCore);
  EXPECT_EQ(Feed(w, kSend.substr(0, 40)), "");
  EXPECT_EQ(w.held(), 40u);
  EXPECT_NE(Feed(w, kSend.substr(40)).find("-------tx01+"), std::string::npos);
  EXPECT_EQ(w.held(), 0u);
}

TEST(MsrpInterworker, ResponsesAreReaddressedToo) {
  MsrpInterworker w(kCore);
  const std::string out = Feed(w,
                               "MSRP tx09 200 OK\r\nTo-Path: msrps://192.0.2.1:40001/gwaccess;tcp\r\n"
                               "From-Path: msrps://198.51.100.7:9/ue;tcp\r\n-------tx09$\r\n");
  EXPECT_NE(out.find("MSRP tx09 200 OK\r\n"), std::string::npos);
  EXPECT_NE(out.find("To-Path: msrp://10.0.0.9:7000/core1;tcp\r\n"), std::string::npos) << out;
}

TEST(MsrpInterworker, MalformedInputIsAnError) {
  for (const std::string& bad : {std::string("HTTP/1.1 200 OK\r\n\r\n"), std::string(2000, 'x'),
                                 std::string("MSRP tx01 SEND\r\nTo-Path x\r\n-------tx01$\r\n")}) {
    MsrpInterworker w(kCore);
    std::vector<uint8_t> out;
    auto ok = w.feed(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bad.data()), bad.size()), out);
    EXPECT_FALSE(ok.ok()) << bad.substr(0, 40);
    EXPECT_TRUE(out.empty());
  }
}

}  // namespace
}  // namespace mediasec::media
