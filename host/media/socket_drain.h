// Reading a readable socket the way the relays do: into a buffer on the stack, so that an idle
// relay owns no read buffer (thousands of idle sessions per worker), and several reads per
// wake-up, as a speculative read would. The socket must be non-blocking.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include <asio.hpp>

namespace mediasec::media {

enum class DrainEnd : uint8_t {
  kDrained,  // nothing more to read now, or the read budget or may_read() ended the batch
  kStopped,  // on_bytes returned false
  kError,    // the stream ended (eof, reset): see error
};

struct DrainResult {
  DrainEnd end = DrainEnd::kDrained;
  asio::error_code error;
};

// Up to `max_reads` reads while `may_read()` holds; each read's bytes go to `on_bytes`, which
// returns false to stop.
template <size_t kBufferSize, typename MayRead, typename OnBytes>
DrainResult drain_socket(asio::ip::tcp::socket& socket, size_t max_reads, MayRead may_read, OnBytes on_bytes) {
  std::array<uint8_t, kBufferSize> buf;
  for (size_t i = 0; i < max_reads && may_read(); ++i) {
    asio::error_code ec;
    const size_t n = socket.read_some(asio::buffer(buf), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) break;
    if (ec) return {DrainEnd::kError, ec};
    if (!on_bytes(std::span<const uint8_t>(buf.data(), n))) return {DrainEnd::kStopped, {}};
  }
  return {};
}

}  // namespace mediasec::media
