#include "drivers/sim/sim_device.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <string>
#include <utility>

#include "drivers/engine_control.h"
#include "drivers/record_format.h"
#include "sim/engine_harness.h"

namespace mediasec::device {
namespace {

// Clocks one poll() may spend before it returns what it has.
constexpr uint64_t kCyclesPerPoll = 1ull << 20;
// Clocks with jobs in flight and no stream handshake at all before the model is declared wedged.
constexpr uint64_t kWedgedCycles = 200000;
// Clocks spent discarding the lanes' output after CTRL.reset.
constexpr uint64_t kResetSettleCycles = 256;

uint64_t in_user(const Job& job, uint32_t len) {
  uint64_t u = 0;
  u = regs::in_user::kSlot.put(u, job.slot > 0xFFFFu ? 0xFFFFu : job.slot);
  u = regs::in_user::kOp.put(u, static_cast<uint64_t>(job.op));
  u = regs::in_user::kCtype.put(u, job.content_type);
  u = regs::in_user::kLen.put(u, len);
  u = regs::in_user::kAadLen.put(u, job.aad_len);
  return u;
}

// AES-128-GCM in one shot with OpenSSL, for the self-test's expected record.
Result<std::vector<uint8_t>> gcm_seal(const std::array<uint8_t, 32>& key, const std::array<uint8_t, 12>& nonce,
                                      std::span<const uint8_t> aad, std::span<const uint8_t> plain) {
  std::vector<uint8_t> out(plain.size() + kTagBytes);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int n = 0;
  bool good =
      ctx != nullptr && EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), nullptr, key.data(), nonce.data()) == 1 &&
      EVP_EncryptUpdate(ctx, nullptr, &n, aad.data(), static_cast<int>(aad.size())) == 1 &&
      EVP_EncryptUpdate(ctx, out.data(), &n, plain.data(), static_cast<int>(plain.size())) == 1 &&
      EVP_EncryptFinal_ex(ctx, out.data() + n, &n) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes), out.data() + plain.size()) == 1;
  EVP_CIPHER_CTX_free(ctx);
  if (!good) return make_error(ErrorCode::kInternal, "OpenSSL AES-GCM failed while preparing the self-test record");
  return out;
}

class SimDevice final : public Device {
 public:
  SimDevice(std::unique_ptr<sim::EngineHarness> harness, uint32_t lanes)
      : harness_(std::move(harness)), control_(*harness_), lane_jobs_(lanes), partial_(lanes) {}

  Result<void> init(const SimOptions& options) {
    auto id = control_.read_identity("sim");
    if (!id) return id.error();
    identity_ = std::move(id.value());
    if (identity_.lanes != options.lanes) {
      return make_error(ErrorCode::kDeviceError,
                        "sim model built for " + std::to_string(options.lanes) +
                            " lane(s) reports CAPS.lanes = " + std::to_string(identity_.lanes));
    }
    return ok_result();
  }

  const Identity& identity() const override { return identity_; }

  Result<void> load_slot(uint32_t slot, const SlotConfig& config) override { return control_.load_slot(slot, config); }
  Result<void> zeroize_slot(uint32_t slot) override { return control_.zeroize_slot(slot); }
  Result<SlotState> read_slot(uint32_t slot) override { return control_.read_slot(slot); }
  Result<Counters> counters() override { return control_.counters(); }

  Result<void> submit(std::vector<Job>&& jobs) override {
    if (wedged_)
      return make_error(ErrorCode::kDeviceError, "sim model is wedged (no stream progress); reopen the device");
    for (const Job& job : jobs) {
      if (job.bytes().size() > 0xFFFFu) {
        return make_error(ErrorCode::kInvalidArgument, "job input of " + std::to_string(job.bytes().size()) +
                                                           " bytes does not fit the 16-bit tuser.len (nothing queued)");
      }
    }
    if (in_flight_ == ready_.size()) progress_mark_ = harness_->cycles();  // the lanes were idle until now
    for (Job& job : jobs) {
      const uint32_t lane = lane_of(job.slot);
      const uint64_t user = in_user(job, static_cast<uint32_t>(job.bytes().size()));
      for (const sim::Beat& b : sim::to_beats(job.bytes(), user)) harness_->push_input(lane, b);
      lane_jobs_[lane].push_back(Pending{job.cookie, job.slot});
      ++in_flight_;
    }
    jobs.clear();
    return ok_result();
  }

