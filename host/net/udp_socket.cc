#include "host/net/udp_socket.h"

#include <arpa/inet.h>
#include <poll.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace mediasec::net {

Result<Endpoint> Endpoint::parse(std::string_view host, uint16_t port) {
  Endpoint e;
  std::string h(host);
  if (!h.empty() && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  auto* v4 = reinterpret_cast<sockaddr_in*>(&e.storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&e.storage);
  if (inet_pton(AF_INET, h.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    e.length = sizeof(sockaddr_in);
    return e;
  }
  if (inet_pton(AF_INET6, h.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    e.length = sizeof(sockaddr_in6);
    return e;
  }
  return make_error(ErrorCode::kInvalidArgument, "not an IP address: '" + std::string(host) + "'");
}

Endpoint Endpoint::local_of(int fd) {
  Endpoint e;
  e.length = sizeof e.storage;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&e.storage), &e.length);
  return e;
}

uint16_t Endpoint::port() const {
  if (storage.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
  if (storage.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
  return 0;
}

std::string Endpoint::host() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (storage.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage)->sin_addr, buf, sizeof buf);
  } else if (storage.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_addr, buf, sizeof buf);
  }
  return buf;
}

std::string Endpoint::to_string() const {
  return storage.ss_family == AF_INET6 ? "[" + host() + "]:" + std::to_string(port())
                                       : host() + ":" + std::to_string(port());
}

bool operator==(const Endpoint& a, const Endpoint& b) {
  return a.length == b.length && std::memcmp(&a.storage, &b.storage, a.length) == 0;
}

Result<UdpSocket> UdpSocket::bind(const Endpoint& local) {
  int fd = ::socket(local.storage.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return make_error(ErrorCode::kUnavailable, std::string("socket: ") + std::strerror(errno));
  UdpSocket s(fd);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&local.storage), local.length) != 0)
    return make_error(ErrorCode::kUnavailable, "bind " + local.to_string() + ": " + std::strerror(errno));
  return s;
}

UdpSocket& UdpSocket::operator=(UdpSocket&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

UdpSocket::~UdpSocket() {
  if (fd_ >= 0) ::close(fd_);
}

Result<void> UdpSocket::send_to(const Endpoint& to, std::string_view data) {
  ssize_t n = ::sendto(fd_, data.data(), data.size(), 0, reinterpret_cast<const sockaddr*>(&to.storage), to.length);
  if (n < 0) return make_error(ErrorCode::kUnavailable, "sendto " + to.to_string() + ": " + std::strerror(errno));
  return ok_result();
}

Result<std::optional<UdpSocket::Datagram>> UdpSocket::receive(std::chrono::milliseconds timeout) {
  if (timeout.count() > 0) {
    pollfd p{fd_, POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (r < 0 && errno != EINTR)
      return make_error(ErrorCode::kUnavailable, std::string("poll: ") + std::strerror(errno));
    if (r <= 0) return std::optional<Datagram>();
  }
  // Into a buffer on the stack (not zero-filled), then only the datagram's bytes into the result.
  std::array<char, 65536> buf;
  Datagram d;
  d.from.length = sizeof d.from.storage;
  const ssize_t n = ::recvfrom(fd_, buf.data(), buf.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&d.from.storage),
                               &d.from.length);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return std::optional<Datagram>();
    return make_error(ErrorCode::kUnavailable, std::string("recvfrom: ") + std::strerror(errno));
  }
  d.data.assign(buf.data(), static_cast<size_t>(n));
  return std::optional<Datagram>(std::move(d));
}

Endpoint UdpSocket::local() const { return Endpoint::local_of(fd_); }

}  // namespace mediasec::net
