// A UDP socket (IPv4 or IPv6) that closes itself: bind, send to an address, receive with a
// timeout. Errors are returned as values.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"

namespace mediasec::net {

// An IP address and port.
struct Endpoint {
  sockaddr_storage storage{};
  socklen_t length = 0;

  static Result<Endpoint> parse(std::string_view host, uint16_t port);
  // The local address a socket is bound to.
  static Endpoint local_of(int fd);
  uint16_t port() const;
  std::string host() const;
  std::string to_string() const;  // "127.0.0.1:2944", "[::1]:2944"
  friend bool operator==(const Endpoint& a, const Endpoint& b);
};

class UdpSocket {
 public:
  static Result<UdpSocket> bind(const Endpoint& local);
  UdpSocket(UdpSocket&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  UdpSocket& operator=(UdpSocket&& other) noexcept;
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;
  ~UdpSocket();

  Result<void> send_to(const Endpoint& to, std::string_view data);
  struct Datagram {
    std::string data;
    Endpoint from;
  };
  // Waits up to `timeout` for a datagram (0: takes one if there is one, with no wait and no poll);
  // nullopt on timeout.
  Result<std::optional<Datagram>> receive(std::chrono::milliseconds timeout);
  Endpoint local() const;
  int fd() const { return fd_; }

 private:
  explicit UdpSocket(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace mediasec::net
