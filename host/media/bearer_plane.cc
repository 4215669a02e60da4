#include "host/media/bearer_plane.h"

#include <openssl/rand.h>

#include <unistd.h>

#include <algorithm>
#include <utility>

#include "base/ascii.h"
#include "host/h248/error_codes.h"
#include "host/media/local_answer.h"
#include "host/media/msrp.h"
#include "host/net/accept_loop.h"

namespace mediasec::media {
namespace {

using asio::ip::tcp;

h248::MediaError fault(uint16_t code, std::string reason) { return h248::MediaError{code, std::move(reason)}; }

const sdp::MediaDescription* first_media(const std::optional<sdp::SessionDescription>& s) {
  return s && !s->media.empty() ? &s->media.front() : nullptr;
}

std::string random_session_id() {
  uint8_t b[8];
  RAND_bytes(b, sizeof b);
  static const char* const kHex = "0123456789abcdef";
  std::string id;
  for (uint8_t x : b) {
    id += kHex[x >> 4];
    id += kHex[x & 15];
  }
  return id;
}

// A LocalControl property's value, lower-cased (the MGC may write any case).
std::optional<std::string> property(const h248::TerminationRequest& r, std::string_view name) {
  for (const auto& p : r.properties) {
    if (iequals(p.name, name) && !p.values.empty()) return ascii_lowercase(p.values.front());
  }
  return std::nullopt;
}

bool asked(const h248::TerminationRequest& r, std::string_view signal) {
  return std::any_of(r.signals.begin(), r.signals.end(), [&](const std::string& s) { return iequals(s, signal); });
}

// SO_REUSEPORT: our listening socket and our outgoing connection of a simultaneous open share the
// port the SDP advertised (the outgoing SYN then opens the same NAT/firewall pinhole the peer's
// SYN comes in through).
template <typename Socket>
void share_port(Socket& socket, asio::error_code& ec) {
  const int on = 1;
  if (::setsockopt(socket.native_handle(), SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0) {
    ec = asio::error_code(errno, asio::system_category());
  }
}

h248::PropertyParm param(std::string name, std::string value) {
  h248::PropertyParm p;
  p.name = std::move(name);
  p.values = {std::move(value)};
  return p;
}

}  // namespace

BearerPlane::BearerPlane(asio::io_context& io, std::string media_address, tls::TlsContext& tls, tls::TlsContext* dtls,
                         device::SlotPool& slots, EventSink sink)
    : io_(io), address_(std::move(media_address)), tls_(tls), dtls_(dtls), slots_(slots), sink_(std::move(sink)) {}

BearerPlane::~BearerPlane() {
  *alive_ = false;
  for (auto& [context, join] : joins_) {
    if (join.e2ae) join.e2ae->stop();
    if (join.plain) join.plain->stop();
    if (join.t38) join.t38->stop();
    if (join.udptl) join.udptl->stop();
  }
}

void BearerPlane::report(const std::string& termination, const std::string& event,
                         std::vector<h248::PropertyParm> params) {
  ++event_counts_[event];
  if (event == "tcpbcc/tcprel" || event == "tlsbsc/tlsrel" || event == "tlsbsc/tlsfail" || event == "tcpbcc/tcpfail") {
    if (auto it = bearers_.find(termination); it != bearers_.end()) it->second.closed = true;
  }
  if (!sink_) return;
  h248::ObservedEvent e;
  e.name = event;
  e.parameters = std::move(params);
  sink_(termination, std::move(e));
}

Result<sdp::SessionDescription, h248::MediaError> BearerPlane::add(const h248::TerminationRequest& request) {
  if (bearers_.count(request.termination)) {
    return fault(h248::errors::kTerminationIdAlreadyInContext, request.termination + " already has a bearer");
  }
  const sdp::MediaDescription* m =
      first_media(request.local) ? first_media(request.local) : first_media(request.remote);
  if (m == nullptr) return fault(h248::errors::kInvalidSdpSyntax, "no media line to choose a bearer from");
  const sdp::Transport t = m->transport();
  const bool udp = t == sdp::Transport::kUdptl || t == sdp::Transport::kDtlsUdptl;
  if (!sdp::is_tcp(t) && !udp)
    return fault(h248::errors::kUnsupportedParameterValue, "bearer '" + m->proto + "' is not supported");
  if (t == sdp::Transport::kDtlsUdptl && dtls_ == nullptr) {
    return fault(h248::errors::kUnsupportedParameterValue, "DTLS is not configured");
  }
  Bearer b;
  b.name = request.termination;
  b.context = request.context;
  b.tls = sdp::is_tls(t);
  b.udp = udp;
  b.since = std::chrono::steady_clock::now();
  asio::error_code ec;
  const auto ip = asio::ip::make_address(address_, ec);
  if (ec) return fault(h248::errors::kInsufficientResources, "bad media address " + address_);
  if (udp) {
    b.datagrams = std::make_unique<asio::ip::udp::socket>(io_);
    b.datagrams->open(ip.is_v6() ? asio::ip::udp::v6() : asio::ip::udp::v4(), ec);
    if (!ec) b.datagrams->bind(asio::ip::udp::endpoint(ip, 0), ec);
    if (ec) return fault(h248::errors::kInsufficientResources, "no UDP port on " + address_ + ": " + ec.message());
    auto local = answer(request, b);
    if (!local) return local.error();
    if (auto ok = apply_controls(request, b); !ok) return ok.error();
    const uint32_t context = b.context;
    bearers_.emplace(b.name, std::move(b));
    try_join_datagrams(context);
    return local;
  }
  b.acceptor = std::make_unique<tcp::acceptor>(io_);
  b.acceptor->open(ip.is_v6() ? tcp::v6() : tcp::v4(), ec);
  if (!ec) share_port(*b.acceptor, ec);
  if (!ec) b.acceptor->bind(tcp::endpoint(ip, 0), ec);
  if (!ec) b.acceptor->listen(4, ec);
  if (ec) return fault(h248::errors::kInsufficientResources, "no TCP port on " + address_ + ": " + ec.message());
  auto local = answer(request, b);
  if (!local) return local.error();
  if (auto ok = apply_controls(request, b); !ok) return ok.error();
  auto [it, inserted] = bearers_.emplace(b.name, std::move(b));
  establish(it->second);
  return local;
}

Result<sdp::SessionDescription, h248::MediaError> BearerPlane::modify(const h248::TerminationRequest& request) {
  auto it = bearers_.find(request.termination);
  if (it == bearers_.end()) return fault(h248::errors::kNoSuchTerminationId, request.termination + " has no bearer");
  Bearer& b = it->second;
  const auto remote_before = b.remote;
  if (b.context != request.context) leave_join(b);  // Move: the old context's relay ends
  b.context = request.context;
  auto local = answer(request, b);
  if (!local) return local;
  if (auto ok = apply_controls(request, b); !ok) return ok.error();
  if (b.udp) {
    try_join_datagrams(b.context);
    return local;
  }
  // a=connection:new for a bearer whose connection ended, or toward another peer: a new
  // connection; a=connection:existing keeps the one there is (RFC 4145).
  const sdp::MediaDescription* r = first_media(request.remote);
  auto attr = r ? r->connection_attr() : Result<std::optional<sdp::ConnectionAttr>, sdp::SdpError>(std::nullopt);
  const bool wants_new = attr.ok() && *attr && **attr == sdp::ConnectionAttr::kNew;
  if (wants_new && b.had_connection && (b.closed || b.remote != remote_before)) {
    stop_join(b.context);
    asio::error_code ignored;
    if (b.socket) b.socket->close(ignored);
    b.socket.reset();
    b.closed = false;
    b.had_connection = false;
    b.go = b.go || !b.delayed;
  }
  establish(b);
  try_join(b.context);
  return local;
}

Result<sdp::SessionDescription, h248::MediaError> BearerPlane::answer(const h248::TerminationRequest& request,
                                                                      Bearer& b) {
  if (b.local_port == 0)
    b.local_port = b.udp ? b.datagrams->local_endpoint().port() : b.acceptor->local_endpoint().port();
  const uint16_t port = b.local_port;
  auto local = answer_local(request, address_, port);
  if (!local) return local;
  if (!local->media.empty()) {
    sdp::MediaDescription& m = local->media.front();
    auto setup = m.setup();
    b.active = setup.ok() && *setup == sdp::Setup::kActive;
    if (b.tls && m.attributes_named("fingerprint").empty()) {
      auto ours = (b.udp ? *dtls_ : tls_).fingerprint();
      if (!ours)
        return fault(h248::errors::kInsufficientResources, "no certificate fingerprint: " + ours.error().message);
      m.set_attribute("fingerprint", ours->to_string());
    }
    const sdp::Transport t = m.transport();
    b.msrp = t == sdp::Transport::kTcpMsrp || t == sdp::Transport::kTlsMsrp;
    if (b.msrp && m.msrp_path().empty()) {
      if (b.our_uri.empty()) b.our_uri = msrp::uri(address_, port, random_session_id(), b.tls);
      msrp::set_path(m, b.our_uri);
    } else if (b.msrp) {
      b.our_uri = m.msrp_path().front();  // the MGC chose it
    }
  }
  learn_remote(request, b);
  return local;
}

void BearerPlane::learn_remote(const h248::TerminationRequest& request, Bearer& b) {
  const sdp::MediaDescription* r = first_media(request.remote);
  if (r == nullptr) return;
  auto fps = r->fingerprints();
  if (fps.ok()) b.fingerprints = *fps;
  if (!r->msrp_path().empty()) b.peer_path = r->msrp_path();
  const sdp::Connection* c =
      r->connection ? &*r->connection : (request.remote->connection ? &*request.remote->connection : nullptr);
  if (c == nullptr || c->underspecified()) return;
  asio::error_code ec;
  const auto ip = asio::ip::make_address(c->address, ec);
  if (ec) return;
  b.remote_address = ip;
  if (!r->port || *r->port == 0 || *r->port == 9) return;  // 9: "no port" (RFC 4145)
  auto their_setup = r->setup();
  b.simultaneous = b.active && their_setup.ok() && *their_setup && **their_setup == sdp::Setup::kActive;
  if (b.udp) {
    b.udp_remote = asio::ip::udp::endpoint(ip, *r->port);
  } else {
    b.remote = tcp::endpoint(ip, *r->port);
  }
}

void BearerPlane::establish(Bearer& b) {
  if (b.socket || b.connecting) return;
  std::weak_ptr<bool> alive = alive_;
  const std::string name = b.name;
  if (b.active) {
    if (!b.remote) return;           // the MGC has not named the peer yet
    if (b.delayed && !b.go) return;  // delayed establishment: on the MGC's signal or the other side's
    if (b.simultaneous) {
      simultaneous_open(b, 0);
      return;
    }
    b.connecting = true;
    auto socket = std::make_shared<tcp::socket>(io_);
    socket->async_connect(*b.remote, [this, alive, name, socket](asio::error_code ec) {
      if (alive.expired() || !*alive.lock()) return;
      auto it = bearers_.find(name);
      if (it == bearers_.end()) return;
      it->second.connecting = false;
      if (ec) {
        report(name, "tcpbcc/tcpfail", {param("reason", "\"" + ec.message() + "\"")});
        return;
      }
      connected(name, std::move(*socket));
    });
  } else {
    b.connecting = true;
    b.acceptor->async_accept([this, alive, name](asio::error_code ec, tcp::socket socket) {
      if (alive.expired() || !*alive.lock()) return;
      auto it = bearers_.find(name);
      if (it == bearers_.end()) return;
      it->second.connecting = false;
      if (ec) {
        accept_failed(name, ec);
        return;
      }
      connected(name, std::move(socket));
    });
  }
}

// A passive bearer's accept failed. The peer's connection having failed, the bearer accepts the
// next one; the process being out of descriptors or memory, it waits (the connection stays in
// the backlog) and tries again, rather than giving up on the bearer or spinning.
void BearerPlane::accept_failed(const std::string& name, const asio::error_code& ec) {
  const net::AcceptFailure failure = net::classify_accept_failure(ec);
  if (failure == net::AcceptFailure::kClosed) return;
  if (failure == net::AcceptFailure::kPeer) {
    if (auto it = bearers_.find(name); it != bearers_.end()) establish(it->second);
    return;
  }
  ++accept_pauses_;
  auto pause = std::make_shared<asio::steady_timer>(io_, net::kAcceptPause);
  pause->async_wait([this, alive = std::weak_ptr<bool>(alive_), name, pause](asio::error_code e) {
    if (e || alive.expired() || !*alive.lock()) return;
    if (auto it = bearers_.find(name); it != bearers_.end()) establish(it->second);
  });
}

// Both ends active (each SDP says a=setup:active and names its port): we connect from our
// advertised port, retrying while the peer is not yet there, and accept on it at the same time.
// Whichever way the one connection between the two advertised ports forms — our SYN accepted,
// theirs accepted, or both crossing (TCP simultaneous open, RFC 9293 3.5) — is the bearer's.
void BearerPlane::simultaneous_open(Bearer& b, int attempt) {
  std::weak_ptr<bool> alive = alive_;
  const std::string name = b.name;
  b.connecting = true;
  if (attempt == 0) {
    b.acceptor->async_accept([this, alive, name](asio::error_code ec, tcp::socket socket) {
      if (alive.expired() || !*alive.lock()) return;
      auto it = bearers_.find(name);
      if (ec || it == bearers_.end() || it->second.had_connection) return;
      it->second.connecting = false;
      connected(name, std::move(socket));
    });
  }
  auto socket = std::make_shared<tcp::socket>(io_);
  asio::error_code ec;
  const auto local = b.acceptor->local_endpoint(ec);
  if (!ec) socket->open(local.protocol(), ec);
  if (!ec) socket->set_option(tcp::socket::reuse_address(true), ec);
  if (!ec) share_port(*socket, ec);
  if (!ec) socket->bind(local, ec);
  if (ec) {
    report(name, "tcpbcc/tcpfail", {param("reason", "\"" + ec.message() + "\"")});
    return;
  }
  socket->async_connect(*b.remote, [this, alive, name, socket, attempt](asio::error_code e) {
    if (alive.expired() || !*alive.lock()) return;
    auto it = bearers_.find(name);
    if (it == bearers_.end() || it->second.had_connection) return;  // the peer's SYN won
    if (!e) {
      it->second.connecting = false;
      asio::error_code ignored;
      it->second.acceptor->cancel(ignored);
      connected(name, std::move(*socket));
      return;
    }
    if (attempt + 1 >= kSimultaneousOpenAttempts) {
      it->second.connecting = false;
      report(name, "tcpbcc/tcpfail", {param("reason", "\"" + e.message() + "\"")});
      return;
    }
    auto timer = std::make_shared<asio::steady_timer>(io_, kSimultaneousOpenRetry);
    timer->async_wait([this, alive, name, timer, attempt](asio::error_code te) {
      if (te || alive.expired() || !*alive.lock()) return;
      auto again = bearers_.find(name);
      if (again == bearers_.end() || again->second.had_connection) return;
      simultaneous_open(again->second, attempt + 1);
    });
  });
}

void BearerPlane::connected(const std::string& name, tcp::socket socket) {
  Bearer& b = bearers_.at(name);
  b.socket = std::make_unique<tcp::socket>(std::move(socket));
  b.had_connection = true;
  asio::error_code ec;
  const auto peer = b.socket->remote_endpoint(ec);
  if (!ec && !b.active) {
    // Latched: the peer is whoever connected; the MGC hears when that is not what SDP said (a NAT).
    if (!b.remote_address || *b.remote_address != peer.address()) {
      ++b.latches;
      report(name, "adr/rsac", {param("nrsa", peer.address().to_string()), param("nrsp", std::to_string(peer.port()))});
    }
  }
  report(name, "tcpbcc/tcpest");
  // Incoming establishment triggers the outgoing one: a delayed bearer of the same context connects now.
  for (auto& [other_name, other] : bearers_) {
    if (other_name == name || other.context != b.context || other.udp || !other.delayed || other.go) continue;
    other.go = true;
    establish(other);
  }
  try_join(b.context);
}

Result<void, h248::MediaError> BearerPlane::apply_controls(const h248::TerminationRequest& request, Bearer& b) {
  if (auto estab = property(request, "tcpbcc/estab")) {
    if (*estab != "immediate" && *estab != "delayed") {
      return fault(h248::errors::kUnsupportedParameterValue, "tcpbcc/estab=" + *estab + " (immediate or delayed)");
    }
    b.delayed = *estab == "delayed";
  }
  if (auto start = property(request, "tlsbsc/start")) {
    if (*start != "auto" && *start != "mgc")
      return fault(h248::errors::kUnsupportedParameterValue, "tlsbsc/start=" + *start + " (auto or mgc)");
    b.tls_by_mgc = *start == "mgc";
  }
  if (auto role = property(request, "tlsbsc/role")) {
    if (*role == "client") {
      b.role = tls::Role::kClient;
    } else if (*role == "server") {
      b.role = tls::Role::kServer;
    } else if (*role == "auto") {
      b.role.reset();
    } else {
      return fault(h248::errors::kUnsupportedParameterValue, "tlsbsc/role=" + *role + " (client, server or auto)");
    }
  }
  for (const char* name : {"ipnapt/latch", "ipnapt/rlatch"}) {
    auto v = property(request, name);
    if (!v) continue;
    if (*v != "on" && *v != "off")
      return fault(h248::errors::kUnsupportedParameterValue, std::string(name) + "=" + *v + " (ON or OFF)");
    (std::string_view(name) == "ipnapt/latch" ? b.latch : b.relatch) = *v == "on";
    b.latch_set = true;
  }
  if (asked(request, "tcpbcc/estab")) {
    if (!b.active)
      return fault(h248::errors::kUnsupportedParameterValue, "tcpbcc/estab on a passive bearer (the peer connects)");
    b.go = true;
  }
  if (asked(request, "tlsbsc/start")) {
    if (!b.tls) return fault(h248::errors::kUnsupportedParameterValue, "tlsbsc/start on a bearer without TLS");
    b.tls_go = true;
  }
  return {};
}

void BearerPlane::leave_join(Bearer& b) {
  auto j = joins_.find(b.context);
  if (j == joins_.end() || (j->second.access != b.name && j->second.core != b.name)) return;
  // The relay held both connections; the partner's is closed with it.
  const std::string partner = j->second.access == b.name ? j->second.core : j->second.access;
  stop_join(b.context);
  b.closed = true;
  if (auto p = bearers_.find(partner); p != bearers_.end()) p->second.closed = true;
}

BearerPlane::Departure::Departure() = default;

BearerPlane::Departure::Departure(Departure&& other) noexcept
    : bearer(std::move(other.bearer)),
      acceptor_fd(std::exchange(other.acceptor_fd, -1)),
      socket_fd(std::exchange(other.socket_fd, -1)),
      datagram_fd(std::exchange(other.datagram_fd, -1)),
      v6(other.v6) {}

BearerPlane::Departure::~Departure() {
  for (int fd : {acceptor_fd, socket_fd, datagram_fd})
    if (fd >= 0) ::close(fd);
}

std::optional<BearerPlane::Departure> BearerPlane::detach(const std::string& termination) {
  auto it = bearers_.find(termination);
  if (it == bearers_.end()) return std::nullopt;
  leave_join(it->second);
  Departure d;
  d.bearer = std::make_unique<Bearer>(std::move(it->second));
  bearers_.erase(it);
  Bearer& b = *d.bearer;
  // release() cancels what is pending on the socket; those handlers find the bearer gone.
  asio::error_code ec;
  if (b.acceptor) {
    d.v6 = b.acceptor->local_endpoint(ec).address().is_v6();
    d.acceptor_fd = b.acceptor->release(ec);
    b.acceptor.reset();
  }
  if (b.socket) {
    d.socket_fd = b.socket->release(ec);
    b.socket.reset();
  }
  if (b.datagrams) {
    d.v6 = b.datagrams->local_endpoint(ec).address().is_v6();
    d.datagram_fd = b.datagrams->release(ec);
    b.datagrams.reset();
  }
  b.connecting = false;
  return d;
}

void BearerPlane::adopt(Departure d) {
  Bearer& b = *d.bearer;
  asio::error_code ec;
  if (d.acceptor_fd >= 0) {
    b.acceptor = std::make_unique<tcp::acceptor>(io_);
    b.acceptor->assign(d.v6 ? tcp::v6() : tcp::v4(), std::exchange(d.acceptor_fd, -1), ec);
  }
  if (d.socket_fd >= 0) {
    b.socket = std::make_unique<tcp::socket>(io_);
    b.socket->assign(d.v6 ? tcp::v6() : tcp::v4(), std::exchange(d.socket_fd, -1), ec);
  }
  if (d.datagram_fd >= 0) {
    b.datagrams = std::make_unique<asio::ip::udp::socket>(io_);
    b.datagrams->assign(d.v6 ? asio::ip::udp::v6() : asio::ip::udp::v4(), std::exchange(d.datagram_fd, -1), ec);
  }
  const std::string name = b.name;
  bearers_.emplace(name, std::move(b));
}

void BearerPlane::stop_join(uint32_t context) {
  auto j = joins_.find(context);
  if (j == joins_.end()) return;
  Join join = std::move(j->second);
  joins_.erase(j);
  // The relay's counts stay with both bearers: the other termination of the context, subtracted
  // after this one (in the same action, say), reports what was relayed, not zero.
  const Join::Counts c = join.counts();
  keep_counts(join.access, join.core, c.access_to_core, c.core_to_access);
  if (join.e2ae) join.e2ae->stop();
  if (join.plain) join.plain->stop();
  if (join.t38) join.t38->stop();
  if (join.udptl) join.udptl->stop();
}

void BearerPlane::try_join(uint32_t context) {
  if (joins_.count(context)) return;
  std::vector<Bearer*> ready;
  for (auto& [name, b] : bearers_)
    if (b.context == context && b.socket) ready.push_back(&b);
  if (ready.size() != 2) return;
  Bearer* access = ready[0]->tls ? ready[0] : ready[1];
  Bearer* core = access == ready[0] ? ready[1] : ready[0];
  // TLS on both sides is e2e: passed through byte for byte, not terminated here.
  const bool e2e = access->tls && core->tls;
  Join j;
  j.access = access->name;
  j.core = core->name;
  std::weak_ptr<bool> alive = alive_;
  const std::string a = access->name, c = core->name;
  if (access->tls && !e2e && access->tls_by_mgc && !access->tls_go) return;  // the MGC starts TLS
  if (access->tls && !e2e) {
    tls::TlsSession::Options o;
    o.role = access->role.value_or(access->active ? tls::Role::kClient : tls::Role::kServer);
    o.peer_fingerprints = access->fingerprints;
    auto session = tls::TlsSession::create(tls_, slots_, o);
    if (!session) {
      report(a, "tlsbsc/tlsfail", {param("reason", "\"" + session.error().message + "\"")});
      return;
    }
    j.e2ae = E2aeRelay::start(
        std::move(*access->socket), std::move(*core->socket), std::move(*session),
        [this, alive, a, c, context](const tls::Release& why, const E2aeRelay::Stats& s) {
          if (alive.expired() || !*alive.lock()) return;
          keep_counts(a, c, s.access_to_core, s.core_to_access);
          report_tls_end(a, why, s.established);
          report(c, "tcpbcc/tcprel", {param("cause", s.core_ended ? "closed" : "tls")});
          joins_.erase(context);
        },
        [this, alive, a] {
          if (alive.expired() || !*alive.lock()) return;
          report(a, "tlsbsc/tlsest");
        },
        msrp_between(*access, *core), tls_.profile().handshake_timeout);
  } else {
    j.plain = TcpRelay::start(
        std::move(*access->socket), std::move(*core->socket),
        [this, alive, a, c, context](const TcpRelay::Release& why, const TcpRelay::Stats& s) {
          if (alive.expired() || !*alive.lock()) return;
          keep_counts(a, c, s.access_to_core, s.core_to_access);
          report(why.closed_by == TcpRelay::Side::kAccess ? a : c, "tcpbcc/tcprel", {param("cause", why.reason)});
          joins_.erase(context);
        },
        e2e ? nullptr : msrp_between(*access, *core));
  }
  access->socket.reset();
  core->socket.reset();
  joins_.emplace(context, std::move(j));
}

// MSRP on both sides with both paths known: readdressed per message; otherwise bytes as they come.
std::unique_ptr<MsrpInterworking> BearerPlane::msrp_between(const Bearer& access, const Bearer& core) {
  if (!access.msrp || !core.msrp || access.peer_path.empty() || core.peer_path.empty() || access.our_uri.empty() ||
      core.our_uri.empty()) {
    return nullptr;
  }
  return std::make_unique<MsrpInterworking>(
      MsrpInterworking{MsrpInterworker(msrp::Side{core.peer_path, core.our_uri}),
                       MsrpInterworker(msrp::Side{access.peer_path, access.our_uri})});
}

LatchPolicy BearerPlane::latch_policy(const std::string& access) {
  const Bearer& b = bearers_.at(access);
  std::weak_ptr<bool> alive = alive_;
  return LatchPolicy{b.latch, b.relatch, [this, alive, access](const asio::ip::udp::endpoint& from) {
                       if (alive.expired() || !*alive.lock()) return;
                       if (auto it = bearers_.find(access); it != bearers_.end()) ++it->second.latches;
                       report(access, "adr/rsac",
                              {param("nrsa", from.address().to_string()), param("nrsp", std::to_string(from.port()))});
                     }};
}

void BearerPlane::try_join_datagrams(uint32_t context) {
  if (joins_.count(context)) return;
  std::vector<Bearer*> pair;
  for (auto& [name, b] : bearers_) {
    if (b.context == context && b.udp && b.datagrams) pair.push_back(&b);
  }
  if (pair.size() != 2) return;
  // The access side: the DTLS one; of two UDPTL ones, the one the MGC set latching on, else the
  // first added.
  auto number = [](const Bearer* b) { return std::stoul(b->name.substr(b->name.find('/') + 1)); };
  Bearer* access = pair[0]->tls                               ? pair[0]
                   : pair[1]->tls                             ? pair[1]
                   : pair[0]->latch_set != pair[1]->latch_set ? (pair[0]->latch_set ? pair[0] : pair[1])
                   : number(pair[0]) <= number(pair[1])       ? pair[0]
                                                              : pair[1];
  Bearer* core = access == pair[0] ? pair[1] : pair[0];
  if (core->tls || !core->udp_remote) return;  // the core's address must be known
  asio::error_code ec;
  core->datagrams->connect(*core->udp_remote, ec);  // UDP: only sets the default peer
  if (ec) return;
  if (!access->tls) {
    Join j;
    j.access = access->name;
    j.core = core->name;
    j.udptl = UdptlRelay::start(std::move(*access->datagrams), access->udp_remote, std::move(*core->datagrams),
                                latch_policy(access->name));
    access->datagrams.reset();
    core->datagrams.reset();
    joins_.emplace(context, std::move(j));
    return;
  }
  tls::DtlsSession::Options o;
  o.role = access->role.value_or(access->active ? tls::Role::kClient : tls::Role::kServer);
  o.peer_fingerprints = access->fingerprints;
  auto session = tls::DtlsSession::create(*dtls_, slots_, o);
  if (!session) {
    report(access->name, "tlsbsc/tlsfail", {param("reason", "\"" + session.error().message + "\"")});
    return;
  }
  std::weak_ptr<bool> alive = alive_;
  const std::string a = access->name, c = core->name;
  Join j;
  j.access = a;
  j.core = c;
  j.t38 = DtlsUdptlRelay::start(
      std::move(*access->datagrams), access->active ? access->udp_remote : std::nullopt, std::move(*core->datagrams),
      std::move(*session),
      [this, alive, a, context](const tls::Release& why, const DtlsUdptlRelay::Stats& s) {
        if (alive.expired() || !*alive.lock()) return;
        report_tls_end(a, why, s.established);
        joins_.erase(context);
      },
      [this, alive, a] {
        if (alive.expired() || !*alive.lock()) return;
        report(a, "tlsbsc/tlsest");
      },
      latch_policy(a));
  access->datagrams.reset();
  core->datagrams.reset();
  joins_.emplace(context, std::move(j));
}

// A session that never completed its handshake failed (tlsfail), whatever ended it: a bad
// message, a timeout, the terminal's TCP connection going away. One that did was released
// (tlsrel).
void BearerPlane::report_tls_end(const std::string& access, const tls::Release& why, bool established) {
  if (established) {
    report(access, "tlsbsc/tlsrel", {param("cause", tls::to_string(why.cause))});
  } else {
    report(access, "tlsbsc/tlsfail", {param("reason", tls::to_string(why.cause))});
  }
}

void BearerPlane::keep_counts(const std::string& access, const std::string& core, uint64_t access_to_core,
                              uint64_t core_to_access) {
  if (auto it = bearers_.find(access); it != bearers_.end()) {
    it->second.received = access_to_core;
    it->second.sent = core_to_access;
  }
  if (auto it = bearers_.find(core); it != bearers_.end()) {
    it->second.sent = access_to_core;
    it->second.received = core_to_access;
  }
}

h248::MediaStatistics BearerPlane::statistics(const std::string& termination) const {
  h248::MediaStatistics s;
  auto it = bearers_.find(termination);
  if (it == bearers_.end()) return s;
  s.duration_ms = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - it->second.since)
          .count());
  s.octets_sent = it->second.sent;
  s.octets_received = it->second.received;
  if (it->second.latches > 0 || (it->second.udp && it->second.latch)) s.latches = it->second.latches;
  // A running relay has newer counts than the last release.
  for (const auto& [context, j] : joins_) {
    if (j.access != termination && j.core != termination) continue;
    const Join::Counts c = j.counts();
    s.octets_received = j.access == termination ? c.access_to_core : c.core_to_access;
    s.octets_sent = j.access == termination ? c.core_to_access : c.access_to_core;
  }
  return s;
}

