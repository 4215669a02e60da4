#include "host/tls/peer_check.h"

#include "host/tls/fingerprint.h"

namespace mediasec::tls {
namespace {
std::string describe(X509* cert, const std::string& hash) {
  auto fp = fingerprint_of(cert, hash);
  return fp.ok() ? fp->to_string() : std::string("?");
}
}  // namespace

bool PeerCheck::refuse(ReleaseCause cause, std::string reason) {
  failure_ = cause;
  reason_ = std::move(reason);
  return false;
}

bool PeerCheck::accept(X509* leaf) {
  if (cert_ && X509_cmp(leaf, cert_.get()) != 0) {
    return refuse(ReleaseCause::kCertificateChanged,
                  "the peer presented a different certificate in a renegotiation (" + describe(leaf, "sha-256") + ")");
  }
  if (fingerprints_.empty()) {
    if (require_) return refuse(ReleaseCause::kFingerprintMismatch, "no a=fingerprint to authenticate the peer's certificate against");
  } else if (!matches_any(leaf, fingerprints_)) {
    return refuse(ReleaseCause::kFingerprintMismatch, "the peer's certificate (" + describe(leaf, fingerprints_.front().hash) +
                                                          ") matches no a=fingerprint of the Remote descriptor");
  }
  if (!cert_) {
    X509_up_ref(leaf);
    cert_.reset(leaf);
  }
  return true;
}

}  // namespace mediasec::tls
