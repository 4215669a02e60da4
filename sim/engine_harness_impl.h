// VerilatedHarness<V>: EngineHarness on one Verilated model class V (Vmediasec_engine_lN).
// Included only by the generated model table, which sees the Verilated headers.
#pragma once

#include <algorithm>
#include <cstdio>
#include <deque>
#include <memory>
#include <random>
#include <type_traits>
#include <vector>

#include "sim/engine_harness.h"
#include "verilated.h"

namespace mediasec::sim {
namespace bits {

// Bit-field access to Verilated port values: integral types up to 64 bits and VlWide<N>.
template <typename T>
requires std::is_integral_v<T>
void put(T& sig, uint32_t lsb, uint32_t width, uint64_t value) {
  const uint64_t mask = (width >= 64 ? ~0ull : (1ull << width) - 1) << lsb;
  sig = static_cast<T>((static_cast<uint64_t>(sig) & ~mask) | ((value << lsb) & mask));
}
template <typename T>
requires std::is_integral_v<T> uint64_t get(const T& sig, uint32_t lsb, uint32_t width) {
  const uint64_t v = static_cast<uint64_t>(sig) >> lsb;
  return width >= 64 ? v : v & ((1ull << width) - 1);
}
template <std::size_t N>
void put(VlWide<N>& sig, uint32_t lsb, uint32_t width, uint64_t value) {
  while (width > 0) {  // one 32-bit word of the wide value per step
    const uint32_t off = lsb % 32;
    const uint32_t n = std::min<uint32_t>(width, 32 - off);
    const uint32_t mask = (n == 32 ? ~0u : (1u << n) - 1u) << off;
    sig.at(lsb / 32) = (sig.at(lsb / 32) & ~mask) | ((static_cast<uint32_t>(value) << off) & mask);
    value >>= n;
    lsb += n;
    width -= n;
  }
}
template <std::size_t N>
uint64_t get(const VlWide<N>& sig, uint32_t lsb, uint32_t width) {
  uint64_t v = 0;
  uint32_t done = 0;
  while (done < width) {
    const uint32_t off = lsb % 32;
    const uint32_t n = std::min<uint32_t>(width - done, 32 - off);
    const uint32_t mask = n == 32 ? ~0u : (1u << n) - 1u;
    v |= static_cast<uint64_t>((sig.at(lsb / 32) >> off) & mask) << done;
    lsb += n;
    done += n;
  }
  return v;
}
// Whole bytes at a byte-aligned position of a wide value (tdata).
template <std::size_t N>
void put_bytes(VlWide<N>& sig, uint32_t byte_offset, const uint8_t* bytes, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    const uint32_t b = byte_offset + static_cast<uint32_t>(i);
    const uint32_t shift = (b % 4) * 8;
    sig.at(b / 4) = (sig.at(b / 4) & ~(0xFFu << shift)) | (static_cast<uint32_t>(bytes[i]) << shift);
  }
}
template <std::size_t N>
void get_bytes(const VlWide<N>& sig, uint32_t byte_offset, uint8_t* bytes, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    const uint32_t b = byte_offset + static_cast<uint32_t>(i);
    bytes[i] = static_cast<uint8_t>(sig.at(b / 4) >> ((b % 4) * 8));
  }
}

}  // namespace bits

template <typename V>
class VerilatedHarness final : public EngineHarness {
 public:
  VerilatedHarness(const HarnessOptions& options, uint32_t lanes)
      : options_(options),
        context_(std::make_unique<VerilatedContext>()),
        rng_(options.seed),
        stall_(options.stall_probability > 0.0 ? options.stall_probability : 0.0) {
    context_->randReset(0);  // deterministic initial values
    model_ = std::make_unique<V>(context_.get(), "engine");
    lanes_ = lanes;
    in_.resize(lanes_);
    out_.resize(lanes_);
    presenting_.assign(lanes_, false);
    mid_frame_.assign(lanes_, false);
    clear_axil();
    reset(16);
  }
  ~VerilatedHarness() override {
    if (model_) model_->final();
  }

  uint32_t lanes() const override { return lanes_; }

