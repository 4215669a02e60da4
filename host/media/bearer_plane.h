// The media plane behind the H.248 gateway for TCP bearers (MSRP, BFCP, plain TCP) and T.38
// (UDPTL, UDP/TLS/UDPTL): each
// termination holds a TCP port on the gateway's media address; its Local SDP answers the
// Remote's a=setup (RFC 4145) and, for TLS bearers, carries the gateway's a=fingerprint (and
// a=path for MSRP). A passive bearer accepts, an active one connects as soon as the Remote names
// its peer. When both terminations of a context are connected they are joined: a TLS termination
// with a plain one as an e2ae relay (TLS terminated here, records on the device), two plain ones
// as a byte relay. What happens is reported through the event sink as tcpbcc/tlsbsc events,
// which the gateway turns into Notify for the MGC where its Events descriptor asked for them.
//
// A DTLS termination and a UDPTL one in a context are joined into a DTLS-UDPTL relay as soon as
// the core side's address is known (the terminal's is latched if the Remote does not give it).
//
// Two UDPTL terminations are joined into a UDPTL relay. On the access side the terminal is
// latched (ipnapt/latch, default on) and, with ipnapt/rlatch, relatched; each latch is reported
// as adr/rsac and counted in lstat/latches. A passive TCP bearer latches whoever connects and
// reports it when that is not the Remote's address.
//
// Both ends a=setup:active with ports: TCP simultaneous open from our advertised port.
//
// MGC control (LocalControl and Signals): tcpbcc/estab=delayed with the tcpbcc/estab signal or
// the other termination's incoming connection, tlsbsc/start=mgc with the tlsbsc/start signal,
// tlsbsc/role. Everything runs on the worker's asio::io_context: one plane per worker, and a
// termination moved to a context another worker owns (H.248 Move) leaves with its sockets
// (detach) and arrives there (adopt).
#pragma once

#include <asio.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "drivers/key_slot.h"
#include "host/h248/media_plane.h"
#include "host/h248/message.h"
#include "host/media/dtls_udptl_relay.h"
#include "host/media/e2ae_relay.h"
#include "host/media/tcp_relay.h"
#include "host/media/udptl_relay.h"
#include "host/tls/context.h"

namespace mediasec::media {

class BearerPlane final : public h248::MediaPlane {
 public:
  using EventSink = std::function<void(const std::string& termination, h248::ObservedEvent event)>;

  // `dtls` may be null: then UDP/TLS/UDPTL terminations are refused.
  BearerPlane(asio::io_context& io, std::string media_address, tls::TlsContext& tls, tls::TlsContext* dtls,
              device::SlotPool& slots, EventSink sink);
  ~BearerPlane() override;
  BearerPlane(const BearerPlane&) = delete;
  BearerPlane& operator=(const BearerPlane&) = delete;

  Result<sdp::SessionDescription, h248::MediaError> add(const h248::TerminationRequest& request) override;
  Result<sdp::SessionDescription, h248::MediaError> modify(const h248::TerminationRequest& request) override;
  h248::MediaStatistics subtract(const std::string& termination) override;
  h248::MediaStatistics statistics(const std::string& termination) const override;

  size_t relays() const { return joins_.size(); }

 private:
  struct Bearer;

 public:
  // A bearer on its way to another plane (H.248 Move to a context of another worker): its state
  // and its sockets' descriptors, owned here until adopt() takes them.
  class Departure {
   public:
    Departure(Departure&&) noexcept;
    Departure& operator=(Departure&&) = delete;
    Departure(const Departure&) = delete;
    ~Departure();  // closes descriptors nobody adopted

   private:
    friend class BearerPlane;
    Departure();
    std::unique_ptr<Bearer> bearer;
    int acceptor_fd = -1, socket_fd = -1, datagram_fd = -1;
    bool v6 = false;
  };
  // The termination leaves this plane: a relay of its context ends (the partner's connection is
  // closed), an accept or connect under way is abandoned (adopt's plane starts it again).
  std::optional<Departure> detach(const std::string& termination);
  // Takes a detached bearer in; the Modify that moved it then runs here.
  void adopt(Departure departure);

  // What an operator sees of a bearer (mediasecctl contexts/sessions): never key material.
  struct TlsView {
    std::string version, cipher;
    std::string peer_fingerprint;  // the a=fingerprint the peer's certificate matched
    bool resumed = false, offloaded = false;
    uint32_t renegotiations = 0, key_updates = 0;
    uint64_t records_in = 0, records_out = 0;
  };
  struct BearerView {
    std::string termination;
    uint32_t context = 0;
    std::string kind;   // tcp, tls, udptl, dtls
    std::string setup;  // active (we connect) or passive
    std::string state;  // listening, connecting, connected, relaying, closed
    uint16_t local_port = 0;
    std::string remote;  // the peer's address, when known
    h248::MediaStatistics statistics;
    std::optional<TlsView> tls;
  };
  std::vector<BearerView> bearers() const;
  // How many times each event was reported (tcpbcc/tcpest, tlsbsc/tlsfail, ...), for metrics.
  const std::map<std::string, uint64_t>& event_counts() const { return event_counts_; }
  // How many times a passive bearer's accept paused for a shortage of descriptors or memory
  // (host/net/accept_loop.h): the connection waits in the backlog and is accepted afterwards.
  uint64_t accept_pauses() const { return accept_pauses_; }

