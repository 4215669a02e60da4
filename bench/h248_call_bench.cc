// Add/Modify/Subtract call cycles per second over UDP loopback, our gateway driven by a megaco
// MGC (tests/peers/mgc_peer.erl, concurrent callers). Also reports the gateway's CPU time per
// cycle, which tells whether the gateway or megaco is the ceiling.
//
//   h248_call_bench MGC_PEER_DIR [--seconds S] [--callers N] [--json FILE]
#include <sys/resource.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "bench/bench_args.h"
#include "host/h248/gateway.h"
#include "host/h248/mg_association.h"
#include "host/h248/packages.h"
#include "host/net/udp_socket.h"
#include "tests/support/port_reservation.h"
#include "tests/support/subprocess.h"

using namespace mediasec;
using namespace std::chrono_literals;

namespace {
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}
}  // namespace

int main(int argc, char** argv) {
  constexpr const char* kUsage = "h248_call_bench MGC_PEER_DIR [--seconds S] [--callers N] [--json FILE]";
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s\n", kUsage);
    return 2;
  }
  const auto args = mediasec::bench::parse_args(argc, argv, kUsage, 5, {"callers"}, 1);
  if (!args) return 2;
  const int seconds = std::max(1, static_cast<int>(args->seconds));
  const int callers = static_cast<int>(args->number("callers", 8));
  const uint16_t port = net::UdpSocket::bind(*net::Endpoint::parse("127.0.0.1", 0))->local().port();
  test_env::Subprocess mgc({"erl", "-noshell", "-pa", argv[1], "-run", "mgc_peer", "main", std::to_string(port),
                            "compact", "0", "udp", "bench", std::to_string(seconds), std::to_string(callers)});
  h248::PackageRegistry packages = h248::PackageRegistry::standard();
  test::PortReservation media("127.0.0.1");
  h248::Gateway gateway(packages, media);
  for (int i = 0; i < 200; ++i) {
    if (auto l = mgc.line(); l && l->rfind("LISTENING", 0) == 0) break;
    std::this_thread::sleep_for(20ms);
  }
  h248::AssociationConfig config;
  config.local_port = 0;
  config.mgcs = {{"127.0.0.1", port}};
  auto assoc = h248::MgAssociation::open(config, gateway);
  if (!assoc) {
    std::fprintf(stderr, "h248_call_bench: %s\n", assoc.error().message.c_str());
    return 1;
  }
  (*assoc)->start();
  double cpu0 = 0;
  bool counting = false;
  std::string result;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds + 30);
  while (result.empty() && std::chrono::steady_clock::now() < deadline) {
    (*assoc)->run_for(10ms);
    if (!counting && (*assoc)->state() == h248::AssociationState::kRegistered) {
      counting = true;
      cpu0 = cpu_seconds();
    }
    while (auto l = mgc.line()) {
      if (l->rfind("CYCLES", 0) == 0 || l->rfind("FAIL", 0) == 0) result = *l;
    }
  }
  const double cpu = cpu_seconds() - cpu0;
  unsigned long cycles = 0;
  double elapsed = 0;
  if (std::sscanf(result.c_str(), "CYCLES %lu SECONDS %lf", &cycles, &elapsed) != 2 || elapsed <= 0) {
    std::fprintf(stderr, "h248_call_bench: megaco said '%s'\n", result.c_str());
    return 1;
  }
  const double rate = cycles / elapsed;
  const double cpu_per_cycle_us = cycles ? cpu / cycles * 1e6 : 0;
  const double gateway_ceiling = cpu_per_cycle_us > 0 ? 1e6 / cpu_per_cycle_us : 0;
  std::printf(
      "h248 calls: %lu Add/Modify/Subtract cycles in %.2f s = %.0f cycles/s (%d megaco callers); gateway CPU "
      "%.1f us/cycle (a %.0f cycles/s ceiling on one core)\n",
      cycles, elapsed, rate, callers, cpu_per_cycle_us, gateway_ceiling);
  mediasec::bench::write_json(
      args->json_path,
      {{"h248_call_cycles_megaco", std::round(rate), "cycles/s", "goal 20k cycles/s", 20000, rate / 20000},
       {"h248_gateway_cycle_ceiling", std::round(gateway_ceiling), "cycles/s", "megaco MGC rate, same run",
        std::round(rate), rate > 0 ? gateway_ceiling / rate : 0}});
  return 0;
}
