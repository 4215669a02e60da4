#include "host/app/association_loop.h"

#include <unistd.h>

#include <algorithm>

namespace mediasec::app {

AssociationLoop::AssociationLoop(asio::io_context& io, h248::MgAssociation& association,
                                 std::function<void()> after_poll)
    : io_(io), association_(association), after_poll_(std::move(after_poll)), timer_(io), readable_(io) {}

AssociationLoop::~AssociationLoop() { stop(); }

void AssociationLoop::start() {
  association_.start();
  wake();
}

void AssociationLoop::stop() {
  stopped_ = true;
  timer_.cancel();
  timer_set_ = false;
  unwatch();
}

// We watch a duplicate of the association's descriptor, ours to close: the association may close
// its own (a TCP transport losing its MGC) while we still watch, and the number may then go to
// another socket on this loop, whose registration a release of ours would remove.
void AssociationLoop::unwatch() {
  if (watched_fd_ < 0) return;
  asio::error_code ignored;
  readable_.close(ignored);  // cancels the wait; its handler sees the error
  watched_fd_ = -1;
  reading_ = false;
}

void AssociationLoop::arm() {
  if (stopped_) return;
  arm_timer();
  watch(association_.wait_fd(), association_.wait_generation());
}

void AssociationLoop::arm_timer() {
  const auto due = std::min(association_.next_wakeup(), h248::Clock::now() + kLongestSleep);
  if (timer_set_ && timer_due_ <= due) return;  // the wake-up already set comes first
  timer_set_ = true;
  timer_due_ = due;
  timer_.expires_at(due);  // a wait still pending is cancelled: its handler sees the error
  timer_.async_wait([this](asio::error_code ec) {
    if (ec) return;
    timer_set_ = false;
    wake();
  });
}

// Waits for `fd` to be readable, keeping it registered across messages; a new descriptor (a TCP
// transport that reconnected, perhaps under the old one's number) replaces the old.
void AssociationLoop::watch(int fd, uint64_t generation) {
  if (fd != watched_fd_ || generation != watched_generation_) {
    unwatch();
    if (fd < 0) return;
    const int ours = ::dup(fd);
    if (ours < 0) return;  // the timer still polls
    asio::error_code ec;
    readable_.assign(ours, ec);
    if (ec) {
      ::close(ours);
      return;
    }
    watched_fd_ = fd;
    watched_generation_ = generation;
  }
  if (reading_ || watched_fd_ < 0) return;
  reading_ = true;
  readable_.async_wait(asio::posix::descriptor_base::wait_read, [this](asio::error_code e) {
    if (e) return;  // cancelled: unwatch() already reset the state
    reading_ = false;
    wake();
  });
}

void AssociationLoop::wake() {
  if (stopped_) return;
  const bool more = association_.poll();
  if (after_poll_) after_poll_();
  if (more) {
    // Stopped at the end of its batch: the rest after the handlers already waiting.
    asio::post(io_, [this, alive = std::weak_ptr<bool>(alive_)] {
      if (!alive.expired()) wake();
    });
    return;
  }
  arm();
}

}  // namespace mediasec::app
