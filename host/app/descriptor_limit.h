// The process's open file descriptors against its limit. mediasecd holds two per TCP or TLS
// bearer (the access and the core connection) and one per UDP bearer, so the soft limit most
// systems start a service with (1,024) would hold a few hundred sessions: the daemon raises it to
// the hard limit at start, and reports both figures (status, metrics).
#pragma once

#include <cstdint>
#include <optional>

#include "base/result.h"

namespace mediasec::app {

struct DescriptorLimit {
  uint64_t soft = 0;  // in force: opening more fails with EMFILE
  uint64_t hard = 0;  // the most the soft limit may be raised to
};

// Raises the soft limit to the hard one; returns the limits now in force.
Result<DescriptorLimit> raise_descriptor_limit();
// The limits as they are.
Result<DescriptorLimit> descriptor_limit();
// How many descriptors the process has open now (from /proc/self/fd); nullopt when that cannot
// be listed (with none left to list it with, say).
std::optional<uint64_t> open_descriptors();

}  // namespace mediasec::app
