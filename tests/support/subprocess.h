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
  struct Options {
    bool with_stdin = false;    // write_stdin() feeds the child's standard input
    bool merge_stderr = false;  // the child's stderr comes through line() too
  };
  explicit Subprocess(const std::vector<std::string>& argv) : Subprocess(argv, Options{}) {}
  Subprocess(const std::vector<std::string>& argv, Options options) {
    int out[2];
    int in[2] = {-1, -1};
    if (::pipe2(out, O_CLOEXEC) != 0) return;
    if (options.with_stdin && ::pipe2(in, O_CLOEXEC) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      if (options.merge_stderr) ::dup2(out[1], 2);
      if (in[0] >= 0) ::dup2(in[0], 0);
      std::vector<char*> args;
      for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execvp(args[0], args.data());
      ::_exit(127);
    }
    ::close(out[1]);
    if (in[0] >= 0) {
      ::close(in[0]);
      in_ = in[1];
    }
    fd_ = out[0];
    ::fcntl(fd_, F_SETFL, O_NONBLOCK);
  }
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;
  ~Subprocess() {
    kill();
    if (fd_ >= 0) ::close(fd_);
    close_stdin();
  }

  void write_stdin(const std::string& text) {
    if (in_ >= 0) (void)!::write(in_, text.data(), text.size());
  }
  void close_stdin() {
    if (in_ >= 0) ::close(in_);
    in_ = -1;
  }
  // Waits up to `timeout` for the child to exit by itself; its exit status, or -1.
  int wait_exit(std::chrono::milliseconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (pid_ > 0 && std::chrono::steady_clock::now() < end) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return -1;
  }

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

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
  int in_ = -1;
  std::string pending_;
};

}  // namespace mediasec::test_env
