// Project Wycheproof AES-GCM vectors (96-bit IV, 128- and 256-bit keys, valid and invalid) through
// every backend with RAW framing: valid vectors protect to the expected ct||tag and unprotect to
// the message; invalid ones fail authentication and release nothing.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "drivers/record_format.h"
#include "tests/device/backends.h"

namespace mediasec::tb {
namespace {

using device::Cipher;
using device::Framing;
using device::Op;
using device::Status;

Bytes Hex(const std::string& s) {
  Bytes b;
  for (size_t i = 0; i + 1 < s.size(); i += 2)
    b.push_back(static_cast<uint8_t>(std::stoi(s.substr(i, 2), nullptr, 16)));
  return b;
}

struct Vector {
  int id = 0;
  int key_bits = 0;
  bool valid = false;
  Bytes key, iv, aad, msg, ct, tag;
};

std::vector<Vector> LoadVectors() {
  std::ifstream f(MEDIASEC_WYCHEPROOF_AES_GCM);
  EXPECT_TRUE(f.good()) << "cannot read " << MEDIASEC_WYCHEPROOF_AES_GCM;
  std::vector<Vector> out;
  if (!f.good()) return out;
  const auto doc = nlohmann::json::parse(f);
  for (const auto& g : doc.at("testGroups")) {
    const int key_bits = g.at("keySize").get<int>();
    if (g.at("ivSize").get<int>() != 96 || g.at("tagSize").get<int>() != 128) continue;
    if (key_bits != 128 && key_bits != 256) continue;
    for (const auto& t : g.at("tests")) {
      Vector v;
      v.id = t.at("tcId").get<int>();
      v.key_bits = key_bits;
      v.valid = t.at("result").get<std::string>() == "valid";
      v.key = Hex(t.at("key").get<std::string>());
      v.iv = Hex(t.at("iv").get<std::string>());
      v.aad = Hex(t.at("aad").get<std::string>());
      v.msg = Hex(t.at("msg").get<std::string>());
      v.ct = Hex(t.at("ct").get<std::string>());
      v.tag = Hex(t.at("tag").get<std::string>());
      if (v.msg.size() > device::kMaxDataBytes || v.aad.size() > 0xFFFF) continue;
      out.push_back(std::move(v));
    }
  }
  return out;
}

device::SlotConfig RawSlot(const Vector& v, Op dir) {
  device::SlotConfig c;
  c.cipher = v.key_bits == 256 ? Cipher::kAes256Gcm : Cipher::kAes128Gcm;
  c.framing = Framing::kRaw;
  c.direction = dir;
  std::copy(v.key.begin(), v.key.end(), c.key.begin());
  std::copy(v.iv.begin(), v.iv.end(), c.iv.begin());
  c.sequence = 0;  // RAW nonce = IV xor sequence: the vector's IV itself
  return c;
}

class Wycheproof : public ::testing::TestWithParam<std::string> {};

TEST_P(Wycheproof, AesGcm96BitIv) {
  const std::vector<Vector> vectors = LoadVectors();
  auto dev = OpenOrFail(GetParam());
  ASSERT_TRUE(dev);
  // Two slots per vector (protect, unprotect), all loaded up front; the jobs go in one batch so
  // that a multi-lane device spreads them over its lanes.
  const size_t per_round = dev->identity().key_slots / 2;
  int valid_seen[2] = {0, 0}, invalid_seen[2] = {0, 0};
  for (size_t base = 0; base < vectors.size(); base += per_round) {
    const size_t n = std::min(per_round, vectors.size() - base);
    std::vector<device::Job> jobs;
    for (size_t i = 0; i < n; ++i) {
      const Vector& v = vectors[base + i];
      const uint32_t tx = static_cast<uint32_t>(2 * i), rx = tx + 1;
      ASSERT_TRUE(dev->load_slot(tx, RawSlot(v, Op::kProtect)).ok());
      ASSERT_TRUE(dev->load_slot(rx, RawSlot(v, Op::kUnprotect)).ok());
      device::Job p;
      p.cookie = 2 * (base + i);
      p.slot = tx;
      p.op = Op::kProtect;
      p.aad_len = static_cast<uint16_t>(v.aad.size());
      p.input = v.aad;
      p.input.insert(p.input.end(), v.msg.begin(), v.msg.end());
      device::Job u;
      u.cookie = 2 * (base + i) + 1;
      u.slot = rx;
      u.op = Op::kUnprotect;
      u.aad_len = static_cast<uint16_t>(v.aad.size());
      u.input = v.aad;
      u.input.insert(u.input.end(), v.ct.begin(), v.ct.end());
      u.input.insert(u.input.end(), v.tag.begin(), v.tag.end());
      if (v.valid) jobs.push_back(std::move(p));
      jobs.push_back(std::move(u));
    }
    ASSERT_TRUE(dev->submit(std::move(jobs)).ok());
    for (const device::Completion& c : dev->drain()) {
      const Vector& v = vectors[c.cookie / 2];
      const bool unprotect = (c.cookie % 2) == 1;
      SCOPED_TRACE("tcId " + std::to_string(v.id) + (unprotect ? " unprotect" : " protect"));
      if (!unprotect) {
        Bytes want = v.ct;
        want.insert(want.end(), v.tag.begin(), v.tag.end());
        EXPECT_EQ(c.status, Status::kOk);
        EXPECT_EQ(c.output, want);
      } else if (v.valid) {
        EXPECT_EQ(c.status, Status::kOk);
        EXPECT_EQ(c.output, v.msg);
        ++valid_seen[v.key_bits == 256];
      } else {
        EXPECT_EQ(c.status, Status::kAuthFail);
        EXPECT_TRUE(c.output.empty());
        ++invalid_seen[v.key_bits == 256];
      }
    }
  }
  // Every 96-bit-IV vector of both key sizes was answered, valid and invalid alike.
  EXPECT_GE(valid_seen[0], 30);
  EXPECT_GE(valid_seen[1], 30);
  EXPECT_GE(invalid_seen[0], 20);
  EXPECT_GE(invalid_seen[1], 20);
  auto counters = dev->counters();
  ASSERT_TRUE(counters.ok());
  EXPECT_EQ(counters->auth_failures, static_cast<uint64_t>(invalid_seen[0] + invalid_seen[1]));
}

INSTANTIATE_TEST_SUITE_P(Backends, Wycheproof, ::testing::ValuesIn(DeviceBackends()), BackendName);

}  // namespace
}  // namespace mediasec::tb
