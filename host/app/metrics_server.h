// The endpoint an operator's Prometheus scrapes: HTTP/1.1 GET /metrics answers the text
// exposition format (version 0.0.4), one request per connection. Anything else gets 404 or 400;
// a request head longer than 8 KiB or slower than five seconds is dropped.
#pragma once

#include <asio.hpp>

#include <functional>
#include <memory>
#include <string>

#include "base/result.h"
#include "host/net/accept_loop.h"

namespace mediasec::app {

class MetricsServer {
 public:
  using Render = std::function<std::string()>;
  using OnShortage = net::AcceptLoop<asio::ip::tcp>::OnShortage;

  // Out of descriptors, it pauses accepting (host/net/accept_loop.h) and tells on_shortage.
  static Result<std::unique_ptr<MetricsServer>> open(asio::io_context& io, const std::string& host, uint16_t port,
                                                     Render render, OnShortage on_shortage = {});
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  uint64_t accept_pauses() const { return accepting_.pauses(); }

 private:
  MetricsServer(asio::io_context& io, Render render, OnShortage on_shortage);

  asio::ip::tcp::acceptor acceptor_;
  Render render_;
  net::AcceptLoop<asio::ip::tcp> accepting_;
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
