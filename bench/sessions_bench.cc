// sessions_bench: many concurrent e2ae sessions (TLS 1.3 to the terminal, plain TCP to the core)
// held by the gateway — host memory per session, and the relay throughput one more session gets
// while they are all open, against the same session with none open.
//
// A process may open 20,000 descriptors on the machines we run on, and a session holds three in
// the process that serves it (the access socket, the core socket and the core sink's end), so the
// sessions are spread over worker processes (5,000 each by default), each running E2aeRelay on
// one io_context as a mediasecd worker does. The terminals are OpenSSL clients in this process.
// The memory anchor is haproxy (TLS termination in TCP mode, one thread, same certificate and
// suite) holding one worker's share of sessions: resident memory growth per session of each.
//
//   sessions_bench [--sessions N] [--per-worker M] [--seconds S] [--json FILE]
#include <netinet/in.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/ssl.h>
#include <asio.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

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

constexpr int kMaxWorkers = 16;

// Written by the workers, read by this process: a MAP_SHARED page set up before fork().
struct Shared {
  std::atomic<uint16_t> access_port[kMaxWorkers];
  std::atomic<uint64_t> core_bytes[kMaxWorkers];
  std::atomic<uint32_t> established[kMaxWorkers];
  std::atomic<int> stop;
};

long RssKb(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  return -1;
}

double CpuSeconds(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(f)), {});
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string skip;
  for (int i = 0; i < 11; ++i) fields >> skip;
  double utime = 0, stime = 0;
  fields >> utime >> stime;
  return (utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// The core: accepts every connection and discards what arrives, counting it. One read buffer
// serves all connections (one thread, the bytes are not kept).
class CoreSink {
 public:
  CoreSink(asio::io_context& io, std::atomic<uint64_t>& bytes)
      : acceptor_(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0)), bytes_(bytes) {
    accept();
  }
  tcp::endpoint endpoint() const { return acceptor_.local_endpoint(); }

 private:
  void accept() {
    acceptor_.async_accept([this](asio::error_code ec, tcp::socket s) {
      if (ec) return;
      read(std::make_shared<tcp::socket>(std::move(s)));
      accept();
    });
  }
  void read(std::shared_ptr<tcp::socket> s) {
    s->async_read_some(asio::buffer(buffer_), [this, s](asio::error_code ec, size_t n) {
      if (ec) return;
      bytes_ += n;
      read(s);
    });
  }
  tcp::acceptor acceptor_;
  std::atomic<uint64_t>& bytes_;
  std::array<char, 1 << 16> buffer_{};
};