  std::vector<Completion> poll(size_t max_completions) override {
    const uint64_t start = harness_->cycles();
    while (!wedged_ && ready_.size() < max_completions && ready_.size() < in_flight_ &&
           harness_->cycles() - start < kCyclesPerPoll) {
      harness_->tick();
      collect();
      const uint64_t last = std::max(harness_->last_input_cycle(), harness_->last_output_cycle());
      const uint64_t since = harness_->cycles() - std::max(last, progress_mark_);
      if (ready_.size() < in_flight_ && since > kWedgedCycles) {
        wedged_ = true;
        std::fprintf(stderr,
                     "sim: no stream handshake for %llu cycles with %zu job(s) in flight at cycle %llu: the model is "
                     "wedged; giving up (in_flight() stays non-zero, drain() will stop)\n",
                     static_cast<unsigned long long>(kWedgedCycles), in_flight_ - ready_.size(),
                     static_cast<unsigned long long>(harness_->cycles()));
      }
    }
    std::vector<Completion> out;
    while (!ready_.empty() && out.size() < max_completions) {
      out.push_back(std::move(ready_.front()));
      ready_.pop_front();
      --in_flight_;
    }
    return out;
  }

  size_t in_flight() const override { return in_flight_; }

  Result<void> self_test() override {
    if (in_flight_ != 0) return make_error(ErrorCode::kBusy, "self_test() needs an idle device (jobs in flight)");
    if (auto r = control_.hardware_self_test(); !r) return r;
    return record_round_trip();
  }

  Result<void> reset() override {
    // Frames not yet started are dropped; a frame partly accepted is finished so the lane stays aligned.
    for (uint32_t l = 0; l < lane_jobs_.size(); ++l) harness_->clear_input(l);
    for (uint64_t i = 0; i < kWedgedCycles && any_input_pending(); ++i) harness_->tick();
    auto r = control_.reset();
    harness_->run(kResetSettleCycles);
    for (uint32_t l = 0; l < lane_jobs_.size(); ++l) {
      while (harness_->pop_output(l)) {
      }
      lane_jobs_[l].clear();
      partial_[l] = Partial{};
    }
    ready_.clear();
    in_flight_ = 0;
    progress_mark_ = harness_->cycles();
    return r;
  }

 private:
  struct Pending {
    uint64_t cookie;
    uint32_t slot;
  };
  struct Partial {
    bool started = false;
    uint64_t user = 0;
    std::vector<uint8_t> bytes;
  };

  uint32_t lane_of(uint32_t slot) const {
    const auto lanes = static_cast<uint32_t>(lane_jobs_.size());
    return slot < identity_.key_slots ? slot % lanes : 0;
  }

  bool any_input_pending() const {
    for (uint32_t l = 0; l < lane_jobs_.size(); ++l) {
      if (harness_->input_pending(l) != 0) return true;
    }
    return false;
  }

  void collect() {
    for (uint32_t l = 0; l < lane_jobs_.size(); ++l) {
      while (auto beat = harness_->pop_output(l)) {
        Partial& p = partial_[l];
        if (!p.started) {
          p.started = true;
          p.user = beat->user;
        }
        sim::append_kept(*beat, p.bytes);
        if (beat->last) finish_frame(l);
      }
    }
  }

  void finish_frame(uint32_t lane) {
    Partial p = std::move(partial_[lane]);
    partial_[lane] = Partial{};
    if (lane_jobs_[lane].empty()) {
      std::fprintf(stderr, "sim: lane %u delivered an output frame with no job waiting for it (dropped)\n", lane);
      return;
    }
    const Pending job = lane_jobs_[lane].front();
    lane_jobs_[lane].pop_front();
    Completion c;
    c.cookie = job.cookie;
    c.slot = job.slot;
    c.status = static_cast<Status>(regs::out_user::kStatus.get(p.user));
    c.content_type = static_cast<uint8_t>(regs::out_user::kCtype.get(p.user));
    const auto slot = static_cast<uint32_t>(regs::out_user::kSlot.get(p.user));
    const auto len = static_cast<size_t>(regs::out_user::kLen.get(p.user));
    if (slot != (job.slot > 0xFFFFu ? 0xFFFFu : job.slot)) {
      std::fprintf(stderr, "sim: lane %u output frame names slot %u, expected the job's slot %u\n", lane, slot,
                   job.slot);
    }
    if (c.status == Status::kOk) {
      if (len != p.bytes.size()) {
        std::fprintf(stderr, "sim: lane %u output frame tuser.len = %zu but the frame holds %zu bytes\n", lane, len,
                     p.bytes.size());
      }
      c.output = std::move(p.bytes);
    }
    ready_.push_back(std::move(c));
  }

