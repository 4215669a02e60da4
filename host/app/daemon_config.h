// mediasecd's configuration file (TOML, parsed with toml++): what the daemon reads at start and
// checks before it opens anything. Every error names the file, the line and the key. The keys and
// their defaults are documented in docs/operator-guide.md; etc/mediasecd.toml is a commented
// example.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "host/h248/mg_association.h"
#include "host/tls/profile.h"

namespace mediasec::app {

struct PackageRename {
  std::string package, from, to;  // "tlscn/setup" = "tlscn/tlsstart": element `from` of `package` is spelled `to`
};

struct DaemonConfig {
  std::string backend = "sw";  // device backend spec: sw, sim[:...], xrt[:...]

  h248::Profile profile = h248::Profile::kIq;
  h248::AssociationConfig association;  // [h248]: transport, addresses, MGCs, encoding, timers
  std::vector<PackageRename> renames;   // [h248.rename]

  std::string media_address = "127.0.0.1";  // [media]: where bearers take their ports
  uint32_t workers = 0;                     // [media] workers: I/O threads owning contexts; 0: one per core

  // [tls]
  std::filesystem::path certificate, key;
  bool create_certificate = true;  // generate a self-signed identity when neither file exists
  tls::Profile tls;

  std::filesystem::path control_socket = "/run/mediasec/control.sock";  // [control]
  std::string metrics_listen;  // [metrics] listen = "127.0.0.1:9744"; empty: no endpoint

  std::string log_level = "info";  // [log]: trace, debug, info, warn, error
  std::filesystem::path log_file;  // empty: standard error
};

// Parses configuration text; `source` names it in errors ("mediasecd.toml:12: ...").
Result<DaemonConfig> parse_config(std::string_view text, std::string_view source);
Result<DaemonConfig> load_config(const std::filesystem::path& path);

// "host:port" with a numeric port (IPv6 in brackets).
Result<std::pair<std::string, uint16_t>> split_host_port(std::string_view text);

}  // namespace mediasec::app
