#include "host/app/daemon.h"

#include <algorithm>
#include <csignal>
#include <numeric>
#include <thread>

#include "drivers/open_device.h"
#include "host/app/descriptor_limit.h"
#include "host/app/device_json.h"
#include "host/tls/identity.h"

namespace mediasec::app {
namespace {

std::string parameters_text(const h248::ObservedEvent& e) {
  std::string out;
  for (const auto& p : e.parameters) {
    out += (out.empty() ? "" : ",") + p.name + "=";
    for (const auto& v : p.values) out += v;
  }
  return out;
}

const char* profile_name(h248::Profile p) {
  switch (p) {
    case h248::Profile::kIq: return "iq";
    case h248::Profile::kIx: return "ix";
    case h248::Profile::kMp: return "mp";
  }
  return "?";
}

nlohmann::json bearer_json(const media::BearerPlane::BearerView& b) {
  nlohmann::json j{{"termination", b.termination},
                   {"context", b.context},
                   {"kind", b.kind},
                   {"setup", b.setup},
                   {"state", b.state},
                   {"local_port", b.local_port},
                   {"remote", b.remote},
                   {"octets_sent", b.statistics.octets_sent},
                   {"octets_received", b.statistics.octets_received},
                   {"duration_ms", b.statistics.duration_ms}};
  if (b.tls) {
    j["tls"] = {{"version", b.tls->version},
                {"cipher", b.tls->cipher},
                {"peer_fingerprint", b.tls->peer_fingerprint},
                {"resumed", b.tls->resumed},
                {"offloaded", b.tls->offloaded},
                {"renegotiations", b.tls->renegotiations},
                {"key_updates", b.tls->key_updates},
                {"records_in", b.tls->records_in},
                {"records_out", b.tls->records_out}};
  }
  return j;
}

}  // namespace

Daemon::Daemon(DaemonConfig config, std::shared_ptr<spdlog::logger> log)
    : config_(std::move(config)), log_(std::move(log)), signals_(io_), packages_(h248::PackageRegistry::standard()) {}

Daemon::~Daemon() {
  // The parts that hold handlers on the loop go first, the loop last.
  loop_.reset();
  control_.reset();
  metrics_.reset();
  association_.reset();
  gateway_.reset();
  planes_.reset();
  for (auto& w : workers_) w->release_bearers();
  // Handlers the first worker's relays left on our loop (they hold sessions, and so key slots)
  // run now, while the worker's device is still there.
  io_.restart();
  io_.poll();
  workers_.clear();
}

Result<std::unique_ptr<Daemon>> Daemon::open(DaemonConfig config, std::shared_ptr<spdlog::logger> log) {
  std::unique_ptr<Daemon> d(new Daemon(std::move(config), std::move(log)));
  if (auto ok = d->open_parts(); !ok) return ok.error();
  return d;
}

Result<void> Daemon::open_parts() {
  if (auto limit = raise_descriptor_limit(); !limit) {
    log_->warn("file descriptors: {}", limit.error().message);
  } else {
    log_->info("file descriptors: up to {} (about {} TCP or TLS bearers at two each)", limit->soft, limit->soft / 2);
  }
  for (const auto& r : config_.renames) {
    if (!packages_.rename(r.package, r.from, r.to)) {
      return make_error(ErrorCode::kInvalidArgument,
                        "h248.rename: package '" + r.package + "' has no element '" + r.from + "'");
    }
  }
  auto identity = config_.create_certificate ? tls::Identity::load_or_create(config_.certificate, config_.key)
                                             : tls::Identity::load(config_.certificate, config_.key);
  if (!identity) return identity.error();
  tickets_ = std::make_shared<tls::TicketKeys>(config_.tls.ticket_key_period);
  if (auto ok = open_workers(*identity); !ok) return ok;
  auto fp = workers_.front()->tls().fingerprint();
  if (!fp) return fp.error();
  fingerprint_ = fp->to_string();
  log_->info("certificate {}: a=fingerprint:{}", config_.certificate.string(), fingerprint_);

  std::vector<MediaWorker*> workers;
  for (auto& w : workers_) workers.push_back(w.get());
  planes_ = std::make_unique<WorkerPlanes>(std::move(workers));
  gateway_ = std::make_unique<h248::Gateway>(packages_, *planes_);
  auto association = h248::MgAssociation::open(config_.association, *gateway_);
  if (!association) return make_error(association.error().code, "H.248: " + association.error().message);
  association_ = std::move(*association);
  loop_ = std::make_unique<AssociationLoop>(io_, *association_, [this] { drain_association_log(); });

  // Out of descriptors, the listeners pause (host/net/accept_loop.h); the log says so once each time.
  const auto shortage = [this](std::string listener) {
    return [this, listener](const asio::error_code& ec) {
      log_->warn("{}: cannot accept a connection ({}); accepting again every {} ms until it can", listener,
                 ec.message(), net::kAcceptPause.count());
    };
  };
  auto control = ControlServer::open(
      io_, config_.control_socket, [this](const nlohmann::json& r) { return handle(r); }, shortage("control socket"));
  if (!control) return control.error();
  control_ = std::move(*control);
  if (!config_.metrics_listen.empty()) {
    auto at = split_host_port(config_.metrics_listen);
    if (!at) return at.error();
    auto metrics = MetricsServer::open(
        io_, at->first, at->second, [this] { return this->metrics(); }, shortage("metrics"));
    if (!metrics) return metrics.error();
    metrics_ = std::move(*metrics);
  }
  log_->info("H.248 {} on {} (profile {}/{}), MGC {}:{}; control socket {}{}",
             config_.association.transport == h248::MgcTransport::kTcp ? "TCP" : "UDP",
             association_->local().to_string(), config_.association.profile.name, config_.association.profile.version,
             config_.association.mgcs.front().host, config_.association.mgcs.front().port,
             config_.control_socket.string(),
             metrics_ ? "; metrics on port " + std::to_string(metrics_->port()) : std::string());
  return ok_result();
}

Result<void> Daemon::open_workers(const tls::Identity& identity) {
  size_t count = config_.workers != 0 ? config_.workers : std::max(1u, std::thread::hardware_concurrency());
  if (count > 1 && config_.backend.starts_with("xrt")) {
    // A card is one job queue behind one register file: one worker drives it.
    log_->warn("xrt backend: 1 worker instead of {} (one card, one job queue)", count);
    count = 1;
  }
  MediaWorker::Setup setup;
  setup.backend = config_.backend;
  setup.media_address = config_.media_address;
  setup.identity = &identity;
  setup.profile = config_.tls;
  setup.tickets = tickets_;
  // Runs on a worker's thread: the event goes to the association's loop.
  setup.sink = [this](const std::string& t, h248::ObservedEvent e) {
    asio::post(io_, [this, t, e = std::move(e)]() mutable { on_event(t, std::move(e)); });
  };
  for (size_t i = 0; i < count; ++i) {
    auto worker = MediaWorker::open(i, setup, i == 0 ? &io_ : nullptr);
    if (!worker) return worker.error();
    workers_.push_back(std::move(*worker));
  }
  const device::Identity& id = workers_.front()->device().identity();
  backend_ = id.backend;
  log_->info("{} worker(s), each with device {}: {} key slots, {} lane(s), self-test passed", count, id.backend,
             id.key_slots, id.lanes);
  return ok_result();
}

void Daemon::on_event(const std::string& termination, h248::ObservedEvent event) {
  log_->info("{} {}{}{}", termination, event.name, event.parameters.empty() ? "" : " ", parameters_text(event));
  if (!gateway_ || !association_) return;
  if (auto notify = gateway_->observe(termination, std::move(event))) association_->notify(std::move(*notify));
}

void Daemon::drain_association_log() {
  for (const std::string& line : association_->take_log()) log_->info("h248: {}", line);
}

void Daemon::watch_signals() {
  signals_.add(SIGTERM);
  signals_.add(SIGINT);
  signals_.add(SIGHUP);
  signals_.async_wait([this](asio::error_code ec, int signal) {
    if (ec) return;
    if (signal == SIGHUP) {
      if (auto ok = reload(); !ok)
        log_->error("reload failed, the old certificate stays in use: {}", ok.error().message);
      watch_signals();
      return;
    }
    log_->info("signal {}: shutting down", signal == SIGTERM ? "TERM" : "INT");
    stop();
  });
}

int Daemon::run() {
  watch_signals();
  loop_->start();
  io_.run();
  return 0;
}

void Daemon::stop() {
  if (stopping_) return;
  stopping_ = true;
  loop_->stop();
  if (association_->state() == h248::AssociationState::kRegistered) {
    // Runs the association until the MGC answers; an MGC that is gone does not hold the stop up
    // for longer than kShutdownWait.
    association_->shutdown(h248::ServiceChangeMethod::kGraceful, 0, kShutdownWait);
  }
  drain_association_log();
  signals_.cancel();
  planes_->release_all();  // every bearer released
  io_.stop();
  log_->info("stopped");
}

Result<void> Daemon::reload() {
  auto identity = tls::Identity::load(config_.certificate, config_.key);
  if (!identity) {
    ++reload_failures_;
    return identity.error();
  }
  for (auto& w : workers_) {
    auto ok = w->call([&]() -> Result<void> {
      for (tls::TlsContext* c : {&w->tls(), &w->dtls()}) {
        if (auto used = c->use_identity(*identity); !used) return used.error();
      }
      return ok_result();
    });
    if (!ok) {
      ++reload_failures_;
      return ok.error();
    }
  }
  if (auto fp = workers_.front()->call([&] { return workers_.front()->tls().fingerprint(); }))
    fingerprint_ = fp->to_string();
  ++reloads_;
  log_->info("certificate reloaded: a=fingerprint:{}", fingerprint_);
  return ok_result();
}

nlohmann::json Daemon::handle(const nlohmann::json& request) {
  const auto field = request.find("command");
  if (field == request.end() || !field->is_string()) return {{"error", "a request names its command as a string"}};
  const std::string command = field->get<std::string>();
  if (command == "status") return status();
  if (command == "contexts") return contexts();
  if (command == "sessions") return sessions();
  if (command == "device") return device_view();
  if (command == "selftest") return self_test();
  if (command == "reload") {
    auto ok = reload();
    return ok ? nlohmann::json{{"reloaded", true}, {"fingerprint", fingerprint_}}
              : nlohmann::json{{"error", ok.error().message}};
  }
  if (command == "metrics") return {{"text", metrics()}};
  return {
      {"error", "unknown command '" + command + "' (status, contexts, sessions, device, selftest, reload, metrics)"}};
}

std::vector<std::pair<const char*, uint64_t>> Daemon::h248_counters() const {
  const auto& s = association_->stats();
  const auto& t = association_->transaction_stats();
  return {{"registrations", s.registrations},          {"handoffs", s.handoffs},
          {"disconnections", s.disconnections},        {"messages_received", s.messages_received},
          {"messages_sent", s.messages_sent},          {"malformed_messages", s.malformed_messages},
          {"notifies_sent", s.notifies_sent},          {"retransmissions", t.retransmissions},
          {"requests_timed_out", t.requests_timed_out}};
}

nlohmann::json Daemon::status() const {
  nlohmann::json h248{{"state", h248::to_string(association_->state())},
                      {"profile", profile_name(config_.profile)},
                      {"profile_name", config_.association.profile.name},
                      {"profile_version", config_.association.profile.version},
                      {"transport", config_.association.transport == h248::MgcTransport::kTcp ? "tcp" : "udp"},
                      {"local", association_->local().to_string()},
                      {"mgc", association_->mgc().to_string()}};
  for (const auto& [name, value] : h248_counters()) h248[name] = value;
  const std::vector<size_t> relays = planes_->relays_per_worker();  // one round of calls to the workers
  const auto limit = descriptor_limit();
  const auto open = open_descriptors();
  return {
      {"backend", backend_},
      {"workers", workers_.size()},
      {"relays_per_worker", relays},
      {"uptime_s",
       std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_).count()},
      {"h248", h248},
      {"contexts", gateway_->context_count()},
      {"terminations", gateway_->termination_count()},
      {"relays", std::accumulate(relays.begin(), relays.end(), size_t{0})},
      {"free_key_slots", free_key_slots()},
      {"descriptors", {{"open", open ? nlohmann::json(*open) : nlohmann::json()}, {"limit", limit ? limit->soft : 0}}},
      {"certificate",
       {{"file", config_.certificate.string()},
        {"fingerprint", fingerprint_},
        {"reloads", reloads_},
        {"reload_failures", reload_failures_}}}};
}

