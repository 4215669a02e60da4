#include "host/h248/tpkt.h"

namespace mediasec::h248 {

Result<std::string> tpkt_frame(std::string_view message) {
  if (message.size() > kTpktMaxPayload)
    return make_error(ErrorCode::kInvalidArgument,
                      "message of " + std::to_string(message.size()) + " bytes does not fit in a TPKT frame");
  const size_t total = message.size() + kTpktHeader;
  std::string out;
  out.reserve(total);
  out.push_back(3);
  out.push_back(0);
  out.push_back(static_cast<char>(total >> 8));
  out.push_back(static_cast<char>(total & 0xff));
  out.append(message);
  return out;
}

void TpktReader::feed(std::string_view bytes) {
  if (!broken_) buffer_.append(bytes);
}

std::optional<std::string> TpktReader::next() {
  if (broken_ || buffer_.size() < kTpktHeader) return std::nullopt;
  const auto b = [&](size_t i) { return static_cast<uint8_t>(buffer_[i]); };
  if (b(0) != 3 || b(1) != 0) {
    broken_ = true;
    why_ = "not a TPKT header (version " + std::to_string(b(0)) + ", reserved " + std::to_string(b(1)) + ")";
    buffer_.clear();
    return std::nullopt;
  }
  const size_t total = (static_cast<size_t>(b(2)) << 8) | b(3);
  if (total <= kTpktHeader) {
    broken_ = true;
    why_ = "TPKT length " + std::to_string(total) + " leaves no message";
    buffer_.clear();
    return std::nullopt;
  }
  if (buffer_.size() < total) return std::nullopt;
  std::string message = buffer_.substr(kTpktHeader, total - kTpktHeader);
  buffer_.erase(0, total);
  return message;
}

}  // namespace mediasec::h248
