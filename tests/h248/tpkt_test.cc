// TPKT framing: frames, reassembly from any split of the stream, and broken streams.
#include <gtest/gtest.h>

#include "host/h248/tpkt.h"

namespace mediasec::h248 {
namespace {

TEST(Tpkt, FramesAndReassemblesAcrossAnySplit) {
  const std::string a = "!/3 [1.2.3.4]:2944\nT=1{C=-{SC=ROOT{SV{MT=RS}}}}";
  const std::string b(3000, 'x');
  std::string stream = *tpkt_frame(a) + *tpkt_frame(b) + *tpkt_frame(a);
  EXPECT_EQ(static_cast<uint8_t>(stream[0]), 3);
  EXPECT_EQ(((static_cast<uint8_t>(stream[2]) << 8) | static_cast<uint8_t>(stream[3])), static_cast<int>(a.size() + 4));
  for (size_t chunk : {1u, 2u, 3u, 5u, 7u, 4096u}) {
    TpktReader r;
    std::vector<std::string> got;
    for (size_t i = 0; i < stream.size(); i += chunk) {
      r.feed(std::string_view(stream).substr(i, chunk));
      while (auto m = r.next()) got.push_back(*m);
    }
    ASSERT_EQ(got.size(), 3u) << "chunk " << chunk;
    EXPECT_EQ(got[0], a);
    EXPECT_EQ(got[1], b);
    EXPECT_EQ(got[2], a);
    EXPECT_EQ(r.buffered(), 0u);
  }
}

TEST(Tpkt, BadHeadersBreakTheStream) {
  TpktReader wrong_version;
  wrong_version.feed(std::string{4, 0, 0, 8, 'a', 'b', 'c', 'd'});
  EXPECT_FALSE(wrong_version.next());
  EXPECT_TRUE(wrong_version.broken());
  TpktReader empty;
  empty.feed(std::string{3, 0, 0, 4});
  EXPECT_FALSE(empty.next());
  EXPECT_TRUE(empty.broken());
  TpktReader text;  // an MGC speaking un-framed text over TCP
  text.feed("MEGACO/3 [1.2.3.4]:2944\n");
  EXPECT_FALSE(text.next());
  EXPECT_TRUE(text.broken());
  EXPECT_FALSE(text.why().empty());
  EXPECT_FALSE(tpkt_frame(std::string(kTpktMaxPayload + 1, 'x')).ok());
  EXPECT_TRUE(tpkt_frame(std::string(kTpktMaxPayload, 'x')).ok());
}

}  // namespace
}  // namespace mediasec::h248
