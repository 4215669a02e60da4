// A MediaPlane for the tests and benchmarks of the control path: each termination gets a real
// socket bound to the gateway's media address (a listening TCP socket for TCP bearers, a UDP
// socket for UDPTL) and its Local SDP is completed with that address and port and, for TCP
// bearers, the a=setup / a=connection answer (media::answer_local). Nothing is relayed: the
// product's MediaPlane is media::BearerPlane.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include "host/h248/media_plane.h"

namespace mediasec::test {

class PortReservation final : public h248::MediaPlane {
 public:
  explicit PortReservation(std::string media_address) : address_(std::move(media_address)) {}
  ~PortReservation() override;
  PortReservation(const PortReservation&) = delete;
  PortReservation& operator=(const PortReservation&) = delete;

  Result<sdp::SessionDescription, h248::MediaError> add(const h248::TerminationRequest& request) override;
  Result<sdp::SessionDescription, h248::MediaError> modify(const h248::TerminationRequest& request) override;
  h248::MediaStatistics subtract(const std::string& termination) override;
  h248::MediaStatistics statistics(const std::string& termination) const override;

  size_t reserved() const { return reservations_.size(); }

 private:
  struct Reservation {
    int fd = -1;
    uint16_t port = 0;
    bool tcp = true;
    std::chrono::steady_clock::time_point since;
  };

  std::string address_;
  std::map<std::string, Reservation> reservations_;
};

}  // namespace mediasec::test
