// The gateway's own certificate and private key: loaded from PEM files named in the
// configuration, or generated (self-signed) at first start and kept, so that the fingerprint the
// gateway publishes in SDP stays the same across restarts.
#pragma once

#include <filesystem>
#include <memory>
#include <string_view>

#include "base/result.h"
#include "host/security/fingerprint.h"
#include "host/tls/openssl_handles.h"

namespace mediasec::tls {

enum class KeyType { kEcdsaP256, kRsa2048 };

class Identity {
 public:
  // A certificate and its key from PEM files; fails if either is unreadable or they do not pair.
  static Result<Identity> load(const std::filesystem::path& cert_pem, const std::filesystem::path& key_pem);
  // A fresh self-signed certificate (CN = common_name, valid for `days`).
  static Result<Identity> generate(KeyType type, std::string_view common_name = "mediasec", int days = 3650);
  // load() from the two files if they exist; otherwise generate() and write them (key mode 0600).
  static Result<Identity> load_or_create(const std::filesystem::path& cert_pem, const std::filesystem::path& key_pem,
                                         KeyType type = KeyType::kEcdsaP256);

  Result<void> save(const std::filesystem::path& cert_pem, const std::filesystem::path& key_pem) const;

  X509* certificate() const { return cert_.get(); }
  EVP_PKEY* private_key() const { return key_.get(); }
  // Our a=fingerprint for the Local descriptor.
  Result<security::Fingerprint> fingerprint(std::string_view hash = "sha-256") const;

 private:
  Identity(X509Ptr cert, PkeyPtr key) : cert_(cert.release(), X509_free), key_(key.release(), EVP_PKEY_free) {}
  // Both shared with every SSL_CTX that uses them (OpenSSL counts references).
  std::shared_ptr<X509> cert_;
  std::shared_ptr<EVP_PKEY> key_;
};

}  // namespace mediasec::tls
