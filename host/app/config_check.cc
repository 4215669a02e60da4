#include "host/app/config_check.h"

#include <sys/un.h>

#include <string>

#include "drivers/open_device.h"
#include "host/tls/context.h"

namespace mediasec::app {

Result<void> check_config(const DaemonConfig& config) {
  constexpr size_t kMaxSocketPath = sizeof(sockaddr_un{}.sun_path) - 1;  // the path and its NUL
  const std::string socket = config.control_socket.string();
  if (socket.empty()) return make_error(ErrorCode::kInvalidArgument, "control.socket: the path is empty");
  if (socket.size() > kMaxSocketPath) {
    return make_error(ErrorCode::kInvalidArgument, "control.socket: the path is " + std::to_string(socket.size()) +
                                                       " bytes; a Unix socket path takes at most " +
                                                       std::to_string(kMaxSocketPath));
  }
  if (auto ok = device::check_device_spec(config.backend); !ok) {
    return make_error(ErrorCode::kInvalidArgument, "device.backend: " + ok.error().message);
  }
  if (auto ok = tls::check_profile(config.tls); !ok) {
    return make_error(ErrorCode::kInvalidArgument, "tls: " + ok.error().message);
  }
  return ok_result();
}

}  // namespace mediasec::app
