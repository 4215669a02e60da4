#include "host/app/control_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace mediasec::app {
namespace {

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

Error failed(const std::filesystem::path& socket, const std::string& what) {
  return make_error(ErrorCode::kUnavailable, "mediasecd at " + socket.string() + ": " + what);
}

}  // namespace

Result<nlohmann::json> ask_daemon(const std::filesystem::path& socket, const nlohmann::json& request,
                                  std::chrono::milliseconds timeout) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socket.string().size() >= sizeof address.sun_path) return failed(socket, "path too long");
  std::strncpy(address.sun_path, socket.c_str(), sizeof address.sun_path - 1);
  Socket s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (s.fd() < 0) return failed(socket, std::strerror(errno));
  if (::connect(s.fd(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    return failed(socket, std::string(std::strerror(errno)) + " (is mediasecd running? --socket names another)");
  }
  const std::string line = request.dump() + "\n";
  for (size_t sent = 0; sent < line.size();) {
    const ssize_t n = ::send(s.fd(), line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return failed(socket, std::string("send: ") + std::strerror(errno));
    sent += static_cast<size_t>(n);
  }
  std::string reply;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (reply.find('\n') == std::string::npos) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{s.fd(), POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0)
      return failed(socket, "no answer in time");
    char buffer[16384];
    const ssize_t n = ::recv(s.fd(), buffer, sizeof buffer, 0);
    if (n <= 0) return failed(socket, "closed without an answer");
    reply.append(buffer, static_cast<size_t>(n));
  }
  auto json = nlohmann::json::parse(reply.substr(0, reply.find('\n')), nullptr, false);
  if (json.is_discarded()) return failed(socket, "answer is not JSON");
  return json;
}

}  // namespace mediasec::app
