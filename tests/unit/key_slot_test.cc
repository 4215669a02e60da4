// KeySlot: a slot is loaded while owned and zeroized the moment its owner lets go.
#include <gtest/gtest.h>

#include <vector>

#include "drivers/key_slot.h"
#include "drivers/open_device.h"

namespace mediasec::device {
namespace {

SlotConfig Config() {
  SlotConfig c;
  c.framing = Framing::kTls13;
  c.key[0] = 1;
  c.sequence = 42;
  return c;
}

TEST(KeySlot, ZeroizedWhenDestroyedAndReturnedToThePool) {
  auto dev = open_device("sw:slots=4");
  ASSERT_TRUE(dev.ok());
  SlotPool pool(**dev);
  uint32_t index = 0;
  {
    auto slot = pool.acquire(Config());
    ASSERT_TRUE(slot.ok());
    index = slot->index();
    EXPECT_EQ(pool.free_slots(), 3u);
    auto st = (*dev)->read_slot(index);
    ASSERT_TRUE(st.ok());
    EXPECT_TRUE(st->valid);
    EXPECT_EQ(st->sequence, 42u);
  }
  auto st = (*dev)->read_slot(index);
  ASSERT_TRUE(st.ok());
  EXPECT_FALSE(st->valid);
  EXPECT_EQ(st->sequence, 0u);
  EXPECT_EQ(pool.free_slots(), 4u);
}

TEST(KeySlot, PoolExhaustionIsBusyAndMovesTransferOwnership) {
  auto dev = open_device("sw:slots=2");
  ASSERT_TRUE(dev.ok());
  SlotPool pool(**dev);
  std::vector<KeySlot> held;
  for (int i = 0; i < 2; ++i) {
    auto s = pool.acquire(Config());
    ASSERT_TRUE(s.ok());
    held.push_back(std::move(s).value());
  }
  auto none = pool.acquire(Config());
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kBusy);
  KeySlot moved = std::move(held[0]);
  EXPECT_FALSE(held[0].valid());
  EXPECT_TRUE(moved.valid());
  EXPECT_TRUE((*dev)->read_slot(moved.index())->valid);
  held.clear();  // the moved-from slot releases nothing; the other one is zeroized
  EXPECT_EQ(pool.free_slots(), 1u);
  moved = KeySlot();
  EXPECT_EQ(pool.free_slots(), 2u);
}

}  // namespace
}  // namespace mediasec::device
