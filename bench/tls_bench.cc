// tls_bench: the TLS termination figures of `make bench`, each beside its anchor measured in the
// same run on this machine:
//   - handshakes per second, ECDSA P-256, TLS 1.3 AES-128-GCM, full and resumed: `openssl s_time`
//     (one core, -www /) against our server (TlsSession, sw device, one thread) and against
//     `openssl s_server -www` with the same certificate, suite and client certificate;
//   - offloaded record throughput on sw: TlsSession::send/receive of 16 KiB records against
//     SSL_write/SSL_read of the same data on an OpenSSL connection with the same suite;
//   - host memory of an idle offloaded session against an idle OpenSSL SSL connection (malloc's
//     bytes in use per session over 1000 sessions).
//
//   tls_bench [--json FILE] [--seconds S]
#include <malloc.h>
#include <poll.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/bench_args.h"
#include "drivers/key_slot.h"
#include "drivers/open_device.h"
#include "host/tls/tls_session.h"
#include "tests/support/subprocess.h"
#include "tests/tls/openssl_peer.h"
#include "tests/tls/socket_pump.h"

namespace {

using namespace mediasec;
using namespace mediasec::tls;
using Clock = std::chrono::steady_clock;
using tls::test::Bytes;
using tls::test::Fd;

using Figure = mediasec::bench::Figure;

// Connections per second of `openssl s_time`: the connections it reports over the wall-clock
// time it ran (its own "real seconds" figure is whole seconds only).
double STime(uint16_t port, bool reuse, int seconds, const std::filesystem::path& dir,
             test_env::Subprocess* server = nullptr) {
  const auto start = Clock::now();
  test_env::Subprocess st(
      {"openssl", "s_time", "-connect", "127.0.0.1:" + std::to_string(port), reuse ? "-reuse" : "-new", "-time",
       std::to_string(seconds), "-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256", "-www", "/", "-cert",
       (dir / "t.pem").string(), "-key", (dir / "t.key").string()},
      test_env::Subprocess::Options{false, true});
  double connections = -1;
  std::string transcript;
  size_t reused = 0, fresh = 0;
  const auto scan = [&] {
    while (auto l = st.line()) {
      // "<N> connections in <T> real seconds, ..."
      const size_t at = l->find(" connections in ");
      if (at != std::string::npos && l->find(" real seconds", at) != std::string::npos) {
        connections = std::strtod(l->substr(0, at).c_str(), nullptr);
      }
      if (l->size() < 200) transcript += *l + "\n";
      // The progress line: '*' a new session, 'r' a resumed one.
      if (!l->empty() && l->find_first_not_of("*r") == std::string::npos) {
        for (char c : *l) (c == 'r' ? reused : fresh) += 1;
      }
    }
  };
  for (const auto end = start + std::chrono::seconds(seconds + 30); Clock::now() < end;) {
    scan();
    if (server != nullptr) {
      while (server->line()) {  // s_server writes per connection: keep its pipe from filling
      }
    }
    if (st.wait_exit(std::chrono::milliseconds(20)) >= 0) break;
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  scan();
  if (connections < 0) std::fprintf(stderr, "tls_bench: no figure from s_time:\n%s", transcript.c_str());
  if (reuse && reused < fresh) {
    std::fprintf(stderr, "tls_bench: s_time -reuse resumed only %zu of %zu connections on port %u\n", reused,
                 reused + fresh, port);
    return -1;
  }
  return connections / elapsed;
}

// Our server: one thread, one connection at a time (as s_time makes them), answering the
// request with a tiny HTTP response and close_notify.
class OurServer {
 public:
  OurServer(TlsContext& ctx, device::SlotPool& pool, const security::Fingerprint& client)
      : ctx_(ctx), pool_(pool), client_(client) {
    listener_ = tls::test::Listen(port_);
    thread_ = std::thread([this] { Run(); });
  }
  ~OurServer() {
    stop_ = true;
    thread_.join();
  }
  uint16_t port() const { return port_; }

 private:
  void Run() {
    while (!stop_) {
      Fd fd = tls::test::Accept(listener_, std::chrono::milliseconds(100));
      if (fd.get() < 0) continue;
      TlsSession::Options o;
      o.role = Role::kServer;
      o.peer_fingerprints = {client_};
      auto s = TlsSession::create(ctx_, pool_, o);
      if (!s) continue;
      Serve(fd, **s);
    }
  }
  void Serve(const Fd& fd, TlsSession& s) {
    bool answered = false;
    for (;;) {
      if (!tls::test::SendAll(fd.get(), s.take_output())) return;
      if (s.released()) return;
      if (!answered && !s.take_received().empty()) {
        static const std::string kResponse = "HTTP/1.0 200 ok\r\nContent-type: text/plain\r\n\r\nmediasec\r\n";
        (void)s.send(std::span(reinterpret_cast<const uint8_t*>(kResponse.data()), kResponse.size()));
        s.close();
        answered = true;
        continue;
      }
      pollfd p{fd.get(), POLLIN, 0};
      if (::poll(&p, 1, 1000) != 1) return;
      uint8_t buf[16384];
      const ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
      if (n <= 0) {
        s.transport_closed();
        return;
      }
      s.receive(std::span<const uint8_t>(buf, static_cast<size_t>(n)));
    }
  }

  TlsContext& ctx_;
  device::SlotPool& pool_;
  security::Fingerprint client_;
  Fd listener_;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// A handshaken pair over memory: our server session and an OpenSSL client.
struct Pair {
  std::unique_ptr<TlsSession> ours;
  std::unique_ptr<tls::test::OpenSslPeer> peer;
};

Pair Connect(TlsContext& ctx, device::SlotPool& pool, const Identity& terminal, int version = TLS1_3_VERSION) {
  Pair p;
  TlsSession::Options o;
  o.role = Role::kServer;
  o.peer_fingerprints = {*terminal.fingerprint()};
  p.ours = std::move(TlsSession::create(ctx, pool, o).value());
  p.peer = std::make_unique<tls::test::OpenSslPeer>(
      Role::kClient, terminal, version,
      version == TLS1_3_VERSION ? "TLS_AES_128_GCM_SHA256" : "ECDHE-ECDSA-AES128-GCM-SHA256");
  tls::test::Exchange(*p.ours, *p.peer);
  return p;
}

// Plaintext bytes per second through `step` (which moves `chunk` bytes) over `seconds`.
template <class F>
double Rate(double seconds, size_t chunk, F step) {
  const auto start = Clock::now();
  size_t bytes = 0;
  while (std::chrono::duration<double>(Clock::now() - start).count() < seconds) {
    for (int i = 0; i < 16; ++i) {
      step();
      bytes += chunk;
    }
  }
  return bytes / std::chrono::duration<double>(Clock::now() - start).count();
}

size_t HeapInUse() { return mallinfo2().uordblks; }

}  // namespace

int main(int argc, char** argv) {
  const auto args = mediasec::bench::parse_args(argc, argv, "tls_bench [--json FILE] [--seconds S]", 5);
  if (!args) return 2;
  const std::string& json_path = args->json_path;
  const int seconds = std::max(1, static_cast<int>(args->seconds));
  const auto dir = std::filesystem::temp_directory_path() / ("mediasec-tls-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto gateway = Identity::load_or_create(dir / "gw.pem", dir / "gw.key").value();
  auto terminal = Identity::load_or_create(dir / "t.pem", dir / "t.key").value();
  auto dev = device::open_device("sw").value();
  device::SlotPool pool(*dev);
  auto ctx = std::move(TlsContext::create(gateway, Profile{}, nullptr, Transport::kStream).value());
  std::vector<Figure> figures;

  // 1. Handshakes per second.
  for (bool reuse : {false, true}) {
    const uint16_t port = tls::test::FreePort();
    test_env::Subprocess server(
        {"openssl", "s_server", "-accept", std::to_string(port), "-4", "-www", "-cert", (dir / "gw.pem").string(),
         "-key", (dir / "gw.key").string(), "-verify", "1", "-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256"},
        test_env::Subprocess::Options{false, true});
    for (auto end = Clock::now() + std::chrono::seconds(10); Clock::now() < end;) {
      auto l = server.line();
      if (l && l->find("ACCEPT") != std::string::npos) break;
      if (!l) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const double anchor = STime(port, reuse, seconds, dir, &server);
    server.kill();
    OurServer ours(*ctx, pool, *terminal.fingerprint());
    const double value = STime(ours.port(), reuse, seconds, dir);
    figures.push_back({reuse ? "tls13_handshakes_resumed" : "tls13_handshakes_full", value, "conn/s",
                       "openssl s_time to s_server, same run", anchor});
  }

  // 2. Offloaded record throughput (sw) against SSL_write/SSL_read, 16 KiB records.
  {
    const Bytes chunk(16384, 0x5A);
    Pair p = Connect(*ctx, pool, terminal);
    const double ours_out = Rate(seconds / 2.0, chunk.size(), [&] {
      (void)p.ours->send(chunk);
      (void)p.ours->take_output();
    });
    // The same record size through OpenSSL's record layer (the client side of the pair).
    const double ssl_out = Rate(seconds / 2.0, chunk.size(), [&] {
      SSL_write(p.peer->ssl(), chunk.data(), static_cast<int>(chunk.size()));
      (void)p.peer->take();
    });
    figures.push_back(
        {"tls13_offload_protect_16k_sw", ours_out / 1e9, "GB/s", "SSL_write, same suite and records", ssl_out / 1e9});
    // Receive: records the peer's SSL_write made, opened by us; against the peer's SSL_read of
    // records our device made. Fresh connections, so sequence numbers follow on.
    constexpr int kRecords = 4000;
    Pair rx = Connect(*ctx, pool, terminal);
    std::vector<Bytes> stream;
    for (int i = 0; i < kRecords; ++i) {
      SSL_write(rx.peer->ssl(), chunk.data(), static_cast<int>(chunk.size()));
      stream.push_back(rx.peer->take());
    }
    size_t consumed = 0;
    const auto t0 = Clock::now();
    for (const Bytes& rec : stream) {
      rx.ours->receive(rec);
      consumed += rx.ours->take_received().size();
    }
    const double ours_in = consumed / std::chrono::duration<double>(Clock::now() - t0).count();
    if (rx.ours->released())
      std::fprintf(stderr, "tls_bench: the session failed: %s\n", rx.ours->release()->reason.c_str());
    Pair tx = Connect(*ctx, pool, terminal);
    stream.clear();
    for (int i = 0; i < kRecords; ++i) {
      (void)tx.ours->send(chunk);
      stream.push_back(tx.ours->take_output());
    }
    std::vector<uint8_t> sink(16384);
    size_t read = 0;
    const auto t1 = Clock::now();
    for (const Bytes& rec : stream) {
      tx.peer->feed(rec);
      size_t n = 0;
      if (SSL_read_ex(tx.peer->ssl(), sink.data(), sink.size(), &n) == 1) read += n;
    }
    const double ssl_in = read / std::chrono::duration<double>(Clock::now() - t1).count();
    figures.push_back(
        {"tls13_offload_unprotect_16k_sw", ours_in / 1e9, "GB/s", "SSL_read, same suite and records", ssl_in / 1e9});
  }

  // 3. Host memory of an idle session: malloc's bytes in use per session over 1000 sessions, the
  // peers freed. It includes the sw backend's keyed AES-GCM contexts of the session's two slots
  // (~1.2 KB each), which live on the card with sim and xrt. TLS 1.3 server sessions free their
  // OpenSSL connection; TLS 1.2 ones keep it (without buffers) for renegotiation.
  for (int version : {TLS1_3_VERSION, TLS1_2_VERSION}) {
    const bool tls13 = version == TLS1_3_VERSION;
    constexpr int kSessions = 1000;
    std::vector<Pair> pairs;
    pairs.reserve(kSessions);
    for (int i = 0; i < kSessions; ++i) pairs.push_back(Connect(*ctx, pool, terminal, version));
    for (Pair& p : pairs) p.peer.reset();
    const size_t ours_only = HeapInUse();
    pairs.clear();
    const size_t none = HeapInUse();
    const double ours = (static_cast<double>(ours_only) - static_cast<double>(none)) / kSessions;
    // Anchor: an idle OpenSSL server connection after the same handshake, buffers as OpenSSL keeps them.
    const std::string suite = tls13 ? "TLS_AES_128_GCM_SHA256" : "ECDHE-ECDSA-AES128-GCM-SHA256";
    std::vector<std::unique_ptr<tls::test::OpenSslPeer>> servers, clients;
    const size_t before = HeapInUse();
    for (int i = 0; i < kSessions; ++i) {
      servers.push_back(std::make_unique<tls::test::OpenSslPeer>(Role::kServer, gateway, version, suite));
      clients.push_back(std::make_unique<tls::test::OpenSslPeer>(Role::kClient, terminal, version, suite));
      for (int r = 0; r < 6; ++r) {
        clients.back()->step();
        servers.back()->feed(clients.back()->take());
        servers.back()->step();
        clients.back()->feed(servers.back()->take());
      }
    }
    clients.clear();
    const size_t servers_only = HeapInUse();
    const double anchor = (static_cast<double>(servers_only) - static_cast<double>(before)) / kSessions;
    figures.push_back({tls13 ? "tls13_idle_session_memory" : "tls12_idle_session_memory", ours, "bytes",
                       "OpenSSL SSL server connection, idle", anchor});
  }
  std::filesystem::remove_all(dir);

  for (Figure& f : figures) {
    const bool lower_is_better = f.unit == "bytes";
    f.ratio =
        f.value > 0 && f.anchor_value > 0 ? (lower_is_better ? f.anchor_value / f.value : f.value / f.anchor_value) : 0;
    std::printf("%-34s %12.3f %-7s anchor %-40s %12.3f  ratio %.2f\n", f.name.c_str(), f.value, f.unit.c_str(),
                f.anchor.c_str(), f.anchor_value, f.ratio);
  }
  mediasec::bench::write_json(json_path, figures);
  return 0;
}
