#include "host/tls/direction_keys.h"

#include <algorithm>
#include <string>

namespace mediasec::tls {

Result<void> DirectionKeys::load(device::SlotPool& pool, const device::SlotConfig& config, device::Op wire_op,
                                 uint64_t sequence, SecretBytes secret) {
  // The new slot first, then the old one zeroized: a failure leaves the old keys in place.
  device::SlotConfig wire = config;
  wire.sequence = sequence;
  wire.direction = wire_op;
  auto slot = pool.acquire(wire);
  device::secure_wipe(wire);
  if (!slot) return slot.error();
  clear();
  pool_ = &pool;
  config_ = config;
  config_.sequence = sequence;
  slot_ = std::move(*slot);
  secret_ = std::move(secret);
  openssl_seq_ = sequence;
  return ok_result();
}

void DirectionKeys::clear() {
  slot_ = device::KeySlot();  // zeroizes the slot on the device
  device::secure_wipe(config_);
  secret_.wipe();
  openssl_seq_ = 0;
}

Result<device::Completion> DirectionKeys::run_wire(device::Job job) {
  if (!slot_.valid()) return make_error(ErrorCode::kInternal, "no keys loaded");
  job.slot = slot_.index();
  return pool_->device().run(std::move(job));
}

Result<std::vector<device::Completion>> DirectionKeys::run_wire(std::vector<device::Job> jobs) {
  if (!slot_.valid()) return make_error(ErrorCode::kInternal, "no keys loaded");
  const size_t n = jobs.size();
  std::vector<std::span<uint8_t>> into(n);
  for (size_t i = 0; i < n; ++i) {
    jobs[i].slot = slot_.index();
    jobs[i].cookie = i;
    into[i] = jobs[i].output_into;
  }
  device::Device& dev = pool_->device();
  if (auto r = dev.submit(std::move(jobs)); !r) return r.error();
  std::vector<device::Completion> done = dev.drain();
  if (done.size() != n)
    return make_error(ErrorCode::kDeviceError,
                      "device returned " + std::to_string(done.size()) + " of " + std::to_string(n) + " records");
  std::sort(done.begin(), done.end(), [](const auto& a, const auto& b) { return a.cookie < b.cookie; });
  // A backend that returned the plaintext in `output` (sim, xrt: it came off the card's stream)
  // still delivers it where the caller asked.
  for (size_t i = 0; i < n; ++i) {
    device::Completion& c = done[i];
    if (into[i].empty() || c.wrote_into || c.status != device::Status::kOk || c.output.size() > into[i].size())
      continue;
    std::copy(c.output.begin(), c.output.end(), into[i].begin());
    c.wrote_into = true;
    c.output_length = c.output.size();
    c.output = {};
  }
  return done;
}

Result<device::Completion> DirectionKeys::run_at_openssl_sequence(device::Op op, uint8_t content_type,
                                                                  std::vector<uint8_t> input) {
  if (pool_ == nullptr) return make_error(ErrorCode::kInternal, "no keys loaded");
  device::SlotConfig scratch_config = config_;
  scratch_config.direction = op;
  scratch_config.sequence = openssl_seq_;
  auto scratch = pool_->acquire(scratch_config);
  device::secure_wipe(scratch_config);
  if (!scratch) return scratch.error();
  auto done = pool_->device().run(device::Job{0, scratch->index(), op, content_type, 0, std::move(input)});
  ++openssl_seq_;
  return done;  // the scratch slot is zeroized here
}

}  // namespace mediasec::tls
