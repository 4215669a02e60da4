// mediasecd's body: one asio::io_context runs the MG association with the MGC (H.248), the
// bearers and relays of the media plane, the control socket and the metrics endpoint. The device
// backend, the gateway's certificate and the TLS contexts are opened at start from the
// configuration; SIGHUP reloads the certificate (new sessions use it, running ones keep theirs);
// SIGTERM/SIGINT send ServiceChange Graceful to the MGC and stop.
#pragma once

#include <asio.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/logger.h>

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "drivers/device.h"
#include "drivers/key_slot.h"
#include "host/app/association_loop.h"
#include "host/app/control_server.h"
#include "host/app/daemon_config.h"
#include "host/app/metrics_server.h"
#include "host/h248/gateway.h"
#include "host/h248/mg_association.h"
#include "host/h248/packages.h"
#include "host/media/bearer_plane.h"
#include "host/tls/context.h"
#include "host/tls/ticket_keys.h"

namespace mediasec::app {

class Daemon {
 public:
  static Result<std::unique_ptr<Daemon>> open(DaemonConfig config, std::shared_ptr<spdlog::logger> log);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Registers with the MGC and runs until a stop signal (or stop()); returns the exit status.
  int run();
  void stop();

  // SIGHUP: the certificate and key are read again; a bad file leaves the old one in use.
  Result<void> reload();

  // The control socket's requests (docs/operator-guide.md lists them).
  nlohmann::json handle(const nlohmann::json& request);
  std::string metrics() const;

  uint16_t h248_port() const { return association_->local().port(); }
  uint16_t metrics_port() const { return metrics_ ? metrics_->port() : 0; }

 private:
  Daemon(DaemonConfig config, std::shared_ptr<spdlog::logger> log);
  Result<void> open_parts();
  void on_event(const std::string& termination, h248::ObservedEvent event);
  void drain_association_log();
  void watch_signals();

  // The association's counters by name, for status and metrics alike.
  std::vector<std::pair<const char*, uint64_t>> h248_counters() const;
  nlohmann::json status() const;
  nlohmann::json contexts() const;
  nlohmann::json sessions() const;
  nlohmann::json device_view();
  nlohmann::json self_test();

  static constexpr h248::Millis kShutdownWait{3000};

  DaemonConfig config_;
  std::shared_ptr<spdlog::logger> log_;
  asio::io_context io_;
  asio::signal_set signals_;
  std::unique_ptr<device::Device> device_;
  std::unique_ptr<device::SlotPool> slots_;
  std::shared_ptr<tls::TicketKeys> tickets_;
  std::unique_ptr<tls::TlsContext> tls_, dtls_;
  std::string fingerprint_;  // of the certificate in use (a=fingerprint, sha-256)
  h248::PackageRegistry packages_;
  std::unique_ptr<media::BearerPlane> plane_;
  std::unique_ptr<h248::Gateway> gateway_;
  std::unique_ptr<h248::MgAssociation> association_;
  std::unique_ptr<AssociationLoop> loop_;
  std::unique_ptr<ControlServer> control_;
  std::unique_ptr<MetricsServer> metrics_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  uint64_t reloads_ = 0, reload_failures_ = 0;
  bool stopping_ = false;
};

}  // namespace mediasec::app
