// Our codec against Erlang/OTP megaco's, on megaco's own corpus of v1-v3 messages (RFC 3525
// Appendix A flows and more, examples/meas/time_test.msgs):
//  - every message decodes, and re-encodes in both forms to the same model;
//  - what megaco encodes (pretty and compact) decodes here to one model;
//  - what we encode (both forms) megaco decodes to exactly the record it decodes from the
//    original: megaco's re-encodings of the two are byte for byte the same.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "host/h248/decode.h"
#include "host/h248/encode.h"

namespace mediasec::h248 {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

int run(const std::string& command) { return std::system((command + " >/dev/null").c_str()); }

class MegacoCodec : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("mediasec_megaco_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    for (const char* d : {"corpus", "megaco", "ours_compact", "ours_pretty", "megaco_of_compact", "megaco_of_pretty"})
      fs::create_directories(dir_ / d);
    setup_status_ = run(script() + " corpus " + (dir_ / "corpus").string());
    if (setup_status_ == 0)
      setup_status_ = run(script() + " transcode " + (dir_ / "corpus").string() + " " + (dir_ / "megaco").string());
    for (const auto& e : fs::directory_iterator(dir_ / "corpus")) names_.push_back(e.path().stem().string());
    std::sort(names_.begin(), names_.end());
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }

  static std::string script() { return std::string("escript ") + MEDIASEC_MEGACO_CODEC_ESCRIPT; }

  static fs::path dir_;
  static int setup_status_;
  static std::vector<std::string> names_;
};

fs::path MegacoCodec::dir_;
int MegacoCodec::setup_status_ = -1;
std::vector<std::string> MegacoCodec::names_;

TEST_F(MegacoCodec, CorpusDecodesAndRoundTrips) {
  ASSERT_EQ(setup_status_, 0) << "megaco_codec.escript failed: is erlang-megaco installed?";
  ASSERT_GE(names_.size(), 100u);
  for (const std::string& name : names_) {
    std::string text = read_file(dir_ / "corpus" / (name + ".txt"));
    auto m = decode(text);
    ASSERT_TRUE(m.ok()) << name << ": " << describe(m.error());
    for (Form form : {Form::kCompact, Form::kPretty}) {
      auto again = decode(encode(*m, {form}));
      ASSERT_TRUE(again.ok()) << name;
      EXPECT_EQ(*again, *m) << name;
    }
  }
}

TEST_F(MegacoCodec, MegacoEncodingsDecodeToOneModel) {
  ASSERT_EQ(setup_status_, 0);
  for (const std::string& name : names_) {
    ASSERT_FALSE(fs::exists(dir_ / "megaco" / (name + ".error"))) << name << ": megaco cannot decode its own corpus";
    auto pretty = decode(read_file(dir_ / "megaco" / (name + ".pretty")));
    auto compact = decode(read_file(dir_ / "megaco" / (name + ".compact")));
    ASSERT_TRUE(pretty.ok()) << name << ": " << describe(pretty.error());
    ASSERT_TRUE(compact.ok()) << name << ": " << describe(compact.error());
    EXPECT_EQ(*pretty, *compact) << name;
  }
}

TEST_F(MegacoCodec, OurEncodingsDecodeInMegacoToTheSameRecord) {
  ASSERT_EQ(setup_status_, 0);
  for (const std::string& name : names_) {
    auto m = decode(read_file(dir_ / "corpus" / (name + ".txt")));
    ASSERT_TRUE(m.ok()) << name;
    std::ofstream(dir_ / "ours_compact" / (name + ".txt")) << encode(*m, {Form::kCompact});
    std::ofstream(dir_ / "ours_pretty" / (name + ".txt")) << encode(*m, {Form::kPretty});
  }
  ASSERT_EQ(
      run(script() + " transcode " + (dir_ / "ours_compact").string() + " " + (dir_ / "megaco_of_compact").string()),
      0);
  ASSERT_EQ(
      run(script() + " transcode " + (dir_ / "ours_pretty").string() + " " + (dir_ / "megaco_of_pretty").string()), 0);
  for (const std::string& name : names_) {
    for (const char* form : {"megaco_of_compact", "megaco_of_pretty"}) {
      fs::path err = dir_ / form / (name + ".error");
      ASSERT_FALSE(fs::exists(err)) << name << " (" << form << "): megaco refused our encoding:\n" << read_file(err);
      EXPECT_EQ(read_file(dir_ / form / (name + ".pretty")), read_file(dir_ / "megaco" / (name + ".pretty")))
          << name << " (" << form << ")";
    }
  }
}

// The message-level errors the MG sends for a message it cannot decode (400, 406; see
// MgAssociation) are messages megaco takes: it decodes them, in both forms, as an error
// message with the code.
TEST_F(MegacoCodec, OurMessageLevelErrorsDecodeInMegaco) {
  ASSERT_EQ(setup_status_, 0);
  const fs::path in = dir_ / "ours_errors", out = dir_ / "megaco_of_errors";
  fs::create_directories(in);
  fs::create_directories(out);
  for (uint16_t code : {uint16_t{400}, uint16_t{406}}) {
    Message m;
    m.version = 3;
    m.mid.address = "127.0.0.1";
    m.mid.port = 2944;
    m.error = ErrorDescriptor{code, "expected a transaction at byte 31"};
    std::ofstream(in / ("e" + std::to_string(code) + "c.txt")) << encode(m, {Form::kCompact});
    std::ofstream(in / ("e" + std::to_string(code) + "p.txt")) << encode(m, {Form::kPretty});
  }
  ASSERT_EQ(run(script() + " transcode " + in.string() + " " + out.string()), 0);
  for (const char* name : {"e400c", "e400p", "e406c", "e406p"}) {
    ASSERT_FALSE(fs::exists(out / (std::string(name) + ".error")))
        << name << ": megaco refused it:\n" << read_file(out / (std::string(name) + ".error"));
    const std::string pretty = read_file(out / (std::string(name) + ".pretty"));
    EXPECT_NE(pretty.find(std::string(name).substr(1, 3)), std::string::npos) << name << ":\n" << pretty;
    auto back = decode(pretty);
    ASSERT_TRUE(back.ok()) << pretty;
    ASSERT_TRUE(back->error.has_value()) << pretty;
    EXPECT_TRUE(back->transactions.empty());
  }
}

}  // namespace
}  // namespace mediasec::h248
