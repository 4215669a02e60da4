// Clocked driver for a Verilated mediasec_engine in the record testbenches: AXI4-Lite register
// access, slot loading, and concurrent AXI4-Stream drive / capture on every lane with optional
// random stalls. The reference records are in tests/support/record_reference.h.
#ifndef MEDIASEC_TESTS_RTL_RECORD_ENGINE_TB_H_
#define MEDIASEC_TESTS_RTL_RECORD_ENGINE_TB_H_

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <random>
#include <span>
#include <vector>

#include "drivers/regmap/mediasec_regs.h"
#include "tests/support/record_reference.h"
#include "verilated.h"

namespace mediasec::tb {

namespace r = ::mediasec::regs;
using Bytes = std::vector<uint8_t>;

// ------------------------------------------------------------------ driver
struct Frame {
  Bytes bytes;
  uint64_t tuser = 0;
};

struct OutFrame {
  Bytes bytes;
  uint64_t tuser = 0;
  int beats = 0;
  bool keep_ok = true;  // packed tkeep on every beat
  uint64_t end_cycle = 0;
};

inline uint64_t InUser(uint32_t slot, r::Op op, uint8_t ctype, size_t len, size_t aad_len = 0) {
  uint64_t u = 0;
  u = r::in_user::kSlot.put(u, slot);
  u = r::in_user::kOp.put(u, static_cast<uint64_t>(op));
  u = r::in_user::kCtype.put(u, ctype);
  u = r::in_user::kLen.put(u, len);
  u = r::in_user::kAadLen.put(u, aad_len);
  return u;
}

template <class V, int kLanes>
class EngineTb {
 public:
  EngineTb() : dut_(std::make_unique<V>(&ctx_)) {
    dut_->clk_i = 0;
    dut_->rst_ni = 0;
    dut_->eval();
    Tick();
    Tick();
    dut_->rst_ni = 1;
    Tick();
  }
  ~EngineTb() { dut_->final(); }

  V& dut() { return *dut_; }
  uint64_t cycles() const { return cycles_; }
  void set_stalls(bool in, bool out) {
    in_stall_ = in;
    out_stall_ = out;
  }

  void Tick() {
    DriveStreams();
    dut_->clk_i = 1;
    dut_->eval();
    dut_->clk_i = 0;
    dut_->eval();
    ++cycles_;
  }

  void Write(uint32_t addr, uint32_t data) {
    dut_->s_axil_awaddr_i = addr;
    dut_->s_axil_wdata_i = data;
    dut_->s_axil_wstrb_i = 0xf;
    dut_->s_axil_awvalid_i = 1;
    dut_->s_axil_wvalid_i = 1;
    dut_->s_axil_bready_i = 1;
    dut_->eval();
    while (!dut_->s_axil_awready_o) Tick();
    Tick();
    dut_->s_axil_awvalid_i = 0;
    dut_->s_axil_wvalid_i = 0;
    dut_->eval();
    while (!dut_->s_axil_bvalid_o) Tick();
    Tick();
  }

  uint32_t Read(uint32_t addr) {
    dut_->s_axil_araddr_i = addr;
    dut_->s_axil_arvalid_i = 1;
    dut_->s_axil_rready_i = 1;
    dut_->eval();
    while (!dut_->s_axil_arready_o) Tick();
    Tick();
    dut_->s_axil_arvalid_i = 0;
    dut_->eval();
    while (!dut_->s_axil_rvalid_o) Tick();
    const uint32_t v = dut_->s_axil_rdata_o;
    Tick();
    return v;
  }

  void WaitIdle() {
    for (int n = 0; r::status::kBusy.get(Read(r::kStatus)) != 0; ++n) ASSERT_LT(n, 100000);
  }

  void Load(uint32_t slot, const SlotSpec& s) {
    Write(r::kSlotCfg, static_cast<uint32_t>(r::slot_cfg::kKey256.put(0, s.key256) |
                                             r::slot_cfg::kFraming.put(0, static_cast<uint32_t>(s.framing)) |
                                             r::slot_cfg::kDir.put(0, static_cast<uint32_t>(s.dir))));
    Write(r::kSeqLo, static_cast<uint32_t>(s.seq));
    Write(r::kSeqHi, static_cast<uint32_t>(s.seq >> 32));
    Write(r::kEpoch, s.epoch);
    for (uint32_t i = 0; i < 8; ++i) Write(r::kKey0 + 4 * i, Be32(s.key.data() + 4 * i));
    for (uint32_t i = 0; i < 3; ++i) Write(r::kIv0 + 4 * i, Be32(s.iv.data() + 4 * i));
    Write(r::kSlotSel, slot);
    Write(r::kSlotCmd, static_cast<uint32_t>(r::SlotCmd::kLoad));
    WaitIdle();
  }

  void Submit(int lane, const Frame& f) { in_[lane].push_back(f); }

  // Runs until `count` output frames have arrived on `lane` (or a cycle limit); returns them.
  std::vector<OutFrame> Collect(int lane, size_t count, uint64_t limit = 2000000) {
    const uint64_t start = cycles_;
    while (out_[lane].size() < count && cycles_ - start < limit) Tick();
    EXPECT_EQ(out_[lane].size(), count) << "timeout on lane " << lane;
    std::vector<OutFrame> v(out_[lane].begin(), out_[lane].end());
    out_[lane].clear();
    return v;
  }

