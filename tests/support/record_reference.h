// The record formats of docs/record-engine.md built directly on OpenSSL's AES-GCM, independent of
// every backend: the reference the RTL testbenches and the device tests compare against.
#ifndef MEDIASEC_TESTS_SUPPORT_RECORD_REFERENCE_H_
#define MEDIASEC_TESTS_SUPPORT_RECORD_REFERENCE_H_

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "drivers/regmap/mediasec_regs.h"

namespace mediasec::tb {

namespace r = ::mediasec::regs;
using Bytes = std::vector<uint8_t>;

struct SlotSpec {
  bool key256 = false;
  r::Framing framing = r::Framing::kTls12;
  r::Op dir = r::Op::kProtect;
  uint64_t seq = 0;
  uint16_t epoch = 0;
  std::array<uint8_t, 32> key{};
  std::array<uint8_t, 12> iv{};
};

inline void PutBe(Bytes& b, uint64_t v, int n) {
  for (int i = n - 1; i >= 0; --i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// AES-GCM encrypt (tag appended) or decrypt-and-verify (returns false on tag mismatch).
inline bool Gcm(const SlotSpec& s, std::span<const uint8_t> nonce, std::span<const uint8_t> aad,
                std::span<const uint8_t> in, bool decrypt, Bytes* out) {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  const EVP_CIPHER* c = s.key256 ? EVP_aes_256_gcm() : EVP_aes_128_gcm();
  bool ok = EVP_CipherInit_ex(ctx, c, nullptr, nullptr, nullptr, decrypt ? 0 : 1) == 1;
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, nullptr) == 1;
  ok = ok && EVP_CipherInit_ex(ctx, nullptr, nullptr, s.key.data(), nonce.data(), -1) == 1;
  int len = 0;
  if (!aad.empty()) ok = ok && EVP_CipherUpdate(ctx, nullptr, &len, aad.data(), static_cast<int>(aad.size())) == 1;
  size_t body = decrypt ? in.size() - 16 : in.size();
  out->assign(body + 16, 0);
  if (body > 0) ok = ok && EVP_CipherUpdate(ctx, out->data(), &len, in.data(), static_cast<int>(body)) == 1;
  if (decrypt) {
    std::array<uint8_t, 16> tag{};
    std::copy(in.end() - 16, in.end(), tag.begin());
    ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, tag.data()) == 1;
  }
  ok = ok && EVP_CipherFinal_ex(ctx, out->data() + body, &len) == 1;
  if (!decrypt) {
    ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, out->data() + body) == 1;
  } else {
    out->resize(body);
  }
  EVP_CIPHER_CTX_free(ctx);
  return ok;
}

inline Bytes XorNonce(const SlotSpec& s, uint64_t seq) {
  Bytes n(s.iv.begin(), s.iv.end());
  for (int i = 0; i < 8; ++i) n[4 + i] ^= static_cast<uint8_t>(seq >> (8 * (7 - i)));
  return n;
}

// PROTECT reference: input frame bytes (RAW: aad || P) -> expected output frame.
inline Bytes RefProtect(const SlotSpec& s, uint64_t seq, uint8_t ctype, std::span<const uint8_t> in,
                        size_t aad_len = 0) {
  Bytes out, nonce, aad, ct;
  const uint64_t len = in.size();
  switch (s.framing) {
    case r::Framing::kTls12: {
      nonce.assign(s.iv.begin(), s.iv.begin() + 4);
      PutBe(nonce, seq, 8);
      PutBe(aad, seq, 8);
      aad.push_back(ctype);
      PutBe(aad, 0x0303, 2);
      PutBe(aad, len, 2);
      Gcm(s, nonce, aad, in, false, &ct);
      out.push_back(ctype);
      PutBe(out, 0x0303, 2);
      PutBe(out, len + 24, 2);
      PutBe(out, seq, 8);
      break;
    }
    case r::Framing::kTls13: {
      nonce = XorNonce(s, seq);
      PutBe(aad, 0x170303, 3);
      PutBe(aad, len + 17, 2);
      Bytes inner(in.begin(), in.end());
      inner.push_back(ctype);
      Gcm(s, nonce, aad, inner, false, &ct);
      out = aad;
      break;
    }
    case r::Framing::kDtls12: {
      const uint64_t e = (static_cast<uint64_t>(s.epoch) << 48) | (seq & 0xffffffffffffull);
      nonce.assign(s.iv.begin(), s.iv.begin() + 4);
      PutBe(nonce, e, 8);
      PutBe(aad, e, 8);
      aad.push_back(ctype);
      PutBe(aad, 0xfefd, 2);
      PutBe(aad, len, 2);
      Gcm(s, nonce, aad, in, false, &ct);
      out.push_back(ctype);
      PutBe(out, 0xfefd, 2);
      PutBe(out, e, 8);
      PutBe(out, len + 24, 2);
      PutBe(out, e, 8);
      break;
    }
    case r::Framing::kRaw: {
      nonce = XorNonce(s, seq);
      Gcm(s, nonce, in.subspan(0, aad_len), in.subspan(aad_len), false, &ct);
      break;
    }
  }
  out.insert(out.end(), ct.begin(), ct.end());
  return out;
}

}  // namespace mediasec::tb

#endif  // MEDIASEC_TESTS_SUPPORT_RECORD_REFERENCE_H_
