#include "drivers/key_slot.h"

#include <utility>

namespace mediasec::device {

KeySlot::KeySlot(KeySlot&& other) noexcept : pool_(std::exchange(other.pool_, nullptr)), index_(other.index_) {}

KeySlot& KeySlot::operator=(KeySlot&& other) noexcept {
  if (this != &other) {
    release();
    pool_ = std::exchange(other.pool_, nullptr);
    index_ = other.index_;
  }
  return *this;
}

KeySlot::~KeySlot() { release(); }

void KeySlot::release() {
  if (pool_ != nullptr) std::exchange(pool_, nullptr)->give_back(index_);
}

SlotPool::SlotPool(Device& device) : device_(device) {
  const uint32_t n = device.identity().key_slots;
  free_.reserve(n);
  for (uint32_t i = n; i > 0; --i) free_.push_back(i - 1);  // hand out low indices first
}

Result<KeySlot> SlotPool::acquire(const SlotConfig& config) {
  uint32_t index = 0;
  {
    std::lock_guard lock(mu_);
    if (free_.empty()) return make_error(ErrorCode::kBusy, "all key slots are in use");
    index = free_.back();
    free_.pop_back();
  }
  if (auto r = device_.load_slot(index, config); !r) {
    give_back(index);
    return r.error();
  }
  return KeySlot(this, index);
}

size_t SlotPool::free_slots() const {
  std::lock_guard lock(mu_);
  return free_.size();
}

void SlotPool::give_back(uint32_t index) {
  // Zeroize before the slot can be handed out again; a failure leaves it out of the pool.
  if (!device_.zeroize_slot(index)) return;
  std::lock_guard lock(mu_);
  free_.push_back(index);
}

}  // namespace mediasec::device
