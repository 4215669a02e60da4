// Runs an MgAssociation on an asio::io_context, beside the bearers: the loop waits for the
// association's socket to become readable or for its next timer, then lets it poll (which never
// blocks). One thread, no lock: Notify from a bearer goes straight into the association.
//
// What a message costs the loop is kept to the reads and the reply: the socket stays registered
// with the reactor between messages (poll reads until nothing is left, or says that it stopped
// short, and the loop polls again at once), and the timer is set again only when the next
// deadline comes earlier than the one it is set for (a later one waits for the earlier wake-up,
// which polls and sets it anew).
#pragma once

#include <asio.hpp>

#include <cstdint>
#include <functional>
#include <memory>

#include "host/h248/mg_association.h"

namespace mediasec::app {

class AssociationLoop {
 public:
  // `after_poll` runs after every poll (mediasecd drains the association's log there).
  AssociationLoop(asio::io_context& io, h248::MgAssociation& association, std::function<void()> after_poll);
  ~AssociationLoop();
  AssociationLoop(const AssociationLoop&) = delete;
  AssociationLoop& operator=(const AssociationLoop&) = delete;

  void start();  // starts registration and arms the waits
  void stop();   // no further polls (before a shutdown that runs the association itself)

 private:
  void arm();
  void arm_timer();
  void watch(int fd, uint64_t generation);
  void wake();
  void unwatch();

  // A TCP transport may reconnect (a new descriptor): the wait is re-armed on the current one,
  // and the timer never sleeps longer than this, so a reconnection is picked up in time.
  static constexpr h248::Millis kLongestSleep{100};

  asio::io_context& io_;
  h248::MgAssociation& association_;
  std::function<void()> after_poll_;
  asio::steady_timer timer_;
  bool timer_set_ = false;  // a wait on timer_ is pending, for timer_due_
  h248::Clock::time_point timer_due_{};
  asio::posix::stream_descriptor readable_;
  int watched_fd_ = -1;
  uint64_t watched_generation_ = 0;
  bool reading_ = false;  // a wait for readability is pending on watched_fd_
  bool stopped_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // a posted wake-up checks it
};

}  // namespace mediasec::app