 private:
  static uint32_t Be32(const uint8_t* p) {
    return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
  }

  // Sets the stream inputs for the coming clock edge and records the transfers it makes.
  void DriveStreams() {
    for (int l = 0; l < kLanes; ++l) {
      // input
      bool valid = !in_[l].empty() && !(in_stall_ && rng_() % 4 == 0);
      if (valid) {
        const Frame& f = in_[l].front();
        const size_t off = in_off_[l];
        const size_t n = std::min<size_t>(16, f.bytes.size() - off);
        for (int w = 0; w < 4; ++w) dut_->s_axis_tdata_i[l * 4 + w] = 0;
        for (size_t i = 0; i < n; ++i)
          dut_->s_axis_tdata_i[l * 4 + i / 4] |= uint32_t{f.bytes[off + i]} << (8 * (i % 4));
        SetBits(dut_->s_axis_tkeep_i, l * 16, 16, n >= 16 ? 0xffff : ((1u << n) - 1));
        SetBits(dut_->s_axis_tlast_i, l, 1, off + n >= f.bytes.size());
        SetBits64(dut_->s_axis_tuser_i, l, f.tuser);
      }
      SetBits(dut_->s_axis_tvalid_i, l, 1, valid);
      SetBits(dut_->m_axis_tready_i, l, 1, !(out_stall_ && rng_() % 4 == 0));
    }
    dut_->eval();
    for (int l = 0; l < kLanes; ++l) {
      if (GetBit(dut_->s_axis_tvalid_i, l) && GetBit(dut_->s_axis_tready_o, l)) {
        const Frame& f = in_[l].front();
        in_off_[l] += 16;
        if (in_off_[l] >= f.bytes.size()) {
          in_[l].pop_front();
          in_off_[l] = 0;
        }
      }
      if (GetBit(dut_->m_axis_tvalid_o, l) && GetBit(dut_->m_axis_tready_i, l)) {
        const uint32_t keep = GetBits(dut_->m_axis_tkeep_o, l * 16, 16);
        OutFrame& o = cur_[l];
        const bool last = GetBit(dut_->m_axis_tlast_o, l);
        if (o.beats == 0) o.tuser = GetTuserOut(l);
        if (!last && keep != 0xffff) o.keep_ok = false;
        if (GetTuserOut(l) != o.tuser) o.keep_ok = false;
        int n = 0;
        while (n < 16 && (keep >> n) & 1) ++n;
        if ((keep >> n) != 0) o.keep_ok = false;
        for (int i = 0; i < n; ++i)
          o.bytes.push_back(static_cast<uint8_t>(dut_->m_axis_tdata_o[l * 4 + i / 4] >> (8 * (i % 4))));
        ++o.beats;
        if (last) {
          o.end_cycle = cycles_;
          out_[l].push_back(o);
          o = OutFrame{};
        }
      }
    }
  }

  template <class T>
  static void SetBits(T& v, int lsb, int w, uint32_t x) {
    const T mask = static_cast<T>(((uint64_t{1} << w) - 1) << lsb);
    v = static_cast<T>((v & ~mask) | ((static_cast<T>(x) << lsb) & mask));
  }
  template <size_t N>
  static void SetBits(VlWide<N>& v, int lsb, int w, uint32_t x) {
    for (int i = 0; i < w; ++i) {
      const int b = lsb + i;
      v[b / 32] = (v[b / 32] & ~(1u << (b % 32))) | (((x >> i) & 1u) << (b % 32));
    }
  }
  template <class T>
  static bool GetBit(const T& v, int b) {
    return (v >> b) & 1;
  }
  template <class T>
  static uint32_t GetBits(const T& v, int lsb, int w) {
    return static_cast<uint32_t>((v >> lsb) & ((uint64_t{1} << w) - 1));
  }
  template <size_t N>
  static uint32_t GetBits(const VlWide<N>& v, int lsb, int w) {
    uint32_t x = 0;
    for (int i = 0; i < w; ++i) x |= ((v[(lsb + i) / 32] >> ((lsb + i) % 32)) & 1u) << i;
    return x;
  }
  // tuser 64 bits per lane: QData when LANES = 1, VlWide otherwise.
  static void SetBits64(uint64_t& v, int, uint64_t x) { v = x; }
  template <size_t N>
  static void SetBits64(VlWide<N>& v, int l, uint64_t x) {
    v[l * 2] = static_cast<uint32_t>(x);
    v[l * 2 + 1] = static_cast<uint32_t>(x >> 32);
  }
  uint64_t GetTuserOut(int l) {
    return uint64_t{GetBits(dut_->m_axis_tuser_o, l * 48, 24)} |
           (uint64_t{GetBits(dut_->m_axis_tuser_o, l * 48 + 24, 24)} << 24);
  }

  VerilatedContext ctx_;
  std::unique_ptr<V> dut_;
  uint64_t cycles_ = 0;
  bool in_stall_ = false;
  bool out_stall_ = false;
  std::mt19937_64 rng_{99};
  std::array<std::deque<Frame>, kLanes> in_;
  std::array<size_t, kLanes> in_off_{};
  std::array<OutFrame, kLanes> cur_{};
  std::array<std::deque<OutFrame>, kLanes> out_;
};

}  // namespace mediasec::tb

#endif  // MEDIASEC_TESTS_RTL_RECORD_ENGINE_TB_H_
