// Register block of mediasec_engine over AXI4-Lite (identity, staging, LOAD / ZEROIZE / READ,
// out-of-range slots, reset, counters clear, self-test, CYCLES latch) and key_setup's H powers
// against OpenSSL AES and a bitwise GF(2^128) multiply.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <random>

#include "Vkey_setup.h"
#include "Vmediasec_engine.h"
#include "drivers/regmap/mediasec_regs.h"
#include "tests/rtl/crypto/tb_util.h"

namespace mediasec::tb {
namespace {

namespace r = ::mediasec::regs;

constexpr uint32_t kBuildId = 0x12345678u;  // -GBUILD_ID in CMakeLists.txt
constexpr uint32_t kSlots = 1024;

class EngineRegsTest : public ::testing::Test {
 protected:
  EngineRegsTest() : dut_(std::make_unique<Vmediasec_engine>(&ctx_)) {
    dut_->clk_i = 0;
    dut_->rst_ni = 0;
    dut_->eval();
    Tick();
    Tick();
    dut_->rst_ni = 1;
    Tick();
  }
  ~EngineRegsTest() override { dut_->final(); }

  void Tick() {
    dut_->clk_i = 1;
    dut_->eval();
    dut_->clk_i = 0;
    dut_->eval();
    ++cycles_;
  }

  // Random ready stalls on the response channels when stall_ is set.
  bool Stall() { return stall_ && (rng_() % 3 == 0); }

  void Write(uint32_t addr, uint32_t data, uint8_t strb = 0xf) {
    dut_->s_axil_awaddr_i = addr;
    dut_->s_axil_wdata_i = data;
    dut_->s_axil_wstrb_i = strb;
    dut_->s_axil_awvalid_i = 1;
    // With stalls, W arrives a few cycles after AW (legal AXI; the slave must wait for both).
    int w_delay = stall_ ? static_cast<int>(rng_() % 3) : 0;
    dut_->s_axil_wvalid_i = w_delay == 0;
    dut_->eval();
    for (int n = 0;; ++n) {
      ASSERT_LT(n, 100) << "no awready";
      const bool done = dut_->s_axil_awready_o && dut_->s_axil_wready_o;
      if (done) {
        EXPECT_TRUE(dut_->s_axil_wvalid_i);
        Tick();
        break;
      }
      Tick();
      if (--w_delay <= 0) dut_->s_axil_wvalid_i = 1;
      dut_->eval();
    }
    dut_->s_axil_awvalid_i = 0;
    dut_->s_axil_wvalid_i = 0;
    for (int n = 0;; ++n) {
      ASSERT_LT(n, 100) << "no bvalid";
      dut_->s_axil_bready_i = !Stall();
      dut_->eval();
      if (dut_->s_axil_bvalid_o && dut_->s_axil_bready_i) {
        EXPECT_EQ(dut_->s_axil_bresp_o, 0);
        Tick();
        break;
      }
      Tick();
    }
    dut_->s_axil_bready_i = 0;
  }

  uint32_t Read(uint32_t addr) {
    dut_->s_axil_araddr_i = addr;
    dut_->s_axil_arvalid_i = 1;
    dut_->eval();
    for (int n = 0; !dut_->s_axil_arready_o; ++n) {
      if (n > 100) {
        ADD_FAILURE() << "no arready";
        return 0;
      }
      Tick();
    }
    Tick();
    dut_->s_axil_arvalid_i = 0;
    uint32_t data = 0;
    for (int n = 0;; ++n) {
      if (n > 100) {
        ADD_FAILURE() << "no rvalid";
        return 0;
      }
      dut_->s_axil_rready_i = !Stall();
      dut_->eval();
      if (dut_->s_axil_rvalid_o) {
        data = dut_->s_axil_rdata_o;
        EXPECT_EQ(dut_->s_axil_rresp_o, 0);
        if (dut_->s_axil_rready_i) {
          Tick();
          break;
        }
      }
      Tick();
    }
    dut_->s_axil_rready_i = 0;
    return data;
  }

