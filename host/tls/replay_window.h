// The anti-replay window of DTLS (RFC 6347 §4.1.2.6): a record whose sequence number was already
// accepted, or is older than the window, is dropped. check() before authenticating, accept()
// after: a forged record never moves the window.
#pragma once

#include <cstdint>

namespace mediasec::tls {

class ReplayWindow {
 public:
  static constexpr uint64_t kSize = 64;

  bool check(uint64_t seq) const {
    if (!any_ || seq > top_) return true;
    const uint64_t behind = top_ - seq;
    return behind < kSize && ((bits_ >> behind) & 1) == 0;
  }
  void accept(uint64_t seq) {
    if (!any_) {
      any_ = true;
      top_ = seq;
      bits_ = 1;
    } else if (seq > top_) {
      const uint64_t shift = seq - top_;
      bits_ = shift >= kSize ? 1 : (bits_ << shift) | 1;
      top_ = seq;
    } else {
      bits_ |= uint64_t{1} << (top_ - seq);
    }
  }
  void reset() { *this = ReplayWindow(); }

 private:
  bool any_ = false;
  uint64_t top_ = 0;
  uint64_t bits_ = 0;  // bit i: top_ - i was accepted
};

}  // namespace mediasec::tls
