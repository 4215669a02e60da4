#include "host/media/dtls_udptl_relay.h"

namespace mediasec::media {
namespace {
constexpr size_t kDatagram = 65536;

std::vector<uint8_t> address_bytes(const asio::ip::udp::endpoint& e) {
  const auto* p = reinterpret_cast<const uint8_t*>(e.data());
  return std::vector<uint8_t>(p, p + e.size());
}

// A datagram that can open a DTLS 1.x handshake (RFC 6347 4.1, 4.2.2): a handshake record
// (content type 22) of a DTLS version (0xfeff or 0xfefd) in epoch 0, whose first handshake
// message is a ClientHello (type 1) and fits the record. Only such a datagram may latch a bearer
// still waiting for its terminal: junk from any address must not take it.
bool opens_dtls_handshake(std::span<const uint8_t> d) {
  constexpr size_t kRecordHeader = 13, kHandshakeHeader = 12;
  if (d.size() < kRecordHeader + kHandshakeHeader) return false;
  const bool dtls_version = d[1] == 0xfe && (d[2] == 0xff || d[2] == 0xfd);
  const bool epoch0 = d[3] == 0 && d[4] == 0;
  const size_t length = static_cast<size_t>(d[11]) << 8 | d[12];
  return d[0] == 22 && dtls_version && epoch0 && length >= kHandshakeHeader && kRecordHeader + length <= d.size() &&
         d[kRecordHeader] == 1;
}
}  // namespace

std::shared_ptr<DtlsUdptlRelay> DtlsUdptlRelay::start(asio::ip::udp::socket access,
                                                      std::optional<asio::ip::udp::endpoint> terminal,
                                                      asio::ip::udp::socket core,
                                                      std::unique_ptr<tls::DtlsSession> session, OnRelease on_release,
                                                      OnEstablished on_established, LatchPolicy latch) {
  std::shared_ptr<DtlsUdptlRelay> r(
      new DtlsUdptlRelay(std::move(access), terminal, std::move(core), std::move(session), std::move(on_release)));
  r->on_established_ = std::move(on_established);
  r->latch_ = std::move(latch);
  if (r->terminal_) r->session_->set_peer_address(address_bytes(*r->terminal_));
  r->session_->start();
  r->flush();
  r->read_access();
  r->read_core();
  return r;
}

DtlsUdptlRelay::DtlsUdptlRelay(asio::ip::udp::socket access, std::optional<asio::ip::udp::endpoint> terminal,
                               asio::ip::udp::socket core, std::unique_ptr<tls::DtlsSession> session,
                               OnRelease on_release)
    : access_(std::move(access)),
      core_(std::move(core)),
      terminal_(terminal),
      timer_(access_.get_executor()),
      session_(std::move(session)),
      on_release_(std::move(on_release)),
      access_buf_(kDatagram),
      core_buf_(kDatagram) {}

void DtlsUdptlRelay::latch_to(const asio::ip::udp::endpoint& from) {
  terminal_ = from;
  session_->set_peer_address(address_bytes(from));
  ++stats_.latches;
  if (latch_.on_latch) latch_.on_latch(from);
}

void DtlsUdptlRelay::read_access() {
  if (finished_) return;
  access_.async_receive_from(
      asio::buffer(access_buf_), from_, [self = shared_from_this()](asio::error_code ec, size_t n) {
        if (self->finished_) return;
        if (!ec) {
          const std::span<const uint8_t> d(self->access_buf_.data(), n);
          // Latch on a ClientHello only, and until the handshake completes
          // a ClientHello from another source latches again: a wrong latch is
          // recovered when the real terminal retransmits. A terminal the
          // Remote named (our client role) is never latched away from.
          const bool may_latch =
              !self->terminal_ || (self->latched_ && !self->session_->established() && self->from_ != *self->terminal_);
          if (may_latch && opens_dtls_handshake(d)) {
            self->latch_to(self->from_);
            self->latched_ = true;
          }
          if (!self->terminal_) {
            ++self->stats_.datagrams_ignored;  // nothing latched: not a ClientHello
          } else if (self->from_ == *self->terminal_) {
            self->session_->receive(d);
            self->flush();
          } else if (self->latch_.relatch && self->session_->established()) {
            // A NAT rebinding: follow the new source once one of its records authenticates (a
            // forged or replayed datagram fails on the device or in the replay window and moves
            // nothing).
            const uint64_t before = self->session_->info().records_in;
            self->session_->receive(std::span<const uint8_t>(self->access_buf_.data(), n));
            if (self->session_->info().records_in > before) self->latch_to(self->from_);
            self->flush();
          }
        }
        self->read_access();
      });
}

void DtlsUdptlRelay::read_core() {
  if (finished_) return;
  core_.async_receive(asio::buffer(core_buf_), [self = shared_from_this()](asio::error_code ec, size_t n) {
    if (self->finished_) return;
    if (!ec && self->session_->established()) {
      if (self->session_->send(std::span<const uint8_t>(self->core_buf_.data(), n))) {
        ++self->stats_.packets_to_access;
        self->stats_.octets_to_access += n;
      }
      self->flush();
    }
    self->read_core();  // UDP errors (ICMP unreachable) do not end the bearer
  });
}

void DtlsUdptlRelay::flush() {
  asio::error_code ignored;
  if (!established_ && session_->established()) {
    established_ = true;
    stats_.established = true;
    if (on_established_) on_established_();
  }
  if (terminal_) {
    for (const auto& d : session_->take_datagrams()) access_.send_to(asio::buffer(d), *terminal_, 0, ignored);
  }
  for (const auto& p : session_->take_received()) {
    core_.send(asio::buffer(p), 0, ignored);
    ++stats_.packets_to_core;
    stats_.octets_to_core += p.size();
  }
  if (session_->released()) {
    finish();
    return;
  }
  arm_timer();
}

void DtlsUdptlRelay::arm_timer() {
  const auto wait = session_->timeout();
  if (!wait) {
    timer_.cancel();
    return;
  }
  timer_.expires_after(*wait);
  timer_.async_wait([self = shared_from_this()](asio::error_code ec) {
    if (ec || self->finished_) return;
    self->session_->on_timeout();
    self->flush();
  });
}

void DtlsUdptlRelay::finish() {
  if (finished_) return;
  finished_ = true;
  timer_.cancel();
  asio::error_code ignored;
  access_.close(ignored);
  core_.close(ignored);
  if (on_release_) on_release_(*session_->release(), stats_);
}

void DtlsUdptlRelay::stop() {
  if (finished_) return;
  session_->close();
  flush();
}

}  // namespace mediasec::media
