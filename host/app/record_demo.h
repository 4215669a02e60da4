// A short, printed walk through the device: self-test, key slots, protect/unprotect, a tampered
// record, counters. What `make run` shows a newcomer until the media plane lands.
#pragma once

#include <ostream>

#include "drivers/device.h"

namespace mediasec::app {

// Returns true when every step behaved as expected.
bool run_record_demo(device::Device& device, std::ostream& out);

}  // namespace mediasec::app
