// Register-level control of the record engine, shared by the sim and xrt backends: identity, key
// slot commands (LOAD / ZEROIZE / READ), counters, the built-in self-test and reset, all through a
// RegisterBus. Every wait on STATUS.busy is bounded: a device that stays busy yields kDeviceError.
#pragma once

#include <cstdint>
#include <string>

#include "base/register_bus.h"
#include "base/result.h"
#include "drivers/device.h"

namespace mediasec::device {

class EngineControl {
 public:
  // `max_polls`: STATUS reads before a busy wait gives up.
  explicit EngineControl(RegisterBus& bus, uint32_t max_polls = 20000) : bus_(bus), max_polls_(max_polls) {}

  // Reads ID, VERSION, BUILD and CAPS. kDeviceError if ID is not ID_MAGIC or the major version differs.
  Result<Identity> read_identity(const std::string& backend);
  // Number of key slots (from CAPS; read_identity must have run once).
  uint32_t slots() const { return slots_; }

  Result<void> load_slot(uint32_t slot, const SlotConfig& config);
  Result<void> zeroize_slot(uint32_t slot);
  Result<SlotState> read_slot(uint32_t slot);
  Result<Counters> counters();
  Result<void> clear_counters();
  // CTRL.selftest, wait, then STATUS.selftest_pass.
  Result<void> hardware_self_test();
  // CTRL.reset: flush the lanes, zeroize every slot, clear the counters.
  Result<void> reset();
  // The engine's free-running cycle counter.
  uint64_t cycles();
  // Poll STATUS until busy is 0; returns the last STATUS value.
  Result<uint32_t> wait_idle(const char* what);

 private:
  Result<void> check_slot(uint32_t slot) const;
  Result<void> slot_command(uint32_t slot, regs::SlotCmd cmd, const char* what);
  uint64_t read64(uint32_t lo, uint32_t hi);

  RegisterBus& bus_;
  uint32_t max_polls_;
  uint32_t slots_ = 0;
};

}  // namespace mediasec::device
