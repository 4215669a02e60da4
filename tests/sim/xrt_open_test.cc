// With no Alveo card (this machine, CI), opening the xrt backend fails with kUnavailable and a
// message that names the backends that do work, whatever XILINX_XRT says.
#include "drivers/xrt/xrt_device.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace mediasec::device {
namespace {

void expect_no_card_error() {
  auto dev = open_xrt_device(XrtOptions{});
  ASSERT_FALSE(dev) << "an XRT device opened: this test assumes a machine without an Alveo card";
  EXPECT_EQ(dev.error().code, ErrorCode::kUnavailable) << dev.error().message;
  const std::string& m = dev.error().message;
  EXPECT_NE(m.find("no Alveo card"), std::string::npos) << m;
  EXPECT_NE(m.find("--backend sw"), std::string::npos) << m;
  EXPECT_NE(m.find("sim"), std::string::npos) << m;
}

TEST(XrtOpen, NoCardWithXilinxXrtUnset) {
  ::unsetenv("XILINX_XRT");
  expect_no_card_error();
}

TEST(XrtOpen, NoCardWithXilinxXrtUsr) {
  ::setenv("XILINX_XRT", "/usr", 1);
  expect_no_card_error();
}

TEST(XrtOpen, NoCardWithAWorkingShimDirectory) {
  // A directory whose lib/ links the multiarch shim: XRT loads it and finds no device.
  namespace fs = std::filesystem;
  const fs::path shim = "/usr/lib/x86_64-linux-gnu/libxrt_core.so.2";
  if (!fs::exists(shim)) GTEST_SKIP() << shim << " not installed";
  const fs::path root = fs::temp_directory_path() / ("mediasec-xrt-" + std::to_string(::getpid()));
  fs::create_directories(root / "lib");
  std::error_code ec;
  fs::create_symlink(shim, root / "lib" / "libxrt_core.so.2", ec);
  ::setenv("XILINX_XRT", root.c_str(), 1);
  expect_no_card_error();
  fs::remove_all(root, ec);
}

}  // namespace
}  // namespace mediasec::device
