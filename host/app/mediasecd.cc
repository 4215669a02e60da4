// mediasecd: the appliance's daemon. Reads its configuration file, opens the device backend, the
// gateway's certificate and the H.248 association with the MGC, and runs the media plane until
// SIGTERM/SIGINT. SIGHUP reloads the certificate. `--check` validates the configuration and exits.
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <iostream>

#include "host/app/config_check.h"
#include "host/app/daemon.h"
#include "host/app/daemon_config.h"

int main(int argc, char** argv) {
  CLI::App app{"mediasecd: the mediasec media-plane security gateway daemon"};
  std::string config_path = "/etc/mediasec/mediasecd.toml";
  std::string backend;
  bool check = false;
  app.add_option("-c,--config", config_path, "configuration file (TOML)")->capture_default_str();
  app.add_option("-b,--backend", backend, "device backend, overriding the configuration: sw, sim[:...], xrt[:...]");
  app.add_flag("--check", check, "validate the configuration and exit");
  CLI11_PARSE(app, argc, argv);

  auto config = mediasec::app::load_config(config_path);
  if (!config) {
    std::cerr << "mediasecd: " << config.error().message << "\n";
    return 2;
  }
  if (!backend.empty()) config->backend = backend;
  if (auto ok = mediasec::app::check_config(*config); !ok) {
    std::cerr << "mediasecd: " << config_path << ": " << ok.error().message << "\n";
    return 2;
  }
  if (check) {
    std::cout << "mediasecd: " << config_path << " is valid\n";
    return 0;
  }

  std::shared_ptr<spdlog::logger> log;
  try {
    log = config->log_file.empty() ? spdlog::stderr_logger_st("mediasecd")
                                   : spdlog::basic_logger_st("mediasecd", config->log_file.string());
  } catch (const spdlog::spdlog_ex& e) {
    std::cerr << "mediasecd: log: " << e.what() << "\n";
    return 2;
  }
  log->set_level(spdlog::level::from_str(config->log_level));
  log->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  log->flush_on(spdlog::level::info);

  auto daemon = mediasec::app::Daemon::open(std::move(*config), log);
  if (!daemon) {
    log->critical("cannot start: {}", daemon.error().message);
    return 1;
  }
  return (*daemon)->run();
}
