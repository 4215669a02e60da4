// The endpoint an operator's Prometheus scrapes: HTTP/1.1 GET /metrics answers the text
// exposition format (version 0.0.4), one request per connection. Anything else gets 404 or 400;
// a request head longer than 8 KiB or slower than five seconds is dropped.
#pragma once

#include <asio.hpp>

#include <functional>
#include <memory>
#include <string>

#include "host/base/result.h"

namespace mediasec::app {

class MetricsServer {
 public:
  using Render = std::function<std::string()>;

  static Result<std::unique_ptr<MetricsServer>> open(asio::io_context& io, const std::string& host, uint16_t port, Render render);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  MetricsServer(asio::io_context& io, Render render) : acceptor_(io), render_(std::move(render)) {}
  void accept();

  asio::ip::tcp::acceptor acceptor_;
  Render render_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// A metric family in the text exposition format: "# HELP", "# TYPE" and its samples.
class MetricsText {
 public:
  void family(const std::string& name, const std::string& type, const std::string& help);
  void sample(const std::string& name, double value, const std::string& labels = {});
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

}  // namespace mediasec::app
