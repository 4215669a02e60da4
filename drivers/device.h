// The one device interface every host component uses for record protection.
//
// Three backends implement it: sw (OpenSSL EVP, the reference model), sim (the Verilated RTL
// driven through its AXI4-Lite registers and AXI4-Stream lanes) and xrt (an Alveo card through
// XRT). The interface is shaped for an asynchronous card: slots are loaded through registers,
// jobs are queued in batches and their completions polled.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "drivers/regmap/mediasec_regs.h"

namespace mediasec::device {

using Framing = regs::Framing;  // kTls12, kTls13, kDtls12, kRaw
using Op = regs::Op;            // kProtect, kUnprotect
using Status = regs::Status;    // kOk, kAuthFail, kBadSlot, ...

enum class Cipher : uint8_t { kAes128Gcm, kAes256Gcm };

const char* to_string(Framing framing);
const char* to_string(Op op);
const char* to_string(Status status);
const char* to_string(Cipher cipher);

inline constexpr size_t key_bytes(Cipher c) { return c == Cipher::kAes128Gcm ? 16 : 32; }

// What the device is and can do (the ID, VERSION, BUILD and CAPS registers).
struct Identity {
  std::string backend;  // "sw", "sim", "xrt"
  uint32_t id_magic = 0;
  uint32_t version = 0;  // register-map version: major << 24 | minor << 16 | patch
  uint32_t build = 0;
  uint32_t key_slots = 0;
  uint32_t lanes = 0;
  bool aes128 = false, aes256 = false;
  bool tls12 = false, tls13 = false, dtls12 = false, raw = false;
};

// Everything a key slot holds. Contains secrets: callers wipe it (secure_wipe) after loading.
struct SlotConfig {
  Cipher cipher = Cipher::kAes128Gcm;
  Framing framing = Framing::kTls13;
  Op direction = Op::kProtect;
  std::array<uint8_t, 32> key{};  // AES-128 uses bytes 0..15
  std::array<uint8_t, 12> iv{};   // TLS 1.2 and DTLS 1.2: the 4-byte salt in bytes 0..3; TLS 1.3 and RAW: all 12
  uint64_t sequence = 0;          // next record's sequence number (DTLS: 48 bits)
  uint16_t epoch = 0;             // DTLS epoch
};

struct Counters {
  uint64_t records = 0;        // jobs completed with status kOk
  uint64_t bytes = 0;          // plaintext bytes of those jobs
  uint64_t auth_failures = 0;  // jobs completed with kAuthFail
  uint64_t errors = 0;         // jobs rejected with any other status (total only; 0 per slot)
};

// What a slot reports about itself: no key material, ever.
struct SlotState {
  bool valid = false;
  Cipher cipher = Cipher::kAes128Gcm;
  Framing framing = Framing::kTls13;
  Op direction = Op::kProtect;
  uint64_t sequence = 0;  // next sequence number
  uint16_t epoch = 0;
  Counters counters;
};

// One record to protect or unprotect.
struct Job {
  uint64_t cookie = 0;  // returned unchanged in the Completion
  uint32_t slot = 0;
  Op op = Op::kProtect;
  uint8_t content_type = 23;  // kProtect with TLS/DTLS framing: the record's content type
  uint16_t aad_len = 0;       // kRaw framing only: bytes of AAD at the start of input
  // kProtect: the plaintext (kRaw: AAD || plaintext).
  // kUnprotect: the whole wire record (kRaw: AAD || ciphertext || tag).
  std::vector<uint8_t> input;
  // Instead of `input` when not empty: bytes the caller keeps alive and unchanged until this
  // job's completion has been polled. Saves copying each record on the data path.
  std::span<const uint8_t> borrowed_input{};
  // kUnprotect: where the plaintext goes instead of a new `output` when not empty: at least as
  // long as the ciphertext, not overlapping the input, kept alive until the completion is
  // polled. A backend that writes there says so in
  // Completion::wrote_into (sw does); one that does not returns `output` as usual. On failure
  // whatever was written there is wiped.
  std::span<uint8_t> output_into{};

  std::span<const uint8_t> bytes() const {
    return borrowed_input.empty() ? std::span<const uint8_t>(input) : borrowed_input;
  }
};

struct Completion {
  uint64_t cookie = 0;
  uint32_t slot = 0;
  Status status = Status::kOk;
  uint8_t content_type = 0;  // kUnprotect: the record's content type (TLS 1.3: the inner type)
  // kProtect: the whole wire record (kRaw: ciphertext || tag).
  // kUnprotect: the plaintext. Empty whenever status != kOk: a failed record releases nothing.
  std::vector<uint8_t> output;
  // The plaintext went to the job's output_into (the first output_length bytes); output is empty.
  bool wrote_into = false;
  size_t output_length = 0;
};

class Device {
 public:
  virtual ~Device() = default;
  Device() = default;
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  virtual const Identity& identity() const = 0;

  // Key slots. A slot must not have jobs in flight while it is loaded or zeroized.
  virtual Result<void> load_slot(uint32_t slot, const SlotConfig& config) = 0;
  virtual Result<void> zeroize_slot(uint32_t slot) = 0;
  virtual Result<SlotState> read_slot(uint32_t slot) = 0;

  // Queue jobs. Jobs on one slot complete in submission order; the device advances the slot's
  // sequence number once per record. Returns an error only if the jobs could not be queued.
  virtual Result<void> submit(std::vector<Job>&& jobs) = 0;
  // Drive the device and return the completions that are ready, at most max_completions.
  // A backend may block while it works (sim clocks the model); it never waits for new jobs.
  virtual std::vector<Completion> poll(size_t max_completions) = 0;
  // Jobs submitted whose completion has not yet been returned by poll().
  virtual size_t in_flight() const = 0;

  virtual Result<Counters> counters() = 0;
  // The device's built-in known-answer test plus a record round trip through a scratch slot.
  virtual Result<void> self_test() = 0;
  // Flush all jobs, zeroize every slot, clear the counters.
  virtual Result<void> reset() = 0;

  // Conveniences built on the primitives above.
  Result<void> submit(Job job);
  // Poll until every submitted job has completed; returns all completions.
  std::vector<Completion> drain();
  // Submit one job and wait for it.
  Result<Completion> run(Job job);
};

// Overwrite secrets in a way the optimizer keeps (OPENSSL_cleanse).
void secure_wipe(void* data, size_t size);
inline void secure_wipe(SlotConfig& config) { secure_wipe(&config, sizeof config); }

}  // namespace mediasec::device
