// A child process for tests (a real peer: megaco, openssl), killed when the object goes away.
// Its stdout is read line by line without blocking.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace mediasec::test_env {

class Subprocess {
 public:
  explicit Subprocess(const std::vector<std::string>& argv) {
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      std::vector<char*> args;
      for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execvp(args[0], args.data());
      ::_exit(127);
    }
    ::close(out[1]);
    fd_ = out[0];
    ::fcntl(fd_, F_SETFL, O_NONBLOCK);
  }
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;
  ~Subprocess() {
    kill();
    if (fd_ >= 0) ::close(fd_);
  }

  bool started() const { return pid_ > 0; }

  void kill() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }

  // A complete line of output if one is there (without its newline).
  std::optional<std::string> line() {
    char buf[4096];
    for (;;) {
      ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n <= 0) break;
      pending_.append(buf, static_cast<size_t>(n));
    }
    size_t nl = pending_.find('\n');
    if (nl == std::string::npos) return std::nullopt;
    std::string l = pending_.substr(0, nl);
    pending_.erase(0, nl + 1);
    return l;
  }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string pending_;
};

}  // namespace mediasec::test_env
