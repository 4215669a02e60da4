#include "host/media/e2ae_relay.h"

#include <array>

#include "host/media/socket_drain.h"

namespace mediasec::media {

std::shared_ptr<E2aeRelay> E2aeRelay::start(asio::ip::tcp::socket access, asio::ip::tcp::socket core,
                                            std::unique_ptr<tls::TlsSession> session, OnRelease on_release,
                                            OnEstablished on_established, std::unique_ptr<MsrpInterworking> msrp,
                                            std::chrono::milliseconds handshake_timeout) {
  std::shared_ptr<E2aeRelay> r(new E2aeRelay(std::move(access), std::move(core), std::move(session),
                                             std::move(on_release), std::move(on_established), std::move(msrp)));
  asio::error_code ignored;
  r->access_.set_option(asio::ip::tcp::no_delay(true), ignored);
  r->core_.set_option(asio::ip::tcp::no_delay(true), ignored);
  r->access_.non_blocking(true, ignored);
  r->core_.non_blocking(true, ignored);
  r->session_->start();
  r->watch_handshake(handshake_timeout);
  r->to_access();
  r->read_access();
  r->read_core();
  return r;
}

E2aeRelay::E2aeRelay(asio::ip::tcp::socket access, asio::ip::tcp::socket core, std::unique_ptr<tls::TlsSession> session,
                     OnRelease on_release, OnEstablished on_established, std::unique_ptr<MsrpInterworking> msrp)
    : access_(std::move(access)),
      core_(std::move(core)),
      handshake_timer_(access_.get_executor()),
      session_(std::move(session)),
      msrp_(std::move(msrp)),
      on_release_(std::move(on_release)),
      on_established_(std::move(on_established)) {}

// Reads wait for the socket to be readable, then drain it (host/media/socket_drain.h).
void E2aeRelay::read_access() {
  if (access_reading_ || !may_read_access()) return;
  access_reading_ = true;
  access_.async_wait(asio::ip::tcp::socket::wait_read, [self = shared_from_this()](asio::error_code ec) {
    self->access_reading_ = false;
    if (self->finished_) return;
    if (ec) {
      self->session_->transport_closed();
      self->check_released();
      return;
    }
    self->drain_access();
  });
}

void E2aeRelay::drain_access() {
  const DrainResult r = drain_socket<kReadSize>(
      access_, kReadsPerWake, [this] { return may_read_access(); },
      [this](std::span<const uint8_t> bytes) {
        from_access(bytes);
        return !finished_;
      });
  if (r.end == DrainEnd::kError) {
    session_->transport_closed();
    check_released();
    return;
  }
  if (r.end == DrainEnd::kDrained) read_access();
}

void E2aeRelay::from_access(std::span<const uint8_t> bytes) {
  // The records' plaintext goes to a buffer on the stack too, and from there straight to the
  // core socket when it takes it (WriteQueue::send_or_queue copies only what it does not).
  std::array<uint8_t, kReadSize> plaintext;
  session_->receive_into(bytes, plaintext);
  note_established();
  const auto& views = session_->received_views();
  if (!msrp_) {
    for (const auto& v : views) stats_.access_to_core += v.size();
    if (!views.empty()) {
      core_out_.send_or_queue(core_, views);
      write_core();
    }
  } else {
    for (const auto& plain : views) {
      std::vector<uint8_t> out;
      if (auto ok = msrp_->to_core.feed(plain, out); !ok) {
        bad_media("terminal", ok.error());
        break;
      }
      if (!out.empty()) to_core(std::move(out));
    }
  }
  to_access();
  check_released();
}

void E2aeRelay::read_core() {
  if (core_reading_ || !may_read_core()) return;
  core_reading_ = true;
  core_.async_wait(asio::ip::tcp::socket::wait_read, [self = shared_from_this()](asio::error_code ec) {
    self->core_reading_ = false;
    if (self->finished_) return;
    if (ec) {
      self->core_ended();
      return;
    }
    self->drain_core();
  });
}

void E2aeRelay::drain_core() {
  const DrainResult r = drain_socket<kReadSize>(
      core_, kReadsPerWake, [this] { return may_read_core(); },
      [this](std::span<const uint8_t> bytes) { return from_core(bytes); });
  if (r.end == DrainEnd::kError) {
    core_ended();
    return;
  }
  if (r.end == DrainEnd::kDrained) read_core();
}

// The core side ended: close_notify to the terminal, then release.
void E2aeRelay::core_ended() {
  core_closed_ = true;
  stats_.core_ended = !session_->released();
  session_->close();
  to_access();
  check_released();
}

bool E2aeRelay::from_core(std::span<const uint8_t> plain) {
  if (msrp_) {
    rewritten_.clear();
    if (auto ok = msrp_->to_access.feed(plain, rewritten_); !ok) {
      bad_media("core", ok.error());
      return false;
    }
    plain = rewritten_;
  }
  stats_.core_to_access += plain.size();
  if (plain.empty()) return true;  // part of an MSRP message: held until the rest comes
  if (auto r = session_->send(plain); !r) {
    check_released();
    return false;
  }
  to_access();
  return true;
}

void E2aeRelay::watch_handshake(std::chrono::milliseconds timeout) {
  handshake_timer_.expires_after(timeout);
  handshake_timer_.async_wait([self = shared_from_this(), timeout](asio::error_code ec) {
    if (ec || self->finished_ || self->established_ || self->session_->released()) return;
    self->session_->close(tls::ReleaseCause::kHandshakeTimeout,
                          "the handshake did not complete in " + std::to_string(timeout.count()) + " ms");
    self->to_access();
    self->check_released();
  });
}

void E2aeRelay::note_established() {
  if (established_ || !session_->established()) return;
  established_ = true;
  stats_.established = true;
  handshake_timer_.cancel();
  if (on_established_) on_established_();
}

void E2aeRelay::to_access() {
  std::vector<uint8_t> out = session_->take_output();
  if (out.empty()) return;
  access_out_.push(std::move(out));
  write_access();
}

void E2aeRelay::to_core(std::vector<uint8_t> bytes) {
  stats_.access_to_core += bytes.size();
  core_out_.push(std::move(bytes));
  write_core();
}

void E2aeRelay::write_access() {
  access_out_.write(access_, [self = shared_from_this()](asio::error_code ec) {
    if (ec) {
      if (!self->session_->released()) {
        self->session_->transport_closed();
        self->to_access();
      }
      self->check_released();
      return;
    }
    self->write_access();
    self->read_core();  // drained below the mark: the core may be read again
    self->check_released();
  });
}

void E2aeRelay::write_core() {
  core_out_.write(core_, [self = shared_from_this()](asio::error_code ec) {
    if (ec) {
      self->core_closed_ = true;
      if (!self->session_->released()) {
        self->session_->close();
        self->to_access();
      }
      self->check_released();
      return;
    }
    self->write_core();
    self->read_access();
    self->check_released();
  });
}

void E2aeRelay::check_released() {
  if (finished_ || !session_->released()) return;
  // Let the last records (close_notify, our alert) and the last plaintext go out first.
  if (access_out_.writing() || core_out_.writing()) return;
  finish(*session_->release());
}

void E2aeRelay::finish(const tls::Release& why) {
  finished_ = true;
  handshake_timer_.cancel();
  asio::error_code ignored;
  access_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  access_.close(ignored);
  core_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  core_.close(ignored);
  if (on_release_) on_release_(why, stats_);
}

// Malformed MSRP: the stream cannot be resynchronised; close_notify to the terminal, core closed.
void E2aeRelay::bad_media(const std::string& side, const msrp::MsrpError& e) {
  session_->close(tls::ReleaseCause::kBadMedia, "malformed MSRP from the " + side + ": " + e.reason);
  to_access();
  check_released();
}

void E2aeRelay::stop() {
  if (finished_) return;
  session_->close();
  to_access();
  check_released();
}

}  // namespace mediasec::media
