// What `mediasecd --check` and the daemon's start both refuse before anything is opened: the
// parts of a configuration that parse as TOML but could not work (a control-socket path longer
// than a Unix socket takes, a backend spec that names no backend or a bad option, a TLS profile
// OpenSSL refuses).
#pragma once

#include "base/result.h"
#include "host/app/daemon_config.h"

namespace mediasec::app {

Result<void> check_config(const DaemonConfig& config);

}  // namespace mediasec::app
