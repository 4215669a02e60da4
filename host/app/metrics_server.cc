#include "host/app/metrics_server.h"

#include <charconv>
#include <chrono>

namespace mediasec::app {
namespace {

using asio::ip::tcp;

constexpr size_t kMaxHead = 8 * 1024;
constexpr std::chrono::seconds kReadLimit{5};

class MetricsConnection : public std::enable_shared_from_this<MetricsConnection> {
 public:
  MetricsConnection(tcp::socket socket, const MetricsServer::Render& render)
      : socket_(std::move(socket)), deadline_(socket_.get_executor()), render_(render), buffer_(kMaxHead) {}

  void read() {
    deadline_.expires_after(kReadLimit);
    deadline_.async_wait([weak = weak_from_this()](asio::error_code ec) {
      if (auto self = weak.lock(); self && !ec) self->socket_.close();
    });
    asio::async_read_until(socket_, buffer_, "\r\n\r\n", [self = shared_from_this()](asio::error_code ec, size_t) {
      self->deadline_.cancel();
      if (ec) return;  // closed, too long or too slow
      std::string head(asio::buffers_begin(self->buffer_.data()), asio::buffers_end(self->buffer_.data()));
      const size_t eol = head.find("\r\n");
      const std::string line = head.substr(0, eol);
      if (line.rfind("GET ", 0) != 0) return self->answer("405 Method Not Allowed", "GET /metrics only\n");
      const size_t sp = line.find(' ', 4);
      const std::string path = line.substr(4, sp == std::string::npos ? std::string::npos : sp - 4);
      if (path != "/metrics") return self->answer("404 Not Found", "see /metrics\n");
      self->answer("200 OK", self->render_());
    });
  }

 private:
  void answer(const std::string& status, std::string body) {
    auto text = std::make_shared<std::string>(
        "HTTP/1.1 " + status + "\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
    asio::async_write(socket_, asio::buffer(*text), [self = shared_from_this(), text](asio::error_code, size_t) {
      asio::error_code ignored;
      self->socket_.shutdown(tcp::socket::shutdown_both, ignored);
    });
  }

  tcp::socket socket_;
  asio::steady_timer deadline_;
  MetricsServer::Render render_;
  asio::streambuf buffer_;
};

}  // namespace

MetricsServer::MetricsServer(asio::io_context& io, Render render, OnShortage on_shortage)
    : acceptor_(io),
      render_(std::move(render)),
      accepting_(
          acceptor_,
          [this](tcp::socket socket) { std::make_shared<MetricsConnection>(std::move(socket), render_)->read(); },
          std::move(on_shortage)) {}

Result<std::unique_ptr<MetricsServer>> MetricsServer::open(asio::io_context& io, const std::string& host, uint16_t port,
                                                           Render render, OnShortage on_shortage) {
  std::unique_ptr<MetricsServer> s(new MetricsServer(io, std::move(render), std::move(on_shortage)));
  asio::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) return make_error(ErrorCode::kInvalidArgument, "metrics: '" + host + "' is not an IP address");
  const tcp::endpoint at(address, port);
  s->acceptor_.open(at.protocol(), ec);
  if (!ec) s->acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) s->acceptor_.bind(at, ec);
  if (!ec) s->acceptor_.listen(16, ec);
  if (ec)
    return make_error(ErrorCode::kUnavailable,
                      "metrics: cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
  s->accepting_.start();
  return s;
}

MetricsServer::~MetricsServer() {
  asio::error_code ignored;
  acceptor_.close(ignored);
}

void MetricsText::family(const std::string& name, const std::string& type, const std::string& help) {
  text_ += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

void MetricsText::sample(const std::string& name, double value, const std::string& labels) {
  char number[32];
  auto [end, ec] = std::to_chars(number, number + sizeof number, value);
  text_ += name + (labels.empty() ? "" : "{" + labels + "}") + " " +
           std::string(number, ec == std::errc() ? end : number) + "\n";
}

}  // namespace mediasec::app
