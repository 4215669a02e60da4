#include "host/media/local_answer.h"

#include "host/h248/error_codes.h"

namespace mediasec::media {
namespace {
h248::MediaError fault(uint16_t code, std::string reason) { return h248::MediaError{code, std::move(reason)}; }
}  // namespace

Result<sdp::SessionDescription, h248::MediaError> answer_local(const h248::TerminationRequest& request,
                                                               const std::string& address, uint16_t port) {
  sdp::SessionDescription local;
  if (request.local) {
    local = *request.local;
  } else if (request.remote) {
    local = *request.remote;  // answer on the same bearer
    local.origin.reset();
    for (sdp::MediaDescription& m : local.media) {
      m.attributes.clear();
      m.connection.reset();
    }
  }
  if (local.media.empty()) return local;
  if (!local.version) local.version = "0";
  const bool v6 = address.find(':') != std::string::npos;
  sdp::Connection c{"IN", v6 ? "IP6" : "IP4", address};
  sdp::MediaDescription& m = local.media.front();
  if (!local.connection || local.connection->underspecified()) {
    if (m.connection && !m.connection->underspecified()) {
      // the media-level address stands
    } else if (m.connection) {
      m.connection = c;
    } else {
      local.connection = c;
    }
  }
  if (!m.port) m.port = port;
  // a=setup decides who opens the TCP connection, and for DTLS who is the client (RFC 5763 §5).
  const bool tcp = sdp::is_tcp(m.transport());
  if (tcp || m.transport() == sdp::Transport::kDtlsUdptl) {
    std::optional<sdp::Setup> offered;
    if (request.remote && !request.remote->media.empty()) {
      auto s = request.remote->media.front().setup();
      if (!s) return fault(h248::errors::kInvalidSdpSyntax, s.error().reason);
      offered = s.value();
    }
    auto own = m.setup();
    const sdp::Attribute* setup_attr = m.attribute("setup");
    bool choose = setup_attr == nullptr || !setup_attr->value || *setup_attr->value == "$";
    if (choose || !own.ok()) {
      sdp::Setup answer = offered == sdp::Setup::kPassive ? sdp::Setup::kActive : sdp::Setup::kPassive;
      if (!offered) answer = sdp::Setup::kActPass;
      m.set_attribute("setup", sdp::to_string(answer));
    }
    if (tcp && m.attribute("connection") == nullptr) m.set_attribute("connection", "new");
  }
  return local;
}

}  // namespace mediasec::media