  // Polls STATUS until busy clears; returns the number of cycles it took.
  int WaitIdle(int limit = 100000) {
    const uint64_t start = cycles_;
    while (r::status::kBusy.get(Read(r::kStatus)) != 0) {
      if (cycles_ - start > static_cast<uint64_t>(limit)) {
        ADD_FAILURE() << "busy stuck";
        break;
      }
    }
    return static_cast<int>(cycles_ - start);
  }

  struct SlotConfig {
    bool key256 = false;
    r::Framing framing = r::Framing::kTls12;
    r::Op dir = r::Op::kProtect;
    uint64_t seq = 0;
    uint16_t epoch = 0;
  };

  void Stage(const SlotConfig& c) {
    Write(r::kSlotCfg, static_cast<uint32_t>(r::slot_cfg::kKey256.put(0, c.key256) |
                                             r::slot_cfg::kFraming.put(0, static_cast<uint32_t>(c.framing)) |
                                             r::slot_cfg::kDir.put(0, static_cast<uint32_t>(c.dir))));
    Write(r::kSeqLo, static_cast<uint32_t>(c.seq));
    Write(r::kSeqHi, static_cast<uint32_t>(c.seq >> 32));
    Write(r::kEpoch, c.epoch);
    for (uint32_t i = 0; i < 8; ++i) Write(r::kKey0 + 4 * i, static_cast<uint32_t>(rng_()));
    for (uint32_t i = 0; i < 3; ++i) Write(r::kIv0 + 4 * i, static_cast<uint32_t>(rng_()));
  }

  void Command(uint32_t slot, r::SlotCmd cmd) {
    Write(r::kSlotSel, slot);
    Write(r::kSlotCmd, static_cast<uint32_t>(cmd));
    WaitIdle();
  }

  struct SlotState {
    uint32_t flags, seq_lo, seq_hi, epoch, records, bytes_lo, bytes_hi, auth_fail;
  };

  SlotState ReadSlot(uint32_t slot) {
    Command(slot, r::SlotCmd::kRead);
    return SlotState{Read(r::kRdFlags),   Read(r::kRdSeqLo),   Read(r::kRdSeqHi),   Read(r::kRdEpoch),
                     Read(r::kRdRecords), Read(r::kRdBytesLo), Read(r::kRdBytesHi), Read(r::kRdAuthFail)};
  }

