#include "host/app/record_demo.h"

#include <openssl/rand.h>

#include <chrono>
#include <iomanip>
#include <string>

#include "drivers/key_slot.h"
#include "drivers/record_format.h"

namespace mediasec::app {
namespace {

using device::Cipher;
using device::Framing;
using device::Job;
using device::Op;
using device::SlotConfig;
using device::Status;

struct Step {
  std::ostream& out;
  bool ok = true;
  void check(bool good, const std::string& what) {
    out << "  [" << (good ? " ok " : "FAIL") << "] " << what << "\n";
    ok = ok && good;
  }
};

SlotConfig random_config(Cipher cipher, Framing framing, Op direction) {
  SlotConfig c;
  c.cipher = cipher;
  c.framing = framing;
  c.direction = direction;
  RAND_bytes(c.key.data(), static_cast<int>(c.key.size()));
  RAND_bytes(c.iv.data(), static_cast<int>(c.iv.size()));
  c.sequence = 0;
  c.epoch = framing == Framing::kDtls12 ? 1 : 0;
  return c;
}

std::vector<uint8_t> text_payload(size_t size, uint64_t salt) {
  std::vector<uint8_t> p(size);
  for (size_t i = 0; i < size; ++i) p[i] = static_cast<uint8_t>('a' + (i + salt) % 26);
  return p;
}

// One framing and cipher: protect records of several sizes on one slot, unprotect them on a
// second slot loaded with the same keys, tamper with one.
void exercise(device::SlotPool& pool, Cipher cipher, Framing framing, Step& step) {
  SlotConfig tx_cfg = random_config(cipher, framing, Op::kProtect);
  SlotConfig rx_cfg = tx_cfg;
  rx_cfg.direction = Op::kUnprotect;
  auto tx = pool.acquire(tx_cfg);
  auto rx = pool.acquire(rx_cfg);
  device::secure_wipe(tx_cfg);
  device::secure_wipe(rx_cfg);
  const std::string label = std::string(device::to_string(framing)) + " " + device::to_string(cipher);
  if (!tx || !rx) {
    step.check(false, label + ": load key slots: " + (tx ? rx.error().message : tx.error().message));
    return;
  }
  device::Device& dev = pool.device();
  const size_t sizes[] = {0, 1, 100, 1024, device::max_plaintext(framing)};
  std::vector<Job> jobs;
  for (size_t i = 0; i < std::size(sizes); ++i) {
    jobs.push_back(Job{.cookie = i,
                       .slot = tx->index(),
                       .op = Op::kProtect,
                       .content_type = device::kContentApplicationData,
                       .aad_len = 0,
                       .input = text_payload(sizes[i], i)});
  }
  if (auto r = dev.submit(std::move(jobs)); !r) {
    step.check(false, label + ": submit: " + r.error().message);
    return;
  }
  auto sealed = dev.drain();
  bool sealed_ok = sealed.size() == std::size(sizes);
  size_t wire_bytes = 0;
  for (size_t i = 0; sealed_ok && i < sealed.size(); ++i) {
    sealed_ok =
        sealed[i].status == Status::kOk && sealed[i].output.size() == sizes[i] + device::record_overhead(framing);
    wire_bytes += sealed[i].output.size();
  }
  step.check(sealed_ok, label + ": protected " + std::to_string(std::size(sizes)) + " records (0 B .. " +
                            std::to_string(sizes[std::size(sizes) - 1]) + " B) -> " + std::to_string(wire_bytes) +
                            " wire bytes");
  if (!sealed_ok) return;

  std::vector<Job> opens;
  for (auto& c : sealed) {
    opens.push_back(Job{.cookie = c.cookie,
                        .slot = rx->index(),
                        .op = Op::kUnprotect,
                        .content_type = 0,
                        .aad_len = 0,
                        .input = c.output});
  }
  // Tamper with the last byte of the tag of the third record.
  opens[2].input.back() ^= 0x01;
  if (auto r = dev.submit(std::move(opens)); !r) {
    step.check(false, label + ": submit: " + r.error().message);
    return;
  }
  auto opened = dev.drain();
  bool opened_ok = opened.size() == std::size(sizes);
  for (size_t i = 0; opened_ok && i < opened.size(); ++i) {
    if (i == 2) {
      opened_ok = opened[i].status == Status::kAuthFail && opened[i].output.empty();
    } else {
      opened_ok = opened[i].status == Status::kOk && opened[i].output == text_payload(sizes[i], i) &&
                  opened[i].content_type == device::kContentApplicationData;
    }
  }
  step.check(opened_ok, label + ": unprotected them; the record with a flipped tag bit was refused, nothing released");
  auto state = dev.read_slot(tx->index());
  step.check(state && state->sequence == std::size(sizes),
             label + ": protect slot's sequence number advanced to " + (state ? std::to_string(state->sequence) : "?"));
}

}  // namespace

bool run_record_demo(device::Device& dev, std::ostream& out) {
  Step step{out};
  const auto& id = dev.identity();
  out << "device: backend " << id.backend << ", register map " << (id.version >> 24) << "."
      << ((id.version >> 16) & 0xff) << ", " << id.key_slots << " key slots, " << id.lanes << " lane(s)\n";
  const auto t0 = std::chrono::steady_clock::now();
  auto st = dev.self_test();
  step.check(st.ok(), std::string("self-test") + (st ? "" : ": " + st.error().message));

  device::SlotPool pool(dev);
  for (Framing f : {Framing::kTls12, Framing::kTls13, Framing::kDtls12}) {
    for (Cipher c : {Cipher::kAes128Gcm, Cipher::kAes256Gcm}) exercise(pool, c, f, step);
  }
  step.check(pool.free_slots() == id.key_slots, "every key slot zeroized and returned to the pool");

  auto counters = dev.counters();
  if (counters) {
    out << "  counters: " << counters->records << " records, " << counters->bytes << " bytes, "
        << counters->auth_failures << " authentication failures, " << counters->errors << " errors\n";
    step.check(counters->auth_failures >= 6, "authentication failures counted");
  } else {
    step.check(false, "read counters: " + counters.error().message);
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out << "  " << (step.ok ? "demo passed" : "demo FAILED") << " on " << id.backend << " in " << std::fixed
      << std::setprecision(2) << secs << " s\n";
  return step.ok;
}

}  // namespace mediasec::app
