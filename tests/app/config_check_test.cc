// What mediasecd --check and the daemon's start refuse in a file that parses: each case was a
// configuration that passed --check and then failed (or aborted) at start.
#include "host/app/config_check.h"

#include <gtest/gtest.h>

#include <string>

namespace mediasec::app {
namespace {

DaemonConfig Valid() {
  auto c = parse_config("[h248]\nmgcs = [\"127.0.0.1:2944\"]\n", "/etc/mediasec/mediasecd.toml");
  EXPECT_TRUE(c.ok());
  return *c;
}

TEST(ConfigCheck, TheDefaultsPass) {
  auto ok = check_config(Valid());
  EXPECT_TRUE(ok.ok()) << ok.error().message;
}

TEST(ConfigCheck, AControlSocketPathLongerThanAUnixSocketTakesIsRefused) {
  DaemonConfig c = Valid();
  c.control_socket = "/run/" + std::string(107 - 5, 'a');  // 107 bytes: the longest that fits
  EXPECT_TRUE(check_config(c).ok());
  c.control_socket = "/run/" + std::string(108 - 5, 'a');
  auto ok = check_config(c);
  ASSERT_FALSE(ok.ok());
  EXPECT_NE(ok.error().message.find("control.socket"), std::string::npos) << ok.error().message;
  EXPECT_NE(ok.error().message.find("107"), std::string::npos) << ok.error().message;
}

TEST(ConfigCheck, ABogusBackendIsRefusedAndAnAbsentCardIsNot) {
  DaemonConfig c = Valid();
  for (const char* bad : {"bogus", "sw:slots=x", "sim:lanes=2,colour=red", "xrt:index=-"}) {
    c.backend = bad;
    auto ok = check_config(c);
    ASSERT_FALSE(ok.ok()) << bad;
    EXPECT_NE(ok.error().message.find("device.backend"), std::string::npos) << ok.error().message;
  }
  c.backend = "xrt:index=3";  // valid syntax; whether a card is there is for the start to find
  EXPECT_TRUE(check_config(c).ok());
}

TEST(ConfigCheck, ACipherListOpenSslRefusesIsRefused) {
  DaemonConfig c = Valid();
  c.tls.tls12_ciphers = "NO-SUCH-CIPHER";
  auto ok = check_config(c);
  ASSERT_FALSE(ok.ok());
  EXPECT_NE(ok.error().message.find("NO-SUCH-CIPHER"), std::string::npos) << ok.error().message;
  c = Valid();
  c.tls.tls13_suites = "TLS_CHACHA20_POLY1305_SHA256";  // a real suite, but not one the device offloads
  EXPECT_FALSE(check_config(c).ok());
  c = Valid();
  c.tls.groups = "no-such-group";
  EXPECT_FALSE(check_config(c).ok());
}

}  // namespace
}  // namespace mediasec::app
