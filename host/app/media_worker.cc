#include "host/app/media_worker.h"

#include "drivers/open_device.h"

namespace mediasec::app {

Result<std::unique_ptr<MediaWorker>> MediaWorker::open(size_t index, const Setup& setup, asio::io_context* loop) {
  std::unique_ptr<MediaWorker> w(new MediaWorker(index));
  const std::string who = "worker " + std::to_string(index) + ": ";
  auto device = device::open_device(setup.backend);
  if (!device)
    return make_error(device.error().code, who + "device backend '" + setup.backend + "': " + device.error().message);
  w->device_ = std::move(*device);
  if (auto ok = w->device_->self_test(); !ok)
    return make_error(ok.error().code, who + "device self-test failed: " + ok.error().message);
  w->slots_ = std::make_unique<device::SlotPool>(*w->device_);
  auto tls = tls::TlsContext::create(*setup.identity, setup.profile, setup.tickets, tls::Transport::kStream);
  if (!tls) return tls.error();
  auto dtls = tls::TlsContext::create(*setup.identity, setup.profile, setup.tickets, tls::Transport::kDatagram);
  if (!dtls) return dtls.error();
  w->tls_ = std::move(*tls);
  w->dtls_ = std::move(*dtls);
  if (loop != nullptr) {
    w->io_ = loop;
  } else {
    w->own_io_.emplace(1);  // one thread runs it (others only post to it)
    w->io_ = &*w->own_io_;
  }
  w->plane_ = std::make_unique<media::BearerPlane>(*w->io_, setup.media_address, *w->tls_, w->dtls_.get(), *w->slots_,
                                                   setup.sink);
  if (w->own_io_) {
    w->keep_running_.emplace(w->own_io_->get_executor());
    w->thread_ = std::thread([io = w->io_] { io->run(); });
  }
  return w;
}

void MediaWorker::release_bearers() {
  call([this] { plane_.reset(); });
}

MediaWorker::~MediaWorker() {
  release_bearers();
  if (thread_.joinable()) {
    keep_running_.reset();
    io_->stop();
    thread_.join();
  }
  // The relays just stopped may still have handlers queued; with the loop ours, destroying it
  // (before the slots and the device, by declaration order) drops them.
}

}  // namespace mediasec::app
