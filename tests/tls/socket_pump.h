// Loopback TCP for the tests that put a TlsSession in front of a real peer process (s_client,
// s_server, gnutls-cli, gnutls-serv): listen/accept/connect, and a pump that moves bytes between
// the socket and the session while the test waits for something to happen.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "host/tls/tls_session.h"
#include "tests/support/subprocess.h"

namespace mediasec::tls::test {

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    reset();
    fd_ = std::exchange(o.fd_, -1);
    return *this;
  }
  ~Fd() { reset(); }
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// A listening socket on 127.0.0.1 with a kernel-chosen port.
inline Fd Listen(uint16_t& port) {
  Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd.get(), 8) != 0 ||
      ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    return Fd();
  }
  port = ntohs(a.sin_port);
  return fd;
}

// A port nothing listens on right now (for a peer process that listens itself).
inline uint16_t FreePort() {
  uint16_t port = 0;
  Listen(port);
  return port;
}

inline Fd Accept(const Fd& listener, std::chrono::milliseconds timeout) {
  pollfd p{listener.get(), POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return Fd();
  return Fd(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
}

// Connects, retrying while the peer process is still starting.
inline Fd Connect(uint16_t port, std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
      ::fcntl(fd.get(), F_SETFL, O_NONBLOCK);
      return fd;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Fd();
}

// Writes all of `bytes` to a (possibly non-blocking) socket; false if the connection failed.
inline bool SendAll(int fd, std::span<const uint8_t> bytes) {
  for (size_t at = 0; at < bytes.size();) {
    const ssize_t n = ::send(fd, bytes.data() + at, bytes.size() - at, MSG_NOSIGNAL);
    if (n > 0) {
      at += static_cast<size_t>(n);
    } else if (errno == EAGAIN) {
      pollfd p{fd, POLLOUT, 0};
      ::poll(&p, 1, 100);
    } else {
      return false;
    }
  }
  return true;
}

// Moves bytes between a socket and a session; collects the peer process's output lines.
class SocketPump {
 public:
  SocketPump(Fd fd, TlsSession& session, test_env::Subprocess* peer) : fd_(std::move(fd)), s_(session), peer_(peer) {}

  // Runs until `done` is true or the timeout passes; returns done's last value.
  bool RunUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      Step(10);
      if (done()) return true;
      if (std::chrono::steady_clock::now() >= end) return false;
    }
  }
  // Waits for a line of the peer's output that contains `text`.
  bool WaitForLine(const std::string& text, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    return RunUntil(
        [&] {
          for (size_t i = seen_; i < lines.size(); ++i) {
            if (lines[i].find(text) != std::string::npos) {
              seen_ = i + 1;
              return true;
            }
          }
          return false;
        },
        timeout);
  }
  // Waits until `n` bytes of application data have arrived and returns them.
  std::string Receive(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    RunUntil([&] { return received.size() >= n; }, timeout);
    std::string out = received.substr(0, n);
    received.erase(0, std::min(n, received.size()));
    return out;
  }
  // True if any line so far contains `text`.
  bool Saw(const std::string& text) const {
    for (const auto& l : lines)
      if (l.find(text) != std::string::npos) return true;
    return false;
  }
  bool closed() const { return closed_; }
  std::string Transcript() const {
    std::string t;
    for (const auto& l : lines) t += "  peer: " + l + "\n";
    return t;
  }

  std::vector<std::string> lines;
  std::string received;

 private:
  void Step(int wait_ms) {
    SendAll(fd_.get(), s_.take_output());
    if (peer_ != nullptr) {
      while (auto l = peer_->line()) lines.push_back(*l);
    }
    if (closed_) return;
    pollfd p{fd_.get(), POLLIN, 0};
    if (::poll(&p, 1, wait_ms) == 1) {
      uint8_t buf[65536];
      const ssize_t n = ::recv(fd_.get(), buf, sizeof buf, 0);
      if (n > 0) {
        s_.receive(std::span<const uint8_t>(buf, static_cast<size_t>(n)));
      } else if (n == 0 || errno != EAGAIN) {
        closed_ = true;
        s_.transport_closed();
      }
    }
    std::vector<uint8_t> in = s_.take_received();
    received.append(in.begin(), in.end());
  }

  Fd fd_;
  TlsSession& s_;
  test_env::Subprocess* peer_;
  size_t seen_ = 0;
  bool closed_ = false;
};

}  // namespace mediasec::tls::test
