// gf128_mul_pipe and ghash against the bitwise GCM multiply and a direct GHASH.
#include <gtest/gtest.h>

#include <deque>
#include <memory>

#include "Vgf128_mul_pipe.h"
#include "Vghash.h"
#include "tests/rtl/crypto/tb_util.h"

namespace mediasec::tb {
namespace {

template <typename Dut>
void Tick(Dut& d) {
  d.clk_i = 1;
  d.eval();
  d.clk_i = 0;
  d.eval();
}

template <typename Dut>
void Reset(Dut& d) {
  d.rst_ni = 0;
  d.clk_i = 0;
  d.in_valid_i = 0;
  d.eval();
  Tick(d);
  d.rst_ni = 1;
  Tick(d);
}

TEST(GfPipeTest, RandomWithStallsAndSpecialCases) {
  VerilatedContext ctx;
  Vgf128_mul_pipe dut(&ctx);
  dut.en_i = 0;
  Reset(dut);
  std::mt19937_64 rng(21);
  struct Op {
    Block a, b;
    uint32_t user;
  };
  std::vector<Op> ops;
  Block one{};
  one[0] = 0x80;
  Block all{};
  all.fill(0xff);
  const Block x = RandomBlock(rng);
  for (const auto& [a, b] :
       std::vector<std::pair<Block, Block>>{{x, one}, {one, x}, {x, Block{}}, {Block{}, x}, {all, all}, {one, one}}) {
    ops.push_back({a, b, 0});
  }
  const int n = Scaled(5000, 100);
  for (int i = 0; i < n; ++i) ops.push_back({RandomBlock(rng), RandomBlock(rng), static_cast<uint32_t>(i)});
  std::deque<const Op*> expect;
  size_t next = 0, done = 0;
  int cycles = 0;
  while (done < ops.size() && cycles < 10 * n + 1000) {
    const bool en = (rng() % 4) != 0;
    const bool send = next < ops.size() && (rng() % 5) != 0;
    dut.en_i = en;
    dut.in_valid_i = send;
    const Op& op = send ? ops[next] : ops[0];
    PutBytes(dut.a_i, op.a, 16);
    PutBytes(dut.b_i, op.b, 16);
    dut.in_user_i = op.user & 1;
    dut.eval();
    if (en && dut.out_valid_o) {
      ASSERT_FALSE(expect.empty());
      const Op* e = expect.front();
      expect.pop_front();
      ASSERT_EQ(GetBlockAt(dut.p_o), GfMul(e->a, e->b)) << "op " << done;
      ASSERT_EQ(dut.out_user_o, e->user & 1);
      ++done;
    }
    if (en && send) expect.push_back(&ops[next++]);
    Tick(dut);
    ++cycles;
  }
  EXPECT_EQ(done, ops.size());
}

Block Ghash(const Block& h, const std::vector<Block>& blocks) {
  Block y{};
  for (const auto& b : blocks) {
    for (int i = 0; i < 16; ++i) y[i] ^= b[i];
    y = GfMul(y, h);
  }
  return y;
}

TEST(GhashTest, RandomRecordsBackToBackAndWithGaps) {
  VerilatedContext ctx;
  Vghash dut(&ctx);
  Reset(dut);
  std::mt19937_64 rng(22);
  struct Rec {
    Block h;
    std::array<Block, 4> pow;
    std::vector<Block> blocks;
  };
  std::vector<Rec> recs;
  const int n = Scaled(300, 20);
  for (int r = 0; r < n; ++r) {
    Rec rec;
    rec.h = RandomBlock(rng);
    rec.pow[0] = rec.h;
    for (int i = 1; i < 4; ++i) rec.pow[i] = GfMul(rec.pow[i - 1], rec.h);
    const size_t len = (r < 12) ? static_cast<size_t>(r + 1) : 1 + rng() % 80;
    for (size_t i = 0; i < len; ++i) rec.blocks.push_back(RandomBlock(rng));
    recs.push_back(std::move(rec));
  }
  for (int pass = 0; pass < 2; ++pass) {  // pass 0 back to back, pass 1 with random gaps
    size_t r = 0, b = 0, done = 0;
    int cycles = 0;
    while (done < recs.size() && cycles < 100000) {
      const bool send = r < recs.size() && (pass == 0 || rng() % 3 != 0);
      dut.in_valid_i = send;
      dut.in_start_i = 0;
      if (send) {
        const Rec& rec = recs[r];
        dut.in_start_i = b == 0;
        dut.in_nblocks_i = static_cast<uint32_t>(rec.blocks.size());
        for (int i = 0; i < 4; ++i) PutBlockAt(dut.in_hpow_i, rec.pow[i], 128 * i);
        PutBytes(dut.in_block_i, rec.blocks[b], 16);
        if (++b == rec.blocks.size()) {
          b = 0;
          ++r;
        }
      }
      dut.eval();
      if (dut.out_valid_o) {
        ASSERT_LT(done, recs.size());
        ASSERT_EQ(GetBlockAt(dut.out_ghash_o), Ghash(recs[done].h, recs[done].blocks))
            << "pass " << pass << " record " << done << " of " << recs[done].blocks.size() << " blocks";
        ++done;
      }
      Tick(dut);
      ++cycles;
    }
    EXPECT_EQ(done, recs.size());
  }
}

}  // namespace
}  // namespace mediasec::tb
