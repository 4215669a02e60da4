#include "host/app/daemon.h"

#include <csignal>

#include "drivers/open_device.h"
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
  plane_.reset();
}

Result<std::unique_ptr<Daemon>> Daemon::open(DaemonConfig config, std::shared_ptr<spdlog::logger> log) {
  std::unique_ptr<Daemon> d(new Daemon(std::move(config), std::move(log)));
  if (auto ok = d->open_parts(); !ok) return ok.error();
  return d;
}

Result<void> Daemon::open_parts() {
  for (const auto& r : config_.renames) {
    if (!packages_.rename(r.package, r.from, r.to)) {
      return make_error(ErrorCode::kInvalidArgument, "h248.rename: package '" + r.package + "' has no element '" + r.from + "'");
    }
  }
  auto device = device::open_device(config_.backend);
  if (!device) return make_error(device.error().code, "device backend '" + config_.backend + "': " + device.error().message);
  device_ = std::move(*device);
  if (auto ok = device_->self_test(); !ok) return make_error(ok.error().code, "device self-test failed: " + ok.error().message);
  slots_ = std::make_unique<device::SlotPool>(*device_);
  log_->info("device {} open: {} key slots, {} lane(s), self-test passed", device_->identity().backend,
             device_->identity().key_slots, device_->identity().lanes);

  auto identity = config_.create_certificate ? tls::Identity::load_or_create(config_.certificate, config_.key)
                                             : tls::Identity::load(config_.certificate, config_.key);
  if (!identity) return identity.error();
  tickets_ = std::make_shared<tls::TicketKeys>(config_.tls.ticket_key_period);
  auto tls = tls::TlsContext::create(*identity, config_.tls, tickets_, tls::Transport::kStream);
  if (!tls) return tls.error();
  auto dtls = tls::TlsContext::create(*identity, config_.tls, tickets_, tls::Transport::kDatagram);
  if (!dtls) return dtls.error();
  tls_ = std::move(*tls);
  dtls_ = std::move(*dtls);
  auto fp = tls_->fingerprint();
  if (!fp) return fp.error();
  fingerprint_ = fp->to_string();
  log_->info("certificate {}: a=fingerprint:{}", config_.certificate.string(), fingerprint_);

  plane_ = std::make_unique<media::BearerPlane>(io_, config_.media_address, *tls_, dtls_.get(), *slots_,
                                                [this](const std::string& t, h248::ObservedEvent e) { on_event(t, std::move(e)); });
  gateway_ = std::make_unique<h248::Gateway>(packages_, *plane_);
  auto association = h248::MgAssociation::open(config_.association, *gateway_);
  if (!association) return make_error(association.error().code, "H.248: " + association.error().message);
  association_ = std::move(*association);
  loop_ = std::make_unique<AssociationLoop>(io_, *association_, [this] { drain_association_log(); });

  auto control = ControlServer::open(io_, config_.control_socket, [this](const nlohmann::json& r) { return handle(r); });
  if (!control) return control.error();
  control_ = std::move(*control);
  if (!config_.metrics_listen.empty()) {
    auto at = split_host_port(config_.metrics_listen);
    if (!at) return at.error();
    auto metrics = MetricsServer::open(io_, at->first, at->second, [this] { return this->metrics(); });
    if (!metrics) return metrics.error();
    metrics_ = std::move(*metrics);
  }
  log_->info("H.248 {} on {} (profile {}/{}), MGC {}:{}; control socket {}{}",
             config_.association.transport == h248::MgcTransport::kTcp ? "TCP" : "UDP", association_->local().to_string(),
             config_.association.profile.name, config_.association.profile.version, config_.association.mgcs.front().host,
             config_.association.mgcs.front().port, config_.control_socket.string(),
             metrics_ ? "; metrics on port " + std::to_string(metrics_->port()) : std::string());
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
      if (auto ok = reload(); !ok) log_->error("reload failed, the old certificate stays in use: {}", ok.error().message);
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
  plane_.reset();  // every bearer released
  io_.stop();
  log_->info("stopped");
}

Result<void> Daemon::reload() {
  auto identity = tls::Identity::load(config_.certificate, config_.key);
  if (!identity) {
    ++reload_failures_;
    return identity.error();
  }
  for (tls::TlsContext* c : {tls_.get(), dtls_.get()}) {
    if (auto ok = c->use_identity(*identity); !ok) {
      ++reload_failures_;
      return ok.error();
    }
  }
  if (auto fp = tls_->fingerprint()) fingerprint_ = fp->to_string();
  ++reloads_;
  log_->info("certificate reloaded: a=fingerprint:{}", fingerprint_);
  return ok_result();
}

