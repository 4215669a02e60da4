// RFC 5077 session ticket keys: one current key encrypts new tickets, the keys of the previous
// period still decrypt, older ones are forgotten (zeroized). One TicketKeys is shared by every
// worker's SSL_CTX, so a ticket issued by one worker resumes on any other.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>

namespace mediasec::tls {

class TicketKeys {
 public:
  using Clock = std::chrono::steady_clock;
  struct Key {
    std::array<uint8_t, 16> name{};
    std::array<uint8_t, 32> aes{};   // AES-256-CBC key of the ticket
    std::array<uint8_t, 32> hmac{};  // HMAC-SHA256 key of the ticket
    Clock::time_point created;
  };

  explicit TicketKeys(std::chrono::seconds period) : period_(period) {}
  TicketKeys(const TicketKeys&) = delete;
  TicketKeys& operator=(const TicketKeys&) = delete;
  ~TicketKeys();

  // The key to encrypt a new ticket with (a new one first if the current one is a period old).
  Key current(Clock::time_point now);
  // The key with this name if it is still accepted, and whether the ticket should be renewed
  // (it was made with an older key).
  std::optional<std::pair<Key, bool>> find(const uint8_t* name, Clock::time_point now);
  // Starts a new period now (an operator's forced rotation, or a test).
  void rotate(Clock::time_point now);
  size_t size() const;

 private:
  void expire(Clock::time_point now);
  const std::chrono::seconds period_;
  mutable std::mutex mu_;
  std::deque<Key> keys_;  // newest first
};

}  // namespace mediasec::tls
