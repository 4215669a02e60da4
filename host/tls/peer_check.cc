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
  auto digest = fingerprint_of(leaf, "sha-256");
  if (!digest) return refuse(ReleaseCause::kFingerprintMismatch, "cannot fingerprint the peer's certificate");
  if (!accepted_.digest.empty() && digest->digest != accepted_.digest) {
    return refuse(ReleaseCause::kCertificateChanged,
                  "the peer presented a different certificate in a renegotiation (" + digest->to_string() + ")");
  }
  if (fingerprints_.empty()) {
    if (require_)
      return refuse(ReleaseCause::kFingerprintMismatch,
                    "no a=fingerprint to authenticate the peer's certificate against");
  } else if (!matches_any(leaf, fingerprints_)) {
    return refuse(ReleaseCause::kFingerprintMismatch, "the peer's certificate (" +
                                                          describe(leaf, fingerprints_.front().hash) +
                                                          ") matches no a=fingerprint of the Remote descriptor");
  }
  if (accepted_.digest.empty()) accepted_ = std::move(*digest);
  return true;
}

}  // namespace mediasec::tls