// One gateway worker: accepts terminals, connects each to the core and relays (never returns).
[[noreturn]] void RunWorker(int k, Shared& shared, const tls::Identity& gateway,
                            const security::Fingerprint& terminal_fingerprint, size_t sessions) {
  asio::io_context io;
  // Two slots per session and room to spare: the sw device is sized like a card would be.
  auto dev = device::open_device("sw:slots=" + std::to_string(2 * sessions + 64)).value();
  device::SlotPool pool(*dev);
  auto ctx = std::move(tls::TlsContext::create(gateway, tls::Profile{}, nullptr, tls::Transport::kStream).value());
  CoreSink sink(io, shared.core_bytes[k]);
  tcp::acceptor access(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  access.listen(4096);
  std::vector<std::shared_ptr<media::E2aeRelay>> relays;
  relays.reserve(sessions + 1);
  std::function<void()> accept_next = [&] {
    access.async_accept([&](asio::error_code ec, tcp::socket a) {
      if (ec) return;
      tcp::socket core(io);
      core.connect(sink.endpoint());
      tls::TlsSession::Options o;
      o.role = tls::Role::kServer;
      o.peer_fingerprints = {terminal_fingerprint};
      auto session = tls::TlsSession::create(*ctx, pool, o);
      if (session.ok()) {
        relays.push_back(media::E2aeRelay::start(
            std::move(a), std::move(core), std::move(session.value()),
            [](const tls::Release&, const media::E2aeRelay::Stats&) {}, [&shared, k] { ++shared.established[k]; }));
      }
      accept_next();
    });
  };
  accept_next();
  asio::steady_timer watch(io);
  std::function<void()> check = [&] {
    watch.expires_after(std::chrono::milliseconds(50));
    watch.async_wait([&](asio::error_code) {
      if (shared.stop) {
        io.stop();
        return;
      }
      check();
    });
  };
  check();
  shared.access_port[k] = access.local_endpoint().port();
  io.run();
  std::_Exit(0);
}

int Connect(uint16_t port) {
  for (int attempt = 0; attempt < 200; ++attempt) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) return fd;
    ::close(fd);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

// The terminals: TLS 1.3 clients with the terminal's certificate.
class Terminals {
 public:
  explicit Terminals(const std::filesystem::path& dir) : ctx_(SSL_CTX_new(TLS_client_method())) {
    SSL_CTX_set_min_proto_version(ctx_, TLS1_3_VERSION);
    SSL_CTX_set_ciphersuites(ctx_, "TLS_AES_128_GCM_SHA256");
    SSL_CTX_use_certificate_file(ctx_, (dir / "t.pem").c_str(), SSL_FILETYPE_PEM);
    SSL_CTX_use_PrivateKey_file(ctx_, (dir / "t.key").c_str(), SSL_FILETYPE_PEM);
  }
  ~Terminals() {
    close_all();
    SSL_CTX_free(ctx_);
  }
  // Opens one session; false when the connection or the handshake fails.
  bool open(uint16_t port) {
    const int fd = Connect(port);
    if (fd < 0) return false;
    SSL* ssl = SSL_new(ctx_);
    SSL_set_fd(ssl, fd);
    if (SSL_connect(ssl) != 1) {
      SSL_free(ssl);
      ::close(fd);
      return false;
    }
    open_.push_back({ssl, fd});
    return true;
  }
  // Writes 16 KiB records on the last session opened for `seconds`; bytes written.
  double drive_last(double seconds) {
    if (open_.empty()) return 0;
    std::vector<uint8_t> chunk(16384, 0x5A);
    double written = 0;
    const auto start = Clock::now();
    while (std::chrono::duration<double>(Clock::now() - start).count() < seconds) {
      const int n = SSL_write(open_.back().first, chunk.data(), static_cast<int>(chunk.size()));
      if (n <= 0) break;
      written += n;
    }
    return written;
  }
  void close_last() {
    if (open_.empty()) return;
    SSL_free(open_.back().first);
    ::close(open_.back().second);
    open_.pop_back();
  }
  void close_all() {
    while (!open_.empty()) close_last();
  }
  size_t size() const { return open_.size(); }

 private:
  SSL_CTX* ctx_;
  std::vector<std::pair<SSL*, int>> open_;
};

struct Rate {
  double bytes_per_second = 0;
  double bytes_per_cpu_second = 0;
};

// One more session on worker 0, driven for `seconds`: bytes per second at the core and per
// second of that worker's CPU.
Rate DriveOne(Terminals& terminals, Shared& shared, pid_t worker, double seconds) {
  Rate r;
  if (!terminals.open(shared.access_port[0])) return r;
  terminals.drive_last(0.3);  // warm up
  const uint64_t bytes0 = shared.core_bytes[0];
  const double cpu0 = CpuSeconds(worker);
  const auto t0 = Clock::now();
  terminals.drive_last(seconds);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the last records reach the core
  const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
  const double bytes = static_cast<double>(shared.core_bytes[0] - bytes0);
  const double cpu = CpuSeconds(worker) - cpu0;
  r.bytes_per_second = bytes / elapsed;
  r.bytes_per_cpu_second = cpu > 0 ? bytes / cpu : 0;
  terminals.close_last();
  return r;
}

// haproxy holding `sessions` idle sessions: resident memory growth per session (KiB).
double HaproxyKbPerSession(const std::filesystem::path& dir, size_t sessions) {
  std::atomic<uint64_t> bytes{0};
  asio::io_context io;
  CoreSink sink(io, bytes);
  std::thread sink_thread([&] {
    auto guard = asio::make_work_guard(io);
    io.run();
  });
  const uint16_t port = bench::free_tcp_port();
  const auto cfg = bench::write_haproxy_config(dir, port, sink.endpoint().port(), sessions);
  double per_session = -1;
  {
    test_env::Subprocess haproxy({"haproxy", "-db", "-f", cfg.string()}, test_env::Subprocess::Options{false, true});
    Terminals terminals(dir);
    // The first session shows haproxy is up and warms it; the others are counted.
    if (terminals.open(port)) {
      terminals.drive_last(0.2);
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      const long before = RssKb(haproxy.pid());
      size_t opened = 0;
      while (opened < sessions && terminals.open(port)) ++opened;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      const long after = RssKb(haproxy.pid());
      if (opened == sessions && before > 0 && after > 0)
        per_session = static_cast<double>(after - before) / static_cast<double>(sessions);
      else
        std::fprintf(stderr, "sessions_bench: haproxy took %zu of %zu sessions\n", opened, sessions);
    } else {
      std::fprintf(stderr, "sessions_bench: haproxy does not answer\n");
    }
  }
  io.stop();
  sink_thread.join();
  return per_session;
}

}  // namespace

