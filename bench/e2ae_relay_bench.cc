// e2ae_relay_bench: relay throughput of one TLS connection terminated toward the terminal and
// relayed as plain TCP to the core, on one gateway thread — our E2aeRelay (sw device) against
// haproxy doing the same TLS termination in TCP mode (nbthread 1), same certificate (ECDSA
// P-256) and suite (TLS_AES_128_GCM_SHA256), measured in the same run.
// The terminal is an OpenSSL client writing 16 KiB records as fast as it can; the core is a sink
// that counts bytes. Figures: plaintext bytes per second arriving at the core.
//
//   e2ae_relay_bench [--json FILE] [--seconds S]
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <asio.hpp>

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/bench_args.h"
#include "bench/haproxy_anchor.h"
#include "drivers/key_slot.h"
#include "drivers/open_device.h"
#include "host/media/e2ae_relay.h"
#include "host/tls/identity.h"
#include "tests/support/subprocess.h"

namespace {

using namespace mediasec;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// Two cores: the terminal and the core sink on CPU 0, the gateway under test on CPU 1, so that
// neither gateway competes with the load it is measured under.
void PinTo(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

// The core: accepts one connection at a time and counts what arrives.
class Sink {
 public:
  Sink() : acceptor_(io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0)) {
    thread_ = std::thread([this] {
      PinTo(0);
      while (!stop_) {
        asio::error_code ec;
        tcp::socket s(io_);
        acceptor_.accept(s, ec);
        if (ec || stop_) break;
        std::vector<char> buf(1 << 16);
        for (;;) {
          const size_t n = s.read_some(asio::buffer(buf), ec);
          if (ec) break;
          bytes += n;
        }
      }
    });
  }
  ~Sink() {
    stop_ = true;
    asio::error_code ignored;
    tcp::socket poke(io_);
    poke.connect(acceptor_.local_endpoint(), ignored);
    thread_.join();
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::atomic<uint64_t> bytes{0};

 private:
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// The terminal: a TLS client over a real socket, writing records until the time is up.
// Returns plaintext bytes per second as the core counted them (after the handshake).
// CPU seconds (user + system) a thread or process has used so far, from /proc.
double CpuSeconds(const std::string& stat_path) {
  std::ifstream f(stat_path);
  std::string stat((std::istreambuf_iterator<char>(f)), {});
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string skip;
  for (int i = 0; i < 11; ++i) fields >> skip;  // state .. cmajflt: fields 3..13
  double utime = 0, stime = 0;
  fields >> utime >> stime;
  return (utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

struct Measure {
  double bytes_per_second = -1;      // at the core
  double bytes_per_cpu_second = -1;  // per second of the gateway's own CPU time
};

Measure Drive(uint16_t port, const std::filesystem::path& dir, Sink& sink, double seconds,
              const std::string& gateway_stat) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
  SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256");
  SSL_CTX_use_certificate_file(ctx, (dir / "t.pem").c_str(), SSL_FILETYPE_PEM);
  SSL_CTX_use_PrivateKey_file(ctx, (dir / "t.key").c_str(), SSL_FILETYPE_PEM);
  int fd = -1;
  for (int i = 0; i < 200 && fd < 0; ++i) {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd);
      fd = -1;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  Measure result;
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  if (fd >= 0 && SSL_connect(ssl) == 1) {
    std::vector<uint8_t> chunk(16384, 0x5A);
    // Warm up, then measure at the core.
    for (int i = 0; i < 64; ++i) SSL_write(ssl, chunk.data(), static_cast<int>(chunk.size()));
    const uint64_t start_bytes = sink.bytes;
    const double start_cpu = CpuSeconds(gateway_stat);
    const auto start = Clock::now();
    while (std::chrono::duration<double>(Clock::now() - start).count() < seconds) {
      if (SSL_write(ssl, chunk.data(), static_cast<int>(chunk.size())) <= 0) break;
    }
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    const double bytes = static_cast<double>(sink.bytes - start_bytes);
    const double cpu = CpuSeconds(gateway_stat) - start_cpu;
    result.bytes_per_second = bytes / elapsed;
    result.bytes_per_cpu_second = cpu > 0 ? bytes / cpu : -1;
    SSL_shutdown(ssl);
  }
  SSL_free(ssl);
  if (fd >= 0) ::close(fd);
  SSL_CTX_free(ctx);
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  const auto args = mediasec::bench::parse_args(argc, argv, "e2ae_relay_bench [--json FILE] [--seconds S]", 5);
  if (!args) return 2;
  const double seconds = std::max(1.0, args->seconds);
  const auto dir = std::filesystem::temp_directory_path() / ("mediasec-relay-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto gateway = tls::Identity::load_or_create(dir / "gw.pem", dir / "gw.key").value();
  auto terminal = tls::Identity::load_or_create(dir / "t.pem", dir / "t.key").value();

  PinTo(0);
  const auto haproxy_run = [&]() -> Measure {
    Sink sink;
    const uint16_t port = mediasec::bench::free_tcp_port();
    const auto cfg = mediasec::bench::write_haproxy_config(dir, port, sink.port());
    mediasec::test_env::Subprocess haproxy({"taskset", "-c", "1", "haproxy", "-db", "-f", cfg.string()},
                                           mediasec::test_env::Subprocess::Options{false, true});
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // haproxy listening
    return Drive(port, dir, sink, seconds, "/proc/" + std::to_string(haproxy.pid()) + "/stat");
  };
  auto dev = device::open_device("sw").value();
  device::SlotPool pool(*dev);
  auto ctx = std::move(tls::TlsContext::create(gateway, tls::Profile{}, nullptr, tls::Transport::kStream).value());
  const auto ours_run = [&]() -> Measure {
    Sink sink;
    asio::io_context io(1);  // one thread runs it, as each of mediasecd's workers
    tcp::acceptor access(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    std::shared_ptr<media::E2aeRelay> relay;
    access.async_accept([&](asio::error_code ec, tcp::socket a) {
      if (ec) return;
      tcp::socket c(io);
      c.connect(tcp::endpoint(asio::ip::address_v4::loopback(), sink.port()));
      tls::TlsSession::Options o;
      o.role = tls::Role::kServer;
      o.peer_fingerprints = {*terminal.fingerprint()};
      relay =
          media::E2aeRelay::start(std::move(a), std::move(c), std::move(tls::TlsSession::create(*ctx, pool, o).value()),
                                  [](const tls::Release&, const media::E2aeRelay::Stats&) {});
    });
    std::atomic<pid_t> worker_tid{0};
    std::thread worker([&] {
      PinTo(1);
      worker_tid = static_cast<pid_t>(::gettid());
      io.run_for(std::chrono::seconds(static_cast<int>(seconds) + 10));
    });
    while (worker_tid == 0) std::this_thread::yield();
    const Measure rate = Drive(access.local_endpoint().port(), dir, sink, seconds,
                               "/proc/self/task/" + std::to_string(worker_tid.load()) + "/stat");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    io.stop();
    worker.join();
    relay.reset();
    return rate;
  };
  // Five runs each, alternating; the medians. The gateway's core is not always the bottleneck
  // (the load generator shares the other core with the sink and the kernel), so the figure that
  // compares the two gateways is bytes relayed per second of the gateway's own CPU.
  constexpr int kRuns = 5;
  std::vector<double> anchors, ourss, anchor_rates, our_rates;
  std::printf("e2ae relay runs (GB per CPU-second, ours/haproxy):");
  for (int i = 0; i < kRuns; ++i) {
    const Measure h = haproxy_run();
    const Measure o = ours_run();
    anchors.push_back(h.bytes_per_cpu_second);
    ourss.push_back(o.bytes_per_cpu_second);
    anchor_rates.push_back(h.bytes_per_second);
    our_rates.push_back(o.bytes_per_second);
    std::printf(" %.3f/%.3f", o.bytes_per_cpu_second / 1e9, h.bytes_per_cpu_second / 1e9);
    std::fflush(stdout);
  }
  std::printf("\n");
  for (auto* v : {&anchors, &ourss, &anchor_rates, &our_rates}) std::sort(v->begin(), v->end());
  const double anchor = anchors[kRuns / 2], ours = ourss[kRuns / 2];
  std::printf("e2ae relay wall-clock throughput: ours %.3f GB/s, haproxy %.3f GB/s (medians)\n",
              our_rates[kRuns / 2] / 1e9, anchor_rates[kRuns / 2] / 1e9);
  std::filesystem::remove_all(dir);

  const double ratio = ours > 0 && anchor > 0 ? ours / anchor : 0;
  std::printf(
      "e2ae_relay_tls13_16k_sw  %.3f GB per CPU-second  anchor haproxy TLS termination, TCP mode, 1 thread %.3f  ratio "
      "%.2f\n",
      ours / 1e9, anchor / 1e9, ratio);
  mediasec::bench::write_json(args->json_path, {{"e2ae_relay_tls13_16k_sw", ours / 1e9, "GB/cpu-s",
                                                 "haproxy TLS termination (TCP, 1 thread)", anchor / 1e9, ratio}});
  return ours > 0 && anchor > 0 ? 0 : 1;
}
