// mediasecd's body. The daemon's asio::io_context runs the MG association with the MGC (H.248),
// the control socket and the metrics endpoint, and the first media worker; the other workers
// (one per core by default, [media] workers) run their own loops on their own threads. Each
// worker owns its contexts' bearers and relays, its device queue and TLS contexts
// (host/app/media_worker.h); the gateway reaches them through WorkerPlanes, and their events come
// back to the association's loop as posted handlers. The gateway's certificate is loaded once
// and given to every worker; SIGHUP reloads it in all of them (new sessions use it, running ones
// keep theirs); SIGTERM/SIGINT send ServiceChange Graceful to the MGC and stop.
#pragma once

#include <spdlog/logger.h>
#include <asio.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "host/app/association_loop.h"
#include "host/app/control_server.h"
#include "host/app/daemon_config.h"
#include "host/app/media_worker.h"
#include "host/app/metrics_server.h"
#include "host/app/worker_planes.h"
#include "host/h248/gateway.h"
#include "host/h248/mg_association.h"
#include "host/h248/packages.h"
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
  Result<void> open_workers(const tls::Identity& identity);
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
  // Summed over the workers' devices; nullopt if a device could not say.
  std::optional<device::Counters> device_counters() const;
  size_t free_key_slots() const;

  static constexpr h248::Millis kShutdownWait{3000};

  DaemonConfig config_;
  std::shared_ptr<spdlog::logger> log_;
  asio::io_context io_{1};  // run by the daemon's thread alone (others only post to it)
  asio::signal_set signals_;
  std::shared_ptr<tls::TicketKeys> tickets_;
  std::string fingerprint_;  // of the certificate in use (a=fingerprint, sha-256)
  std::string backend_;      // the device backend's name (sw, sim, xrt)
  h248::PackageRegistry packages_;
  std::vector<std::unique_ptr<MediaWorker>> workers_;  // [0] runs on io_
  std::unique_ptr<WorkerPlanes> planes_;
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
