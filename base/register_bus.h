// 32-bit register access to an AXI4-Lite register port (the record engine's). The sim harness
// implements it with AXI4-Lite transactions on the Verilated model, the xrt backend with xrt::ip.
#pragma once

#include <cstdint>

namespace mediasec {

class RegisterBus {
 public:
  virtual ~RegisterBus() = default;
  virtual uint32_t read32(uint32_t offset) = 0;
  virtual void write32(uint32_t offset, uint32_t value) = 0;
};

}  // namespace mediasec
