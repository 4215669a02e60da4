#include "host/media/udptl_relay.h"

namespace mediasec::media {

std::shared_ptr<UdptlRelay> UdptlRelay::start(asio::ip::udp::socket access,
                                              std::optional<asio::ip::udp::endpoint> terminal,
                                              asio::ip::udp::socket core, LatchPolicy policy) {
  std::shared_ptr<UdptlRelay> r(new UdptlRelay(std::move(access), terminal, std::move(core), std::move(policy)));
  r->read_access();
  r->read_core();
  return r;
}

UdptlRelay::UdptlRelay(asio::ip::udp::socket access, std::optional<asio::ip::udp::endpoint> terminal,
                       asio::ip::udp::socket core, LatchPolicy policy)
    : access_(std::move(access)),
      core_(std::move(core)),
      terminal_(terminal),
      policy_(std::move(policy)),
      access_buf_(kDatagram),
      core_buf_(kDatagram) {}

void UdptlRelay::latch_to(const asio::ip::udp::endpoint& from) {
  terminal_ = from;
  latched_ = true;
  ++stats_.latches;
  if (policy_.on_latch) policy_.on_latch(from);
}

void UdptlRelay::read_access() {
  if (stopped_) return;
  access_.async_receive_from(asio::buffer(access_buf_), from_,
                             [self = shared_from_this()](asio::error_code ec, size_t n) {
                               if (self->stopped_) return;
                               if (!ec) {
                                 const bool elsewhere = !self->terminal_ || self->from_ != *self->terminal_;
                                 if (self->policy_.latch && !self->latched_) {
                                   // The first packet's source, whatever the SDP said (reported only when it differs).
                                   if (elsewhere) self->latch_to(self->from_);
                                   self->latched_ = true;
                                 } else if (self->policy_.relatch && self->terminal_ && elsewhere) {
                                   self->latch_to(self->from_);
                                 }
                                 if (self->terminal_ && self->from_ == *self->terminal_) {
                                   asio::error_code ignored;
                                   self->core_.send(asio::buffer(self->access_buf_.data(), n), 0, ignored);
                                   ++self->stats_.packets_to_core;
                                   self->stats_.octets_to_core += n;
                                 } else {
                                   ++self->stats_.dropped;
                                 }
                               }
                               self->read_access();
                             });
}

void UdptlRelay::read_core() {
  if (stopped_) return;
  core_.async_receive(asio::buffer(core_buf_), [self = shared_from_this()](asio::error_code ec, size_t n) {
    if (self->stopped_) return;
    if (!ec && self->terminal_) {  // nowhere to send before the terminal is known
      asio::error_code ignored;
      self->access_.send_to(asio::buffer(self->core_buf_.data(), n), *self->terminal_, 0, ignored);
      ++self->stats_.packets_to_access;
      self->stats_.octets_to_access += n;
    }
    self->read_core();
  });
}

void UdptlRelay::stop() {
  if (stopped_) return;
  stopped_ = true;
  asio::error_code ignored;
  access_.close(ignored);
  core_.close(ignored);
}

}  // namespace mediasec::media