nlohmann::json Daemon::contexts() const {
  std::map<uint32_t, nlohmann::json> by_context;
  for (const auto& b : planes_->bearers()) {
    auto j = bearer_json(b);
    j["worker"] = planes_->worker_of(b.termination).value_or(0);
    by_context[b.context].push_back(std::move(j));
  }
  nlohmann::json out = nlohmann::json::array();
  for (auto& [context, terminations] : by_context)
    out.push_back({{"context", context}, {"terminations", terminations}});
  return {{"contexts", out}};
}

nlohmann::json Daemon::sessions() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& b : planes_->bearers())
    if (b.tls) out.push_back(bearer_json(b));
  return {{"sessions", out}};
}

std::optional<device::Counters> Daemon::device_counters() const {
  device::Counters sum;
  for (const auto& w : workers_) {
    auto c = w->call([&w] { return w->device().counters(); });
    if (!c) return std::nullopt;
    sum.records += c->records;
    sum.bytes += c->bytes;
    sum.auth_failures += c->auth_failures;
    sum.errors += c->errors;
  }
  return sum;
}

size_t Daemon::free_key_slots() const {
  size_t n = 0;
  for (const auto& w : workers_) n += w->call([&w] { return w->slots().free_slots(); });
  return n;
}

// The identity is one worker's device (they are alike); slots and counters are every worker's.
nlohmann::json Daemon::device_view() {
  auto id = workers_.front()->call([this] { return workers_.front()->device().identity(); });
  nlohmann::json j{{"identity", identity_json(id)}, {"workers", workers_.size()}, {"free_key_slots", free_key_slots()}};
  if (auto c = device_counters()) j["counters"] = counters_json(*c);
  return j;
}

