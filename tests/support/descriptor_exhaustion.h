// Runs a test out of file descriptors, for real: lowers the process's soft RLIMIT_NOFILE to a
// little above what is open (so that exhausting it is quick), then opens /dev/null until open()
// fails with EMFILE. release() (and the destructor) closes them and restores the limit.
#pragma once

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace mediasec::test_env {

class DescriptorExhaustion {
 public:
  // The sanitizers' runtime probes memory through a pipe of its own (UBSan's vptr check), so a
  // process out of descriptors gets false reports under them: tests that exhaust descriptors
  // skip themselves in sanitizer builds, saying this.
#if defined(__SANITIZE_ADDRESS__)
  static constexpr bool kUnderSanitizers = true;
#else
  static constexpr bool kUnderSanitizers = false;
#endif
  static constexpr const char* kWhySkipped =
      "the sanitizers' runtime needs descriptors of its own (a pipe to probe memory)";

  DescriptorExhaustion() {
    ::getrlimit(RLIMIT_NOFILE, &saved_);
    rlimit low = saved_;
    const int probe = ::open("/dev/null", O_RDONLY | O_CLOEXEC);  // the lowest free number
    if (probe >= 0) {
      low.rlim_cur = std::min<rlim_t>(saved_.rlim_cur, static_cast<rlim_t>(probe) + 64);
      ::close(probe);
    }
    ::setrlimit(RLIMIT_NOFILE, &low);
    for (;;) {
      const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        exhausted_ = errno == EMFILE;
        break;
      }
      fds_.push_back(fd);
    }
  }
  ~DescriptorExhaustion() { release(); }
  DescriptorExhaustion(const DescriptorExhaustion&) = delete;
  DescriptorExhaustion& operator=(const DescriptorExhaustion&) = delete;

  // Opening a descriptor now fails with EMFILE.
  bool exhausted() const { return exhausted_; }
  void release() {
    for (int fd : fds_) ::close(fd);
    fds_.clear();
    ::setrlimit(RLIMIT_NOFILE, &saved_);
    exhausted_ = false;
  }

 private:
  rlimit saved_{};
  std::vector<int> fds_;
  bool exhausted_ = false;
};

}  // namespace mediasec::test_env