  VerilatedContext ctx_;
  std::unique_ptr<Vmediasec_engine> dut_;
  std::mt19937_64 rng_{0x5eed};
  bool stall_ = false;
  uint64_t cycles_ = 0;
};

TEST_F(EngineRegsTest, IdentityAndCapabilities) {
  EXPECT_EQ(Read(r::kId), r::kIdMagic);
  EXPECT_EQ(Read(r::kVersion), r::kRegmapVersion);
  EXPECT_EQ(Read(r::kBuild), kBuildId);
  const uint32_t caps = Read(r::kCaps);
  EXPECT_EQ(r::caps::kSlotsLog2.get(caps), 10u);
  EXPECT_EQ(r::caps::kLanes.get(caps), 1u);
  EXPECT_EQ(r::caps::kAes128.get(caps), 1u);
  EXPECT_EQ(r::caps::kAes256.get(caps), 1u);
  EXPECT_EQ(r::caps::kTls12.get(caps), 1u);
  EXPECT_EQ(r::caps::kTls13.get(caps), 1u);
  EXPECT_EQ(r::caps::kDtls12.get(caps), 1u);
  EXPECT_EQ(r::caps::kRaw.get(caps), 1u);
  EXPECT_EQ(Read(r::kStatus), 0u);
  EXPECT_EQ(Read(0x7fc), 0u);  // unmapped offset reads 0
  // Idle streams in this revision.
  EXPECT_EQ(dut_->m_axis_tvalid_o, 0);
}

TEST_F(EngineRegsTest, StagingRegistersReadBackWithByteStrobes) {
  stall_ = true;
  Write(r::kSlotSel, 0x0155);
  EXPECT_EQ(Read(r::kSlotSel), 0x0155u);
  Write(r::kSlotCfg, 0xf);
  EXPECT_EQ(Read(r::kSlotCfg), 0xfu);
  Write(r::kSeqLo, 0x11223344);
  Write(r::kSeqHi, 0xaabbccdd);
  EXPECT_EQ(Read(r::kSeqLo), 0x11223344u);
  EXPECT_EQ(Read(r::kSeqHi), 0xaabbccddu);
  Write(r::kSeqLo, 0x99000000, 0x8);  // only byte 3
  EXPECT_EQ(Read(r::kSeqLo), 0x99223344u);
  Write(r::kSeqHi, 0x0000ee00, 0x2);  // only byte 1
  EXPECT_EQ(Read(r::kSeqHi), 0xaabbeeddu);
  Write(r::kEpoch, 0xbeef);
  EXPECT_EQ(Read(r::kEpoch), 0xbeefu);
  // Key and IV are write-only: they read as 0.
  Write(r::kKey0, 0xdeadbeef);
  Write(r::kIv0, 0xcafef00d);
  EXPECT_EQ(Read(r::kKey0), 0u);
  EXPECT_EQ(Read(r::kIv0), 0u);
}

TEST_F(EngineRegsTest, LoadReadZeroize) {
  stall_ = true;
  // Fresh slots are invalid.
  SlotState s = ReadSlot(5);
  EXPECT_EQ(s.flags, 0u);

  SlotConfig c{.key256 = true,
               .framing = r::Framing::kDtls12,
               .dir = r::Op::kUnprotect,
               .seq = 0x0000123456789abcull,
               .epoch = 0x4321};
  Stage(c);
  Write(r::kSlotSel, 5);
  Write(r::kSlotCmd, static_cast<uint32_t>(r::SlotCmd::kLoad));
  EXPECT_EQ(r::status::kBusy.get(Read(r::kStatus)), 1u);
  const int load_cycles = WaitIdle();
  RecordProperty("load_cycles", load_cycles);
  std::printf("LOAD (AES-256) busy for about %d cycles\n", load_cycles);
  EXPECT_GT(load_cycles, 3 * 128);  // three serial GF multiplies
  EXPECT_EQ(r::status::kCmdError.get(Read(r::kStatus)), 0u);

  s = ReadSlot(5);
  EXPECT_EQ(r::rd_flags::kValid.get(s.flags), 1u);
  EXPECT_EQ(r::rd_flags::kKey256.get(s.flags), 1u);
  EXPECT_EQ(r::rd_flags::kFraming.get(s.flags), static_cast<uint32_t>(r::Framing::kDtls12));
  EXPECT_EQ(r::rd_flags::kDir.get(s.flags), 1u);
  EXPECT_EQ(s.seq_lo, 0x56789abcu);
  EXPECT_EQ(s.seq_hi, 0x1234u);
  EXPECT_EQ(s.epoch, 0x4321u);
  EXPECT_EQ(s.records, 0u);
  EXPECT_EQ(s.bytes_lo, 0u);
  EXPECT_EQ(s.bytes_hi, 0u);
  EXPECT_EQ(s.auth_fail, 0u);

  // A second slot with another configuration; the first is unaffected.
  SlotConfig c2{.key256 = false, .framing = r::Framing::kTls13, .dir = r::Op::kProtect, .seq = 7, .epoch = 0};
  Stage(c2);
  Command(6, r::SlotCmd::kLoad);
  s = ReadSlot(6);
  EXPECT_EQ(s.flags, r::rd_flags::kValid.put(0, 1) | r::rd_flags::kFraming.put(0, 1));
  EXPECT_EQ(s.seq_lo, 7u);
  s = ReadSlot(5);
  EXPECT_EQ(s.seq_lo, 0x56789abcu);
  EXPECT_EQ(r::rd_flags::kValid.get(s.flags), 1u);

  Command(5, r::SlotCmd::kZeroize);
  s = ReadSlot(5);
  EXPECT_EQ(s.flags, 0u);
  EXPECT_EQ(s.seq_lo, 0u);
  EXPECT_EQ(s.seq_hi, 0u);
  EXPECT_EQ(s.epoch, 0u);
  s = ReadSlot(6);
  EXPECT_EQ(r::rd_flags::kValid.get(s.flags), 1u);

  // Last slot works too.
  Stage(c);
  Command(kSlots - 1, r::SlotCmd::kLoad);
  EXPECT_EQ(r::rd_flags::kValid.get(ReadSlot(kSlots - 1).flags), 1u);
}

TEST_F(EngineRegsTest, OutOfRangeSlotSetsCmdError) {
  Stage(SlotConfig{});
  Command(kSlots, r::SlotCmd::kLoad);
  EXPECT_EQ(r::status::kCmdError.get(Read(r::kStatus)), 1u);
  Command(0xffff, r::SlotCmd::kRead);
  EXPECT_EQ(r::status::kCmdError.get(Read(r::kStatus)), 1u);
  // Slot 0 (aliases kSlots in the low address bits) must not have been loaded.
  EXPECT_EQ(ReadSlot(0).flags, 0u);
  EXPECT_EQ(r::status::kCmdError.get(Read(r::kStatus)), 0u);
}

TEST_F(EngineRegsTest, CommandsWhileBusyAreIgnored) {
  Stage(SlotConfig{.seq = 11});
  Write(r::kSlotSel, 3);
  Write(r::kSlotCmd, static_cast<uint32_t>(r::SlotCmd::kLoad));
  // While LOAD runs: staged writes and a second command are dropped.
  Write(r::kSeqLo, 99);
  Write(r::kSlotSel, 4);
  Write(r::kSlotCmd, static_cast<uint32_t>(r::SlotCmd::kLoad));
  EXPECT_EQ(r::status::kBusy.get(Read(r::kStatus)), 1u);
  WaitIdle();
  EXPECT_EQ(Read(r::kSlotSel), 3u);
  EXPECT_EQ(ReadSlot(3).seq_lo, 11u);
  EXPECT_EQ(ReadSlot(4).flags, 0u);
}

TEST_F(EngineRegsTest, ResetZeroizesEverySlot) {
  for (uint32_t slot : {0u, 1u, 511u, kSlots - 1}) {
    Stage(SlotConfig{.framing = r::Framing::kRaw, .seq = slot + 1});
    Command(slot, r::SlotCmd::kLoad);
  }
  EXPECT_EQ(r::rd_flags::kValid.get(ReadSlot(511).flags), 1u);
  Write(r::kCtrl, r::ctrl::kReset.put(0, 1));
  const int reset_cycles = WaitIdle();
  std::printf("CTRL.reset busy for about %d cycles (%u slots)\n", reset_cycles, kSlots);
  EXPECT_GE(reset_cycles, static_cast<int>(kSlots));
  for (uint32_t slot : {0u, 1u, 511u, kSlots - 1}) {
    const SlotState s = ReadSlot(slot);
    EXPECT_EQ(s.flags, 0u) << slot;
    EXPECT_EQ(s.seq_lo, 0u) << slot;
  }
  EXPECT_EQ(Read(r::kTotalRecordsLo), 0u);
  EXPECT_EQ(Read(r::kTotalErrors), 0u);
}

TEST_F(EngineRegsTest, ClearCountersKeepsKeys) {
  Stage(SlotConfig{.seq = 42});
  Command(9, r::SlotCmd::kLoad);
  Write(r::kCtrl, r::ctrl::kClearCounters.put(0, 1));
  WaitIdle();
  const SlotState s = ReadSlot(9);
  EXPECT_EQ(r::rd_flags::kValid.get(s.flags), 1u);
  EXPECT_EQ(s.seq_lo, 42u);
  EXPECT_EQ(s.records, 0u);
}

TEST_F(EngineRegsTest, SelfTestPasses) {
  EXPECT_EQ(r::status::kSelftestDone.get(Read(r::kStatus)), 0u);
  Write(r::kCtrl, r::ctrl::kSelftest.put(0, 1));
  const int st_cycles = WaitIdle();
  std::printf("self-test busy for about %d cycles\n", st_cycles);
  const uint32_t st = Read(r::kStatus);
  EXPECT_EQ(r::status::kSelftestDone.get(st), 1u);
  EXPECT_EQ(r::status::kSelftestPass.get(st), 1u);
  // Reset clears the self-test result.
  Write(r::kCtrl, r::ctrl::kReset.put(0, 1));
  WaitIdle();
  EXPECT_EQ(r::status::kSelftestDone.get(Read(r::kStatus)), 0u);
}

TEST_F(EngineRegsTest, CyclesCounterLatchesHighHalf) {
  const uint32_t a = Read(r::kCyclesLo);
  for (int i = 0; i < 50; ++i) Tick();
  const uint32_t b = Read(r::kCyclesLo);
  EXPECT_GE(b - a, 50u);
  EXPECT_LT(b - a, 100u);
  EXPECT_EQ(Read(r::kCyclesHi), 0u);  // latched with the last LO read
}

// ---------------------------------------------------------------------------- key_setup
class KeySetupTest : public ::testing::Test {
 protected:
  KeySetupTest() : dut_(std::make_unique<Vkey_setup>(&ctx_)) {
    dut_->clk_i = 0;
    dut_->rst_ni = 0;
    dut_->start_i = 0;
    dut_->eval();
    Tick();
    dut_->rst_ni = 1;
    Tick();
  }
  ~KeySetupTest() override { dut_->final(); }

