// mediasecd's control socket: a Unix stream socket where mediasecctl (or any operator tool) sends
// one JSON request per line, {"command": "status"}, and reads one JSON reply per line. A request
// that is not JSON, too long or unknown gets {"error": "..."}; the connection stays usable.
#pragma once

#include <asio.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>

#include "base/result.h"
#include "host/net/accept_loop.h"

namespace mediasec::app {

class ControlServer {
 public:
  using Handler = std::function<nlohmann::json(const nlohmann::json& request)>;
  using OnShortage = net::AcceptLoop<asio::local::stream_protocol>::OnShortage;

  // Binds `path` (a stale socket file left by a previous run is replaced; mode 0660). Out of
  // descriptors, it pauses accepting (host/net/accept_loop.h) and tells on_shortage. A client
  // that sends no request for `idle_timeout` is closed.
  static constexpr std::chrono::milliseconds kIdleTimeout{30000};
  static Result<std::unique_ptr<ControlServer>> open(asio::io_context& io, const std::filesystem::path& path,
                                                     Handler handler, OnShortage on_shortage = {},
                                                     std::chrono::milliseconds idle_timeout = kIdleTimeout);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  static constexpr size_t kMaxRequest = 64 * 1024;
  uint64_t accept_pauses() const { return accepting_.pauses(); }

 private:
  ControlServer(asio::io_context& io, std::filesystem::path path, Handler handler, OnShortage on_shortage,
                std::chrono::milliseconds idle_timeout);

  asio::local::stream_protocol::acceptor acceptor_;
  std::filesystem::path path_;
  Handler handler_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  net::AcceptLoop<asio::local::stream_protocol> accepting_;
};

}  // namespace mediasec::app
