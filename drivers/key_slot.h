// RAII ownership of device key slots: a KeySlot is loaded on creation and zeroized and returned
// to its pool on destruction, so no key outlives the session that owns it.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "drivers/device.h"

namespace mediasec::device {

class SlotPool;

class KeySlot {
 public:
  KeySlot() = default;
  KeySlot(KeySlot&& other) noexcept;
  KeySlot& operator=(KeySlot&& other) noexcept;
  KeySlot(const KeySlot&) = delete;
  KeySlot& operator=(const KeySlot&) = delete;
  ~KeySlot();

  bool valid() const { return pool_ != nullptr; }
  uint32_t index() const { return index_; }

 private:
  friend class SlotPool;
  KeySlot(SlotPool* pool, uint32_t index) : pool_(pool), index_(index) {}
  void release();

  SlotPool* pool_ = nullptr;
  uint32_t index_ = 0;
};

// Hands out the slots of one device. Must outlive every KeySlot it issued.
class SlotPool {
 public:
  explicit SlotPool(Device& device);

  // Takes a free slot and loads it. The config is wiped by the caller, not here.
  Result<KeySlot> acquire(const SlotConfig& config);
  size_t free_slots() const;
  Device& device() { return device_; }

 private:
  friend class KeySlot;
  void give_back(uint32_t index);

  Device& device_;
  mutable std::mutex mu_;
  std::vector<uint32_t> free_;
};

}  // namespace mediasec::device
