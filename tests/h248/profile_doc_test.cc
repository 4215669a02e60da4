// docs/h248-profile.md holds the package table generated from the registry; this test fails when
// they differ (MEDIASEC_UPDATE_DOCS=1 rewrites the table).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "host/h248/packages.h"
#include "host/h248/profile_doc.h"

namespace mediasec::h248 {
namespace {

constexpr const char* kBegin = "<!-- packages:begin (generated from host/h248/packages.cc) -->\n";
constexpr const char* kEnd = "<!-- packages:end -->";

TEST(H248ProfileDoc, PackageTableMatchesTheRegistry) {
  const std::string path = std::string(MEDIASEC_SOURCE_DIR) + "/docs/h248-profile.md";
  std::ifstream f(path);
  ASSERT_TRUE(f) << path;
  std::stringstream ss;
  ss << f.rdbuf();
  std::string doc = ss.str();
  size_t b = doc.find(kBegin), e = doc.find(kEnd);
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(e, std::string::npos);
  b += std::string(kBegin).size();
  const std::string generated = packages_markdown(PackageRegistry::standard());
  if (std::getenv("MEDIASEC_UPDATE_DOCS") != nullptr) {
    doc.replace(b, e - b, generated);
    std::ofstream(path) << doc;
    GTEST_SKIP() << "rewrote " << path;
  }
  EXPECT_EQ(doc.substr(b, e - b), generated) << "run with MEDIASEC_UPDATE_DOCS=1 to regenerate";
}

TEST(H248Packages, ChecksNamesAndValues) {
  PackageRegistry r = PackageRegistry::standard();
  EXPECT_TRUE(r.check(ElementKind::kProperty, "tlsbsc/role", nullptr).ok());
  std::string client = "client", bogus = "sideways", num = "12x";
  EXPECT_TRUE(r.check(ElementKind::kProperty, "tlsbsc/role", &client).ok());
  EXPECT_EQ(r.check(ElementKind::kProperty, "tlsbsc/role", &bogus).code, 449);
  EXPECT_EQ(r.check(ElementKind::kProperty, "root/maxNumberOfContexts", &num).code, 449);
  EXPECT_EQ(r.check(ElementKind::kProperty, "nosuch/x").code, 440);
  EXPECT_EQ(r.check(ElementKind::kProperty, "tlsbsc/nosuch").code, 450);
  EXPECT_EQ(r.check(ElementKind::kEvent, "tcpbcc/nosuch").code, 451);
  EXPECT_EQ(r.check(ElementKind::kSignal, "tcpbcc/nosuch").code, 452);
  EXPECT_EQ(r.check(ElementKind::kStatistic, "nt/nosuch").code, 453);
  EXPECT_TRUE(r.check(ElementKind::kEvent, "adr/rsac").ok());
  EXPECT_TRUE(r.check(ElementKind::kProperty, "adr/latch").ok()) << "adr extends ipnapt";
  EXPECT_TRUE(r.check(ElementKind::kEvent, "tcpbcc/*").ok());
  // An operator's MGC spells an element of ours differently.
  EXPECT_TRUE(r.rename("tlsbsc", "role", "tlsrole"));
  EXPECT_TRUE(r.check(ElementKind::kProperty, "tlsbsc/tlsrole").ok());
  EXPECT_EQ(r.check(ElementKind::kProperty, "tlsbsc/role").code, 450);
}

}  // namespace
}  // namespace mediasec::h248