int main(int argc, char** argv) {
  auto args = mediasec::bench::parse_args(argc, argv,
                                          "sessions_bench [--sessions N] [--per-worker M] [--seconds S] [--json FILE]",
                                          3.0, {"sessions", "per-worker"});
  if (!args) return 2;
  const size_t sessions = static_cast<size_t>(args->number("sessions", 10000));
  const size_t per_worker = static_cast<size_t>(args->number("per-worker", 5000));
  const int workers = static_cast<int>((sessions + per_worker - 1) / per_worker);
  if (sessions == 0 || per_worker == 0 || workers > kMaxWorkers) {
    std::fprintf(stderr, "sessions_bench: --sessions and --per-worker must be positive, at most %d workers\n",
                 kMaxWorkers);
    return 2;
  }
  const auto dir = std::filesystem::temp_directory_path() / ("mediasec-sessions-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto gateway = tls::Identity::load_or_create(dir / "gw.pem", dir / "gw.key").value();
  auto terminal = tls::Identity::load_or_create(dir / "t.pem", dir / "t.key").value();
  const security::Fingerprint terminal_fingerprint = *terminal.fingerprint();

  void* page = ::mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) return 1;
  Shared& shared = *new (page) Shared{};
  std::vector<pid_t> pids;
  for (int k = 0; k < workers; ++k) {
    const pid_t pid = ::fork();
    if (pid == 0) RunWorker(k, shared, gateway, terminal_fingerprint, per_worker);
    pids.push_back(pid);
  }
  for (int k = 0; k < workers; ++k)
    while (shared.access_port[k] == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));

  Terminals terminals(dir);
  // Throughput of one session with no other open, then memory with all open, then throughput
  // of one more session with all open.
  const Rate alone = DriveOne(terminals, shared, pids[0], args->seconds);
  std::vector<long> rss_before;
  for (pid_t p : pids) rss_before.push_back(RssKb(p));
  const auto t0 = Clock::now();
  size_t opened = 0;
  for (size_t i = 0; i < sessions; ++i) {
    if (!terminals.open(shared.access_port[static_cast<int>(i % static_cast<size_t>(workers))])) break;
    ++opened;
  }
  const double open_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  uint32_t established = 0;
  long grown_kb = 0;
  for (int k = 0; k < workers; ++k) {
    established += shared.established[k];
    grown_kb += RssKb(pids[static_cast<size_t>(k)]) - rss_before[static_cast<size_t>(k)];
  }
  const Rate loaded = DriveOne(terminals, shared, pids[0], args->seconds);
  terminals.close_all();
  shared.stop = 1;
  for (pid_t p : pids) ::waitpid(p, nullptr, 0);

  const double ours_kb = opened > 0 ? static_cast<double>(grown_kb) / static_cast<double>(opened) : -1;
  const double haproxy_kb = HaproxyKbPerSession(dir, per_worker);
  std::filesystem::remove_all(dir);

  // `established` also counts the first measured session (closed by then).
  const uint32_t idle_established = established > 0 ? established - 1 : 0;
  std::printf(
      "sessions: %zu of %zu opened in %.1f s (%u established on %d workers), %.2f KiB resident per session; "
      "haproxy %.2f KiB with %zu\n",
      opened, sessions, open_seconds, idle_established, workers, ours_kb, haproxy_kb, per_worker);
  std::printf("one more session: %.3f GB/s (%.3f GB per worker CPU-second) with %zu open, %.3f GB/s (%.3f) alone\n",
              loaded.bytes_per_second / 1e9, loaded.bytes_per_cpu_second / 1e9, opened, alone.bytes_per_second / 1e9,
              alone.bytes_per_cpu_second / 1e9);
  std::vector<mediasec::bench::Figure> figures;
  figures.push_back({"sessions_" + std::to_string(sessions) + "_memory_per_session", ours_kb, "KiB",
                     "haproxy TLS termination, same sessions per process", haproxy_kb, haproxy_kb / ours_kb});
  figures.push_back({"sessions_" + std::to_string(sessions) + "_relay_held", loaded.bytes_per_cpu_second / 1e9,
                     "GB/cpu-s", "the same session with none other open", alone.bytes_per_cpu_second / 1e9,
                     loaded.bytes_per_cpu_second / alone.bytes_per_cpu_second});
  mediasec::bench::write_json(args->json_path, figures);
  const bool ok = opened == sessions && idle_established == sessions && ours_kb > 0 && loaded.bytes_per_second > 0;
  if (!ok) std::fprintf(stderr, "sessions_bench: not every session was established\n");
  return ok ? 0 : 1;
}
