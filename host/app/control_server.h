// mediasecd's control socket: a Unix stream socket where mediasecctl (or any operator tool) sends
// one JSON request per line, {"command": "status"}, and reads one JSON reply per line. A request
// that is not JSON, too long or unknown gets {"error": "..."}; the connection stays usable.
#pragma once

#include <asio.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <memory>

#include "host/base/result.h"

namespace mediasec::app {

class ControlServer {
 public:
  using Handler = std::function<nlohmann::json(const nlohmann::json& request)>;

  // Binds `path` (a stale socket file left by a previous run is replaced; mode 0660).
  static Result<std::unique_ptr<ControlServer>> open(asio::io_context& io, const std::filesystem::path& path, Handler handler);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  static constexpr size_t kMaxRequest = 64 * 1024;

 private:
  ControlServer(asio::io_context& io, std::filesystem::path path, Handler handler);
  void accept();

  asio::local::stream_protocol::acceptor acceptor_;
  std::filesystem::path path_;
  Handler handler_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace mediasec::app