  void reset(uint32_t cycles) override {
    for (auto& q : in_) q.clear();
    for (auto& q : out_) q.clear();
    presenting_.assign(lanes_, false);
    mid_frame_.assign(lanes_, false);
    clear_axil();
    model_->rst_ni = 0;
    for (uint32_t i = 0; i < cycles; ++i) tick();
    model_->rst_ni = 1;
    tick();
  }

  void tick() override {
    V& m = *model_;
    // Drive the stream inputs for this cycle. A presented beat stays until accepted (AXI4-Stream
    // rule); a stall only delays the presentation of the next one.
    for (uint32_t l = 0; l < lanes_; ++l) {
      if (!presenting_[l] && !in_[l].empty() && !stall()) presenting_[l] = true;
      bits::put(m.s_axis_tvalid_i, l, 1, presenting_[l] ? 1 : 0);
      if (presenting_[l]) {
        const Beat& b = in_[l].front();
        bits::put_bytes(m.s_axis_tdata_i, l * kBeatBytes, b.data.data(), kBeatBytes);
        bits::put(m.s_axis_tkeep_i, l * 16, 16, b.keep);
        bits::put(m.s_axis_tlast_i, l, 1, b.last ? 1 : 0);
        bits::put(m.s_axis_tuser_i, l * 64, 64, b.user);
      }
      bits::put(m.m_axis_tready_i, l, 1, stall() ? 0 : 1);
    }
    m.clk_i = 0;
    m.eval();
    // Sample the handshakes just before the edge.
    in_fire_.assign(lanes_, false);
    out_fire_.assign(lanes_, false);
    for (uint32_t l = 0; l < lanes_; ++l) {
      in_fire_[l] = presenting_[l] && bits::get(m.s_axis_tready_o, l, 1);
      if (bits::get(m.m_axis_tvalid_o, l, 1) && bits::get(m.m_axis_tready_i, l, 1)) {
        out_fire_[l] = true;
        Beat b;
        bits::get_bytes(m.m_axis_tdata_o, l * kBeatBytes, b.data.data(), kBeatBytes);
        b.keep = static_cast<uint16_t>(bits::get(m.m_axis_tkeep_o, l * 16, 16));
        b.last = bits::get(m.m_axis_tlast_o, l, 1) != 0;
        b.user = bits::get(m.m_axis_tuser_o, l * 48, 48);
        out_[l].push_back(b);
      }
    }
    axil_sample();
    m.clk_i = 1;
    m.eval();
    ++cycles_;
    context_->timeInc(1);
    for (uint32_t l = 0; l < lanes_; ++l) {
      if (in_fire_[l]) {
        mid_frame_[l] = !in_[l].front().last;
        in_[l].pop_front();
        presenting_[l] = false;
        last_in_ = cycles_;
      }
      if (out_fire_[l]) last_out_ = cycles_;
    }
  }

  uint64_t cycles() const override { return cycles_; }

  void push_input(uint32_t lane, const Beat& beat) override { in_.at(lane).push_back(beat); }
  size_t input_pending(uint32_t lane) const override { return in_.at(lane).size(); }
  void clear_input(uint32_t lane) override {
    auto& q = in_.at(lane);
    if (!mid_frame_[lane] && !presenting_[lane]) {
      q.clear();
      return;
    }
    auto end = q.begin();
    while (end != q.end() && !end->last) ++end;
    if (end != q.end()) ++end;
    q.erase(end, q.end());
  }
  std::optional<Beat> pop_output(uint32_t lane) override {
    auto& q = out_.at(lane);
    if (q.empty()) return std::nullopt;
    Beat b = q.front();
    q.pop_front();
    return b;
  }
  size_t output_pending(uint32_t lane) const override { return out_.at(lane).size(); }
  uint64_t last_input_cycle() const override { return last_in_; }
  uint64_t last_output_cycle() const override { return last_out_; }
  uint64_t bus_faults() const override { return bus_faults_; }

