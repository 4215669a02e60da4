// Bad records and bad jobs on every backend: one flipped bit anywhere in a record fails (header
// bits as BAD_RECORD/BAD_LENGTH/BAD_EPOCH, every other bit as AUTH_FAIL), counts, and releases
// nothing; unknown, never-loaded and zeroized slots, the wrong direction and oversized input are
// refused with their status; the device stays usable after each.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "drivers/record_format.h"
#include "tests/device/backends.h"

namespace mediasec::tb {
namespace {

using device::Cipher;
using device::Framing;
using device::Op;
using device::Status;

class Negative : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dev_ = OpenOrFail(GetParam());
    ASSERT_TRUE(dev_);
  }

  device::Completion Run(uint32_t slot, Op op, Bytes input, uint8_t ctype = 23) {
    device::Job j;
    j.slot = slot;
    j.op = op;
    j.content_type = ctype;
    j.input = std::move(input);
    auto c = dev_->run(std::move(j));
    EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
    return c.ok() ? c.value() : device::Completion{0, slot, Status::kOk, 0, {}};
  }

  std::unique_ptr<device::Device> dev_;
};

// The status a flipped bit in byte `pos` of a record must produce.
Status ExpectedForFlip(Framing f, size_t pos) {
  switch (f) {
    case Framing::kTls12:
      if (pos == 0) return Status::kAuthFail;  // the type is authenticated through the AAD
      if (pos < 5) return Status::kBadRecord;  // version and length
      return Status::kAuthFail;
    case Framing::kTls13: return pos < 5 ? Status::kBadRecord : Status::kAuthFail;
    case Framing::kDtls12:
      if (pos == 0) return Status::kAuthFail;
      if (pos < 3) return Status::kBadRecord;
      if (pos < 5) return Status::kBadEpoch;
      if (pos < 11) return Status::kAuthFail;  // sequence number: AAD
      if (pos < 13) return Status::kBadRecord;
      return Status::kAuthFail;
    case Framing::kRaw: return Status::kAuthFail;
  }
  return Status::kAuthFail;
}

TEST_P(Negative, EveryFlippedBitFailsAndReleasesNothing) {
  std::mt19937_64 rng(TestSeed(77));
  for (Framing f : {Framing::kTls12, Framing::kTls13, Framing::kDtls12}) {
    SCOPED_TRACE(device::to_string(f));
    device::SlotConfig tx = RandomSlotConfig(rng, f, Cipher::kAes128Gcm, Op::kProtect);
    device::SlotConfig rx = tx;
    rx.direction = Op::kUnprotect;
    ASSERT_TRUE(dev_->load_slot(1, tx).ok());
    ASSERT_TRUE(dev_->load_slot(2, rx).ok());
    const Bytes plain = RandomBytes(rng, 37);
    device::Completion p = Run(1, Op::kProtect, plain);
    ASSERT_EQ(p.status, Status::kOk);
    const Bytes rec = p.output;
    uint64_t auth_failures = 0;
    // Every bit of the header and explicit nonce, and a sample of the ciphertext and the tag.
    std::vector<size_t> bits;
    for (size_t b = 0; b < 8 * (device::header_bytes(f) + (f == Framing::kTls13 ? 0 : 8)); ++b) bits.push_back(b);
    for (size_t b = bits.size(); b < 8 * rec.size(); b += 7) bits.push_back(b);
    bits.push_back(8 * rec.size() - 1);
    for (size_t bit : bits) {
      SCOPED_TRACE("bit " + std::to_string(bit));
      Bytes bad = rec;
      bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
      device::Completion c = Run(2, Op::kUnprotect, bad);
      const Status want = ExpectedForFlip(f, bit / 8);
      EXPECT_EQ(c.status, want);
      EXPECT_TRUE(c.output.empty());
      auth_failures += want == Status::kAuthFail;
    }
    auto st = dev_->read_slot(2);
    ASSERT_TRUE(st.ok());
    EXPECT_EQ(st->counters.auth_failures, auth_failures);
    EXPECT_EQ(st->counters.records, 0u);
    // DTLS carries its own sequence number: the untouched record still opens. (A TLS receive slot
    // has moved past it: the sequence advanced with every failed job.)
    if (f == Framing::kDtls12) {
      device::Completion good = Run(2, Op::kUnprotect, rec);
      EXPECT_EQ(good.status, Status::kOk);
      EXPECT_EQ(good.output, plain);
    }
  }
}

