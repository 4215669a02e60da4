// aes_pipeline against FIPS-197 vectors and OpenSSL AES-ECB, with per-block key changes,
// random input gaps and random stalls of the advance enable.
#include <gtest/gtest.h>

#include <deque>
#include <memory>

#include "Vaes_pipeline.h"
#include "tests/rtl/crypto/tb_util.h"

namespace mediasec::tb {
namespace {

constexpr int kLatency = 15;

struct Job {
  std::vector<uint8_t> key;
  Block in;
  uint64_t user;
};

class AesPipelineTest : public ::testing::Test {
 protected:
  AesPipelineTest() : dut_(std::make_unique<Vaes_pipeline>(&ctx_)) {
    dut_->rst_ni = 0;
    dut_->clk_i = 0;
    dut_->en_i = 0;
    dut_->in_valid_i = 0;
    dut_->eval();
    Tick();
    dut_->rst_ni = 1;
    Tick();
  }
  ~AesPipelineTest() override { dut_->final(); }

  void Tick() {
    dut_->clk_i = 1;
    dut_->eval();
    dut_->clk_i = 0;
    dut_->eval();
  }

  void Drive(const Job& j) {
    std::array<uint8_t, 32> k{};
    std::copy(j.key.begin(), j.key.end(), k.begin());
    PutBytes(dut_->in_key_i, k, 32);
    dut_->in_key256_i = j.key.size() == 32;
    PutBytes(dut_->in_block_i, j.in, 16);
    dut_->in_user_i = j.user;
  }

  // Streams `jobs` with the given probabilities of an input gap and of a stall; checks every
  // output against OpenSSL in order. Returns the cycles used.
  int Run(const std::vector<Job>& jobs, double gap, double stall, std::mt19937_64& rng) {
    std::uniform_real_distribution<double> u(0, 1);
    std::deque<const Job*> expect;
    size_t next = 0;
    size_t done = 0;
    int cycles = 0;
    while (done < jobs.size()) {
      const bool en = u(rng) >= stall;
      const bool send = next < jobs.size() && u(rng) >= gap;
      dut_->en_i = en;
      dut_->in_valid_i = send;
      if (send)
        Drive(jobs[next]);
      else
        Drive(Job{std::vector<uint8_t>(16, 0xee), RandomBlock(rng), 0xdead});
      dut_->eval();
      if (en && dut_->out_valid_o) {
        EXPECT_FALSE(expect.empty());
        if (expect.empty()) return cycles;
        const Job* j = expect.front();
        expect.pop_front();
        EXPECT_EQ(GetBlockAt(dut_->out_block_o), AesEcb(j->key, j->in)) << "block " << done;
        EXPECT_EQ(dut_->out_user_o, j->user);
        ++done;
      }
      if (en && send) expect.push_back(&jobs[next++]);
      Tick();
      ++cycles;
      if (cycles > 100 * static_cast<int>(jobs.size()) + 1000) {
        ADD_FAILURE() << "stuck";
        return cycles;
      }
    }
    return cycles;
  }

  VerilatedContext ctx_;
  std::unique_ptr<Vaes_pipeline> dut_;
};

TEST_F(AesPipelineTest, Fips197AppendixC) {
  const auto pt = FromHex("00112233445566778899aabbccddeeff");
  Job a{FromHex("000102030405060708090a0b0c0d0e0f"), {}, 1};
  Job b{FromHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"), {}, 2};
  std::copy(pt.begin(), pt.end(), a.in.begin());
  std::copy(pt.begin(), pt.end(), b.in.begin());
  // Back to back, then measure the latency of one block.
  dut_->en_i = 1;
  dut_->in_valid_i = 1;
  Drive(a);
  Tick();
  Drive(b);
  Tick();
  dut_->in_valid_i = 0;
  int latency = 2;
  while (!dut_->out_valid_o && latency < 40) {
    Tick();
    ++latency;
  }
  EXPECT_EQ(latency, kLatency);
  EXPECT_EQ(ToHex(GetBlockAt(dut_->out_block_o)), "69c4e0d86a7b0430d8cdb78070b4c55a");
  EXPECT_EQ(dut_->out_user_o, 1u);
  Tick();
  ASSERT_TRUE(dut_->out_valid_o);
  EXPECT_EQ(ToHex(GetBlockAt(dut_->out_block_o)), "8ea2b7ca516745bfeafc49904b496089");
  EXPECT_EQ(dut_->out_user_o, 2u);
  Tick();
  EXPECT_FALSE(dut_->out_valid_o);
}

std::vector<Job> RandomJobs(int n, std::mt19937_64& rng) {
  std::vector<Job> jobs;
  std::vector<uint8_t> key(16);
  for (int i = 0; i < n; ++i) {
    if (i == 0 || rng() % 3 == 0) {  // keep some keys for several blocks, change others per block
      key.resize(rng() % 2 ? 32 : 16);
      for (auto& c : key) c = static_cast<uint8_t>(rng());
    }
    jobs.push_back(Job{key, RandomBlock(rng), rng() & 0xffffffffffull});
  }
  return jobs;
}

TEST_F(AesPipelineTest, RandomFullRate) {
  std::mt19937_64 rng(11);
  const auto jobs = RandomJobs(Scaled(2000, 50), rng);
  const int cycles = Run(jobs, 0.0, 0.0, rng);
  EXPECT_LE(cycles, static_cast<int>(jobs.size()) + kLatency);
}

TEST_F(AesPipelineTest, RandomGapsAndStalls) {
  std::mt19937_64 rng(12);
  const auto jobs = RandomJobs(Scaled(2000, 50), rng);
  Run(jobs, 0.3, 0.3, rng);
}

}  // namespace
}  // namespace mediasec::tb
