#include "host/tls/traffic_keys.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <algorithm>
#include <array>
#include <memory>
#include <string>
#include <vector>

namespace mediasec::tls {
namespace {

struct KdfCtxFree {
  void operator()(EVP_KDF_CTX* c) const { EVP_KDF_CTX_free(c); }
};
using KdfCtx = std::unique_ptr<EVP_KDF_CTX, KdfCtxFree>;

const char* digest_name(SuiteHash h) { return h == SuiteHash::kSha256 ? "SHA256" : "SHA384"; }

Result<KdfCtx> kdf(const char* name) {
  EVP_KDF* k = EVP_KDF_fetch(nullptr, name, nullptr);
  if (k == nullptr) return make_error(ErrorCode::kInternal, std::string("OpenSSL has no ") + name + " KDF");
  KdfCtx ctx(EVP_KDF_CTX_new(k));
  EVP_KDF_free(k);
  if (!ctx) return make_error(ErrorCode::kInternal, std::string("cannot create a ") + name + " context");
  return ctx;
}

// Derives out.size() bytes; false on an OpenSSL failure.
bool derive(EVP_KDF_CTX* ctx, const OSSL_PARAM* params, std::span<uint8_t> out) {
  return EVP_KDF_derive(ctx, out.data(), out.size(), params) == 1;
}

// HKDF-Expand-Label(secret, label, "", length) of RFC 8446 §7.1.
bool expand_label(SuiteHash hash, std::span<const uint8_t> secret, const std::string& label, std::span<uint8_t> out) {
  auto ctx = kdf("HKDF");
  if (!ctx.ok()) return false;
  const std::string full = "tls13 " + label;
  std::vector<uint8_t> info = {static_cast<uint8_t>(out.size() >> 8), static_cast<uint8_t>(out.size()),
                               static_cast<uint8_t>(full.size())};
  info.insert(info.end(), full.begin(), full.end());
  info.push_back(0);  // empty context
  int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>(digest_name(hash)), 0),
      OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<uint8_t*>(secret.data()), secret.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info.data(), info.size()), OSSL_PARAM_construct_end()};
  return derive(ctx->get(), params, out);
}

}  // namespace

Result<Tls12Keys> tls12_keys(device::Cipher cipher, SuiteHash hash, std::span<const uint8_t> master_secret,
                             std::span<const uint8_t> client_random, std::span<const uint8_t> server_random) {
  if (master_secret.size() != 48 || client_random.size() != 32 || server_random.size() != 32) {
    return make_error(ErrorCode::kInvalidArgument, "TLS 1.2 keys need a 48-byte master secret and 32-byte randoms");
  }
  auto ctx = kdf("TLS1-PRF");
  if (!ctx.ok()) return ctx.error();
  const size_t key_len = device::key_bytes(cipher);
  std::vector<uint8_t> seed;
  const std::string label = "key expansion";
  seed.insert(seed.end(), label.begin(), label.end());
  seed.insert(seed.end(), server_random.begin(), server_random.end());
  seed.insert(seed.end(), client_random.begin(), client_random.end());
  std::vector<uint8_t> block(2 * key_len + 2 * 4);
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>(digest_name(hash)), 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, const_cast<uint8_t*>(master_secret.data()),
                                        master_secret.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, seed.data(), seed.size()), OSSL_PARAM_construct_end()};
  if (!derive(ctx->get(), params, block)) {
    return make_error(ErrorCode::kInternal, "TLS1-PRF key expansion failed");
  }
  Tls12Keys keys;
  for (device::SlotConfig* c : {&keys.client_write, &keys.server_write}) {
    c->cipher = cipher;
    c->framing = device::Framing::kTls12;
    c->direction = device::Op::kProtect;
    c->sequence = 0;
  }
  std::copy_n(block.begin(), key_len, keys.client_write.key.begin());
  std::copy_n(block.begin() + key_len, key_len, keys.server_write.key.begin());
  std::copy_n(block.begin() + 2 * key_len, 4, keys.client_write.iv.begin());
  std::copy_n(block.begin() + 2 * key_len + 4, 4, keys.server_write.iv.begin());
  OPENSSL_cleanse(block.data(), block.size());
  return keys;
}

Result<device::SlotConfig> tls13_keys(device::Cipher cipher, SuiteHash hash, std::span<const uint8_t> traffic_secret) {
  const size_t hash_len = hash == SuiteHash::kSha256 ? 32 : 48;
  if (traffic_secret.size() != hash_len) {
    return make_error(ErrorCode::kInvalidArgument, "TLS 1.3 traffic secret has the wrong length for its hash");
  }
  device::SlotConfig c;
  c.cipher = cipher;
  c.framing = device::Framing::kTls13;
  c.direction = device::Op::kProtect;
  c.sequence = 0;
  const size_t key_len = device::key_bytes(cipher);
  if (!expand_label(hash, traffic_secret, "key", std::span(c.key.data(), key_len)) ||
      !expand_label(hash, traffic_secret, "iv", std::span(c.iv.data(), c.iv.size()))) {
    device::secure_wipe(c);
    return make_error(ErrorCode::kInternal, "HKDF-Expand-Label failed");
  }
  return c;
}

Result<std::vector<uint8_t>> tls13_next_secret(SuiteHash hash, std::span<const uint8_t> traffic_secret) {
  if (traffic_secret.size() != hash_bytes(hash)) {
    return make_error(ErrorCode::kInvalidArgument, "TLS 1.3 traffic secret has the wrong length for its hash");
  }
  std::vector<uint8_t> next(hash_bytes(hash));
  if (!expand_label(hash, traffic_secret, "traffic upd", next))
    return make_error(ErrorCode::kInternal, "HKDF-Expand-Label failed");
  return next;
}

}  // namespace mediasec::tls
