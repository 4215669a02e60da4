#include "drivers/xrt/xrt_device.h"

#include <experimental/xrt_ip.h>
#include <xrt/xrt_bo.h>
#include <xrt/xrt_device.h>
#include <xrt/xrt_uuid.h>

#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <utility>

#include "base/register_bus.h"
#include "drivers/engine_control.h"
#include "drivers/record_format.h"

namespace mediasec::device {
namespace {

// Name of the user-managed RTL kernel (rtl/top/mediasec_engine.sv packaged for Vitis).
constexpr const char* kKernelName = "mediasec_engine";
// Record buffers: one job's largest input or output frame, times the jobs a batch may carry.
constexpr size_t kFrameBytes = 1u << 15;
constexpr size_t kBatchJobs = 64;

std::string no_card_message(unsigned index, const std::string& detail) {
  std::string xrt_env;
  if (const char* env = std::getenv("XILINX_XRT"); env != nullptr) {
    xrt_env = std::string("XILINX_XRT=") + env;
  } else {
    xrt_env = "XILINX_XRT not set";
  }
  return "no Alveo card usable at XRT device index " + std::to_string(index) + " (" + xrt_env +
         "; XRT says: " + detail + "); use --backend sw (OpenSSL) or sim (Verilator model)";
}

// The engine's AXI4-Lite registers through xrt::ip. XRT reports failures with exceptions; a
// register access that throws reads as all ones and is counted, so EngineControl sees a bad ID or
// a busy timeout rather than an exception.
class XrtRegisterBus final : public RegisterBus {
 public:
  explicit XrtRegisterBus(xrt::ip ip) : ip_(std::move(ip)) {}
  uint32_t read32(uint32_t offset) override {
    try {
      return ip_.read_register(offset);
    } catch (const std::exception&) {
      ++faults_;
      return 0xFFFFFFFFu;
    }
  }
  void write32(uint32_t offset, uint32_t value) override {
    try {
      ip_.write_register(offset, value);
    } catch (const std::exception&) {
      ++faults_;
    }
  }
  uint64_t faults() const { return faults_; }

 private:
  xrt::ip ip_;
  uint64_t faults_ = 0;
};

// The record data path on a card: jobs are packed into an input buffer object as frames
// (tuser word + bytes, 16-byte aligned), synced to the card, streamed into the engine lanes by the
// shell's DMA kernels, and the output frames come back through a second buffer object. The buffers
// are allocated here so that a card run exercises allocation and sync; moving frames through the
// DMA kernels needs the xclbin's stream connectivity and is not implemented yet (see docs/sim.md).
struct XrtBuffers {
  xrt::bo input;
  xrt::bo output;
};

class XrtDevice final : public Device {
 public:
  XrtDevice(xrt::device device, xrt::uuid uuid, xrt::ip ip, std::optional<XrtBuffers> buffers)
      : device_(std::move(device)),
        uuid_(std::move(uuid)),
        bus_(std::move(ip)),
        control_(bus_),
        buffers_(std::move(buffers)) {}

  Result<void> init() {
    auto id = control_.read_identity("xrt");
    if (!id) return id.error();
    identity_ = std::move(id.value());
    return ok_result();
  }

  const Identity& identity() const override { return identity_; }
  Result<void> load_slot(uint32_t slot, const SlotConfig& config) override { return control_.load_slot(slot, config); }
  Result<void> zeroize_slot(uint32_t slot) override { return control_.zeroize_slot(slot); }
  Result<SlotState> read_slot(uint32_t slot) override { return control_.read_slot(slot); }
  Result<Counters> counters() override { return control_.counters(); }
  Result<void> self_test() override { return control_.hardware_self_test(); }
  Result<void> reset() override { return control_.reset(); }

  Result<void> submit(std::vector<Job>&& /*jobs*/) override {
    return make_error(ErrorCode::kUnimplemented,
                      "xrt backend: the record data path (frames through xrt::bo and the stream DMA kernels) is not "
                      "implemented yet; registers, slots, counters and self-test work");
  }
  std::vector<Completion> poll(size_t /*max_completions*/) override { return {}; }
  size_t in_flight() const override { return 0; }

 private:
  xrt::device device_;
  xrt::uuid uuid_;
  XrtRegisterBus bus_;
  EngineControl control_;
  std::optional<XrtBuffers> buffers_;
  Identity identity_;
};

}  // namespace

Result<std::unique_ptr<Device>> open_xrt_device(const XrtOptions& options) {
  try {
    xrt::device device(options.index);
    xrt::uuid uuid = options.xclbin.empty() ? device.get_xclbin_uuid() : device.load_xclbin(options.xclbin);
    xrt::ip ip(device, uuid, kKernelName);
    std::optional<XrtBuffers> buffers;
    try {
      // Memory group 0: the first bank the xclbin connects; a packaged kernel names its own.
      buffers = XrtBuffers{xrt::bo(device, kFrameBytes * kBatchJobs, xrt::bo::flags::normal, 0),
                           xrt::bo(device, kFrameBytes * kBatchJobs, xrt::bo::flags::normal, 0)};
    } catch (const std::exception&) {
      buffers.reset();  // registers still work without the data path
    }
    auto dev = std::make_unique<XrtDevice>(std::move(device), std::move(uuid), std::move(ip), std::move(buffers));
    if (auto r = dev->init(); !r) return r.error();
    return std::unique_ptr<Device>(std::move(dev));
  } catch (const std::exception& e) {
    const std::string what = e.what();
    if (what.find("Could not open device") != std::string::npos || what.find("XILINX_XRT") != std::string::npos ||
        what.find("No such library") != std::string::npos || what.find("No devices found") != std::string::npos) {
      return make_error(ErrorCode::kUnavailable, no_card_message(options.index, what));
    }
    return make_error(ErrorCode::kDeviceError, "xrt: opening device " + std::to_string(options.index) +
                                                   (options.xclbin.empty() ? "" : " with " + options.xclbin) +
                                                   " failed: " + what);
  } catch (...) {
    return make_error(ErrorCode::kUnavailable, no_card_message(options.index, "unknown exception"));
  }
}

}  // namespace mediasec::device
