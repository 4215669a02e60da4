// haproxy as the anchor of the relay benchmarks (e2ae_relay_bench, sessions_bench): the same TLS
// termination as ours — TLS 1.3 only, TLS_AES_128_GCM_SHA256, the gateway's certificate — in TCP
// mode with one thread, relaying to the benchmark's core.
#pragma once

#include <asio.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>

namespace mediasec::bench {

// A loopback TCP port free at the time of asking.
inline uint16_t free_tcp_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor probe(io, asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  return probe.local_endpoint().port();
}

// Writes dir/haproxy.pem (dir/gw.pem and dir/gw.key together, as haproxy reads them) and
// dir/haproxy.cfg listening on `port`; `max_sessions` 0 keeps haproxy's own limit. Returns the
// configuration's path, for `haproxy -db -f`.
inline std::filesystem::path write_haproxy_config(const std::filesystem::path& dir, uint16_t port, uint16_t core_port,
                                                  size_t max_sessions = 0) {
  {
    std::ofstream pem(dir / "haproxy.pem");
    pem << std::ifstream(dir / "gw.pem").rdbuf() << std::ifstream(dir / "gw.key").rdbuf();
  }
  const std::filesystem::path cfg_path = dir / "haproxy.cfg";
  std::ofstream cfg(cfg_path);
  cfg << "global\n  nbthread 1\n";
  if (max_sessions > 0) cfg << "  maxconn " << max_sessions + 100 << "\n";
  cfg << "  ssl-default-bind-ciphersuites TLS_AES_128_GCM_SHA256\n  ssl-default-bind-options ssl-min-ver TLSv1.3\n"
      << "defaults\n  mode tcp\n";
  if (max_sessions > 0) cfg << "  maxconn " << max_sessions + 50 << "\n";
  cfg << "  timeout connect 5s\n  timeout client 300s\n  timeout server 300s\n"
      << "frontend access\n  bind 127.0.0.1:" << port << " ssl crt " << (dir / "haproxy.pem").string() << "\n"
      << "  default_backend core\n"
      << "backend core\n  server core 127.0.0.1:" << core_port << "\n";
  return cfg_path;
}

}  // namespace mediasec::bench
