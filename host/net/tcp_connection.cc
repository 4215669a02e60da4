#include "host/net/tcp_connection.h"

#include <fcntl.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mediasec::net {

Result<TcpConnection> TcpConnection::connect(const Endpoint& to, std::chrono::milliseconds timeout) {
  int fd = ::socket(to.storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return make_error(ErrorCode::kUnavailable, std::string("socket: ") + std::strerror(errno));
  TcpConnection c(fd);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&to.storage), to.length) != 0 && errno != EINPROGRESS)
    return make_error(ErrorCode::kUnavailable, "connect " + to.to_string() + ": " + std::strerror(errno));
  pollfd p{fd, POLLOUT, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0)
    return make_error(ErrorCode::kUnavailable, "connect " + to.to_string() + ": timed out");
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) return make_error(ErrorCode::kUnavailable, "connect " + to.to_string() + ": " + std::strerror(err));
  return c;
}

TcpConnection& TcpConnection::operator=(TcpConnection&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

TcpConnection::~TcpConnection() {
  if (fd_ >= 0) ::close(fd_);
}

Result<void> TcpConnection::send_all(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        pollfd p{fd_, POLLOUT, 0};
        if (::poll(&p, 1, 1000) <= 0) return make_error(ErrorCode::kUnavailable, "send: peer does not read");
        continue;
      }
      return make_error(ErrorCode::kUnavailable, std::string("send: ") + std::strerror(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return ok_result();
}

Result<std::string> TcpConnection::receive(std::chrono::milliseconds timeout) {
  pollfd p{fd_, POLLIN, 0};
  int r = ::poll(&p, 1, static_cast<int>(std::max<int64_t>(0, timeout.count())));
  if (r <= 0) return std::string();
  char buf[16384];
  ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
  if (n == 0) return make_error(ErrorCode::kUnavailable, "the peer closed the connection");
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return std::string();
    return make_error(ErrorCode::kUnavailable, std::string("recv: ") + std::strerror(errno));
  }
  return std::string(buf, static_cast<size_t>(n));
}

Endpoint TcpConnection::local() const { return Endpoint::local_of(fd_); }

}  // namespace mediasec::net