BearerPlane::Join::Counts BearerPlane::Join::counts() const {
  if (e2ae) return {e2ae->stats().access_to_core, e2ae->stats().core_to_access};
  if (plain) return {plain->stats().access_to_core, plain->stats().core_to_access};
  if (t38) return {t38->stats().octets_to_core, t38->stats().octets_to_access};
  if (udptl) return {udptl->stats().octets_to_core, udptl->stats().octets_to_access};
  return {};
}

h248::MediaStatistics BearerPlane::subtract(const std::string& termination) {
  h248::MediaStatistics s = statistics(termination);
  auto it = bearers_.find(termination);
  if (it == bearers_.end()) return s;
  for (auto j = joins_.begin(); j != joins_.end(); ++j) {
    if (j->second.access == termination || j->second.core == termination) {
      stop_join(j->first);  // close_notify to the terminal; the core connection closed
      break;
    }
  }
  asio::error_code ignored;
  if (it->second.acceptor) it->second.acceptor->close(ignored);
  if (it->second.socket) it->second.socket->close(ignored);
  if (it->second.datagrams) it->second.datagrams->close(ignored);
  bearers_.erase(it);
  return s;
}

std::vector<BearerPlane::BearerView> BearerPlane::bearers() const {
  std::vector<BearerView> out;
  out.reserve(bearers_.size());
  for (const auto& [name, b] : bearers_) {
    BearerView v;
    v.termination = name;
    v.context = b.context;
    v.kind = b.udp ? (b.tls ? "dtls" : "udptl") : (b.tls ? "tls" : "tcp");
    v.setup = b.active ? "active" : "passive";
    v.local_port = b.local_port;
    if (b.remote) v.remote = b.remote->address().to_string() + ":" + std::to_string(b.remote->port());
    if (b.udp_remote) v.remote = b.udp_remote->address().to_string() + ":" + std::to_string(b.udp_remote->port());
    v.statistics = statistics(name);
    v.state = b.closed       ? "closed"
              : b.socket     ? "connected"
              : b.connecting ? (b.active ? "connecting" : "listening")
                             : "idle";
    if (b.udp && !b.closed) v.state = "open";
    auto j = joins_.find(b.context);
    if (!b.closed && j != joins_.end() && (j->second.access == name || j->second.core == name)) {
      v.state = "relaying";
      const tls::TlsSession* session =
          j->second.e2ae && j->second.access == name ? &j->second.e2ae->session() : nullptr;
      if (session != nullptr) {
        const auto info = session->info();
        TlsView t;
        t.version = info.version;
        t.cipher = info.cipher;
        t.resumed = info.resumed;
        t.offloaded = info.offloaded;
        t.renegotiations = info.renegotiations;
        t.key_updates = info.key_updates_sent + info.key_updates_received;
        t.records_in = info.records_in;
        t.records_out = info.records_out;
        if (session->established()) t.peer_fingerprint = session->peer_fingerprint().to_string();
        v.tls = std::move(t);
      } else if (j->second.t38 && j->second.access == name) {
        const auto& info = j->second.t38->session().info();
        TlsView t;
        t.version = "DTLSv1.2";
        t.cipher = info.cipher;
        t.offloaded = info.offloaded;
        t.records_in = info.records_in;
        t.records_out = info.records_out;
        v.tls = std::move(t);
      }
    }
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace mediasec::media
