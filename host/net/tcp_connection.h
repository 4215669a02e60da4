// A TCP connection that closes itself: non-blocking connect with a timeout, send everything,
// receive what is there within a timeout.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "host/net/udp_socket.h"

namespace mediasec::net {

class TcpConnection {
 public:
  static Result<TcpConnection> connect(const Endpoint& to, std::chrono::milliseconds timeout);
  TcpConnection(TcpConnection&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  TcpConnection& operator=(TcpConnection&& other) noexcept;
  TcpConnection(const TcpConnection&) = delete;
  TcpConnection& operator=(const TcpConnection&) = delete;
  ~TcpConnection();

  Result<void> send_all(std::string_view data);
  // Bytes received within the timeout (empty: nothing yet); an error when the peer closed or the
  // connection failed.
  Result<std::string> receive(std::chrono::milliseconds timeout);
  Endpoint local() const;
  int fd() const { return fd_; }

 private:
  explicit TcpConnection(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace mediasec::net
