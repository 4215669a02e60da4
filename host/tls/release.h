// Why a TLS or DTLS session ended: what the media plane reports to the MGC and the operator sees.
// Reasons never contain key material.
#pragma once

#include <string>

namespace mediasec::tls {

enum class ReleaseCause {
  kCloseNotify,          // the peer closed the session cleanly
  kLocalClose,           // we sent close_notify (Subtract, shutdown)
  kAlertReceived,        // the peer sent a fatal alert
  kHandshakeFailed,      // the handshake failed (no common suite, bad message, ...)
  kHandshakeTimeout,     // the handshake did not complete in Profile::handshake_timeout
  kFingerprintMismatch,  // the peer's certificate matches no a=fingerprint
  kCertificateChanged,   // a renegotiation presented a different peer certificate
  kBadRecord,            // a record failed authentication or was malformed
  kTransportClosed,      // the TCP connection went away without close_notify
  kDeviceError,          // the device could not protect or unprotect
  kBadMedia,             // the relayed media broke its protocol (malformed MSRP); we sent close_notify
};

const char* to_string(ReleaseCause cause);

struct Release {
  ReleaseCause cause = ReleaseCause::kCloseNotify;
  std::string reason;  // for logs and the operator
};

}  // namespace mediasec::tls
