// What the media-plane tests share: an asio::io_context run from the test thread while a peer
// process (s_client, s_server) prints, and a TCP core peer that echoes what it receives.
#pragma once

#include <asio.hpp>

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/subprocess.h"

namespace mediasec::media::test {

class PeerLoop {
 protected:
  // Runs the loop until `done` or the timeout, collecting the peer process's output lines.
  bool RunUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      if (io_.stopped()) io_.restart();  // run_for stops the context whenever it runs out of work
      io_.run_for(std::chrono::milliseconds(5));
      if (process_) {
        while (auto l = process_->line()) lines_.push_back(*l);
      }
      if (done()) return true;
    }
    return false;
  }
  bool Saw(const std::string& text) const {
    for (const auto& l : lines_)
      if (l.find(text) != std::string::npos) return true;
    return false;
  }
  std::string Transcript() const {
    std::string t;
    for (const auto& l : lines_) t += "  peer: " + l + "\n";
    return t;
  }

  asio::io_context io_;
  std::unique_ptr<test_env::Subprocess> process_;  // the terminal or far end
  std::vector<std::string> lines_;
};

// The core side: a plain TCP peer that accepts one connection, echoes every byte back and
// records what it got.
class TcpEcho {
 public:
  explicit TcpEcho(asio::io_context& io) : acceptor_(io, asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), 0)) {
    acceptor_.async_accept([this](asio::error_code ec, asio::ip::tcp::socket s) {
      if (ec) return;
      socket_.emplace(std::move(s));
      read();
    });
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  void close() {
    asio::error_code ignored;
    if (socket_) socket_->close(ignored);
  }
  std::string received;
  bool saw_eof = false;

 private:
  void read() {
    socket_->async_read_some(asio::buffer(buf_), [this](asio::error_code ec, size_t n) {
      if (ec) {
        saw_eof = true;
        return;
      }
      received.append(buf_.data(), n);
      auto copy = std::make_shared<std::string>(buf_.data(), n);
      asio::async_write(*socket_, asio::buffer(*copy), [copy](asio::error_code, size_t) {});
      read();
    });
  }
  asio::ip::tcp::acceptor acceptor_;
  std::optional<asio::ip::tcp::socket> socket_;
  std::array<char, 4096> buf_{};
};

}  // namespace mediasec::media::test
