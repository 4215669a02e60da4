// sw backend: the reference model of the record engine in OpenSSL EVP. Completes jobs at once.
#pragma once

#include <cstdint>
#include <memory>

#include "drivers/device.h"

namespace mediasec::device {

struct SwOptions {
  uint32_t key_slots = 1024;
};

Result<std::unique_ptr<Device>> open_sw_device(const SwOptions& options = {});

}  // namespace mediasec::device
