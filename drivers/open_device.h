// Open a device backend from a short spec string, as given on a command line or in a config file:
//   "sw"                                  OpenSSL reference model (default)
//   "sim[:lanes=N][,stall=P][,seed=S]"    Verilated RTL; stall = probability of a stream stall per beat
//   "xrt[:index=N][,xclbin=PATH]"         Alveo card through XRT
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/device.h"

namespace mediasec::device {

Result<std::unique_ptr<Device>> open_device(std::string_view spec);

// The spec's syntax and options, checked without opening anything (mediasecd --check): an unknown
// backend, option or a malformed value is an error; a card that is absent here is not.
Result<void> check_device_spec(std::string_view spec);

// Backends compiled into this build, in the order an operator should consider them.
std::vector<std::string> compiled_backends();

}  // namespace mediasec::device
