// The secrets of one TLS connection as OpenSSL's key-log callback reports them (the NSS key log
// format: "<LABEL> <client_random hex> <secret hex>" per line). The TLS layer records the lines
// of its own connections in memory, never in a file, and derives the device keys from them.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace mediasec::tls {

// Bytes that are wiped when they go away.
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::vector<uint8_t> bytes) : bytes_(std::move(bytes)) {}
  SecretBytes(const SecretBytes& other) : bytes_(other.bytes_) {}
  SecretBytes& operator=(const SecretBytes& other);
  SecretBytes(SecretBytes&& other) noexcept : bytes_(std::move(other.bytes_)) {}
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  ~SecretBytes() { wipe(); }

  const std::vector<uint8_t>& bytes() const { return bytes_; }
  bool empty() const { return bytes_.empty(); }
  void wipe();

 private:
  std::vector<uint8_t> bytes_;
};

class KeyLog {
 public:
  // Adds one key-log line. Lines of other labels are kept too; a malformed line is an error and
  // changes nothing. Error messages never contain the secret.
  Result<void> add_line(std::string_view line);

  // The secret logged under `label` (e.g. "CLIENT_RANDOM", "CLIENT_TRAFFIC_SECRET_0") for the
  // connection with this client random; kNotFound if none was logged.
  Result<SecretBytes> secret(std::string_view label, const std::vector<uint8_t>& client_random) const;

  size_t size() const { return entries_.size(); }

 private:
  std::map<std::pair<std::string, std::vector<uint8_t>>, SecretBytes> entries_;
};

}  // namespace mediasec::tls
