// log_text: wire bytes made safe for a log line.
#include "base/log_text.h"

#include <gtest/gtest.h>

namespace mediasec {
namespace {

TEST(LogText, PrintableAsciiIsKeptAndEverythingElseEscaped) {
  EXPECT_EQ(log_text("MEGACO/3 [10.0.0.1]:2944"), "MEGACO/3 [10.0.0.1]:2944");
  EXPECT_EQ(log_text("a\nb\rc\td\\e"), "a\\nb\\rc\\td\\\\e");
  EXPECT_EQ(log_text(std::string_view("\0\x1b\x7f\xff", 4)), "\\x00\\x1b\\x7f\\xff");
  EXPECT_EQ(log_text(""), "");
}

}  // namespace
}  // namespace mediasec
