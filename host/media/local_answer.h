// The Local SDP a termination answers with: the MGC's Local (or, failing that, its Remote) with
// the underspecified parts filled in — the gateway's media address and the port it holds, and for
// TCP bearers the RFC 4145 answer: a=setup (an offer of active is answered passive, passive
// active, actpass passive; none yet: actpass) and a=connection:new; DTLS bearers get the a=setup
// answer too (it picks the DTLS client, RFC 5763).
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"
#include "host/h248/media_plane.h"

namespace mediasec::media {

Result<sdp::SessionDescription, h248::MediaError> answer_local(const h248::TerminationRequest& request,
                                                               const std::string& address, uint16_t port);

}  // namespace mediasec::media