 private:
  struct Bearer {
    std::string name;
    uint32_t context = 0;
    bool tls = false;
    bool active = false;  // we open the TCP connection (our a=setup is active)
    std::optional<asio::ip::tcp::endpoint> remote;
    std::optional<asio::ip::address> remote_address;  // the Remote's c= address, even without a port
    std::vector<sdp::Fingerprint> fingerprints;       // the peer's, from the Remote descriptor
    std::unique_ptr<asio::ip::tcp::acceptor> acceptor;
    std::unique_ptr<asio::ip::tcp::socket> socket;  // once connected
    bool connecting = false;
    bool udp = false;  // UDPTL or DTLS
    std::unique_ptr<asio::ip::udp::socket> datagrams;
    std::optional<asio::ip::udp::endpoint> udp_remote;
    std::chrono::steady_clock::time_point since;
    uint16_t local_port = 0;
    // MGC control (LocalControl properties and signals; docs/h248-profile.md):
    bool delayed = false;     // tcpbcc/estab=delayed: an active bearer connects on tcpbcc/estab
    bool go = false;          // ... or when the other termination's connection came up
    bool tls_by_mgc = false;  // tlsbsc/start=mgc: the handshake waits for the tlsbsc/start signal
    bool tls_go = false;
    std::optional<tls::Role> role;       // tlsbsc/role=client|server; otherwise from a=setup
    bool had_connection = false;         // a connection came up (a=connection:existing keeps it)
    bool simultaneous = false;           // both ends a=setup:active with ports: simultaneous open
    bool latch = true, relatch = false;  // ipnapt/latch, ipnapt/rlatch (access side)
    bool latch_set = false;              // the MGC set them: this is the access side of a UDPTL pair
    uint64_t latches = 0;
    bool msrp = false;                   // TCP/MSRP or TCP/TLS/MSRP
    std::vector<std::string> peer_path;  // the peer's a=path (Remote)
    std::string our_uri;                 // our a=path on this side (Local)
    bool closed = false;                 // its connection ended (the relay released)
    uint64_t sent = 0, received = 0;
  };
  struct Join {
    std::string access, core;  // access: the TLS one for e2ae
    std::shared_ptr<E2aeRelay> e2ae;
    std::shared_ptr<TcpRelay> plain;
    std::shared_ptr<DtlsUdptlRelay> t38;
    std::shared_ptr<UdptlRelay> udptl;
    // Octets relayed so far, whichever relay this is.
    struct Counts {
      uint64_t access_to_core = 0, core_to_access = 0;
    };
    Counts counts() const;
  };

  Result<sdp::SessionDescription, h248::MediaError> answer(const h248::TerminationRequest& request, Bearer& b);
  void learn_remote(const h248::TerminationRequest& request, Bearer& b);
  Result<void, h248::MediaError> apply_controls(const h248::TerminationRequest& request, Bearer& b);
  void stop_join(uint32_t context);
  void leave_join(Bearer& b);  // b leaves its context: a relay it is in ends
  void establish(Bearer& b);
  void connected(const std::string& name, asio::ip::tcp::socket socket);
  void simultaneous_open(Bearer& b, int attempt);
  void accept_failed(const std::string& name, const asio::error_code& ec);
  void try_join(uint32_t context);
  static std::unique_ptr<MsrpInterworking> msrp_between(const Bearer& access, const Bearer& core);
  void try_join_datagrams(uint32_t context);
  LatchPolicy latch_policy(const std::string& access);
  void report_tls_end(const std::string& access, const tls::Release& why, bool established);
  void keep_counts(const std::string& access, const std::string& core, uint64_t access_to_core,
                   uint64_t core_to_access);
  void report(const std::string& termination, const std::string& event, std::vector<h248::PropertyParm> params = {});

  static constexpr int kSimultaneousOpenAttempts = 100;
  static constexpr std::chrono::milliseconds kSimultaneousOpenRetry{100};

  asio::io_context& io_;
  std::string address_;
  tls::TlsContext& tls_;
  tls::TlsContext* dtls_;
  device::SlotPool& slots_;
  EventSink sink_;
  std::map<std::string, Bearer> bearers_;
  std::map<uint32_t, Join> joins_;
  std::map<std::string, uint64_t> event_counts_;
  uint64_t accept_pauses_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // handlers check it after we are gone
};

}  // namespace mediasec::media
