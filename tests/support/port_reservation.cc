#include "tests/support/port_reservation.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "host/h248/error_codes.h"
#include "host/media/local_answer.h"
#include "host/net/udp_socket.h"

namespace mediasec::test {
namespace {

h248::MediaError fault(uint16_t code, std::string reason) { return h248::MediaError{code, std::move(reason)}; }

}  // namespace

PortReservation::~PortReservation() {
  for (auto& [name, r] : reservations_) ::close(r.fd);
}

Result<sdp::SessionDescription, h248::MediaError> PortReservation::add(const h248::TerminationRequest& request) {
  if (reservations_.count(request.termination))
    return fault(h248::errors::kTerminationIdAlreadyInContext, request.termination + " is already reserved");
  const sdp::SessionDescription* s = request.local ? &*request.local : (request.remote ? &*request.remote : nullptr);
  bool tcp = true;
  if (s != nullptr && !s->media.empty()) {
    sdp::Transport t = s->media.front().transport();
    if (t == sdp::Transport::kOther)
      return fault(h248::errors::kUnsupportedParameterValue,
                   "bearer '" + s->media.front().proto + "' is not supported");
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
  auto local = media::answer_local(request, address_, r.port);
  if (!local) {
    ::close(r.fd);
    return local.error();
  }
  reservations_[request.termination] = r;
  return local;
}

Result<sdp::SessionDescription, h248::MediaError> PortReservation::modify(const h248::TerminationRequest& request) {
  auto it = reservations_.find(request.termination);
  if (it == reservations_.end())
    return fault(h248::errors::kNoSuchTerminationId, request.termination + " is not reserved");
  return media::answer_local(request, address_, it->second.port);
}

h248::MediaStatistics PortReservation::statistics(const std::string& termination) const {
  h248::MediaStatistics s;
  auto it = reservations_.find(termination);
  if (it != reservations_.end())
    s.duration_ms = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - it->second.since)
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

}  // namespace mediasec::test
