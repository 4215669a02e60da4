// The backends every device test runs on, and small helpers shared by those tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "drivers/device.h"
#include "drivers/open_device.h"
#include "tests/support/record_reference.h"
#include "tests/support/test_env.h"

namespace mediasec::tb {

using mediasec::test_env::TestScale;
using mediasec::test_env::TestSeed;

// "sw" always; the Verilated RTL with 1 lane, and with 4 lanes under random stream stalls, when
// this build has the sim backend and verilated those lane counts.
inline std::vector<std::string> DeviceBackends() {
  std::vector<std::string> specs = {"sw"};
#ifdef MEDIASEC_DEVICE_TESTS_SIM
  specs.push_back("sim:lanes=1");
#ifdef MEDIASEC_DEVICE_TESTS_SIM4
  specs.push_back("sim:lanes=4,stall=0.25,seed=5");
#endif
#endif
  return specs;
}

inline bool IsSim(const std::string& spec) { return spec.rfind("sim", 0) == 0; }

// gtest parameter names may hold only letters, digits and '_'.
inline std::string BackendName(const ::testing::TestParamInfo<std::string>& info) {
  std::string n;
  for (char c : info.param) n += (std::isalnum(static_cast<unsigned char>(c)) != 0) ? c : '_';
  return n;
}

inline std::unique_ptr<device::Device> OpenOrFail(const std::string& spec) {
  auto d = device::open_device(spec);
  EXPECT_TRUE(d.ok()) << spec << ": " << (d.ok() ? "" : d.error().message);
  return d.ok() ? std::move(d.value()) : nullptr;
}

// The reference's view of a device slot configuration.
inline SlotSpec ToSpec(const device::SlotConfig& c) {
  SlotSpec s;
  s.key256 = c.cipher == device::Cipher::kAes256Gcm;
  s.framing = c.framing;
  s.dir = c.direction;
  s.seq = c.sequence;
  s.epoch = c.epoch;
  s.key = c.key;
  s.iv = c.iv;
  return s;
}

inline device::SlotConfig RandomSlotConfig(std::mt19937_64& rng, device::Framing f, device::Cipher cipher,
                                           device::Op dir) {
  device::SlotConfig c;
  c.cipher = cipher;
  c.framing = f;
  c.direction = dir;
  for (auto& b : c.key) b = static_cast<uint8_t>(rng());
  if (cipher == device::Cipher::kAes128Gcm) std::fill(c.key.begin() + 16, c.key.end(), 0);
  for (auto& b : c.iv) b = static_cast<uint8_t>(rng());
  c.sequence = rng() & 0xffffffffffull;
  c.epoch = static_cast<uint16_t>(rng());
  return c;
}

inline Bytes RandomBytes(std::mt19937_64& rng, size_t n) {
  Bytes b(n);
  for (auto& x : b) x = static_cast<uint8_t>(rng());
  return b;
}

}  // namespace mediasec::tb
