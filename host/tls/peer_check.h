// Authenticates the peer of a TLS or DTLS session by its certificate: it must match an
// a=fingerprint of the Remote descriptor (RFC 8122; no CA involved), and a later handshake on the
// same session (a renegotiation) must present the very same certificate.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "host/security/fingerprint.h"
#include "host/tls/openssl_handles.h"
#include "host/tls/release.h"

namespace mediasec::tls {

class PeerCheck {
 public:
  PeerCheck(std::vector<security::Fingerprint> fingerprints, bool require)
      : fingerprints_(std::move(fingerprints)), require_(require) {}

  // True to accept `leaf`; otherwise failure() and reason() say why.
  bool accept(X509* leaf);

  // The SHA-256 fingerprint of the certificate accepted first (empty before). Only the digest is
  // kept, not the certificate: an idle session holds as little as possible.
  const security::Fingerprint& accepted() const { return accepted_; }
  const std::optional<ReleaseCause>& failure() const { return failure_; }
  const std::string& reason() const { return reason_; }
  // Why a failed handshake ends the session: this check's refusal if there was one, else `cause`.
  Release or_else(ReleaseCause cause, std::string reason) const {
    return failure_ ? Release{*failure_, reason_} : Release{cause, std::move(reason)};
  }

 private:
  bool refuse(ReleaseCause cause, std::string reason);
  std::vector<security::Fingerprint> fingerprints_;
  bool require_;
  security::Fingerprint accepted_;
  std::optional<ReleaseCause> failure_;
  std::string reason_;
};

}  // namespace mediasec::tls
