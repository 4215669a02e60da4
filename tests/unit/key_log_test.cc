// The key log of a connection: well-formed lines are kept, malformed ones refused without echoing
// the secret.
#include <gtest/gtest.h>

#include <string>

#include "host/tls/key_log.h"

namespace mediasec::tls {
namespace {

const std::string kRandom(64, 'a');

TEST(KeyLog, KeepsSecretsByLabelAndClientRandom) {
  KeyLog log;
  ASSERT_TRUE(log.add_line("# comment").ok());
  ASSERT_TRUE(log.add_line("CLIENT_TRAFFIC_SECRET_0 " + kRandom + " 0102ff\n").ok());
  EXPECT_EQ(log.size(), 1u);
  auto s = log.secret("CLIENT_TRAFFIC_SECRET_0", std::vector<uint8_t>(32, 0xaa));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->bytes(), (std::vector<uint8_t>{1, 2, 0xff}));
  EXPECT_EQ(log.secret("SERVER_TRAFFIC_SECRET_0", std::vector<uint8_t>(32, 0xaa)).error().code, ErrorCode::kNotFound);
}

TEST(KeyLog, MalformedLinesAreRefusedWithoutTheSecret) {
  KeyLog log;
  for (const std::string& line :
       {std::string("CLIENT_RANDOM"), "CLIENT_RANDOM " + kRandom, std::string("CLIENT_RANDOM abcd 00112233"),
        "CLIENT_RANDOM " + kRandom + " 5ec2e7zz", "CLIENT_RANDOM " + kRandom + " 00 11"}) {
    SCOPED_TRACE(line);
    auto r = log.add_line(line);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message.find("5ec2e7"), std::string::npos);
  }
  EXPECT_EQ(log.size(), 0u);
}

TEST(SecretBytes, WipeEmptiesIt) {
  SecretBytes s(std::vector<uint8_t>{1, 2, 3});
  SecretBytes copy = s;
  s.wipe();
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(copy.bytes().size(), 3u);
}

}  // namespace
}  // namespace mediasec::tls
