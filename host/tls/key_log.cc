#include "host/tls/key_log.h"

#include <openssl/crypto.h>

#include <optional>

namespace mediasec::tls {
namespace {

std::optional<std::vector<uint8_t>> from_hex(std::string_view hex) {
  if (hex.empty() || hex.size() % 2 != 0) return std::nullopt;
  std::vector<uint8_t> out;
  out.reserve(hex.size() / 2);
  const auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      OPENSSL_cleanse(out.data(), out.size());
      return std::nullopt;
    }
    out.push_back(static_cast<uint8_t>(hi << 4 | lo));
  }
  return out;
}

}  // namespace

SecretBytes& SecretBytes::operator=(const SecretBytes& other) {
  if (this != &other) {
    wipe();
    bytes_ = other.bytes_;
  }
  return *this;
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    wipe();
    bytes_ = std::move(other.bytes_);
  }
  return *this;
}

void SecretBytes::wipe() {
  if (!bytes_.empty()) OPENSSL_cleanse(bytes_.data(), bytes_.size());
  bytes_.clear();
}

Result<void> KeyLog::add_line(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.empty() || line.front() == '#') return ok_result();
  const size_t a = line.find(' ');
  const size_t b = a == std::string_view::npos ? a : line.find(' ', a + 1);
  if (b == std::string_view::npos || line.find(' ', b + 1) != std::string_view::npos) {
    return make_error(ErrorCode::kInvalidArgument, "key log: a line must be '<label> <client_random> <secret>'");
  }
  const std::string label(line.substr(0, a));
  auto random = from_hex(line.substr(a + 1, b - a - 1));
  if (!random || random->size() != 32) {
    return make_error(ErrorCode::kInvalidArgument, "key log: " + label + ": client random is not 32 bytes of hex");
  }
  auto secret = from_hex(line.substr(b + 1));
  if (!secret) return make_error(ErrorCode::kInvalidArgument, "key log: " + label + ": secret is not hex");
  entries_[{label, std::move(*random)}] = SecretBytes(std::move(*secret));
  return ok_result();
}

Result<SecretBytes> KeyLog::secret(std::string_view label, const std::vector<uint8_t>& client_random) const {
  auto it = entries_.find({std::string(label), client_random});
  if (it == entries_.end()) {
    return make_error(ErrorCode::kNotFound, "key log: no " + std::string(label) + " for this connection");
  }
  return it->second;
}

}  // namespace mediasec::tls
