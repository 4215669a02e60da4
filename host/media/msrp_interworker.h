// MSRP-aware interworking on a relay (TR 29.828 4.1.4, RFC 4975): the byte stream of one
// direction is framed into MSRP messages and each leaves readdressed for the side it goes to —
// To-Path the peer's a=path there, From-Path the gateway's URI there — so that each side sees the
// gateway as its next hop. Bodies, chunking (Byte-Range, continuation flags) and every other
// header pass unchanged. A malformed message ends the bearer: the stream cannot be
// resynchronised after it.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/result.h"
#include "host/media/msrp.h"

namespace mediasec::media {

class MsrpInterworker {
 public:
  // `toward`: the side the messages are sent to.
  explicit MsrpInterworker(msrp::Side toward, size_t max_message = 1 << 20)
      : toward_(std::move(toward)), framer_(max_message) {}

  // Bytes as they arrive; the whole messages among them, readdressed, are appended to `out`.
  Result<void, msrp::MsrpError> feed(std::span<const uint8_t> in, std::vector<uint8_t>& out);

  uint64_t messages() const { return messages_; }
  size_t held() const { return framer_.buffered(); }  // bytes of a message not yet complete

 private:
  msrp::Side toward_;
  msrp::Framer framer_;
  uint64_t messages_ = 0;
};

// The two directions of an MSRP relay.
struct MsrpInterworking {
  MsrpInterworker to_core, to_access;
};

}  // namespace mediasec::media
