// Device key slots from the secrets of a TLS handshake, through public OpenSSL APIs only:
//   TLS 1.2 AES-GCM (RFC 5246 §6.3, RFC 5288): key_block = PRF(master_secret, "key expansion",
//     server_random || client_random) = client key || server key || client salt || server salt.
//   TLS 1.3 (RFC 8446 §7.3): key = HKDF-Expand-Label(traffic_secret, "key", "", key_length),
//     iv = HKDF-Expand-Label(traffic_secret, "iv", "", 12).
// The returned configurations hold keys: load them and wipe them (device::secure_wipe).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/result.h"
#include "drivers/device.h"

namespace mediasec::tls {

// The hash of the suite: SHA-256 for the AES-128-GCM suites, SHA-384 for AES-256-GCM.
enum class SuiteHash { kSha256, kSha384 };

struct Tls12Keys {
  device::SlotConfig client_write;  // the client protects, the server unprotects with it
  device::SlotConfig server_write;
};

// Framing kTls12, sequence 0 and direction kProtect in both; callers set direction and the
// sequence number (the first application-data record after Finished is sequence 1).
Result<Tls12Keys> tls12_keys(device::Cipher cipher, SuiteHash hash, std::span<const uint8_t> master_secret,
                             std::span<const uint8_t> client_random, std::span<const uint8_t> server_random);

// Framing kTls13, sequence 0 (the first record under a new traffic secret), direction kProtect.
Result<device::SlotConfig> tls13_keys(device::Cipher cipher, SuiteHash hash, std::span<const uint8_t> traffic_secret);

// The next application traffic secret after a KeyUpdate (RFC 8446 §7.2):
// HKDF-Expand-Label(secret, "traffic upd", "", Hash.length).
Result<std::vector<uint8_t>> tls13_next_secret(SuiteHash hash, std::span<const uint8_t> traffic_secret);

inline constexpr size_t hash_bytes(SuiteHash h) { return h == SuiteHash::kSha256 ? 32 : 48; }

}  // namespace mediasec::tls
