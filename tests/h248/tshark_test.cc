// tshark (Wireshark's H.248 text dissector, an independent decoder) reads what we send: every
// message of megaco's corpus, re-encoded by us in both forms, and the messages of an eMediasec
// call, carried in UDP datagrams to port 2944 (text2pcap), decode without a malformed frame.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "host/h248/decode.h"
#include "host/h248/encode.h"
#include "tests/support/text2pcap.h"

namespace mediasec::h248 {
namespace {

namespace fs = std::filesystem;

using test_env::Shell;
using test_env::WriteHexPacket;

TEST(H248Tshark, DecodesEverythingWeSend) {
  if (Shell("command -v tshark text2pcap").empty()) GTEST_SKIP() << "tshark is not installed";
  const fs::path dir = fs::temp_directory_path() / ("mediasec_tshark_" + std::to_string(::getpid()));
  fs::create_directories(dir / "corpus");
  ASSERT_EQ(
      std::system(
          ("escript " MEDIASEC_MEGACO_CODEC_ESCRIPT " corpus " + (dir / "corpus").string() + " >/dev/null").c_str()),
      0);
  // Per corpus message: the original text, then ours compact and pretty. tshark's SDP dissector
  // flags some of the corpus' own SDP (e.g. "a=fmtp:PCMU"); ours may be flagged only where the
  // original is.
  std::vector<std::string> datagrams;
  size_t corpus_frames = 0;
  for (const auto& e : fs::directory_iterator(dir / "corpus")) {
    std::ifstream f(e.path());
    std::stringstream ss;
    ss << f.rdbuf();
    auto m = decode(ss.str());
    ASSERT_TRUE(m.ok());
    datagrams.push_back(ss.str());
    datagrams.push_back(encode(*m, {Form::kCompact}));
    datagrams.push_back(encode(*m, {Form::kPretty}));
    corpus_frames += 3;
  }
  // An eMediasec call as our gateway answers it.
  for (const char* text : {
           "!/3 [127.0.0.1]:2944\nP=1{C=-{SC=ROOT{SV{V=3,PF=3GPP_Iq/1}}}}",
           "!/3 [127.0.0.1]:2944\nP=2{C=1{A=tls/1{M{L{v=0\nc=IN IP4 127.0.0.1\nm=message 40000 TCP/TLS/MSRP *\n"
           "a=setup:passive\na=connection:new\na=fingerprint:sha-256 AB:CD\n}}}}}",
           "!/3 [127.0.0.1]:2944\nT=3{C=1{N=tls/1{OE=77{20261125T10000000:tcpbcc/tcpest}}}}",
           "!/3 [127.0.0.1]:2944\nP=4{C=1{S=tls/1{SA{nt/os=0,nt/or=0,nt/dur=120}}}}",
           "!/3 [127.0.0.1]:2944\nP=5{C=2{A=udptl/1{M{L{v=0\nc=IN IP4 127.0.0.1\nm=image 40002 UDP/TLS/UDPTL "
           "t38\n}}}}}",
       }) {
    auto m = decode(text);
    ASSERT_TRUE(m.ok()) << describe(m.error());
    datagrams.push_back(encode(*m, {Form::kCompact}));
  }
  {
    std::ofstream hex(dir / "udp.hex");
    for (const std::string& d : datagrams) WriteHexPacket(hex, d);
  }
  const std::string pcap = (dir / "udp.pcap").string();
  ASSERT_EQ(std::system(("text2pcap -q -u 2944,2944 " + (dir / "udp.hex").string() + " " + pcap).c_str()), 0);
  const std::string frames = Shell("tshark -r " + pcap + " -T fields -e frame.number -Y megaco 2>/dev/null | wc -l");
  EXPECT_EQ(std::stoul(frames), datagrams.size()) << "tshark did not see every message as MEGACO";
  std::istringstream malformed(
      Shell("tshark -r " + pcap + " -Y '_ws.malformed' -T fields -e frame.number 2>/dev/null"));
  std::set<size_t> bad;
  for (size_t frame; malformed >> frame;) bad.insert(frame - 1);
  size_t flagged_originals = 0;
  for (size_t i : bad) {
    if (i >= corpus_frames) {
      ADD_FAILURE() << "tshark finds our message malformed:\n" << datagrams[i];
    } else if (i % 3 == 0) {
      ++flagged_originals;
    } else {
      EXPECT_TRUE(bad.count(i - i % 3)) << "tshark finds our encoding malformed but not the original:\n"
                                        << datagrams[i];
    }
  }
  RecordProperty("corpus_originals_tshark_flags", static_cast<int>(flagged_originals));
  const std::string sdp =
      Shell("tshark -r " + pcap + " -Y 'sdp.media.proto == \"TCP/TLS/MSRP\"' -T fields -e frame.number 2>/dev/null");
  EXPECT_FALSE(sdp.empty()) << "the SDP of our Add reply was not dissected";
  fs::remove_all(dir);
}

}  // namespace
}  // namespace mediasec::h248
