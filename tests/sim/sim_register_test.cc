// The sim backend at register level: identity, slot commands, counters, self-test and reset on the
// Verilated engine, for every lane count this build verilated.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "drivers/engine_control.h"
#include "drivers/record_format.h"
#include "drivers/sim/sim_device.h"
#include "sim/engine_harness.h"

namespace mediasec::device {
namespace {

class SimRegisters : public ::testing::TestWithParam<uint32_t> {
 protected:
  void SetUp() override {
    auto dev = open_sim_device(SimOptions{.lanes = GetParam()});
    ASSERT_TRUE(dev) << dev.error().message;
    dev_ = std::move(dev.value());
  }
  std::unique_ptr<Device> dev_;
};

SlotConfig config(Cipher cipher, Framing framing, Op dir, uint64_t seq, uint16_t epoch) {
  SlotConfig c;
  c.cipher = cipher;
  c.framing = framing;
  c.direction = dir;
  for (size_t i = 0; i < c.key.size(); ++i) c.key[i] = static_cast<uint8_t>(0x5A ^ i);
  for (size_t i = 0; i < c.iv.size(); ++i) c.iv[i] = static_cast<uint8_t>(i * 17);
  c.sequence = seq;
  c.epoch = epoch;
  return c;
}

TEST_P(SimRegisters, IdentityMatchesRegisterMapAndParameters) {
  const Identity& id = dev_->identity();
  EXPECT_EQ(id.backend, "sim");
  EXPECT_EQ(id.id_magic, regs::kIdMagic);
  EXPECT_EQ(id.version, regs::kRegmapVersion);
  EXPECT_EQ(id.key_slots, 1024u);  // SLOTS default of the top
  EXPECT_EQ(id.lanes, GetParam());
  EXPECT_TRUE(id.aes128);
  EXPECT_TRUE(id.aes256);
  EXPECT_TRUE(id.tls12);
  EXPECT_TRUE(id.tls13);
  EXPECT_TRUE(id.dtls12);
  EXPECT_TRUE(id.raw);
}

TEST_P(SimRegisters, LoadReadZeroize) {
  const uint32_t slot = 37;
  auto fresh = dev_->read_slot(slot);
  ASSERT_TRUE(fresh) << fresh.error().message;
  EXPECT_FALSE(fresh->valid);

  struct Case {
    Cipher cipher;
    Framing framing;
    Op dir;
    uint64_t seq;
    uint16_t epoch;
  };
  const Case cases[] = {
      {Cipher::kAes256Gcm, Framing::kTls12, Op::kUnprotect, 0x0123'4567'89AB'CDEFull, 0},
      {Cipher::kAes128Gcm, Framing::kTls13, Op::kProtect, 0xFFFF'FFFF'FFFF'FFFEull, 0},
      {Cipher::kAes128Gcm, Framing::kDtls12, Op::kUnprotect, 0x0000'8000'0000'0001ull, 0xBEEF},
      {Cipher::kAes256Gcm, Framing::kRaw, Op::kProtect, 42, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(to_string(c.framing)) + " " + to_string(c.cipher));
    auto cfg = config(c.cipher, c.framing, c.dir, c.seq, c.epoch);
    ASSERT_TRUE(dev_->load_slot(slot, cfg));
    auto st = dev_->read_slot(slot);
    ASSERT_TRUE(st) << st.error().message;
    EXPECT_TRUE(st->valid);
    EXPECT_EQ(st->cipher, c.cipher);
    EXPECT_EQ(st->framing, c.framing);
    EXPECT_EQ(st->direction, c.dir);
    EXPECT_EQ(st->sequence, c.seq);
    EXPECT_EQ(st->epoch, c.epoch);
    EXPECT_EQ(st->counters.records, 0u);
    EXPECT_EQ(st->counters.bytes, 0u);
  }
  // A neighbour is untouched.
  auto other = dev_->read_slot(slot + 1);
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->valid);

  ASSERT_TRUE(dev_->zeroize_slot(slot));
  auto z = dev_->read_slot(slot);
  ASSERT_TRUE(z);
  EXPECT_FALSE(z->valid);
  EXPECT_EQ(z->sequence, 0u);
  EXPECT_EQ(z->epoch, 0u);
}

TEST_P(SimRegisters, SlotOutOfRangeIsRejected) {
  const uint32_t n = dev_->identity().key_slots;
  EXPECT_EQ(dev_->read_slot(n).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(dev_->zeroize_slot(n + 5).error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(dev_->load_slot(n, config(Cipher::kAes128Gcm, Framing::kTls13, Op::kProtect, 0, 0)));
  EXPECT_TRUE(dev_->read_slot(n - 1));
}

TEST_P(SimRegisters, CountersStartAtZero) {
  auto c = dev_->counters();
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->records, 0u);
  EXPECT_EQ(c->bytes, 0u);
  EXPECT_EQ(c->auth_failures, 0u);
  EXPECT_EQ(c->errors, 0u);
}

TEST_P(SimRegisters, BadSlotJobsCountAsErrors) {
  // A job on a slot never loaded completes with BAD_SLOT, releases nothing and counts as an error.
  Job job;
  job.cookie = 77;
  job.slot = 3;
  job.input.assign(40, 0xAB);
  auto done = dev_->run(std::move(job));
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->cookie, 77u);
  EXPECT_EQ(done->status, Status::kBadSlot);
  EXPECT_TRUE(done->output.empty());
  auto c = dev_->counters();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->errors, 1u);
  EXPECT_EQ(c->records, 0u);
}

TEST_P(SimRegisters, HardwareAndRecordSelfTestPass) {
  auto r = dev_->self_test();
  EXPECT_TRUE(r) << r.error().message;
  // The scratch slot is left zeroized.
  auto st = dev_->read_slot(dev_->identity().key_slots - 1);
  ASSERT_TRUE(st);
  EXPECT_FALSE(st->valid);
}

TEST_P(SimRegisters, ResetZeroizesEverySlot) {
  for (uint32_t slot : {0u, 1u, 513u, 1023u}) {
    ASSERT_TRUE(dev_->load_slot(slot, config(Cipher::kAes128Gcm, Framing::kTls13, Op::kProtect, slot + 9, 0)));
  }
  ASSERT_TRUE(dev_->reset());
  for (uint32_t slot : {0u, 1u, 513u, 1023u}) {
    auto st = dev_->read_slot(slot);
    ASSERT_TRUE(st);
    EXPECT_FALSE(st->valid) << "slot " << slot;
    EXPECT_EQ(st->sequence, 0u);
  }
  EXPECT_EQ(dev_->in_flight(), 0u);
}

TEST_P(SimRegisters, ResetClearsCountersAfterJobs) {
  Job bad;
  bad.slot = 2;  // not loaded: an error to count
  bad.input.assign(5, 1);
  auto done = dev_->run(std::move(bad));
  ASSERT_TRUE(done) << done.error().message;
  auto before = dev_->counters();
  ASSERT_TRUE(before);
  EXPECT_EQ(before->errors, 1u);
  ASSERT_TRUE(dev_->reset());
  auto c = dev_->counters();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->errors, 0u);
}

// The engine's built-in known-answer test alone, through the harness and EngineControl.
TEST_P(SimRegisters, HardwareSelfTestPassesAndCyclesAdvance) {
  auto h = sim::make_engine_harness(GetParam(), {});
  ASSERT_TRUE(h) << h.error().message;
  EngineControl ctl(**h);
  ASSERT_TRUE(ctl.read_identity("sim"));
  const uint64_t c0 = ctl.cycles();
  auto st = ctl.hardware_self_test();
  EXPECT_TRUE(st) << st.error().message;
  const uint64_t c1 = ctl.cycles();
  EXPECT_GT(c1, c0);
  EXPECT_LE(c1 - c0, (*h)->cycles());
  EXPECT_EQ((*h)->bus_faults(), 0u);
}

std::string lanes_name(const ::testing::TestParamInfo<uint32_t>& info) { return "lanes" + std::to_string(info.param); }

INSTANTIATE_TEST_SUITE_P(Built, SimRegisters, ::testing::ValuesIn(sim::built_lane_counts()), lanes_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SimRegisters);

TEST(SimOpen, UnbuiltLaneCountIsUnavailableAndNamesTheBuiltOnes) {
  auto dev = open_sim_device(SimOptions{.lanes = 3});
  ASSERT_FALSE(dev);
  EXPECT_EQ(dev.error().code, ErrorCode::kUnavailable);
  for (uint32_t n : sim::built_lane_counts()) {
    EXPECT_NE(dev.error().message.find(std::to_string(n)), std::string::npos) << dev.error().message;
  }
  EXPECT_NE(dev.error().message.find("MEDIASEC_SIM_LANES"), std::string::npos) << dev.error().message;
}

TEST(SimFrames, ToBeatsPacksFramesAndAppendKeptInverts) {
  for (size_t len : {0u, 1u, 15u, 16u, 17u, 33u, 48u}) {
    std::vector<uint8_t> bytes(len);
    for (size_t i = 0; i < len; ++i) bytes[i] = static_cast<uint8_t>(i + 1);
    const auto beats = sim::to_beats(bytes, 0x1234);
    ASSERT_EQ(beats.size(), len == 0 ? 1u : (len + 15) / 16) << len;
    std::vector<uint8_t> back;
    for (size_t b = 0; b < beats.size(); ++b) {
      EXPECT_EQ(beats[b].last, b + 1 == beats.size());
      EXPECT_EQ(beats[b].user, 0x1234u);
      const size_t n = std::min<size_t>(16, len - std::min(len, b * 16));
      EXPECT_EQ(beats[b].keep, n == 16 ? 0xFFFFu : (1u << n) - 1u) << "len " << len << " beat " << b;
      sim::append_kept(beats[b], back);
    }
    EXPECT_EQ(back, bytes);
  }
}

TEST(SimOpen, RejectsStallProbabilityOutOfRange) {
  EXPECT_EQ(open_sim_device(SimOptions{.lanes = 1, .stall_probability = 1.0}).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(open_sim_device(SimOptions{.lanes = 1, .stall_probability = -0.1}).error().code,
            ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace mediasec::device