  uint32_t read32(uint32_t offset) override {
    V& m = *model_;
    m.s_axil_araddr_i = static_cast<uint16_t>(offset & 0xFFFu);
    m.s_axil_arvalid_i = 1;
    m.s_axil_rready_i = 1;
    ar_done_ = false;
    r_done_ = false;
    for (uint32_t i = 0; i < options_.axil_timeout_cycles && !r_done_; ++i) {
      tick();
      if (ar_done_) m.s_axil_arvalid_i = 0;
    }
    m.s_axil_arvalid_i = 0;
    m.s_axil_rready_i = 0;
    if (!r_done_) {
      fault("read", offset);
      return 0xFFFFFFFFu;
    }
    if (r_resp_ != 0) fault("read (SLVERR)", offset);
    return r_data_;
  }

  void write32(uint32_t offset, uint32_t value) override {
    V& m = *model_;
    m.s_axil_awaddr_i = static_cast<uint16_t>(offset & 0xFFFu);
    m.s_axil_awvalid_i = 1;
    m.s_axil_wdata_i = value;
    m.s_axil_wstrb_i = 0xF;
    m.s_axil_wvalid_i = 1;
    m.s_axil_bready_i = 1;
    aw_done_ = false;
    w_done_ = false;
    b_done_ = false;
    for (uint32_t i = 0; i < options_.axil_timeout_cycles && !b_done_; ++i) {
      tick();
      if (aw_done_) m.s_axil_awvalid_i = 0;
      if (w_done_) m.s_axil_wvalid_i = 0;
    }
    m.s_axil_awvalid_i = 0;
    m.s_axil_wvalid_i = 0;
    m.s_axil_bready_i = 0;
    if (!b_done_) {
      fault("write", offset);
    } else if (b_resp_ != 0) {
      fault("write (SLVERR)", offset);
    }
  }

 private:
  bool stall() { return stall_ > 0.0 && std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < stall_; }

  void clear_axil() {
    V& m = *model_;
    m.s_axil_awvalid_i = 0;
    m.s_axil_wvalid_i = 0;
    m.s_axil_bready_i = 0;
    m.s_axil_arvalid_i = 0;
    m.s_axil_rready_i = 0;
    m.s_axil_wstrb_i = 0;
  }

  // AXI4-Lite handshakes, sampled before the rising edge like the stream handshakes.
  void axil_sample() {
    V& m = *model_;
    if (m.s_axil_awvalid_i && m.s_axil_awready_o) aw_done_ = true;
    if (m.s_axil_wvalid_i && m.s_axil_wready_o) w_done_ = true;
    if (m.s_axil_bready_i && m.s_axil_bvalid_o) {
      b_done_ = true;
      b_resp_ = m.s_axil_bresp_o;
    }
    if (m.s_axil_arvalid_i && m.s_axil_arready_o) ar_done_ = true;
    if (m.s_axil_rready_i && m.s_axil_rvalid_o) {
      r_done_ = true;
      r_data_ = m.s_axil_rdata_o;
      r_resp_ = m.s_axil_rresp_o;
    }
  }

  void fault(const char* what, uint32_t offset) {
    ++bus_faults_;
    std::fprintf(stderr, "sim: AXI4-Lite %s at 0x%03x failed (no response within %u cycles or error response)\n", what,
                 offset, options_.axil_timeout_cycles);
  }

  HarnessOptions options_;
  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<V> model_;
  std::mt19937_64 rng_;
  double stall_;
  uint32_t lanes_ = 1;
  uint64_t cycles_ = 0;
  uint64_t last_in_ = 0;
  uint64_t last_out_ = 0;
  uint64_t bus_faults_ = 0;
  std::vector<std::deque<Beat>> in_;
  std::vector<std::deque<Beat>> out_;
  std::vector<bool> presenting_;
  std::vector<bool> mid_frame_;  // the last accepted beat was not a frame's last
  std::vector<bool> in_fire_;
  std::vector<bool> out_fire_;
  bool aw_done_ = false, w_done_ = false, b_done_ = false, ar_done_ = false, r_done_ = false;
  uint32_t b_resp_ = 0, r_resp_ = 0, r_data_ = 0;
};

}  // namespace mediasec::sim
