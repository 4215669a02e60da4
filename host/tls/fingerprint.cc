#include "host/tls/fingerprint.h"

#include "base/ascii.h"

#include <openssl/evp.h>

#include <string>

namespace mediasec::tls {

Result<security::Fingerprint> fingerprint_of(X509* cert, std::string_view hash) {
  if (cert == nullptr) return make_error(ErrorCode::kInvalidArgument, "no certificate to fingerprint");
  const EVP_MD* md = security::fingerprint_digest(hash);
  if (md == nullptr)
    return make_error(ErrorCode::kInvalidArgument, "unknown fingerprint hash '" + std::string(hash) + "'");
  security::Fingerprint fp;
  fp.hash = ascii_lowercase(hash);
  fp.digest.resize(static_cast<size_t>(EVP_MD_get_size(md)));
  unsigned int len = 0;
  if (X509_digest(cert, md, fp.digest.data(), &len) != 1 || len != fp.digest.size()) {
    return make_error(ErrorCode::kInternal, "X509_digest failed for " + fp.hash);
  }
  return fp;
}

bool matches_any(X509* cert, std::span<const security::Fingerprint> expected) {
  for (const security::Fingerprint& want : expected) {
    auto got = fingerprint_of(cert, want.hash);
    if (got.ok() && got->digest == want.digest) return true;
  }
  return false;
}

}  // namespace mediasec::tls
