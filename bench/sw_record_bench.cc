// sw_record_bench: record protection throughput of the sw backend through the Device interface,
// on one core: TLS 1.3 records of 16 KiB and 1 KiB, AES-128-GCM and AES-256-GCM, protect and
// unprotect, submitted in batches of 16 and drained (a batch's records stay in the L2 cache, as the
// anchor's single buffer does). Prints one line per figure; with --json FILE
// writes them for scripts/bench, which sets each GB/s figure beside `openssl speed -evp
// aes-{128,256}-gcm` at 16 KiB measured in the same run.
//
//   sw_record_bench [--json FILE] [--seconds S]
#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/bench_args.h"
#include "drivers/device.h"
#include "drivers/open_device.h"

namespace {

using mediasec::device::Cipher;
using mediasec::device::Completion;
using mediasec::device::Device;
using mediasec::device::Framing;
using mediasec::device::Job;
using mediasec::device::Op;
using mediasec::device::SlotConfig;
using mediasec::device::Status;
using Clock = std::chrono::steady_clock;

constexpr size_t kBatch = 16;

SlotConfig Slot(Cipher cipher, Op dir) {
  SlotConfig c;
  c.cipher = cipher;
  c.framing = Framing::kTls13;
  c.direction = dir;
  for (size_t i = 0; i < c.key.size(); ++i) c.key[i] = static_cast<uint8_t>(i * 13 + 1);
  for (size_t i = 0; i < c.iv.size(); ++i) c.iv[i] = static_cast<uint8_t>(i * 7 + 2);
  return c;
}

std::vector<Job> Batch(uint32_t slot, Op op, const std::vector<std::vector<uint8_t>>& inputs) {
  std::vector<Job> jobs;
  jobs.reserve(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) jobs.push_back(Job{i, slot, op, 23, 0, inputs[i]});
  return jobs;
}

// Bytes of plaintext per second over at least `seconds`, or a negative value on any failure.
double Measure(Device& dev, Cipher cipher, Op op, size_t record, double seconds) {
  const SlotConfig tx = Slot(cipher, Op::kProtect);
  const SlotConfig rx = Slot(cipher, Op::kUnprotect);
  std::vector<std::vector<uint8_t>> plain(kBatch, std::vector<uint8_t>(record));
  for (size_t i = 0; i < kBatch; ++i) {
    for (size_t k = 0; k < record; ++k) plain[i][k] = static_cast<uint8_t>(i + k * 3);
  }
  // The unprotect input: one batch of records protected from sequence 0; the receive slot is
  // reloaded at sequence 0 before each pass (a slot load costs one key schedule, nothing per byte).
  if (!dev.load_slot(0, tx)) return -1;
  if (!dev.submit(Batch(0, Op::kProtect, plain))) return -1;
  std::vector<std::vector<uint8_t>> wire;
  for (Completion& c : dev.drain()) {
    if (c.status != Status::kOk) return -1;
    wire.push_back(std::move(c.output));
  }
  const auto& inputs = op == Op::kProtect ? plain : wire;
  const uint32_t slot = op == Op::kProtect ? 0 : 1;
  uint64_t bytes = 0;
  const auto start = Clock::now();
  double elapsed = 0;
  for (int pass = 0; elapsed < seconds || pass < 2; ++pass) {
    if (op == Op::kUnprotect && !dev.load_slot(1, rx)) return -1;
    std::vector<Job> jobs = Batch(slot, op, inputs);  // copies the inputs, as a caller's buffers would be
    if (pass == 0) {                                  // warm-up pass, not timed
      if (!dev.submit(std::move(jobs))) return -1;
      dev.drain();
      continue;
    }
    const auto t0 = Clock::now();
    if (!dev.submit(std::move(jobs))) return -1;
    for (const Completion& c : dev.drain()) {
      if (c.status != Status::kOk) return -1;
    }
    elapsed += std::chrono::duration<double>(Clock::now() - t0).count();
    bytes += record * kBatch;
    if (std::chrono::duration<double>(Clock::now() - start).count() > 10 * seconds) break;
  }
  return static_cast<double>(bytes) / elapsed;
}

}  // namespace

int main(int argc, char** argv) {
  const auto args = mediasec::bench::parse_args(argc, argv, "sw_record_bench [--json FILE] [--seconds S]", 1.0);
  if (!args) return 2;
  const std::string& json_path = args->json_path;
  const double seconds = args->seconds;
  {}
  // Keep freed record buffers in the heap instead of handing them back to the kernel after every
  // batch (glibc trims the heap top by default): a daemon moving records does the same, and
  // otherwise the figure measures page faults rather than the backend.
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  auto dev = mediasec::device::open_device("sw");
  if (!dev) {
    std::fprintf(stderr, "sw_record_bench: %s\n", dev.error().message.c_str());
    return 1;
  }
  nlohmann::json out = nlohmann::json::array();
  bool ok = true;
  for (Cipher cipher : {Cipher::kAes128Gcm, Cipher::kAes256Gcm}) {
    for (size_t record : {size_t{16384}, size_t{1024}}) {
      for (Op op : {Op::kProtect, Op::kUnprotect}) {
        const double bps = Measure(**dev, cipher, op, record, seconds / 4);
        const std::string name = std::string("sw_") + (op == Op::kProtect ? "protect" : "unprotect") + "_tls13_" +
                                 (cipher == Cipher::kAes128Gcm ? "aes128" : "aes256") +
                                 (record == 16384 ? "_16k" : "_1k");
        if (bps < 0) {
          std::fprintf(stderr, "sw_record_bench: %s: a record failed\n", name.c_str());
          ok = false;
          continue;
        }
        std::printf("%-36s %8.3f GB/s\n", name.c_str(), bps / 1e9);
        out.push_back({{"name", name}, {"value", bps / 1e9}, {"unit", "GB/s"}});
      }
    }
  }
  if (!json_path.empty()) std::ofstream(json_path) << out.dump(2) << "\n";
  return ok ? 0 : 1;
}