  // A TLS 1.3 AES-128-GCM record protected and unprotected through the last key slot, compared
  // with OpenSSL. The slot must be free; it is zeroized afterwards.
  Result<void> record_round_trip() {
    const uint32_t slot = identity_.key_slots - 1;
    auto before = control_.read_slot(slot);
    if (!before) return before.error();
    if (before->valid) {
      return make_error(ErrorCode::kBusy, "self-test needs key slot " + std::to_string(slot) +
                                              " (the last one) as scratch, but it is loaded; zeroize it first");
    }
    SlotConfig cfg;
    cfg.cipher = Cipher::kAes128Gcm;
    cfg.framing = Framing::kTls13;
    cfg.direction = Op::kProtect;
    for (size_t i = 0; i < 16; ++i) cfg.key[i] = static_cast<uint8_t>(0x10 + 7 * i);
    for (size_t i = 0; i < 12; ++i) cfg.iv[i] = static_cast<uint8_t>(0xA0 ^ (3 * i));
    cfg.sequence = 5;
    std::vector<uint8_t> plain(100);
    for (size_t i = 0; i < plain.size(); ++i) plain[i] = static_cast<uint8_t>(i * 13 + 1);
    constexpr uint8_t kType = kContentApplicationData;

    // Expected wire record: header || AES-GCM(inner = plain || type) || tag, nonce = IV xor seq.
    std::array<uint8_t, 12> nonce = cfg.iv;
    for (int i = 0; i < 8; ++i) nonce[11 - i] ^= static_cast<uint8_t>(cfg.sequence >> (8 * i));
    std::vector<uint8_t> inner = plain;
    inner.push_back(kType);
    const auto outer_len = static_cast<uint16_t>(inner.size() + kTagBytes);
    const std::array<uint8_t, 5> header = {0x17, 0x03, 0x03, static_cast<uint8_t>(outer_len >> 8),
                                           static_cast<uint8_t>(outer_len)};
    auto sealed = gcm_seal(cfg.key, nonce, header, inner);
    if (!sealed) return sealed.error();
    std::vector<uint8_t> expected(header.begin(), header.end());
    expected.insert(expected.end(), sealed->begin(), sealed->end());

    auto result = [&]() -> Result<void> {
      if (auto r = control_.load_slot(slot, cfg); !r) return r;
      Job job;
      job.cookie = 1;
      job.slot = slot;
      job.op = Op::kProtect;
      job.content_type = kType;
      job.input = plain;
      auto sealed_by_engine = run(std::move(job));
      if (!sealed_by_engine) return sealed_by_engine.error();
      if (sealed_by_engine->status != Status::kOk || sealed_by_engine->output != expected) {
        return make_error(ErrorCode::kDeviceError,
                          std::string("self-test: TLS 1.3 record protected by the engine ") +
                              (sealed_by_engine->status != Status::kOk
                                   ? "failed with status '" + std::string(to_string(sealed_by_engine->status)) + "'"
                                   : "differs from OpenSSL's"));
      }
      cfg.direction = Op::kUnprotect;
      if (auto r = control_.load_slot(slot, cfg); !r) return r;
      Job back;
      back.cookie = 2;
      back.slot = slot;
      back.op = Op::kUnprotect;
      back.input = expected;
      auto opened = run(std::move(back));
      if (!opened) return opened.error();
      if (opened->status != Status::kOk || opened->output != plain || opened->content_type != kType) {
        return make_error(ErrorCode::kDeviceError,
                          "self-test: the engine did not open its own TLS 1.3 record (status '" +
                              std::string(to_string(opened->status)) + "')");
      }
      return ok_result();
    }();
    secure_wipe(cfg);
    auto z = control_.zeroize_slot(slot);
    if (!result) return result;
    return z;
  }

  std::unique_ptr<sim::EngineHarness> harness_;
  EngineControl control_;
  Identity identity_;
  std::vector<std::deque<Pending>> lane_jobs_;
  std::vector<Partial> partial_;
  std::deque<Completion> ready_;
  size_t in_flight_ = 0;
  uint64_t progress_mark_ = 0;
  bool wedged_ = false;
};

}  // namespace

Result<std::unique_ptr<Device>> open_sim_device(const SimOptions& options) {
  if (options.stall_probability < 0.0 || options.stall_probability >= 1.0) {
    return make_error(ErrorCode::kInvalidArgument, "sim stall probability must be in [0, 1)");
  }
  sim::HarnessOptions h;
  h.stall_probability = options.stall_probability;
  h.seed = options.seed;
  auto harness = sim::make_engine_harness(options.lanes, h);
  if (!harness) return harness.error();
  auto dev = std::make_unique<SimDevice>(std::move(harness.value()), options.lanes);
  if (auto r = dev->init(options); !r) return r.error();
  return std::unique_ptr<Device>(std::move(dev));
}

}  // namespace mediasec::device
