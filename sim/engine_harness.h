// A clocked harness around a Verilated mediasec_engine: reset, clock, AXI4-Lite register access and
// per-lane AXI4-Stream beat queues with optional random stalls.
//
// The interface does not depend on the lane count: one implementation exists per Verilated model
// (see engine_harness_impl.h), and make_engine_harness() picks the one verilated with the lanes asked
// for. Everything advances only inside tick(): register accesses tick the clock too, so the stream
// lanes keep moving while the host talks to the registers, as they would on a card.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "base/register_bus.h"
#include "base/result.h"

namespace mediasec::sim {

inline constexpr uint32_t kBeatBytes = 16;

// One AXI4-Stream beat: byte i of the beat is tdata[8i+7:8i] and tkeep[i].
struct Beat {
  std::array<uint8_t, kBeatBytes> data{};
  uint16_t keep = 0;
  bool last = false;
  uint64_t user = 0;  // input: in_user (64 bits); output: out_user (48 bits)
};

struct HarnessOptions {
  double stall_probability = 0.0;  // per cycle: input tvalid held low / output tready held low
  uint64_t seed = 1;
  // Clocks an AXI4-Lite transaction may take before the harness gives up (bus_faults() counts them).
  uint32_t axil_timeout_cycles = 10000;
};

class EngineHarness : public RegisterBus {
 public:
  ~EngineHarness() override = default;

  virtual uint32_t lanes() const = 0;
  // Hold rst_ni low for `cycles` clocks, then release it. Clears the stream queues.
  virtual void reset(uint32_t cycles = 16) = 0;
  // One rising clock edge with the streams driven from / collected into the queues.
  virtual void tick() = 0;
  void run(uint64_t cycles) {
    for (uint64_t i = 0; i < cycles; ++i) tick();
  }
  // Rising edges since construction.
  virtual uint64_t cycles() const = 0;

  // Input: beats queued per lane and presented in order (tvalid held until accepted).
  virtual void push_input(uint32_t lane, const Beat& beat) = 0;
  // Beats queued or presented on a lane and not yet accepted by the engine.
  virtual size_t input_pending(uint32_t lane) const = 0;
  // Drop queued input frames the engine has not started on. A frame already partly accepted keeps
  // its remaining beats (AXI4-Stream cannot take a frame back), so the lane stays frame-aligned.
  virtual void clear_input(uint32_t lane) = 0;
  // Output: beats the engine has delivered, in order.
  virtual std::optional<Beat> pop_output(uint32_t lane) = 0;
  virtual size_t output_pending(uint32_t lane) const = 0;
  // Cycle of the last input handshake / output handshake on any lane (0: none yet).
  virtual uint64_t last_input_cycle() const = 0;
  virtual uint64_t last_output_cycle() const = 0;

  // AXI4-Lite transactions that did not complete within axil_timeout_cycles or returned SLVERR.
  virtual uint64_t bus_faults() const = 0;
};

// Split one frame into beats: packed, the last beat's tkeep a low run of ones, tlast on it; an empty
// frame is one beat with tkeep = 0. Every beat carries `user`.
std::vector<Beat> to_beats(std::span<const uint8_t> bytes, uint64_t user);
// Append the bytes a beat keeps (tkeep bit i set: byte i) to `out`.
void append_kept(const Beat& beat, std::vector<uint8_t>& out);

// The lane counts this build verilated, ascending.
std::vector<uint32_t> built_lane_counts();

// A harness on a fresh model with `lanes` lanes, already reset. kUnavailable if no such model was built.
Result<std::unique_ptr<EngineHarness>> make_engine_harness(uint32_t lanes, const HarnessOptions& options);

}  // namespace mediasec::sim