nlohmann::json Daemon::handle(const nlohmann::json& request) {
  const std::string command = request.value("command", "");
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
  return {{"error", "unknown command '" + command + "' (status, contexts, sessions, device, selftest, reload, metrics)"}};
}

std::vector<std::pair<const char*, uint64_t>> Daemon::h248_counters() const {
  const auto& s = association_->stats();
  const auto& t = association_->transaction_stats();
  return {{"registrations", s.registrations},         {"handoffs", s.handoffs},
          {"disconnections", s.disconnections},       {"messages_received", s.messages_received},
          {"messages_sent", s.messages_sent},         {"malformed_messages", s.malformed_messages},
          {"notifies_sent", s.notifies_sent},         {"retransmissions", t.retransmissions},
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
  return {{"backend", device_->identity().backend},
          {"uptime_s", std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_).count()},
          {"h248", h248},
          {"contexts", gateway_->context_count()},
          {"terminations", gateway_->termination_count()},
          {"relays", plane_ ? plane_->relays() : 0},
          {"free_key_slots", slots_->free_slots()},
          {"certificate", {{"file", config_.certificate.string()}, {"fingerprint", fingerprint_}, {"reloads", reloads_},
                           {"reload_failures", reload_failures_}}}};
}

nlohmann::json Daemon::contexts() const {
  std::map<uint32_t, nlohmann::json> by_context;
  if (plane_) {
    for (const auto& b : plane_->bearers()) by_context[b.context].push_back(bearer_json(b));
  }
  nlohmann::json out = nlohmann::json::array();
  for (auto& [context, terminations] : by_context) out.push_back({{"context", context}, {"terminations", terminations}});
  return {{"contexts", out}};
}

nlohmann::json Daemon::sessions() const {
  nlohmann::json out = nlohmann::json::array();
  if (plane_) {
    for (const auto& b : plane_->bearers())
      if (b.tls) out.push_back(bearer_json(b));
  }
  return {{"sessions", out}};
}

nlohmann::json Daemon::device_view() {
  nlohmann::json j{{"identity", identity_json(device_->identity())}, {"free_key_slots", slots_->free_slots()}};
  if (auto c = device_->counters()) j["counters"] = counters_json(*c);
  return j;
}

nlohmann::json Daemon::self_test() {
  auto r = device_->self_test();
  return {{"backend", device_->identity().backend}, {"passed", r.ok()}, {"error", r ? "" : r.error().message}};
}

std::string Daemon::metrics() const {
  MetricsText m;
  m.family("mediasec_up", "gauge", "1 while mediasecd runs");
  m.sample("mediasec_up", 1, "backend=\"" + device_->identity().backend + "\"");
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
  if (plane_) {
    m.family("mediasec_relays", "gauge", "relays carrying media");
    m.sample("mediasec_relays", static_cast<double>(plane_->relays()));
    m.family("mediasec_bearer_events_total", "counter", "bearer events reported (tcpbcc, tlsbsc)");
    for (const auto& [event, n] : plane_->event_counts()) m.sample("mediasec_bearer_events_total", static_cast<double>(n), "event=\"" + event + "\"");
  }
  m.family("mediasec_device_free_key_slots", "gauge", "key slots free on the device");
  m.sample("mediasec_device_free_key_slots", static_cast<double>(slots_->free_slots()));
  if (auto c = device_->counters()) {
    m.family("mediasec_device_records_total", "counter", "records the device protected or opened");
    m.sample("mediasec_device_records_total", static_cast<double>(c->records));
    m.family("mediasec_device_bytes_total", "counter", "plaintext bytes of those records");
    m.sample("mediasec_device_bytes_total", static_cast<double>(c->bytes));
    m.family("mediasec_device_auth_failures_total", "counter", "records that failed authentication");
    m.sample("mediasec_device_auth_failures_total", static_cast<double>(c->auth_failures));
    m.family("mediasec_device_errors_total", "counter", "jobs the device rejected");
    m.sample("mediasec_device_errors_total", static_cast<double>(c->errors));
  }
  m.family("mediasec_certificate_reloads_total", "counter", "certificate reloads (SIGHUP or control socket)");
  m.sample("mediasec_certificate_reloads_total", static_cast<double>(reloads_), "result=\"ok\"");
  m.sample("mediasec_certificate_reloads_total", static_cast<double>(reload_failures_), "result=\"failed\"");
  return m.text();
}

}  // namespace mediasec::app
