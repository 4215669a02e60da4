// Helpers for the tests that hand what we send to tshark: run a shell command and keep its
// output, and write payloads as the od-style hex blocks text2pcap reads (one block per packet).
#pragma once

#include <cstdio>
#include <ostream>
#include <string>
#include <string_view>

namespace mediasec::test_env {

inline std::string Shell(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

inline void WriteHexPacket(std::ostream& out, std::string_view payload) {
  char line[32];
  for (size_t i = 0; i < payload.size(); ++i) {
    if (i % 16 == 0) {
      std::snprintf(line, sizeof line, "%s%06zx", i ? "\n" : "", i);
      out << line;
    }
    std::snprintf(line, sizeof line, " %02x", static_cast<unsigned char>(payload[i]));
    out << line;
  }
  out << "\n";
}

}  // namespace mediasec::test_env
