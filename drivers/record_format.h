// Sizes of the record formats the engine frames, shared by the backends, the tests and the
// bandwidth adjustment of the media plane.
#pragma once

#include <cstddef>
#include <cstdint>

#include "drivers/regmap/mediasec_regs.h"

namespace mediasec::device {

inline constexpr size_t kTagBytes = regs::kTagBytes;
inline constexpr size_t kMaxDataBytes = regs::kMaxDataBytes;  // GCM data bytes of one record
inline constexpr size_t kExplicitNonceBytes = 8;              // TLS 1.2 and DTLS 1.2

inline constexpr size_t header_bytes(regs::Framing f) {
  switch (f) {
    case regs::Framing::kTls12:
    case regs::Framing::kTls13: return 5;
    case regs::Framing::kDtls12: return 13;
    case regs::Framing::kRaw: return 0;
  }
  return 0;
}

// Bytes a protected record adds to its plaintext (header, explicit nonce, inner type, tag).
inline constexpr size_t record_overhead(regs::Framing f) {
  switch (f) {
    case regs::Framing::kTls12: return 5 + kExplicitNonceBytes + kTagBytes;
    case regs::Framing::kTls13: return 5 + 1 + kTagBytes;
    case regs::Framing::kDtls12: return 13 + kExplicitNonceBytes + kTagBytes;
    case regs::Framing::kRaw: return kTagBytes;
  }
  return 0;
}

// Largest plaintext of one kProtect job (TLS 1.3 spends one data byte on the inner type).
inline constexpr size_t max_plaintext(regs::Framing f) {
  return f == regs::Framing::kTls13 ? kMaxDataBytes - 1 : kMaxDataBytes;
}

inline constexpr uint16_t kTlsVersion12 = 0x0303;  // TLS 1.2 and the TLS 1.3 legacy version
inline constexpr uint16_t kDtlsVersion12 = 0xFEFD;
inline constexpr uint8_t kContentApplicationData = 23;

}  // namespace mediasec::device
