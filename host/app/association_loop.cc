#include "host/app/association_loop.h"

#include <algorithm>

namespace mediasec::app {

AssociationLoop::AssociationLoop(asio::io_context& io, h248::MgAssociation& association, std::function<void()> after_poll)
    : io_(io), association_(association), after_poll_(std::move(after_poll)), timer_(io), readable_(io) {}

AssociationLoop::~AssociationLoop() { stop(); }

void AssociationLoop::start() {
  association_.start();
  wake();
}

void AssociationLoop::stop() {
  stopped_ = true;
  timer_.cancel();
  unwatch();
}

// The descriptor belongs to the association: stop watching it without closing it.
void AssociationLoop::unwatch() {
  if (watched_fd_ < 0) return;
  asio::error_code ignored;
  readable_.cancel(ignored);
  (void)readable_.release();
  watched_fd_ = -1;
}

void AssociationLoop::arm() {
  if (stopped_) return;
  const auto now = h248::Clock::now();
  timer_.expires_at(std::min(association_.next_wakeup(), now + kLongestSleep));
  timer_.async_wait([this](asio::error_code ec) {
    if (!ec) wake();
  });
  const int fd = association_.wait_fd();
  if (fd == watched_fd_) return;
  unwatch();
  if (fd < 0) return;
  asio::error_code ec;
  readable_.assign(fd, ec);
  if (ec) return;  // the timer still polls
  watched_fd_ = fd;
  readable_.async_wait(asio::posix::descriptor_base::wait_read, [this](asio::error_code e) {
    if (e) return;  // cancelled: unwatch() already reset the state
    unwatch();
    wake();
  });
}

void AssociationLoop::wake() {
  if (stopped_) return;
  timer_.cancel();
  association_.poll();
  if (after_poll_) after_poll_();
  arm();
}

}  // namespace mediasec::app
