// Shared helpers for the crypto block testbenches: 128-bit values, OpenSSL references,
// a bitwise GCM GF(2^128) multiply and the MEDIASEC_TEST_SCALE iteration scaling.
#ifndef MEDIASEC_TESTS_RTL_CRYPTO_TB_UTIL_H_
#define MEDIASEC_TESTS_RTL_CRYPTO_TB_UTIL_H_

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "verilated.h"

namespace mediasec::tb {

using Block = std::array<uint8_t, 16>;
using Key = std::array<uint8_t, 32>;

inline double TestScale() {
  const char* s = std::getenv("MEDIASEC_TEST_SCALE");
  if (s == nullptr) return 1.0;
  const double v = std::strtod(s, nullptr);
  return v > 0 ? v : 1.0;
}

inline int Scaled(int n, int min = 1) {
  const int v = static_cast<int>(n * TestScale());
  return v < min ? min : v;
}

inline std::vector<uint8_t> FromHex(std::string_view hex) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

inline std::string ToHex(std::span<const uint8_t> b) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  for (uint8_t c : b) {
    s.push_back(kDigits[c >> 4]);
    s.push_back(kDigits[c & 15]);
  }
  return s;
}

// Verilator wide signals: word 0 holds bits [31:0]. Byte 0 of a big-endian block of `nbytes`
// is the most significant byte.
template <size_t N>
void PutBytes(VlWide<N>& w, std::span<const uint8_t> bytes, size_t nbytes) {
  for (size_t i = 0; i < N; ++i) w[i] = 0;
  for (size_t i = 0; i < nbytes && i < bytes.size(); ++i) {
    const size_t bit = 8 * (nbytes - 1 - i);
    w[bit / 32] |= static_cast<uint32_t>(bytes[i]) << (bit % 32);
  }
}

template <size_t N>
void GetBytes(const VlWide<N>& w, std::span<uint8_t> bytes, size_t nbytes, size_t bit_offset = 0) {
  for (size_t i = 0; i < nbytes; ++i) {
    const size_t bit = bit_offset + 8 * (nbytes - 1 - i);
    bytes[i] = static_cast<uint8_t>(w[bit / 32] >> (bit % 32));
  }
}

template <size_t N>
void PutBlockAt(VlWide<N>& w, const Block& b, size_t bit_offset) {
  for (size_t i = 0; i < 16; ++i) {
    const size_t bit = bit_offset + 8 * (15 - i);
    w[bit / 32] = (w[bit / 32] & ~(0xffu << (bit % 32))) | (static_cast<uint32_t>(b[i]) << (bit % 32));
  }
}

template <size_t N>
Block GetBlockAt(const VlWide<N>& w, size_t bit_offset = 0) {
  Block b{};
  GetBytes(w, b, 16, bit_offset);
  return b;
}

inline Block AesEcb(std::span<const uint8_t> key, const Block& in) {
  const EVP_CIPHER* cipher = key.size() == 32 ? EVP_aes_256_ecb() : EVP_aes_128_ecb();
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  Block out{};
  int len = 0;
  if (ctx == nullptr || EVP_EncryptInit_ex(ctx, cipher, nullptr, key.data(), nullptr) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx, 0) != 1 || EVP_EncryptUpdate(ctx, out.data(), &len, in.data(), 16) != 1) {
    EVP_CIPHER_CTX_free(ctx);
    throw std::runtime_error("OpenSSL AES-ECB failed");
  }
  EVP_CIPHER_CTX_free(ctx);
  return out;
}

// GCM multiply, the specification's bitwise algorithm (NIST SP 800-38D, Algorithm 1).
inline Block GfMul(const Block& x, const Block& y) {
  Block z{};
  Block v = y;
  for (int i = 0; i < 128; ++i) {
    if ((x[i / 8] >> (7 - i % 8)) & 1) {
      for (int j = 0; j < 16; ++j) z[j] ^= v[j];
    }
    const bool lsb = v[15] & 1;
    for (int j = 15; j > 0; --j) v[j] = static_cast<uint8_t>((v[j] >> 1) | (v[j - 1] << 7));
    v[0] >>= 1;
    if (lsb) v[0] ^= 0xe1;
  }
  return z;
}

inline Block RandomBlock(std::mt19937_64& rng) {
  Block b{};
  for (auto& c : b) c = static_cast<uint8_t>(rng());
  return b;
}

}  // namespace mediasec::tb

#endif  // MEDIASEC_TESTS_RTL_CRYPTO_TB_UTIL_H_
