#include "host/app/descriptor_limit.h"

#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>

namespace mediasec::app {

Result<DescriptorLimit> descriptor_limit() {
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) != 0) {
    return make_error(ErrorCode::kUnavailable, std::string("getrlimit(RLIMIT_NOFILE): ") + std::strerror(errno));
  }
  return DescriptorLimit{static_cast<uint64_t>(r.rlim_cur), static_cast<uint64_t>(r.rlim_max)};
}

Result<DescriptorLimit> raise_descriptor_limit() {
  auto now = descriptor_limit();
  if (!now || now->soft >= now->hard) return now;
  const rlimit raised{static_cast<rlim_t>(now->hard), static_cast<rlim_t>(now->hard)};
  if (::setrlimit(RLIMIT_NOFILE, &raised) != 0) {
    return make_error(ErrorCode::kUnavailable, std::string("setrlimit(RLIMIT_NOFILE): ") + std::strerror(errno));
  }
  return DescriptorLimit{now->hard, now->hard};
}

std::optional<uint64_t> open_descriptors() {
  std::error_code ec;
  uint64_t n = 0;
  std::filesystem::directory_iterator it("/proc/self/fd", ec);
  for (const std::filesystem::directory_iterator end; !ec && it != end; it.increment(ec)) ++n;
  if (ec || n == 0) return std::nullopt;
  return n - 1;  // less the one the listing itself holds open
}

}  // namespace mediasec::app
