#include "drivers/device.h"

#include <openssl/crypto.h>

namespace mediasec::device {

const char* to_string(Framing framing) {
  switch (framing) {
    case Framing::kTls12: return "tls1.2";
    case Framing::kTls13: return "tls1.3";
    case Framing::kDtls12: return "dtls1.2";
    case Framing::kRaw: return "raw";
  }
  return "?";
}

const char* to_string(Op op) { return op == Op::kProtect ? "protect" : "unprotect"; }

const char* to_string(Status status) {
  switch (status) {
    case Status::kOk: return "ok";
    case Status::kAuthFail: return "authentication failed";
    case Status::kBadSlot: return "bad slot";
    case Status::kBadDirection: return "wrong direction for slot";
    case Status::kBadLength: return "bad length";
    case Status::kBadRecord: return "malformed record";
    case Status::kBadEpoch: return "wrong epoch";
  }
  return "?";
}

const char* to_string(Cipher cipher) { return cipher == Cipher::kAes128Gcm ? "aes-128-gcm" : "aes-256-gcm"; }

void secure_wipe(void* data, size_t size) { OPENSSL_cleanse(data, size); }

Result<void> Device::submit(Job job) {
  std::vector<Job> one;
  one.push_back(std::move(job));
  return submit(std::move(one));
}

std::vector<Completion> Device::drain() {
  // A backend that makes no progress for this many polls in a row is broken: stop rather than hang.
  constexpr int kMaxIdlePolls = 1000;
  std::vector<Completion> all;
  int idle = 0;
  while (in_flight() > 0 && idle < kMaxIdlePolls) {
    auto some = poll(in_flight());
    idle = some.empty() ? idle + 1 : 0;
    for (auto& c : some) all.push_back(std::move(c));
  }
  return all;
}

Result<Completion> Device::run(Job job) {
  if (in_flight() != 0) return make_error(ErrorCode::kBusy, "run() needs an idle device; use submit/poll");
  if (auto r = submit(std::move(job)); !r) return r.error();
  auto done = drain();
  if (done.size() != 1)
    return make_error(ErrorCode::kInternal,
                      "device returned " + std::to_string(done.size()) + " completions for one job");
  return std::move(done.front());
}

}  // namespace mediasec::device
