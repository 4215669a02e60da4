// A certificate fingerprint (RFC 8122): the value type that SDP carries in a=fingerprint and
// that TLS/DTLS check a peer's certificate against. Parsing it from SDP text is the SDP layer's
// job; computing one from a certificate is the TLS layer's.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

struct evp_md_st;  // OpenSSL's EVP_MD

namespace mediasec::security {

struct Fingerprint {
  std::string hash;               // lower case: "sha-256"
  std::vector<uint8_t> digest;    // the bytes
  std::string to_string() const;  // "sha-256 AB:CD:..."
  friend bool operator==(const Fingerprint&, const Fingerprint&) = default;
};

// OpenSSL's digest for an RFC 8122 hash name (nullptr if OpenSSL has none): the name as written
// (sha3-256, sha512-256) or without its dash (sha-256 -> sha256, sha-1 -> sha1), any case.
const evp_md_st* fingerprint_digest(std::string_view hash);

}  // namespace mediasec::security