  void Tick() {
    dut_->clk_i = 1;
    dut_->eval();
    dut_->clk_i = 0;
    dut_->eval();
  }

  VerilatedContext ctx_;
  std::unique_ptr<Vkey_setup> dut_;
};

TEST_F(KeySetupTest, PowersOfHMatchOpenSslAndGfReference) {
  std::mt19937_64 rng(1234);
  const int iterations = Scaled(40, 4);
  for (int it = 0; it < iterations; ++it) {
    const bool key256 = (it % 2) == 1;
    Key key{};
    for (size_t i = 0; i < (key256 ? 32u : 16u); ++i) key[i] = static_cast<uint8_t>(rng());
    if (it < 2) key.fill(0);  // the self-test's all-zero keys
    PutBytes(dut_->key_i, key, 32);
    dut_->key256_i = key256;
    dut_->start_i = 1;
    Tick();
    dut_->start_i = 0;
    int cycles = 1;
    while (!dut_->done_o) {
      ASSERT_TRUE(dut_->busy_o);
      Tick();
      ASSERT_LT(++cycles, 2000);
    }
    if (it < 2) std::printf("key_setup (%s): %d cycles\n", key256 ? "AES-256" : "AES-128", cycles);
    const Block h = AesEcb(std::span<const uint8_t>(key.data(), key256 ? 32 : 16), Block{});
    const Block h2 = GfMul(h, h);
    const Block h3 = GfMul(h2, h);
    const Block h4 = GfMul(h3, h);
    EXPECT_EQ(ToHex(GetBlockAt(dut_->hpow_o, 0)), ToHex(h));
    EXPECT_EQ(ToHex(GetBlockAt(dut_->hpow_o, 128)), ToHex(h2));
    EXPECT_EQ(ToHex(GetBlockAt(dut_->hpow_o, 256)), ToHex(h3));
    EXPECT_EQ(ToHex(GetBlockAt(dut_->hpow_o, 384)), ToHex(h4));
    if (it == 0) {
      EXPECT_EQ(ToHex(h), "66e94bd4ef8a2c3b884cfa59ca342b2e");
    } else if (it == 1) {
      EXPECT_EQ(ToHex(h), "dc95c078a2408989ad48a21492842087");
    }
    Tick();
    EXPECT_FALSE(dut_->busy_o);
  }
}

}  // namespace
}  // namespace mediasec::tb
