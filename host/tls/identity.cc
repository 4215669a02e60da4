#include "host/tls/identity.h"

#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <sys/stat.h>

#include <cstdio>
#include <memory>
#include <string>

#include "host/tls/fingerprint.h"

namespace mediasec::tls {
namespace {

struct FileClose {
  void operator()(FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<FILE, FileClose>;

Result<File> open_file(const std::filesystem::path& path, const char* mode) {
  File f(std::fopen(path.c_str(), mode));
  if (!f) return make_error(ErrorCode::kNotFound, "cannot open " + path.string());
  return f;
}

}  // namespace

Result<Identity> Identity::load(const std::filesystem::path& cert_pem, const std::filesystem::path& key_pem) {
  auto cf = open_file(cert_pem, "r");
  if (!cf) return cf.error();
  X509Ptr cert(PEM_read_X509(cf->get(), nullptr, nullptr, nullptr));
  if (!cert)
    return make_error(ErrorCode::kInvalidArgument,
                      cert_pem.string() + ": not a PEM certificate (" + openssl_error_text() + ")");
  auto kf = open_file(key_pem, "r");
  if (!kf) return kf.error();
  PkeyPtr key(PEM_read_PrivateKey(kf->get(), nullptr, nullptr, nullptr));
  // The error text never includes the key: OpenSSL reports only what failed.
  if (!key)
    return make_error(ErrorCode::kInvalidArgument,
                      key_pem.string() + ": not a PEM private key (" + openssl_error_text() + ")");
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    return make_error(ErrorCode::kInvalidArgument, key_pem.string() + " is not the key of " + cert_pem.string());
  }
  const int type = EVP_PKEY_get_base_id(key.get());
  if (type != EVP_PKEY_EC && type != EVP_PKEY_RSA) {
    return make_error(ErrorCode::kInvalidArgument, key_pem.string() + ": only ECDSA and RSA keys are supported");
  }
  return Identity(std::move(cert), std::move(key));
}

Result<Identity> Identity::generate(KeyType type, std::string_view common_name, int days) {
  PkeyPtr key(type == KeyType::kEcdsaP256 ? EVP_EC_gen("P-256") : EVP_RSA_gen(2048));
  if (!key) return make_error(ErrorCode::kInternal, "key generation failed: " + openssl_error_text());
  X509Ptr cert(X509_new());
  // A random 64-bit serial, positive.
  uint8_t serial[8];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7F;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_set_version(cert.get(), 2);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(days) * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  const std::string cn(common_name);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    return make_error(ErrorCode::kInternal, "self-signing failed: " + openssl_error_text());
  }
  return Identity(std::move(cert), std::move(key));
}

Result<Identity> Identity::load_or_create(const std::filesystem::path& cert_pem, const std::filesystem::path& key_pem,
                                          KeyType type) {
  std::error_code ec;
  if (std::filesystem::exists(cert_pem, ec) || std::filesystem::exists(key_pem, ec)) return load(cert_pem, key_pem);
  auto id = generate(type);
  if (!id) return id.error();
  if (auto s = id->save(cert_pem, key_pem); !s) return s.error();
  return id;
}

Result<void> Identity::save(const std::filesystem::path& cert_pem, const std::filesystem::path& key_pem) const {
  {
    auto cf = open_file(cert_pem, "w");
    if (!cf) return cf.error();
    if (PEM_write_X509(cf->get(), cert_.get()) != 1)
      return make_error(ErrorCode::kInternal, "cannot write " + cert_pem.string());
  }
  // The key file is created readable by its owner only, before any key byte is written.
  const mode_t old = ::umask(077);
  auto kf = open_file(key_pem, "w");
  ::umask(old);
  if (!kf) return kf.error();
  ::fchmod(::fileno(kf->get()), 0600);
  if (PEM_write_PrivateKey(kf->get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return make_error(ErrorCode::kInternal, "cannot write " + key_pem.string());
  }
  return ok_result();
}

Result<security::Fingerprint> Identity::fingerprint(std::string_view hash) const {
  return fingerprint_of(cert_.get(), hash);
}

}  // namespace mediasec::tls