TEST_P(Negative, BadJobsAreRefusedWithTheirStatus) {
  std::mt19937_64 rng(TestSeed(78));
  device::SlotConfig tx = RandomSlotConfig(rng, Framing::kTls13, Cipher::kAes256Gcm, Op::kProtect);
  ASSERT_TRUE(dev_->load_slot(5, tx).ok());
  const uint32_t slots = dev_->identity().key_slots;
  const Bytes plain = RandomBytes(rng, 64);
  // Unknown slot (past the table), a slot never loaded.
  EXPECT_EQ(Run(slots, Op::kProtect, plain).status, Status::kBadSlot);
  EXPECT_EQ(Run(6, Op::kProtect, plain).status, Status::kBadSlot);
  // Wrong direction.
  device::Completion wrong = Run(5, Op::kUnprotect, plain);
  EXPECT_EQ(wrong.status, Status::kBadDirection);
  EXPECT_TRUE(wrong.output.empty());
  // Oversized plaintext: one byte past the largest record.
  EXPECT_EQ(Run(5, Op::kProtect, Bytes(device::max_plaintext(Framing::kTls13) + 1, 0x5a)).status, Status::kBadLength);
  // The largest record is fine.
  EXPECT_EQ(Run(5, Op::kProtect, Bytes(device::max_plaintext(Framing::kTls13), 0x5a)).status, Status::kOk);
  // Zeroized: refused, and nothing of the slot is readable but its invalid state.
  ASSERT_TRUE(dev_->zeroize_slot(5).ok());
  EXPECT_EQ(Run(5, Op::kProtect, plain).status, Status::kBadSlot);
  auto st = dev_->read_slot(5);
  ASSERT_TRUE(st.ok());
  EXPECT_FALSE(st->valid);
  EXPECT_EQ(st->sequence, 0u);
  EXPECT_EQ(st->counters.records, 0u);
  auto total = dev_->counters();
  ASSERT_TRUE(total.ok());
  EXPECT_EQ(total->errors, 5u);
  EXPECT_EQ(total->records, 1u);
}

TEST_P(Negative, MalformedRecordsOfEachFraming) {
  std::mt19937_64 rng(TestSeed(79));
  // TLS 1.3: an inner plaintext of zeros only has no content type.
  device::SlotConfig t13 = RandomSlotConfig(rng, Framing::kTls13, Cipher::kAes128Gcm, Op::kUnprotect);
  ASSERT_TRUE(dev_->load_slot(8, t13).ok());
  SlotSpec ref = ToSpec(t13);
  Bytes zeros(20, 0);
  Bytes hdr = {0x17, 0x03, 0x03, 0x00, static_cast<uint8_t>(zeros.size() + 16)};
  Bytes ct;
  ASSERT_TRUE(Gcm(ref, XorNonce(ref, t13.sequence), hdr, zeros, false, &ct));
  hdr.insert(hdr.end(), ct.begin(), ct.end());
  EXPECT_EQ(Run(8, Op::kUnprotect, hdr).status, Status::kBadRecord);
  // Truncated records of every framing: shorter than header + tag.
  for (Framing f : {Framing::kTls12, Framing::kTls13, Framing::kDtls12}) {
    SCOPED_TRACE(device::to_string(f));
    device::SlotConfig rx = RandomSlotConfig(rng, f, Cipher::kAes128Gcm, Op::kUnprotect);
    ASSERT_TRUE(dev_->load_slot(9, rx).ok());
    const size_t min_len = device::record_overhead(f);  // an empty record
    for (size_t n : {size_t{0}, size_t{1}, size_t{5}, min_len - 1}) {
      EXPECT_EQ(Run(9, Op::kUnprotect, RandomBytes(rng, n)).status, Status::kBadLength) << n << " bytes";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, Negative, ::testing::ValuesIn(DeviceBackends()), BackendName);

}  // namespace
}  // namespace mediasec::tb
