// sim backend: the Verilated RTL (rtl/top/mediasec_engine.sv) driven in-process through its
// AXI4-Lite register port and AXI4-Stream lanes, exactly as the card's host interface is.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "drivers/device.h"

namespace mediasec::device {

struct SimOptions {
  uint32_t lanes = 1;              // a model verilated with this many lanes must be built (1 and 4)
  double stall_probability = 0.0;  // per beat: input tvalid held low / output tready held low
  uint64_t seed = 1;               // for the stalls
};

Result<std::unique_ptr<Device>> open_sim_device(const SimOptions& options);

}  // namespace mediasec::device
