// Accepting connections without spinning when the process runs short of resources.
//
// A failed accept() whose cause is the process's own resources (no descriptor left: EMFILE,
// ENFILE; no buffer memory: ENOBUFS, ENOMEM) leaves the connection waiting in the backlog. The
// listening socket stays readable, so accepting again at once fails again at once: a loop that
// does so spins, and starves every other handler of its thread. After such a failure accepting
// pauses for kAcceptPause instead, as often as it takes. A connection that failed on the peer's
// side (ECONNABORTED, EPROTO, ...) is only skipped; a closed acceptor ends accepting.
#pragma once

#include <asio.hpp>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

namespace mediasec::net {

enum class AcceptFailure : uint8_t {
  kClosed,    // the acceptor was closed or the wait cancelled: stop
  kShortage,  // out of descriptors or memory: pause, then accept again
  kPeer,      // that connection failed: accept the next one at once
};

inline AcceptFailure classify_accept_failure(const asio::error_code& ec) {
  if (ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor) return AcceptFailure::kClosed;
  if (ec.category() == asio::system_category()) {
    switch (ec.value()) {
      case EMFILE:
      case ENFILE:
      case ENOBUFS:
      case ENOMEM: return AcceptFailure::kShortage;
      default: break;
    }
  }
  return AcceptFailure::kPeer;
}

inline constexpr std::chrono::milliseconds kAcceptPause{100};

// One connection after another on `acceptor`, each handed to on_connection, until the acceptor
// closes or the loop is destroyed. on_shortage hears of the first failure of each shortage (the
// next accepted connection ends it); pauses() counts every pause. All on the acceptor's executor.
template <typename Protocol>
class AcceptLoop {
 public:
  using Acceptor = asio::basic_socket_acceptor<Protocol>;
  using Socket = typename Protocol::socket;
  using OnConnection = std::function<void(Socket)>;
  using OnShortage = std::function<void(const asio::error_code&)>;

  AcceptLoop(Acceptor& acceptor, OnConnection on_connection, OnShortage on_shortage = {})
      : acceptor_(acceptor),
        pause_(acceptor.get_executor()),
        on_connection_(std::move(on_connection)),
        on_shortage_(std::move(on_shortage)) {}
  ~AcceptLoop() {
    alive_.reset();
    pause_.cancel();
  }
  AcceptLoop(const AcceptLoop&) = delete;
  AcceptLoop& operator=(const AcceptLoop&) = delete;

  void start() { accept(); }
  uint64_t pauses() const { return pauses_; }

 private:
  void accept() {
    acceptor_.async_accept([this, alive = std::weak_ptr<bool>(alive_)](asio::error_code ec, Socket socket) {
      if (alive.expired()) return;
      if (!ec) {
        short_ = false;
        on_connection_(std::move(socket));
        if (!alive.expired()) accept();
        return;
      }
      switch (classify_accept_failure(ec)) {
        case AcceptFailure::kClosed: return;
        case AcceptFailure::kPeer: accept(); return;
        case AcceptFailure::kShortage:
          ++pauses_;
          if (!short_ && on_shortage_) on_shortage_(ec);
          short_ = true;
          pause_.expires_after(kAcceptPause);
          pause_.async_wait([this, alive](asio::error_code e) {
            if (!e && !alive.expired()) accept();
          });
          return;
      }
    });
  }

  Acceptor& acceptor_;
  asio::steady_timer pause_;
  OnConnection on_connection_;
  OnShortage on_shortage_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  bool short_ = false;
  uint64_t pauses_ = 0;
};

}  // namespace mediasec::net
