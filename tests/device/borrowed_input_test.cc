// A job that borrows its input (Job::borrowed_input) completes exactly like one that owns it, on
// every backend, both directions and every framing; the borrowed bytes are left untouched. A job
// that names where its plaintext goes (Job::output_into) gets it there (sw writes it there
// itself), and a record that fails leaves no plaintext there.
#include <gtest/gtest.h>

#include <random>

#include "tests/device/backends.h"

namespace mediasec::tb {
namespace {

class Borrowed : public ::testing::TestWithParam<std::string> {};

// One random key of `framing` in slots 1 and 2 (protect) and 3 and 4 (unprotect).
bool LoadOneKey(device::Device& dev, device::Framing framing, std::mt19937_64& rng) {
  device::SlotConfig c;
  c.framing = framing;
  c.epoch = 1;
  for (auto& k : c.key) k = static_cast<uint8_t>(rng());
  for (auto& v : c.iv) v = static_cast<uint8_t>(rng());
  for (uint32_t slot : {1u, 2u, 3u, 4u}) {
    c.direction = slot <= 2 ? device::Op::kProtect : device::Op::kUnprotect;
    if (!dev.load_slot(slot, c).ok()) return false;
  }
  return true;
}

TEST_P(Borrowed, SameCompletionAsAnOwnedInput) {
  auto dev = OpenOrFail(GetParam());
  ASSERT_TRUE(dev);
  std::mt19937_64 rng(TestSeed(21));
  for (auto framing : {device::Framing::kTls12, device::Framing::kTls13, device::Framing::kDtls12}) {
    ASSERT_TRUE(LoadOneKey(*dev, framing, rng));
    for (size_t n : {size_t{0}, size_t{1}, size_t{1000}, size_t{16384}}) {
      const Bytes plain = RandomBytes(rng, n);
      auto owned = dev->run(device::Job{1, 1, device::Op::kProtect, 23, 0, plain});
      device::Job b{2, 2, device::Op::kProtect, 23, 0, {}};
      b.borrowed_input = plain;
      auto borrowed = dev->run(std::move(b));
      ASSERT_TRUE(owned.ok() && borrowed.ok());
      EXPECT_EQ(borrowed->status, device::Status::kOk);
      EXPECT_EQ(borrowed->output, owned->output) << device::to_string(framing) << " " << n;
      const Bytes record = owned->output;
      auto opened_owned = dev->run(device::Job{3, 3, device::Op::kUnprotect, 0, 0, record});
      device::Job ub{4, 4, device::Op::kUnprotect, 0, 0, {}};
      ub.borrowed_input = record;
      auto opened_borrowed = dev->run(std::move(ub));
      ASSERT_TRUE(opened_owned.ok() && opened_borrowed.ok());
      EXPECT_EQ(opened_borrowed->status, device::Status::kOk);
      EXPECT_EQ(opened_borrowed->output, plain);
      EXPECT_EQ(record, owned->output) << "the borrowed bytes changed";
    }
  }
}

TEST_P(Borrowed, PlaintextGoesWhereTheJobSaysAndNowhereOnFailure) {
  auto dev = OpenOrFail(GetParam());
  ASSERT_TRUE(dev);
  std::mt19937_64 rng(TestSeed(22));
  for (auto framing : {device::Framing::kTls12, device::Framing::kTls13, device::Framing::kDtls12}) {
    ASSERT_TRUE(LoadOneKey(*dev, framing, rng));
    for (size_t n : {size_t{1}, size_t{1000}, size_t{16384}}) {
      const Bytes plain = RandomBytes(rng, n);
      for (bool tamper : {false, true}) {
        auto sealed = dev->run(device::Job{1, 1, device::Op::kProtect, 23, 0, plain});
        ASSERT_TRUE(sealed.ok());
        Bytes record = sealed->output;
        if (tamper) record[record.size() - 1] ^= 1;
        Bytes buffer(record.size(), 0xEE);
        device::Job job{2, 3, device::Op::kUnprotect, 0, 0, {}};
        job.borrowed_input = record;
        job.output_into = buffer;
        auto opened = dev->run(std::move(job));
        ASSERT_TRUE(opened.ok());
        const std::string what =
            std::string(device::to_string(framing)) + " " + std::to_string(n) + (tamper ? " tampered" : "");
        if (tamper) {
          EXPECT_EQ(opened->status, device::Status::kAuthFail) << what;
          EXPECT_FALSE(opened->wrote_into) << what;
          EXPECT_TRUE(opened->output.empty()) << what;
          EXPECT_NE(Bytes(buffer.begin(), buffer.begin() + static_cast<long>(n)), plain)
              << what << ": plaintext left behind";
          continue;
        }
        EXPECT_EQ(opened->status, device::Status::kOk) << what;
        if (GetParam() == "sw") {
          EXPECT_TRUE(opened->wrote_into) << "sw writes where it is told";
        }
        const Bytes got = opened->wrote_into
                              ? Bytes(buffer.begin(), buffer.begin() + static_cast<long>(opened->output_length))
                              : opened->output;
        EXPECT_EQ(got, plain) << what;
        EXPECT_EQ(opened->content_type, 23) << what;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, Borrowed, ::testing::ValuesIn(DeviceBackends()), BackendName);

}  // namespace
}  // namespace mediasec::tb
