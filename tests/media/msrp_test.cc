// MSRP framing and readdressing: messages out of a byte stream however it is split, bodies that
// contain end-line look-alikes, responses, chunk flags, malformed and oversized input; the
// To-Path/From-Path rewriting and a=path; and tshark's MSRP dissector reads what we relay.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "host/media/msrp.h"
#include "tests/support/text2pcap.h"

namespace mediasec::media::msrp {
namespace {

const std::string kSend =
    "MSRP a786hjs2 SEND\r\n"
    "To-Path: msrps://gw.access.example.com:7394/2s93i93idj;tcp\r\n"
    "From-Path: msrps://ue.example.com:8888/9di4eae923wzd;tcp\r\n"
    "Message-ID: 87652491\r\n"
    "Byte-Range: 1-40/40\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "Hey Bob, -------a786hjs2 is not the end\r\n"
    "-------a786hjs2$\r\n";
const std::string kOk =
    "MSRP a786hjs2 200 OK\r\n"
    "To-Path: msrp://core.example.net:9000/kjhd37s2s20w2a;tcp\r\n"
    "From-Path: msrp://gw.core.example.com:7400/xx88;tcp\r\n"
    "-------a786hjs2$\r\n";

std::vector<Message> FrameAll(Framer& f) {
  std::vector<Message> out;
  for (;;) {
    auto m = f.next();
    EXPECT_TRUE(m.ok()) << m.error().reason;
    if (!m.ok() || !*m) return out;
    out.push_back(std::move(**m));
  }
}

TEST(Msrp, FramesRequestsAndResponsesHoweverTheStreamIsSplit) {
  const std::string stream = kSend + kOk + kSend;
  for (size_t chunk : {size_t{1}, size_t{3}, size_t{17}, stream.size()}) {
    Framer f;
    std::vector<Message> got;
    for (size_t at = 0; at < stream.size(); at += chunk) {
      f.feed(std::string_view(stream).substr(at, chunk));
      for (auto& m : FrameAll(f)) got.push_back(std::move(m));
    }
    ASSERT_EQ(got.size(), 3u) << "chunk " << chunk;
    EXPECT_EQ(got[0].method, "SEND");
    EXPECT_EQ(*got[0].body, "Hey Bob, -------a786hjs2 is not the end");
    EXPECT_EQ(*got[0].header("message-id"), "87652491");
    EXPECT_EQ(got[1].status, 200);
    EXPECT_EQ(got[1].comment, "OK");
    EXPECT_FALSE(got[1].body);
    EXPECT_EQ(f.buffered(), 0u);
    // Byte for byte the same when written back.
    EXPECT_EQ(got[0].serialize(), kSend);
    EXPECT_EQ(got[1].serialize(), kOk);
  }
}

TEST(Msrp, ChunkFlagsAndBinaryBodies) {
  std::string body(3000, '\0');
  std::mt19937 rng(3);
  for (char& c : body) c = static_cast<char>(rng());
  Message m;
  m.transaction_id = "dkei38sd";
  m.method = "SEND";
  m.headers = {{"To-Path", "msrp://a.example:1/x;tcp"},
               {"From-Path", "msrp://b.example:2/y;tcp"},
               {"Content-Type", "application/octet-stream"}};
  m.body = body;
  m.flag = '+';
  Framer f;
  f.feed(m.serialize());
  auto got = f.next();
  ASSERT_TRUE(got.ok() && *got);
  EXPECT_EQ((*got)->flag, '+');
  EXPECT_EQ(*(*got)->body, body);
}

TEST(Msrp, MalformedAndOversizedInputIsAnError) {
  for (const std::string bad :
       {"HTTP/1.1 200 OK\r\n", "MSRP x SEND\r\n", "MSRP abcd send\r\n", "MSRP abcd 2000 OK\r\n",
        "MSRP abcd SEND\r\nno colon here\r\n", "MSRP abcd SEND\r\nTo-Path: msrp://a:1/x;tcp\r\n-------abcd$\r\n"}) {
    Framer f;
    f.feed(bad);
    auto m = f.next();
    EXPECT_FALSE(m.ok()) << bad;
  }
  Framer small(512);
  small.feed("MSRP abcd SEND\r\nTo-Path: msrp://a:1/x;tcp\r\nFrom-Path: msrp://b:2/y;tcp\r\n\r\n" +
             std::string(600, 'x'));
  EXPECT_FALSE(small.next().ok());
  Framer garbage;
  garbage.feed(std::string(2000, 'z'));
  EXPECT_FALSE(garbage.next().ok());
}

TEST(Msrp, ReaddressingMakesTheGatewayTheNextHop) {
  Framer f;
  f.feed(kSend);
  Message m = **f.next();
  const Side core{{"msrp://core.example.net:9000/kjhd37s2s20w2a;tcp"}, uri("192.0.2.10", 7400, "xx88", false)};
  readdress(m, core);
  EXPECT_EQ(*m.header("To-Path"), "msrp://core.example.net:9000/kjhd37s2s20w2a;tcp");
  EXPECT_EQ(*m.header("From-Path"), "msrp://192.0.2.10:7400/xx88;tcp");
  EXPECT_EQ(*m.body, "Hey Bob, -------a786hjs2 is not the end");  // the rest untouched
  EXPECT_EQ(*m.header("Byte-Range"), "1-40/40");
  EXPECT_EQ(uri("2001:db8::1", 7394, "s1", true), "msrps://[2001:db8::1]:7394/s1;tcp");
  auto sdp = sdp::parse(
      "v=0\r\nc=IN IP4 $\r\nm=message $ TCP/TLS/MSRP *\r\na=path:msrps://ue.example.com:8888/9di4eae923wzd;tcp\r\n");
  ASSERT_TRUE(sdp.ok());
  set_path(sdp->media[0], uri("198.51.100.1", 7394, "2s93i93idj", true));
  EXPECT_EQ(sdp->media[0].msrp_path(), std::vector<std::string>{"msrps://198.51.100.1:7394/2s93i93idj;tcp"});
}

using test_env::Shell;

TEST(Msrp, TsharkReadsTheRelayedMessages) {
  if (Shell("command -v tshark text2pcap").empty()) GTEST_SKIP() << "tshark is not installed";
  Framer f;
  f.feed(kSend + kOk);
  Message send = **f.next(), ok = **f.next();
  const Side core{{"msrp://core.example.net:9000/kjhd37s2s20w2a;tcp"}, "msrp://192.0.2.10:7400/xx88;tcp"};
  const Side access{{"msrps://ue.example.com:8888/9di4eae923wzd;tcp"}, "msrps://198.51.100.1:7394/2s93i93idj;tcp"};
  readdress(send, core);
  readdress(ok, access);
  const auto dir = std::filesystem::temp_directory_path() / ("mediasec-msrp-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream hex(dir / "msrp.txt");
    for (const std::string& payload : {send.serialize(), ok.serialize()}) test_env::WriteHexPacket(hex, payload);
  }
  const std::string pcap = (dir / "msrp.pcap").string();
  ASSERT_EQ(std::system(("text2pcap -q -T 40000,2855 " + (dir / "msrp.txt").string() + " " + pcap).c_str()), 0);
  const std::string out = Shell(
      "tshark -r " + pcap +
      " -d tcp.port==2855,msrp -T fields -e msrp.transaction.id -e msrp.to.path -e msrp.from.path -e _ws.expert 2>&1");
  std::filesystem::remove_all(dir);
  EXPECT_NE(out.find("a786hjs2\tmsrp://core.example.net:9000/kjhd37s2s20w2a;tcp\tmsrp://192.0.2.10:7400/xx88;tcp"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("msrps://ue.example.com:8888/9di4eae923wzd;tcp\tmsrps://198.51.100.1:7394/2s93i93idj;tcp"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("Malformed"), std::string::npos) << out;
}

}  // namespace
}  // namespace mediasec::media::msrp
