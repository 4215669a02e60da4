// xrt backend: an Alveo card through XRT's native C++ API (xrt::device, xrt::ip, xrt::bo).
#pragma once

#include <memory>
#include <string>

#include "drivers/device.h"

namespace mediasec::device {

struct XrtOptions {
  unsigned index = 0;  // xrt::device index
  std::string xclbin;  // image to load; empty: use what the card already runs
};

Result<std::unique_ptr<Device>> open_xrt_device(const XrtOptions& options);

}  // namespace mediasec::device
