// Backend spec strings as an operator types them: good ones open, bad ones say what is wrong.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "drivers/open_device.h"

namespace mediasec::device {
namespace {

TEST(OpenDevice, SwWithAndWithoutOptions) {
  auto d = open_device("sw");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ((*d)->identity().backend, "sw");
  EXPECT_EQ((*d)->identity().key_slots, 1024u);
  auto small = open_device("sw:slots=8");
  ASSERT_TRUE(small.ok());
  EXPECT_EQ((*small)->identity().key_slots, 8u);
}

TEST(OpenDevice, BadSpecsAreClearErrors) {
  struct Bad {
    const char* spec;
    ErrorCode code;
    const char* says;
  };
  for (const Bad& b : {Bad{"tpu", ErrorCode::kNotFound, "unknown device backend 'tpu'"},
                       Bad{"sw:slots=many", ErrorCode::kInvalidArgument, "not a number"},
                       Bad{"sw:slots", ErrorCode::kInvalidArgument, "key=value"},
                       Bad{"sw:colour=blue", ErrorCode::kInvalidArgument, "colour"},
                       Bad{"sw:slots=0", ErrorCode::kInvalidArgument, "slots"},
                       Bad{"", ErrorCode::kNotFound, "unknown device backend"}}) {
    SCOPED_TRACE(b.spec);
    auto d = open_device(b.spec);
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error().code, b.code);
    EXPECT_NE(d.error().message.find(b.says), std::string::npos) << d.error().message;
  }
}

TEST(OpenDevice, XrtWithoutACardNamesTheOtherBackends) {
  auto d = open_device("xrt");
  if (d.ok()) GTEST_SKIP() << "an Alveo card is present";
  EXPECT_EQ(d.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(d.error().message.find("sw"), std::string::npos) << d.error().message;
  EXPECT_NE(d.error().message.find("sim"), std::string::npos) << d.error().message;
}

TEST(OpenDevice, CompiledBackendsListSwFirstAndXrt) {
  const auto b = compiled_backends();
  ASSERT_FALSE(b.empty());
  EXPECT_EQ(b.front(), "sw");
  EXPECT_NE(std::find(b.begin(), b.end(), "xrt"), b.end());
}

}  // namespace
}  // namespace mediasec::device
