// TPKT framing (RFC 1006) of H.248 messages over TCP (H.248.1 Annex D.2): a 4-byte header
// (version 3, reserved 0, 16-bit big-endian length including the header) before each message.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace mediasec::h248 {

inline constexpr size_t kTpktHeader = 4;
inline constexpr size_t kTpktMaxPayload = 65535 - kTpktHeader;

// The framed message; an error if it does not fit in one frame.
Result<std::string> tpkt_frame(std::string_view message);

// Reassembles frames from a byte stream. A bad header breaks the stream for good (the connection
// must be closed): there is no way to find the next frame.
class TpktReader {
 public:
  void feed(std::string_view bytes);
  // The next complete message, if any.
  std::optional<std::string> next();
  bool broken() const { return broken_; }
  const std::string& why() const { return why_; }
  size_t buffered() const { return buffer_.size(); }

 private:
  std::string buffer_;
  bool broken_ = false;
  std::string why_;
};

}  // namespace mediasec::h248
