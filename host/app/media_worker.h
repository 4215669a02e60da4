// One I/O worker of mediasecd. It owns everything the bearers of its contexts touch: an
// asio::io_context, a queue to the device (its own backend instance and key slots), its TLS and
// DTLS contexts and a BearerPlane. Nothing of it is shared with another worker, so the data path
// takes no lock. A worker runs its loop on its own thread, except one that is given the daemon's
// loop (the first: its calls from the H.248 association need no thread hand-off).
//
// Other threads reach a worker only through call(), which runs a function on the worker's thread
// and waits for its result.
#pragma once

#include <asio.hpp>

#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>

#include "base/result.h"
#include "drivers/device.h"
#include "drivers/key_slot.h"
#include "host/media/bearer_plane.h"
#include "host/tls/context.h"
#include "host/tls/identity.h"
#include "host/tls/profile.h"
#include "host/tls/ticket_keys.h"

namespace mediasec::app {

class MediaWorker {
 public:
  struct Setup {
    std::string backend;  // device spec (sw, sim[:...]); each worker opens its own instance
    std::string media_address;
    const tls::Identity* identity = nullptr;
    tls::Profile profile;
    std::shared_ptr<tls::TicketKeys> tickets;  // shared: a ticket from one worker resumes on another
    media::BearerPlane::EventSink sink;        // called on the worker's thread
  };

  // `loop`: run on that io_context (driven by its owner's thread) instead of a thread of our own.
  static Result<std::unique_ptr<MediaWorker>> open(size_t index, const Setup& setup, asio::io_context* loop = nullptr);
  ~MediaWorker();  // releases the bearers on the worker's thread, then stops it
  MediaWorker(const MediaWorker&) = delete;
  MediaWorker& operator=(const MediaWorker&) = delete;

  // Runs f on the worker's thread and returns what it returns (directly when already there, or
  // when the worker runs on its owner's loop).
  template <typename F>
  std::invoke_result_t<F&> call(F&& f) {
    using R = std::invoke_result_t<F&>;
    if (!thread_.joinable() || io_->get_executor().running_in_this_thread()) return f();
    std::packaged_task<R()> task([&f]() -> R { return f(); });
    auto done = task.get_future();
    asio::post(*io_, [&task] { task(); });
    return done.get();
  }

  size_t index() const { return index_; }
  // Only on the worker's thread (inside call()):
  media::BearerPlane& plane() { return *plane_; }
  device::Device& device() { return *device_; }
  device::SlotPool& slots() { return *slots_; }
  tls::TlsContext& tls() { return *tls_; }
  tls::TlsContext& dtls() { return *dtls_; }

  // Every bearer released (on the worker's thread); the worker keeps running.
  void release_bearers();

 private:
  explicit MediaWorker(size_t index) : index_(index) {}

  size_t index_;
  // Declared so that they go in the right order: the loop's pending handlers (relays holding
  // sessions and key slots) before the slots and the device.
  std::unique_ptr<device::Device> device_;
  std::unique_ptr<device::SlotPool> slots_;
  std::unique_ptr<tls::TlsContext> tls_, dtls_;
  std::optional<asio::io_context> own_io_;
  asio::io_context* io_ = nullptr;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> keep_running_;
  std::unique_ptr<media::BearerPlane> plane_;
  std::thread thread_;
};

}  // namespace mediasec::app
