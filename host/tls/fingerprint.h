// Certificate fingerprints of RFC 8122 (a=fingerprint): the digest of the DER certificate with
// any hash OpenSSL offers, our own for the Local descriptor, the peer's checked against the Remote.
#pragma once

#include <openssl/x509.h>

#include <span>
#include <string_view>

#include "base/result.h"
#include "host/security/fingerprint.h"

namespace mediasec::tls {

// The fingerprint of `cert` with the RFC 8122 hash name ("sha-256", "sha-1", "sha3-512", ...).
Result<security::Fingerprint> fingerprint_of(X509* cert, std::string_view hash = "sha-256");

// True if `cert` matches any of `expected` (each with its own hash).
bool matches_any(X509* cert, std::span<const security::Fingerprint> expected);

}  // namespace mediasec::tls
