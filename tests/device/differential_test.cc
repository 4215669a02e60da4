// Differential test against OpenSSL: random records of every framing and key size, protected by
// the device and compared byte for byte with the reference built on EVP (docs/record-engine.md),
// then unprotected by the device on a receive slot. Lengths cover every value mod 16 and the
// extremes 0 and the largest record; most records are short so that the Verilated RTL gets through
// 10,000 of them per framing and key size in seconds. Seeded; the seed is printed on failure.
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "drivers/record_format.h"
#include "tests/device/backends.h"

namespace mediasec::tb {
namespace {

using device::Cipher;
using device::Framing;
using device::Op;
using device::Status;

using Param = std::tuple<std::string, Framing, Cipher>;

std::string ParamName(const ::testing::TestParamInfo<Param>& info) {
  std::string n = BackendName({std::get<0>(info.param), info.index});
  n += std::string("_") + device::to_string(std::get<1>(info.param)) + "_" + device::to_string(std::get<2>(info.param));
  for (char& c : n) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0) c = '_';
  }
  return n;
}

// Record count: 10,000 per framing and key size, on the stalled 4-lane model 1,000 (it checks
// ordering across lanes, not arithmetic), scaled by MEDIASEC_TEST_SCALE.
size_t RecordCount(const std::string& spec) {
  const double base = spec.find("lanes=4") != std::string::npos ? 1000 : 10000;
  return std::max<size_t>(64, static_cast<size_t>(base * TestScale()));
}

// Length k of a run: residue k mod 16, mostly short, one in eight anywhere up to the maximum.
size_t PickLength(std::mt19937_64& rng, size_t k, size_t max_len) {
  if (k == 0) return 0;
  if (k == 1) return max_len;
  const size_t residue = k % 16;
  const size_t blocks = (rng() % 8 == 0) ? rng() % (max_len / 16 + 1) : rng() % 24;
  return std::min(max_len, blocks * 16 + residue);
}

class Differential : public ::testing::TestWithParam<Param> {};

TEST_P(Differential, MatchesOpenSslAndRoundTrips) {
  const auto& [spec, framing, cipher] = GetParam();
  const uint64_t seed = TestSeed(0x5eed0000 + static_cast<uint64_t>(framing) * 2 + (cipher == Cipher::kAes256Gcm));
  SCOPED_TRACE("seed " + std::to_string(seed) + " (MEDIASEC_TEST_SEED)");
  std::mt19937_64 rng(seed);
  auto dev = OpenOrFail(spec);
  ASSERT_TRUE(dev);
  device::SlotConfig tx = RandomSlotConfig(rng, framing, cipher, Op::kProtect);
  if (framing == Framing::kDtls12) tx.sequence &= 0xffffffffffffull;
  device::SlotConfig rx = tx;
  rx.direction = Op::kUnprotect;
  const SlotSpec ref = ToSpec(tx);
  // Protect and unprotect slots on the same lane of a multi-lane device are not required: pick
  // two arbitrary slots.
  const uint32_t tx_slot = 17, rx_slot = 530;
  ASSERT_TRUE(dev->load_slot(tx_slot, tx).ok());
  ASSERT_TRUE(dev->load_slot(rx_slot, rx).ok());

  const size_t count = RecordCount(spec);
  const size_t max_len = device::max_plaintext(framing);
  constexpr size_t kBatch = 64;
  uint64_t plain_bytes = 0;
  for (size_t done = 0; done < count; done += kBatch) {
    const size_t n = std::min(kBatch, count - done);
    std::vector<Bytes> plain(n);
    std::vector<uint8_t> ctype(n);
    std::vector<device::Job> jobs;
    for (size_t i = 0; i < n; ++i) {
      plain[i] = RandomBytes(rng, PickLength(rng, done + i, max_len));
      ctype[i] = static_cast<uint8_t>(20 + rng() % 4);
      plain_bytes += plain[i].size();
      device::Job j;
      j.cookie = i;
      j.slot = tx_slot;
      j.op = Op::kProtect;
      j.content_type = ctype[i];
      j.input = plain[i];
      jobs.push_back(std::move(j));
    }
    ASSERT_TRUE(dev->submit(std::move(jobs)).ok());
    auto prot = dev->drain();
    ASSERT_EQ(prot.size(), n);
    std::vector<device::Job> back;
    for (size_t i = 0; i < n; ++i) {
      const device::Completion& c = prot[i];
      ASSERT_EQ(c.cookie, i) << "completions of one slot must come back in submission order";
      const Bytes want = RefProtect(ref, tx.sequence + done + i, ctype[i], plain[i]);
      ASSERT_EQ(c.status, Status::kOk) << "record " << done + i << " of " << plain[i].size() << " bytes";
      ASSERT_EQ(c.output, want) << "record " << done + i << " of " << plain[i].size() << " bytes";
      device::Job j;
      j.cookie = i;
      j.slot = rx_slot;
      j.op = Op::kUnprotect;
      j.input = c.output;
      back.push_back(std::move(j));
    }
    ASSERT_TRUE(dev->submit(std::move(back)).ok());
    auto unprot = dev->drain();
    ASSERT_EQ(unprot.size(), n);
    for (size_t i = 0; i < n; ++i) {
      const device::Completion& c = unprot[i];
      ASSERT_EQ(c.cookie, i);
      ASSERT_EQ(c.status, Status::kOk) << "record " << done + i;
      ASSERT_EQ(c.output, plain[i]) << "record " << done + i;
      ASSERT_EQ(c.content_type, ctype[i]) << "record " << done + i;
    }
  }
  // Each slot advanced once per record; counters agree.
  auto s = dev->read_slot(tx_slot);
  ASSERT_TRUE(s.ok());
  const uint64_t seq_mask = framing == Framing::kDtls12 ? 0xffffffffffffull : ~0ull;
  EXPECT_EQ(s->sequence, (tx.sequence + count) & seq_mask);
  EXPECT_EQ(s->counters.records, count);
  EXPECT_EQ(s->counters.bytes, plain_bytes);
  auto r = dev->read_slot(rx_slot);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->counters.records, count);
  EXPECT_EQ(r->counters.bytes, plain_bytes);
  EXPECT_EQ(r->counters.auth_failures, 0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, Differential,
                         ::testing::Combine(::testing::ValuesIn(DeviceBackends()),
                                            ::testing::Values(Framing::kTls12, Framing::kTls13, Framing::kDtls12),
                                            ::testing::Values(Cipher::kAes128Gcm, Cipher::kAes256Gcm)),
                         ParamName);

}  // namespace
}  // namespace mediasec::tb
