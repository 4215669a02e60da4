#include "host/tls/release.h"

namespace mediasec::tls {

const char* to_string(ReleaseCause cause) {
  switch (cause) {
    case ReleaseCause::kCloseNotify: return "close-notify";
    case ReleaseCause::kLocalClose: return "local-close";
    case ReleaseCause::kAlertReceived: return "alert-received";
    case ReleaseCause::kHandshakeFailed: return "handshake-failed";
    case ReleaseCause::kHandshakeTimeout: return "handshake-timeout";
    case ReleaseCause::kFingerprintMismatch: return "fingerprint-mismatch";
    case ReleaseCause::kCertificateChanged: return "certificate-changed";
    case ReleaseCause::kBadRecord: return "bad-record";
    case ReleaseCause::kTransportClosed: return "transport-closed";
    case ReleaseCause::kDeviceError: return "device-error";
    case ReleaseCause::kBadMedia: return "bad-media";
  }
  return "unknown";
}

}  // namespace mediasec::tls
