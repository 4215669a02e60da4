// Result<T> and Result<void>: a value or an error, never both.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "base/result.h"

namespace mediasec {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return make_error(ErrorCode::kInvalidArgument, std::to_string(x) + " is odd");
  return x / 2;
}

TEST(Result, CarriesAValueOrAnError) {
  auto good = Half(8);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 4);
  auto bad = Half(7);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().message, "7 is odd");
}

TEST(Result, MovesOutMoveOnlyValues) {
  Result<std::unique_ptr<int>> r(std::make_unique<int>(3));
  std::unique_ptr<int> p = std::move(r).value();
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, 3);
}

TEST(Result, VoidIsOkUntilGivenAnError) {
  Result<void> ok = ok_result();
  EXPECT_TRUE(ok.ok());
  Result<void> err = make_error(ErrorCode::kBusy, "later");
  EXPECT_FALSE(err.ok());
  EXPECT_EQ(err.error().code, ErrorCode::kBusy);
  EXPECT_STREQ(to_string(ErrorCode::kUnavailable), "unavailable");
}

}  // namespace
}  // namespace mediasec