nlohmann::json Daemon::self_test() {
  std::string error;
  for (const auto& w : workers_) {
    auto r = w->call([&w] { return w->device().self_test(); });
    if (!r && error.empty()) error = "worker " + std::to_string(w->index()) + ": " + r.error().message;
  }
  return {{"backend", backend_}, {"workers", workers_.size()}, {"passed", error.empty()}, {"error", error}};
}

std::string Daemon::metrics() const {
  MetricsText m;
  m.family("mediasec_up", "gauge", "1 while mediasecd runs");
  m.sample("mediasec_up", 1, "backend=\"" + backend_ + "\"");
  m.family("mediasec_workers", "gauge", "media workers (I/O threads owning contexts)");
  m.sample("mediasec_workers", static_cast<double>(workers_.size()));
  m.family("mediasec_h248_registered", "gauge", "1 while registered with an MGC");
  m.sample("mediasec_h248_registered", association_->state() == h248::AssociationState::kRegistered ? 1 : 0);
  for (const auto& [name, value] : h248_counters()) {
    const std::string metric = std::string("mediasec_h248_") + name + "_total";
    m.family(metric, "counter", std::string("H.248 ") + name);
    m.sample(metric, static_cast<double>(value));
  }
  m.family("mediasec_contexts", "gauge", "H.248 contexts");
  m.sample("mediasec_contexts", static_cast<double>(gateway_->context_count()));
  m.family("mediasec_terminations", "gauge", "H.248 terminations");
  m.sample("mediasec_terminations", static_cast<double>(gateway_->termination_count()));
  m.family("mediasec_relays", "gauge", "relays carrying media, per worker");
  const auto relays = planes_->relays_per_worker();
  for (size_t i = 0; i < relays.size(); ++i) {
    m.sample("mediasec_relays", static_cast<double>(relays[i]), "worker=\"" + std::to_string(i) + "\"");
  }
  m.family("mediasec_bearer_events_total", "counter", "bearer events reported (tcpbcc, tlsbsc)");
  for (const auto& [event, n] : planes_->event_counts())
    m.sample("mediasec_bearer_events_total", static_cast<double>(n), "event=\"" + event + "\"");
  m.family("mediasec_device_free_key_slots", "gauge", "key slots free on the workers' devices");
  m.sample("mediasec_device_free_key_slots", static_cast<double>(free_key_slots()));
  if (auto c = device_counters()) {
    m.family("mediasec_device_records_total", "counter", "records the device protected or opened");
    m.sample("mediasec_device_records_total", static_cast<double>(c->records));
    m.family("mediasec_device_bytes_total", "counter", "plaintext bytes of those records");
    m.sample("mediasec_device_bytes_total", static_cast<double>(c->bytes));
    m.family("mediasec_device_auth_failures_total", "counter", "records that failed authentication");
    m.sample("mediasec_device_auth_failures_total", static_cast<double>(c->auth_failures));
    m.family("mediasec_device_errors_total", "counter", "jobs the device rejected");
    m.sample("mediasec_device_errors_total", static_cast<double>(c->errors));
  }
  // The Prometheus client libraries' own names for the process's descriptors.
  if (auto open = open_descriptors()) {
    m.family("process_open_fds", "gauge", "open file descriptors");
    m.sample("process_open_fds", static_cast<double>(*open));
  }
  if (auto limit = descriptor_limit()) {
    m.family("process_max_fds", "gauge", "the most file descriptors the process may open");
    m.sample("process_max_fds", static_cast<double>(limit->soft));
  }
  m.family("mediasec_accept_pauses_total", "counter", "accepts paused for a shortage of descriptors or memory");
  m.sample("mediasec_accept_pauses_total", static_cast<double>(planes_->accept_pauses()), "listener=\"bearers\"");
  m.sample("mediasec_accept_pauses_total", static_cast<double>(control_->accept_pauses()), "listener=\"control\"");
  if (metrics_)
    m.sample("mediasec_accept_pauses_total", static_cast<double>(metrics_->accept_pauses()), "listener=\"metrics\"");
  m.family("mediasec_certificate_reloads_total", "counter", "certificate reloads (SIGHUP or control socket)");
  m.sample("mediasec_certificate_reloads_total", static_cast<double>(reloads_), "result=\"ok\"");
  m.sample("mediasec_certificate_reloads_total", static_cast<double>(reload_failures_), "result=\"failed\"");
  return m.text();
}

}  // namespace mediasec::app
