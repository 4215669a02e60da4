// A byte relay between two TCP connections that the gateway terminates on each side (it never
// forwards segments blindly): TCP<->TCP bearers without media security, and e2e security, where
// the terminal's TLS passes through byte for byte to the far end and the gateway holds no keys.
// Runs on one worker's asio::io_context. Either side closing (FIN or reset) closes the other
// after what was already received has been written, and on_release says which side it was.
#pragma once

#include <asio.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "host/media/msrp_interworker.h"
#include "host/media/write_queue.h"

namespace mediasec::media {

class TcpRelay : public std::enable_shared_from_this<TcpRelay> {
 public:
  enum class Side { kAccess, kCore };
  struct Stats {
    uint64_t access_to_core = 0, core_to_access = 0;
  };
  struct Release {
    Side closed_by = Side::kAccess;  // the side whose connection ended first (kCore also for stop())
    std::string reason;              // "closed", "reset", or the system error's text
  };
  using OnRelease = std::function<void(const Release&, const Stats&)>;

  // With `msrp`, the stream is relayed as MSRP messages readdressed for each side (MSRP over TCP
  // on both sides); malformed MSRP ends the relay ("malformed MSRP: ...").
  static std::shared_ptr<TcpRelay> start(asio::ip::tcp::socket access, asio::ip::tcp::socket core, OnRelease on_release,
                                         std::unique_ptr<MsrpInterworking> msrp = nullptr);
  void stop();  // Subtract: both connections closed (after pending writes)
  const Stats& stats() const { return stats_; }

 private:
  struct Leg {
    explicit Leg(asio::ip::tcp::socket s) : socket(std::move(s)) {}
    asio::ip::tcp::socket socket;
    WriteQueue out;
    bool reading = false, eof = false;
  };
  TcpRelay(asio::ip::tcp::socket access, asio::ip::tcp::socket core, OnRelease on_release,
           std::unique_ptr<MsrpInterworking> msrp);
  // A leg is read while the relay runs and the other leg's queue is below the high-water mark.
  bool may_read_into(const Leg& to) const { return !finished_ && !release_ && to.out.queued() <= kHighWater; }
  void read(Leg& from, Leg& to, uint64_t& counter);
  void drain(Leg& from, Leg& to, uint64_t& counter);
  void write(Leg& leg);
  void ended(Leg& leg, const asio::error_code& ec);
  void maybe_finish();
  Leg& other(Leg& leg) { return &leg == &access_ ? core_ : access_; }

  static constexpr size_t kReadSize = 256 * 1024;  // per read, on the stack
  static constexpr size_t kReadsPerWake = 8;
  static constexpr size_t kHighWater = 1 << 20;

  Leg access_, core_;
  OnRelease on_release_;
  std::unique_ptr<MsrpInterworking> msrp_;
  std::optional<Release> release_;
  bool finished_ = false;
  Stats stats_;
};

}  // namespace mediasec::media
