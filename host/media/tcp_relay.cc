#include "host/media/tcp_relay.h"

#include "host/media/socket_drain.h"

namespace mediasec::media {

std::shared_ptr<TcpRelay> TcpRelay::start(asio::ip::tcp::socket access, asio::ip::tcp::socket core,
                                          OnRelease on_release, std::unique_ptr<MsrpInterworking> msrp) {
  std::shared_ptr<TcpRelay> r(new TcpRelay(std::move(access), std::move(core), std::move(on_release), std::move(msrp)));
  asio::error_code ignored;
  r->access_.socket.set_option(asio::ip::tcp::no_delay(true), ignored);
  r->core_.socket.set_option(asio::ip::tcp::no_delay(true), ignored);
  r->access_.socket.non_blocking(true, ignored);
  r->core_.socket.non_blocking(true, ignored);
  r->read(r->access_, r->core_, r->stats_.access_to_core);
  r->read(r->core_, r->access_, r->stats_.core_to_access);
  return r;
}

TcpRelay::TcpRelay(asio::ip::tcp::socket access, asio::ip::tcp::socket core, OnRelease on_release,
                   std::unique_ptr<MsrpInterworking> msrp)
    : access_(std::move(access)), core_(std::move(core)), on_release_(std::move(on_release)), msrp_(std::move(msrp)) {}

// Like the e2ae relay: wait for readability, then drain the socket (host/media/socket_drain.h).
void TcpRelay::read(Leg& from, Leg& to, uint64_t& counter) {
  if (from.reading || from.eof || !may_read_into(to)) return;
  from.reading = true;
  from.socket.async_wait(asio::ip::tcp::socket::wait_read,
                         [self = shared_from_this(), &from, &to, &counter](asio::error_code ec) {
                           from.reading = false;
                           if (self->finished_) return;
                           if (ec) {
                             self->ended(from, ec);
                             return;
                           }
                           self->drain(from, to, counter);
                         });
}

void TcpRelay::drain(Leg& from, Leg& to, uint64_t& counter) {
  const bool from_access = &from == &access_;
  const DrainResult r = drain_socket<kReadSize>(
      from.socket, kReadsPerWake, [&] { return may_read_into(to); },
      [&](std::span<const uint8_t> bytes) {
        if (msrp_) {
          std::vector<uint8_t> out;
          auto ok = (from_access ? msrp_->to_core : msrp_->to_access).feed(bytes, out);
          if (!ok) {
            release_ = Release{from_access ? Side::kAccess : Side::kCore, "malformed MSRP: " + ok.error().reason};
            maybe_finish();
            return false;
          }
          counter += out.size();
          if (!out.empty()) to.out.push(std::move(out));
        } else {
          counter += bytes.size();
          to.out.push(std::vector<uint8_t>(bytes.begin(), bytes.end()));
        }
        write(to);
        return true;
      });
  if (r.end == DrainEnd::kError) {
    ended(from, r.error);
    return;
  }
  if (r.end == DrainEnd::kDrained) read(from, to, counter);
}

void TcpRelay::write(Leg& leg) {
  leg.out.write(leg.socket, [self = shared_from_this(), &leg](asio::error_code ec) {
    if (self->finished_) return;
    if (ec) {
      self->ended(leg, ec);
      return;
    }
    self->write(leg);
    Leg& from = self->other(leg);
    self->read(from, leg, &from == &self->access_ ? self->stats_.access_to_core : self->stats_.core_to_access);
    self->maybe_finish();
  });
}

void TcpRelay::ended(Leg& leg, const asio::error_code& ec) {
  leg.eof = true;
  if (!release_) {
    release_ =
        Release{&leg == &access_ ? Side::kAccess : Side::kCore, ec == asio::error::eof                ? "closed"
                                                                : ec == asio::error::connection_reset ? "reset"
                                                                                                      : ec.message()};
  }
  maybe_finish();
}

void TcpRelay::maybe_finish() {
  if (finished_ || !release_) return;
  // What one side sent before it closed still reaches the other.
  if (!access_.out.idle() || !core_.out.idle()) return;
  finished_ = true;
  asio::error_code ignored;
  for (Leg* l : {&access_, &core_}) {
    l->socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    l->socket.close(ignored);
  }
  if (on_release_) on_release_(*release_, stats_);
}

void TcpRelay::stop() {
  if (!release_) release_ = Release{Side::kCore, "stopped by the gateway"};
  maybe_finish();
}

}  // namespace mediasec::media
