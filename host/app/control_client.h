// mediasecctl's side of the control socket: one JSON request, one JSON reply.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>

#include "base/result.h"

namespace mediasec::app {

// The socket mediasecd listens on unless its configuration says otherwise.
inline constexpr const char* kDefaultControlSocket = "/run/mediasec/control.sock";

Result<nlohmann::json> ask_daemon(const std::filesystem::path& socket, const nlohmann::json& request,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace mediasec::app
