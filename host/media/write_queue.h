// A relay socket's outgoing bytes: buffers queued as they are produced and sent in gathered writes
// (one system call for many records), one write at a time. Shared by the e2ae and TCP relays.
#pragma once

#include <asio.hpp>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <span>
#include <utility>
#include <vector>

namespace mediasec::media {

class WriteQueue {
 public:
  void push(std::vector<uint8_t> bytes) {
    queued_ += bytes.size();
    out_.push_back(std::move(bytes));
  }
  // Bytes that live only until the caller returns: written at once as far as the socket (non-
  // blocking) takes them when nothing is queued before them, without a copy; the rest is copied
  // into the queue for write().
  void send_or_queue(asio::ip::tcp::socket& socket, std::span<const std::span<const uint8_t>> parts) {
    size_t written = 0;
    if (idle()) {
      buffers_.clear();
      for (size_t i = 0; i < parts.size() && i < kMaxBuffers; ++i)
        buffers_.push_back(asio::buffer(parts[i].data(), parts[i].size()));
      asio::error_code ec;
      written = socket.write_some(buffers_, ec);
      if (ec) written = 0;  // would block, or an error the next write() reports
    }
    for (const auto& p : parts) {
      if (written >= p.size()) {
        written -= p.size();
        continue;
      }
      push(std::vector<uint8_t>(p.begin() + static_cast<long>(written), p.end()));
      written = 0;
    }
  }
  size_t queued() const { return queued_; }  // bytes not yet written
  bool writing() const { return writing_; }
  bool idle() const { return !writing_ && out_.empty(); }
  void clear() {
    out_.clear();
    queued_ = 0;
  }

  // Writes what is queued unless a write is running; then `done(error)` with the written buffers
  // dropped. `done` must keep the queue's owner alive (it captures its shared_ptr).
  template <typename Done>
  void write(asio::ip::tcp::socket& socket, Done done) {
    if (writing_ || out_.empty()) return;
    writing_ = true;
    buffers_.clear();
    for (size_t i = 0; i < out_.size() && i < kMaxBuffers; ++i) buffers_.push_back(asio::buffer(out_[i]));
    asio::async_write(socket, buffers_,
                      [this, count = buffers_.size(), done = std::move(done)](asio::error_code ec, size_t n) mutable {
                        writing_ = false;
                        queued_ -= std::min(n, queued_);
                        for (size_t i = 0; i < count && !out_.empty(); ++i) out_.pop_front();
                        if (ec) clear();
                        done(ec);
                      });
  }

 private:
  static constexpr size_t kMaxBuffers = 64;

  std::deque<std::vector<uint8_t>> out_;
  std::vector<asio::const_buffer> buffers_;  // of the write in flight
  size_t queued_ = 0;
  bool writing_ = false;
};

}  // namespace mediasec::media
