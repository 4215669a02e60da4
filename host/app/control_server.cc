#include "host/app/control_server.h"

#include <sys/stat.h>

#include <string>

namespace mediasec::app {
namespace {

using asio::local::stream_protocol;

// One client: reads lines, answers each.
class ControlConnection : public std::enable_shared_from_this<ControlConnection> {
 public:
  ControlConnection(stream_protocol::socket socket, ControlServer::Handler& handler, std::weak_ptr<bool> alive,
                    std::chrono::milliseconds idle)
      : socket_(std::move(socket)),
        handler_(handler),
        alive_(std::move(alive)),
        buffer_(ControlServer::kMaxRequest),
        idle_timer_(socket_.get_executor()),
        idle_(idle) {}

  void read() {
    // A client that sends nothing for `idle` is closed: idle connections would otherwise hold
    // descriptors (and a read handler) for as long as the client likes.
    idle_timer_.expires_after(idle_);
    idle_timer_.async_wait([weak = weak_from_this()](asio::error_code ec) {
      auto self = weak.lock();
      if (ec || !self) return;
      asio::error_code ignored;
      self->socket_.close(ignored);
    });
    asio::async_read_until(socket_, buffer_, '\n', [self = shared_from_this()](asio::error_code ec, size_t n) {
      self->idle_timer_.cancel();
      if (self->alive_.expired()) return;
      if (ec == asio::error::not_found) {  // longer than kMaxRequest without a newline
        self->reply({{"error", "request longer than " + std::to_string(ControlServer::kMaxRequest) + " bytes"}}, true);
        return;
      }
      if (ec) return;
      std::string line(asio::buffers_begin(self->buffer_.data()),
                       asio::buffers_begin(self->buffer_.data()) + static_cast<std::ptrdiff_t>(n));
      self->buffer_.consume(n);
      nlohmann::json request = nlohmann::json::parse(line, nullptr, false);
      if (request.is_discarded() || !request.is_object()) {
        self->reply({{"error", "a request is one JSON object per line"}}, false);
        return;
      }
      self->reply(self->answer(request), false);
    });
  }

  // A handler's exception (a field of the wrong type, say) is that request's error, never the
  // daemon's end: the loop that runs this also runs H.248 and the bearers.
  nlohmann::json answer(const nlohmann::json& request) {
    try {
      return handler_(request);
    } catch (const std::exception& e) {
      return {{"error", std::string("request not understood: ") + e.what()}};
    } catch (...) {
      return {{"error", "request not understood"}};
    }
  }

 private:
  void reply(const nlohmann::json& answer, bool then_close) {
    auto text =
        std::make_shared<std::string>(answer.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
    asio::async_write(socket_, asio::buffer(*text),
                      [self = shared_from_this(), text, then_close](asio::error_code ec, size_t) {
                        if (ec || then_close || self->alive_.expired()) return;
                        self->read();
                      });
  }

  stream_protocol::socket socket_;
  ControlServer::Handler& handler_;
  std::weak_ptr<bool> alive_;
  asio::streambuf buffer_;
  asio::steady_timer idle_timer_;
  std::chrono::milliseconds idle_;
};

}  // namespace

ControlServer::ControlServer(asio::io_context& io, std::filesystem::path path, Handler handler, OnShortage on_shortage,
                             std::chrono::milliseconds idle_timeout)
    : acceptor_(io),
      path_(std::move(path)),
      handler_(std::move(handler)),
      accepting_(
          acceptor_,
          [this, idle_timeout](stream_protocol::socket socket) {
            std::make_shared<ControlConnection>(std::move(socket), handler_, alive_, idle_timeout)->read();
          },
          std::move(on_shortage)) {}

Result<std::unique_ptr<ControlServer>> ControlServer::open(asio::io_context& io, const std::filesystem::path& path,
                                                           Handler handler, OnShortage on_shortage,
                                                           std::chrono::milliseconds idle_timeout) {
  std::unique_ptr<ControlServer> s(
      new ControlServer(io, path, std::move(handler), std::move(on_shortage), idle_timeout));
  std::error_code fs_ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), fs_ec);
  // A socket file left by a daemon that did not stop cleanly; anything else is not ours to remove.
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode))
      return make_error(ErrorCode::kInvalidArgument, path.string() + " exists and is not a socket");
    std::filesystem::remove(path, fs_ec);
  }
  asio::error_code ec;
  s->acceptor_.open(stream_protocol(), ec);
  if (!ec) s->acceptor_.bind(stream_protocol::endpoint(path.string()), ec);
  if (!ec) s->acceptor_.listen(16, ec);
  if (ec) return make_error(ErrorCode::kUnavailable, "control socket " + path.string() + ": " + ec.message());
  ::chmod(path.c_str(), 0660);
  s->accepting_.start();
  return s;
}

ControlServer::~ControlServer() {
  *alive_ = false;
  asio::error_code ignored;
  acceptor_.close(ignored);
  std::error_code fs_ec;
  std::filesystem::remove(path_, fs_ec);
}

}  // namespace mediasec::app
