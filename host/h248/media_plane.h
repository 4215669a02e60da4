// What the gateway model asks of the media plane: reserve, change and release the resources of a
// termination (sockets, TCP connections, TLS sessions, relays). media::BearerPlane implements it;
// the control-path tests use tests/support/port_reservation.h (sockets only, no relays).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "host/h248/message.h"
#include "host/sdp/sdp.h"

namespace mediasec::h248 {

// An H.248 error the media plane wants the MGC to see (e.g. 510 insufficient resources,
// 474 invalid SDP, 449 unsupported value).
struct MediaError {
  uint16_t code = 510;
  std::string reason;
};

// What the MGC asked for one termination, after the gateway parsed it.
struct TerminationRequest {
  std::string termination;  // "tls/7"
  uint32_t context = 0;
  std::optional<StreamMode> mode;
  std::vector<PropertyParm> properties;  // LocalControl package properties
  std::vector<std::string> signals;      // signals this command asked for ("tcpbcc/estab", "tlsbsc/start")
  std::optional<sdp::SessionDescription> local;
  std::optional<sdp::SessionDescription> remote;
};

struct MediaStatistics {
  uint64_t octets_sent = 0;
  uint64_t octets_received = 0;
  uint64_t duration_ms = 0;
  std::optional<uint64_t> latches;  // lstat/latches, for bearers that latch (ipnapt)
};

class MediaPlane {
 public:
  virtual ~MediaPlane() = default;
  // A new termination. Returns the Local SDP to answer with (underspecified parts filled in).
  virtual Result<sdp::SessionDescription, MediaError> add(const TerminationRequest& request) = 0;
  // A change (Modify, or Move to another context). Returns the Local SDP now in force.
  virtual Result<sdp::SessionDescription, MediaError> modify(const TerminationRequest& request) = 0;
  // Release everything of the termination; returns its final statistics.
  virtual MediaStatistics subtract(const std::string& termination) = 0;
  virtual MediaStatistics statistics(const std::string& termination) const = 0;
};

}  // namespace mediasec::h248
