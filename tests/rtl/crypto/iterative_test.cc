// aes_iterative and gf128_mul_serial against FIPS-197 / GCM known answers, OpenSSL and a
// bitwise GF(2^128) reference.
#include <gtest/gtest.h>

#include <memory>

#include "Vaes_iterative.h"
#include "Vgf128_mul_serial.h"
#include "tests/rtl/crypto/tb_util.h"

namespace mediasec::tb {
namespace {

class AesIterativeTest : public ::testing::Test {
 protected:
  AesIterativeTest() : dut_(std::make_unique<Vaes_iterative>(&ctx_)) {
    dut_->rst_ni = 0;
    dut_->clk_i = 0;
    dut_->start_i = 0;
    dut_->eval();
    Tick();
    dut_->rst_ni = 1;
    Tick();
  }
  ~AesIterativeTest() override { dut_->final(); }

  void Tick() {
    dut_->clk_i = 1;
    dut_->eval();
    dut_->clk_i = 0;
    dut_->eval();
  }

  // Runs one encryption; returns the result and the number of cycles from start to done.
  Block Encrypt(std::span<const uint8_t> key, const Block& in, int* cycles = nullptr) {
    std::array<uint8_t, 32> k{};
    std::copy(key.begin(), key.end(), k.begin());
    PutBytes(dut_->key_i, k, 32);
    dut_->key256_i = key.size() == 32;
    PutBytes(dut_->block_i, in, 16);
    dut_->start_i = 1;
    Tick();
    dut_->start_i = 0;
    EXPECT_TRUE(dut_->busy_o);
    int n = 1;
    while (!dut_->done_o) {
      Tick();
      ++n;
      if (n > 100) {
        ADD_FAILURE() << "no done_o";
        break;
      }
    }
    EXPECT_FALSE(dut_->busy_o);
    Block out = GetBlockAt(dut_->block_o);
    Tick();  // result held after done
    EXPECT_FALSE(dut_->done_o);
    EXPECT_EQ(GetBlockAt(dut_->block_o), out);
    if (cycles != nullptr) *cycles = n;
    return out;
  }

  VerilatedContext ctx_;
  std::unique_ptr<Vaes_iterative> dut_;
};

TEST_F(AesIterativeTest, Fips197AppendixC) {
  const auto pt = FromHex("00112233445566778899aabbccddeeff");
  Block in{};
  std::copy(pt.begin(), pt.end(), in.begin());
  int cycles = 0;
  const auto k128 = FromHex("000102030405060708090a0b0c0d0e0f");
  EXPECT_EQ(ToHex(Encrypt(k128, in, &cycles)), "69c4e0d86a7b0430d8cdb78070b4c55a");
  EXPECT_EQ(cycles, 11);
  const auto k256 = FromHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  EXPECT_EQ(ToHex(Encrypt(k256, in, &cycles)), "8ea2b7ca516745bfeafc49904b496089");
  EXPECT_EQ(cycles, 15);
  // H for the all-zero key (GCM spec test case 1/2).
  EXPECT_EQ(ToHex(Encrypt(std::vector<uint8_t>(16, 0), Block{})), "66e94bd4ef8a2c3b884cfa59ca342b2e");
}

TEST_F(AesIterativeTest, RandomAgainstOpenSsl) {
  std::mt19937_64 rng(1);
  const int n = Scaled(1000, 20);
  for (int i = 0; i < n; ++i) {
    std::vector<uint8_t> key((i & 1) ? 32 : 16);
    for (auto& c : key) c = static_cast<uint8_t>(rng());
    const Block in = RandomBlock(rng);
    ASSERT_EQ(Encrypt(key, in), AesEcb(key, in)) << "iteration " << i;
  }
}

TEST_F(AesIterativeTest, StartIgnoredWhileBusy) {
  const auto key = FromHex("000102030405060708090a0b0c0d0e0f");
  Block in{};
  std::array<uint8_t, 32> k{};
  std::copy(key.begin(), key.end(), k.begin());
  PutBytes(dut_->key_i, k, 32);
  dut_->key256_i = 0;
  PutBytes(dut_->block_i, in, 16);
  dut_->start_i = 1;
  Tick();
  std::mt19937_64 rng(5);
  PutBytes(dut_->block_i, RandomBlock(rng), 16);
  for (int i = 0; i < 9; ++i) Tick();  // start_i held high, new operands
  dut_->start_i = 0;
  Tick();
  ASSERT_TRUE(dut_->done_o);
  EXPECT_EQ(GetBlockAt(dut_->block_o), AesEcb(key, in));
}

class GfSerialTest : public ::testing::Test {
 protected:
  GfSerialTest() : dut_(std::make_unique<Vgf128_mul_serial>(&ctx_)) {
    dut_->rst_ni = 0;
    dut_->clk_i = 0;
    dut_->start_i = 0;
    dut_->eval();
    Tick();
    dut_->rst_ni = 1;
    Tick();
  }
  ~GfSerialTest() override { dut_->final(); }

  void Tick() {
    dut_->clk_i = 1;
    dut_->eval();
    dut_->clk_i = 0;
    dut_->eval();
  }

  Block Mul(const Block& a, const Block& b) {
    PutBytes(dut_->a_i, a, 16);
    PutBytes(dut_->b_i, b, 16);
    dut_->start_i = 1;
    Tick();
    dut_->start_i = 0;
    EXPECT_TRUE(dut_->busy_o);
    int n = 1;
    while (!dut_->done_o && n < 200) {
      Tick();
      ++n;
    }
    EXPECT_EQ(n, 129);
    Block p = GetBlockAt(dut_->p_o);
    Tick();
    EXPECT_EQ(GetBlockAt(dut_->p_o), p);
    return p;
  }

  VerilatedContext ctx_;
  std::unique_ptr<Vgf128_mul_serial> dut_;
};

TEST_F(GfSerialTest, KnownAnswers) {
  std::mt19937_64 rng(2);
  const Block x = RandomBlock(rng);
  Block one{};
  one[0] = 0x80;  // the field's 1 in GCM bit order
  EXPECT_EQ(Mul(x, one), x);
  EXPECT_EQ(Mul(one, x), x);
  EXPECT_EQ(Mul(x, Block{}), Block{});
  EXPECT_EQ(Mul(Block{}, x), Block{});
  // GCM spec test case 2: GHASH of one block C = 0388dace60b6a392f328c2b971b2fe78 with
  // H = 66e94bd4ef8a2c3b884cfa59ca342b2e gives X1 = C * H.
  Block c{}, h{};
  auto cv = FromHex("0388dace60b6a392f328c2b971b2fe78");
  auto hv = FromHex("66e94bd4ef8a2c3b884cfa59ca342b2e");
  std::copy(cv.begin(), cv.end(), c.begin());
  std::copy(hv.begin(), hv.end(), h.begin());
  EXPECT_EQ(ToHex(Mul(c, h)), "5e2ec746917062882c85b0685353deb7");
}

TEST_F(GfSerialTest, RandomAgainstReference) {
  std::mt19937_64 rng(3);
  const int n = Scaled(300, 10);
  for (int i = 0; i < n; ++i) {
    const Block a = RandomBlock(rng);
    const Block b = RandomBlock(rng);
    ASSERT_EQ(Mul(a, b), GfMul(a, b)) << "iteration " << i;
  }
}

}  // namespace
}  // namespace mediasec::tb
