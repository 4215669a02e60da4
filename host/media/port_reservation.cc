#include "host/media/port_reservation.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "host/h248/error_codes.h"
#include "host/net/udp_socket.h"

namespace mediasec::media {
namespace {

h248::MediaError fault(uint16_t code, std::string reason) { return h248::MediaError{code, std::move(reason)}; }

}  // namespace

PortReservation::~PortReservation() {
  for (auto& [name, r] : reservations_) ::close(r.fd);
}

Result<sdp::SessionDescription, h248::MediaError> PortReservation::answer(const h248::TerminationRequest& request,
                                                                          const Reservation& r) const {
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
  const bool v6 = address_.find(':') != std::string::npos;
  sdp::Connection c{"IN", v6 ? "IP6" : "IP4", address_};
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
  if (!m.port) m.port = r.port;
  if (sdp::is_tcp(m.transport())) {
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
    if (m.attribute("connection") == nullptr) m.set_attribute("connection", "new");
  }
  return local;
}

Result<sdp::SessionDescription, h248::MediaError> PortReservation::add(const h248::TerminationRequest& request) {
  if (reservations_.count(request.termination))
    return fault(h248::errors::kTerminationIdAlreadyInContext, request.termination + " is already reserved");
  const sdp::SessionDescription* s = request.local ? &*request.local : (request.remote ? &*request.remote : nullptr);
  bool tcp = true;
  if (s != nullptr && !s->media.empty()) {
    sdp::Transport t = s->media.front().transport();
    if (t == sdp::Transport::kOther)
      return fault(h248::errors::kUnsupportedParameterValue, "bearer '" + s->media.front().proto + "' is not supported");
    tcp = sdp::is_tcp(t);
  }
  auto address = net::Endpoint::parse(address_, 0);
  if (!address) return fault(h248::errors::kInsufficientResources, "bad media address " + address_);
  Reservation r;
  r.tcp = tcp;
  r.fd = ::socket(address->storage.ss_family, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
  if (r.fd < 0) return fault(h248::errors::kInsufficientResources, std::string("socket: ") + std::strerror(errno));
  if (::bind(r.fd, reinterpret_cast<const sockaddr*>(&address->storage), address->length) != 0 ||
      (tcp && ::listen(r.fd, 4) != 0)) {
    std::string why = std::strerror(errno);
    ::close(r.fd);
    return fault(h248::errors::kInsufficientResources, "no port on " + address_ + ": " + why);
  }
  r.port = net::Endpoint::local_of(r.fd).port();
  r.since = std::chrono::steady_clock::now();
  auto local = answer(request, r);
  if (!local) {
    ::close(r.fd);
    return local.error();
  }
  reservations_[request.termination] = r;
  return local;
}

Result<sdp::SessionDescription, h248::MediaError> PortReservation::modify(const h248::TerminationRequest& request) {
  auto it = reservations_.find(request.termination);
  if (it == reservations_.end()) return fault(h248::errors::kNoSuchTerminationId, request.termination + " is not reserved");
  return answer(request, it->second);
}

h248::MediaStatistics PortReservation::statistics(const std::string& termination) const {
  h248::MediaStatistics s;
  auto it = reservations_.find(termination);
  if (it != reservations_.end())
    s.duration_ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                              std::chrono::steady_clock::now() - it->second.since)
                                              .count());
  return s;
}

h248::MediaStatistics PortReservation::subtract(const std::string& termination) {
  h248::MediaStatistics s = statistics(termination);
  auto it = reservations_.find(termination);
  if (it != reservations_.end()) {
    ::close(it->second.fd);
    reservations_.erase(it);
  }
  return s;
}

}  // namespace mediasec::media
