// EngineControl against a scripted register bus: register encodings and the bounded busy waits.
#include "drivers/engine_control.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace mediasec::device {
namespace {

class FakeBus final : public RegisterBus {
 public:
  uint32_t read32(uint32_t offset) override {
    ++reads;
    auto it = regs.find(offset);
    return it == regs.end() ? 0 : it->second;
  }
  void write32(uint32_t offset, uint32_t value) override { writes.emplace_back(offset, value); }
  std::map<uint32_t, uint32_t> regs;
  std::vector<std::pair<uint32_t, uint32_t>> writes;
  int reads = 0;
};

FakeBus identity_bus() {
  FakeBus bus;
  bus.regs[regs::kId] = regs::kIdMagic;
  bus.regs[regs::kVersion] = regs::kRegmapVersion;
  bus.regs[regs::kCaps] = 10u | (4u << 8) | (1u << 16) | (1u << 21);
  return bus;
}

TEST(EngineControl, DecodesIdentity) {
  FakeBus bus = identity_bus();
  bus.regs[regs::kBuild] = 0xB111D;
  EngineControl ctl(bus);
  auto id = ctl.read_identity("x");
  ASSERT_TRUE(id) << id.error().message;
  EXPECT_EQ(id->key_slots, 1024u);
  EXPECT_EQ(id->lanes, 4u);
  EXPECT_EQ(id->build, 0xB111Du);
  EXPECT_TRUE(id->aes128);
  EXPECT_FALSE(id->aes256);
  EXPECT_TRUE(id->tls13);
  EXPECT_FALSE(id->tls12);
}

TEST(EngineControl, RejectsWrongMagicAndMajorVersion) {
  FakeBus bus = identity_bus();
  bus.regs[regs::kId] = 0xFFFFFFFF;
  EngineControl ctl(bus);
  auto id = ctl.read_identity("x");
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().code, ErrorCode::kDeviceError);
  bus.regs[regs::kId] = regs::kIdMagic;
  bus.regs[regs::kVersion] = regs::kRegmapVersion + (1u << 24);
  EXPECT_FALSE(ctl.read_identity("x"));
}

TEST(EngineControl, BusyTimeoutIsADeviceErrorAfterBoundedPolls) {
  FakeBus bus = identity_bus();
  EngineControl ctl(bus, /*max_polls=*/50);
  ASSERT_TRUE(ctl.read_identity("x"));
  bus.regs[regs::kStatus] = 1;  // busy forever
  const int before = bus.reads;
  auto r = ctl.zeroize_slot(3);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kDeviceError);
  EXPECT_NE(r.error().message.find("busy"), std::string::npos);
  EXPECT_LE(bus.reads - before, 50);
}

TEST(EngineControl, LoadWritesStagingBigEndianThenClearsKey) {
  FakeBus bus = identity_bus();
  EngineControl ctl(bus);
  ASSERT_TRUE(ctl.read_identity("x"));
  SlotConfig cfg;
  cfg.cipher = Cipher::kAes256Gcm;
  cfg.framing = Framing::kDtls12;
  cfg.direction = Op::kUnprotect;
  for (size_t i = 0; i < 32; ++i) cfg.key[i] = static_cast<uint8_t>(i + 1);
  for (size_t i = 0; i < 12; ++i) cfg.iv[i] = static_cast<uint8_t>(0xF0 + i);
  cfg.sequence = 0xFFFF'1234'5678'9ABCull;  // DTLS keeps 48 bits
  cfg.epoch = 7;
  ASSERT_TRUE(ctl.load_slot(9, cfg));
  std::map<uint32_t, uint32_t> first;  // first write to each register
  for (auto [off, v] : bus.writes) first.emplace(off, v);
  EXPECT_EQ(first[regs::kSlotCfg], 1u | (2u << 1) | (1u << 3));
  EXPECT_EQ(first[regs::kSeqLo], 0x56789ABCu);
  EXPECT_EQ(first[regs::kSeqHi], 0x1234u);
  EXPECT_EQ(first[regs::kEpoch], 7u);
  EXPECT_EQ(first[regs::kKey0], 0x01020304u);
  EXPECT_EQ(first[regs::kKey7], 0x1D1E1F20u);
  EXPECT_EQ(first[regs::kIv2], 0xF8F9FAFBu);
  EXPECT_EQ(first[regs::kSlotSel], 9u);
  // SLOT_CMD = LOAD comes after all staging writes, and the key registers are zeroed afterwards.
  size_t cmd_at = 0;
  for (size_t i = 0; i < bus.writes.size(); ++i) {
    if (bus.writes[i].first == regs::kSlotCmd) cmd_at = i;
  }
  EXPECT_EQ(bus.writes[cmd_at].second, static_cast<uint32_t>(regs::SlotCmd::kLoad));
  for (size_t i = 0; i < cmd_at; ++i) EXPECT_NE(bus.writes[i].first, regs::kSlotCmd);
  std::map<uint32_t, uint32_t> last;
  for (auto [off, v] : bus.writes) last[off] = v;
  for (uint32_t k = 0; k < 8; ++k) EXPECT_EQ(last[regs::kKey0 + 4 * k], 0u);
}

TEST(EngineControl, SlotOutOfRangeAndCmdError) {
  FakeBus bus = identity_bus();
  EngineControl ctl(bus);
  ASSERT_TRUE(ctl.read_identity("x"));
  auto r = ctl.read_slot(1024);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  bus.regs[regs::kStatus] = 2;  // cmd_error
  auto z = ctl.zeroize_slot(1);
  ASSERT_FALSE(z);
  EXPECT_EQ(z.error().code, ErrorCode::kDeviceError);
}

TEST(EngineControl, SelfTestResultAndCounters) {
  FakeBus bus = identity_bus();
  EngineControl ctl(bus, 100);
  bus.regs[regs::kStatus] = 4;  // done, not passed
  auto st = ctl.hardware_self_test();
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("FAILED"), std::string::npos);
  bus.regs[regs::kStatus] = 4 | 8;
  EXPECT_TRUE(ctl.hardware_self_test());
  bus.regs[regs::kTotalBytesLo] = 5;
  bus.regs[regs::kTotalBytesHi] = 1;
  bus.regs[regs::kTotalErrors] = 3;
  auto c = ctl.counters();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->bytes, (1ull << 32) + 5);
  EXPECT_EQ(c->errors, 3u);
}

}  // namespace
}  // namespace mediasec::device
