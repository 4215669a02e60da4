// Runs an MgAssociation on an asio::io_context, beside the bearers: the loop waits for the
// association's socket to become readable or for its next timer, then lets it poll (which never
// blocks). One thread, no lock: Notify from a bearer goes straight into the association.
#pragma once

#include <asio.hpp>

#include <functional>

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
  void wake();
  void unwatch();

  // A TCP transport may reconnect (a new descriptor): the wait is re-armed on the current one,
  // and the timer never sleeps longer than this, so a reconnection is picked up in time.
  static constexpr h248::Millis kLongestSleep{100};

  asio::io_context& io_;
  h248::MgAssociation& association_;
  std::function<void()> after_poll_;
  asio::steady_timer timer_;
  asio::posix::stream_descriptor readable_;
  int watched_fd_ = -1;
  bool stopped_ = false;
};

}  // namespace mediasec::app
