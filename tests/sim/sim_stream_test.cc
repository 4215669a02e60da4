// The sim backend's streams: a mix of records on every framing gives byte-identical completions
// with and without random stalls (input tvalid / output tready held low 30% of cycles), on 1 and 4
// lanes; TLS 1.3 records are also checked against OpenSSL, and unprotect inverts protect.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <random>
#include <string>

#include "drivers/record_format.h"
#include "drivers/sim/sim_device.h"
#include "sim/engine_harness.h"

namespace mediasec::device {
namespace {

double test_scale() {
  const char* s = std::getenv("MEDIASEC_TEST_SCALE");
  const double v = s != nullptr ? std::atof(s) : 1.0;
  return v > 0 ? v : 1.0;
}

SlotConfig slot_config(uint32_t slot, Framing framing, Op dir) {
  SlotConfig c;
  c.cipher = slot % 2 == 0 ? Cipher::kAes128Gcm : Cipher::kAes256Gcm;
  c.framing = framing;
  c.direction = dir;
  for (size_t i = 0; i < c.key.size(); ++i) c.key[i] = static_cast<uint8_t>(slot * 31 + i * 7);
  for (size_t i = 0; i < c.iv.size(); ++i) c.iv[i] = static_cast<uint8_t>(slot ^ (i * 29));
  c.sequence = slot * 1000;
  c.epoch = static_cast<uint16_t>(slot);
  return c;
}

std::vector<uint8_t> tls13_expected(const SlotConfig& c, uint64_t seq, std::span<const uint8_t> plain, uint8_t type) {
  std::array<uint8_t, 12> nonce = c.iv;
  for (int i = 0; i < 8; ++i) nonce[11 - i] ^= static_cast<uint8_t>(seq >> (8 * i));
  std::vector<uint8_t> inner(plain.begin(), plain.end());
  inner.push_back(type);
  const size_t outer = inner.size() + kTagBytes;
  std::vector<uint8_t> out = {0x17, 0x03, 0x03, static_cast<uint8_t>(outer >> 8), static_cast<uint8_t>(outer)};
  std::vector<uint8_t> ct(inner.size() + kTagBytes);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int n = 0;
  const EVP_CIPHER* cipher = c.cipher == Cipher::kAes128Gcm ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
  EXPECT_EQ(EVP_EncryptInit_ex(ctx, cipher, nullptr, c.key.data(), nonce.data()), 1);
  EXPECT_EQ(EVP_EncryptUpdate(ctx, nullptr, &n, out.data(), 5), 1);
  EXPECT_EQ(EVP_EncryptUpdate(ctx, ct.data(), &n, inner.data(), static_cast<int>(inner.size())), 1);
  EXPECT_EQ(EVP_EncryptFinal_ex(ctx, ct.data() + n, &n), 1);
  EXPECT_EQ(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, ct.data() + inner.size()), 1);
  EVP_CIPHER_CTX_free(ctx);
  out.insert(out.end(), ct.begin(), ct.end());
  return out;
}

// Slots 0..3: protect with TLS 1.2, TLS 1.3, DTLS 1.2, RAW; slot 5: never loaded (BAD_SLOT).
constexpr Framing kFramings[] = {Framing::kTls12, Framing::kTls13, Framing::kDtls12, Framing::kRaw};

struct MixResult {
  std::map<uint64_t, Completion> by_cookie;
  std::vector<Job> jobs;
};

MixResult run_mix(uint32_t lanes, double stall, uint64_t seed) {
  MixResult out;
  auto dev = open_sim_device(SimOptions{.lanes = lanes, .stall_probability = stall, .seed = seed});
  EXPECT_TRUE(dev) << dev.error().message;
  if (!dev) return out;
  for (uint32_t s = 0; s < 4; ++s) EXPECT_TRUE((*dev)->load_slot(s, slot_config(s, kFramings[s], Op::kProtect)));

  std::mt19937_64 rng(1234);  // the same jobs whatever the stall seed
  const int n = std::max(8, static_cast<int>(40 * test_scale()));
  const size_t sizes[] = {0, 1, 15, 16, 17, 31, 32, 100, 255, 1024, 1500, 4096};
  for (int i = 0; i < n; ++i) {
    Job j;
    j.cookie = 1000 + static_cast<uint64_t>(i);
    j.slot = i % 11 == 10 ? 5 : static_cast<uint32_t>(rng() % 4);
    j.op = Op::kProtect;
    j.content_type = static_cast<uint8_t>(20 + rng() % 4);
    const size_t len = sizes[rng() % std::size(sizes)];
    j.input.resize(len);
    for (auto& b : j.input) b = static_cast<uint8_t>(rng());
    if (j.slot == 3) j.aad_len = static_cast<uint16_t>(std::min<size_t>(len, rng() % 20));
    out.jobs.push_back(j);
  }
  std::vector<Job> batch = out.jobs;
  EXPECT_TRUE((*dev)->submit(std::move(batch)));
  for (auto& c : (*dev)->drain()) out.by_cookie.emplace(c.cookie, std::move(c));
  EXPECT_EQ((*dev)->in_flight(), 0u);
  return out;
}

class SimStreams : public ::testing::TestWithParam<uint32_t> {};

TEST_P(SimStreams, StallsGiveByteIdenticalResults) {
  const MixResult calm = run_mix(GetParam(), 0.0, 1);
  const MixResult stalled = run_mix(GetParam(), 0.3, 99);
  ASSERT_EQ(calm.by_cookie.size(), calm.jobs.size());
  ASSERT_EQ(stalled.by_cookie.size(), calm.jobs.size());
  for (const Job& j : calm.jobs) {
    const Completion& a = calm.by_cookie.at(j.cookie);
    const Completion& b = stalled.by_cookie.at(j.cookie);
    SCOPED_TRACE("cookie " + std::to_string(j.cookie) + " slot " + std::to_string(j.slot) + " len " +
                 std::to_string(j.input.size()));
    EXPECT_EQ(a.status, b.status);
    EXPECT_EQ(a.output, b.output);
    EXPECT_EQ(a.slot, j.slot);
    if (j.slot == 5) {
      EXPECT_EQ(a.status, Status::kBadSlot);
      EXPECT_TRUE(a.output.empty());
    } else {
      EXPECT_EQ(a.status, Status::kOk);
      EXPECT_EQ(a.output.size(), j.input.size() + record_overhead(kFramings[j.slot]) - (j.slot == 3 ? j.aad_len : 0));
    }
  }
}

TEST_P(SimStreams, Tls13MatchesOpenSslAndUnprotectInverts) {
  auto dev = open_sim_device(SimOptions{.lanes = GetParam(), .stall_probability = 0.1, .seed = 5});
  ASSERT_TRUE(dev) << dev.error().message;
  const uint32_t lanes = GetParam();
  // One protect slot and one unprotect slot with the same keys per lane.
  std::vector<Job> jobs;
  std::map<uint64_t, std::vector<uint8_t>> expected;
  std::mt19937_64 rng(7);
  for (uint32_t l = 0; l < lanes; ++l) {
    const uint32_t slot = 100 + l;  // lane = slot mod lanes covers every lane
    SlotConfig cfg = slot_config(slot, Framing::kTls13, Op::kProtect);
    ASSERT_TRUE((*dev)->load_slot(slot, cfg));
    for (int i = 0; i < 4; ++i) {
      Job j;
      j.cookie = slot * 10 + static_cast<uint64_t>(i);
      j.slot = slot;
      j.content_type = 23;
      j.input.resize(static_cast<size_t>(rng() % 700));
      for (auto& b : j.input) b = static_cast<uint8_t>(rng());
      expected[j.cookie] = tls13_expected(cfg, cfg.sequence + static_cast<uint64_t>(i), j.input, 23);
      jobs.push_back(std::move(j));
    }
  }
  std::vector<Job> plain_jobs = jobs;
  ASSERT_TRUE((*dev)->submit(std::move(jobs)));
  auto done = (*dev)->drain();
  ASSERT_EQ(done.size(), plain_jobs.size());
  std::map<uint64_t, Completion> sealed;
  for (auto& c : done) {
    EXPECT_EQ(c.status, Status::kOk) << c.cookie;
    EXPECT_EQ(c.output, expected[c.cookie]) << "cookie " << c.cookie;
    sealed.emplace(c.cookie, std::move(c));
  }
  // Open them again on unprotect slots.
  std::vector<Job> back;
  for (uint32_t l = 0; l < lanes; ++l) {
    const uint32_t slot = 100 + l;
    ASSERT_TRUE((*dev)->load_slot(slot, slot_config(slot, Framing::kTls13, Op::kUnprotect)));
  }
  for (const Job& j : plain_jobs) {
    Job u;
    u.cookie = j.cookie;
    u.slot = j.slot;
    u.op = Op::kUnprotect;
    u.input = sealed[j.cookie].output;
    back.push_back(std::move(u));
  }
  ASSERT_TRUE((*dev)->submit(std::move(back)));
  auto opened = (*dev)->drain();
  ASSERT_EQ(opened.size(), plain_jobs.size());
  std::map<uint64_t, Completion> by;
  for (auto& c : opened) by.emplace(c.cookie, std::move(c));
  for (const Job& j : plain_jobs) {
    EXPECT_EQ(by[j.cookie].status, Status::kOk);
    EXPECT_EQ(by[j.cookie].output, j.input);
    EXPECT_EQ(by[j.cookie].content_type, 23);
  }
  auto st = (*dev)->read_slot(100);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->sequence, 100u * 1000u + 4u);  // one step per record since the unprotect LOAD
}

std::string lanes_name(const ::testing::TestParamInfo<uint32_t>& info) { return "lanes" + std::to_string(info.param); }
INSTANTIATE_TEST_SUITE_P(Built, SimStreams, ::testing::ValuesIn(sim::built_lane_counts()), lanes_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SimStreams);

}  // namespace
}  // namespace mediasec::device
