// The MG's association with its MGCs over UDP (H.248.1 Annex D.1, port 2944): ServiceChange
// Restart registration with an ordered list of MGCs, handoff (a reply's ServiceChangeAddress /
// MgcIdToTry, or the MGC's own HandOff), Disconnected re-registration after the MGC is lost (the
// contexts and their media stay), Graceful and Forced shutdown, the inactivity timer (it/ito),
// and the profile name and version in every ServiceChange. Requests from the MGC go to the
// gateway model; Notify goes the other way.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "host/h248/gateway.h"
#include "host/h248/tpkt.h"
#include "host/h248/transaction_manager.h"
#include "host/net/tcp_connection.h"
#include "host/net/udp_socket.h"

namespace mediasec::h248 {

enum class Profile : uint8_t { kIq, kIx, kMp };  // IMS-AGW (TS 29.334), TrGW (TS 29.238), MRFP (TS 29.333)

struct ProfileId {
  std::string name;
  uint32_t version = 1;
};
// The profile name and version announced in ServiceChange (configurable; docs/h248-profile.md).
ProfileId default_profile(Profile p);

struct MgcPeer {
  std::string host;  // an IP address
  uint16_t port = 2944;
};

// UDP with application-level framing (Annex D.1), or TCP with TPKT framing (Annex D.2, no
// retransmission: TCP is reliable; the connection is re-established when it breaks).
enum class MgcTransport : uint8_t { kUdp, kTcp };

struct AssociationConfig {
  MgcTransport transport = MgcTransport::kUdp;
  std::string local_address = "127.0.0.1";
  uint16_t local_port = 2944;  // 0: any (tests)
  std::vector<MgcPeer> mgcs;   // in order of preference
  ProfileId profile = default_profile(Profile::kIq);
  uint8_t version = 3;
  Form form = Form::kCompact;
  TransactionTimers timers;
  // The largest message sent to the MGC (0: what the transport carries, 65,507 bytes in a UDP
  // datagram or 65,531 in a TPKT packet). Larger replies are segmented (version 3) or refused
  // with error 533. The MGC may lower it with the ROOT property seg/mgcmaxpdusize.
  size_t max_message_size = 0;
  Millis retry_after_all_failed{2000};  // pause before starting again at the first MGC
  Millis tpkt_frame_timeout{5000};      // TCP: a TPKT frame begun must be complete within this
};

enum class AssociationState : uint8_t { kIdle, kRegistering, kRegistered, kDisconnected, kShutDown };
const char* to_string(AssociationState s);

struct AssociationStats {
  uint64_t registrations = 0;
  uint64_t handoffs = 0;
  uint64_t disconnections = 0;
  uint64_t malformed_messages = 0;
  uint64_t messages_received = 0;
  uint64_t messages_sent = 0;
  uint64_t notifies_sent = 0;
};

class MgAssociation {
 public:
  static Result<std::unique_ptr<MgAssociation>> open(AssociationConfig config, Gateway& gateway);

  // Starts registration (ServiceChange Restart, 901 Cold Boot) with the first MGC.
  void start();
  // Runs the socket and timers for at most `budget`.
  void run_for(Millis budget);
  // For an outside event loop (mediasecd runs the association and the bearers on one loop): the
  // descriptor to wait on for reading (-1 while there is none: TCP not connected), the time by
  // which poll() must run again, and poll() itself, which never blocks: timers due, then the
  // messages waiting (a bounded batch). poll() returns true when it stopped at the end of its
  // batch with messages perhaps still waiting (poll again soon), false when it read them all.
  int wait_fd() const;
  // Changes whenever wait_fd() names a new descriptor, even one with the number of a closed one
  // (a TCP transport that reconnected): an outside loop registers it again then.
  uint64_t wait_generation() const { return tcp_connections_; }
  Clock::time_point next_wakeup() const;
  bool poll();
  // Runs until `done()` is true or `limit` passes; returns done().
  bool run_until(const std::function<bool()>& done, Millis limit);

  // Sends a Notify action (from Gateway::observe) to the MGC.
  void notify(Action action);
  // ServiceChange Graceful (with a delay in seconds) or Forced on ROOT; then the association is
  // shut down (the gateway's contexts are cleared for Forced). Waits for the MGC's reply at most
  // `wait` (default: the request timeout).
  void shutdown(ServiceChangeMethod method, uint32_t delay_s = 0, std::optional<Millis> wait = std::nullopt);

  AssociationState state() const { return state_; }
  const net::Endpoint& mgc() const { return mgc_; }
  net::Endpoint local() const { return socket_.local(); }
  const AssociationStats& stats() const { return stats_; }
  const TransactionStats& transaction_stats() const { return transactions_->stats(); }
  // The transaction timers in force (configuration, then root properties the MGC set).
  const TransactionTimers& timers() const { return config_.timers; }
  // Log lines (what happened, never secrets), oldest first; the caller drains them.
  std::vector<std::string> take_log();

 private:
  MgAssociation(AssociationConfig config, Gateway& gateway, net::UdpSocket socket);

  Action service_change(ServiceChangeMethod method, std::string reason, uint32_t delay_s = 0) const;
  void register_with(size_t index, ServiceChangeMethod method, std::string reason);
  void use_mgc(const net::Endpoint& mgc);
  void on_registration_reply(const RequestResult& result, ServiceChangeMethod method);
  void on_request(const TransactionRequest& request);
  void apply_root_properties(const std::vector<PropertyParm>& properties);
  // The largest message we may send: the transport's, the configuration's, the MGC's.
  size_t max_message_size() const;
  void on_message(std::string_view data, const net::Endpoint& from);
  bool receive_tcp(Millis wait);  // true: something arrived
  bool receive_one(Millis wait);
  void on_timers(Clock::time_point now);
  bool ensure_tcp();
  void lost_mgc(const std::string& why);
  void hand_off_to(const net::Endpoint& to);
  void defer(std::function<void()> work);
  void run_deferred();
  void flush();
  void log(std::string line);
  std::optional<net::Endpoint> parse_mid(const std::string& text) const;
  bool is_configured_mgc(const net::Endpoint& who) const;  // one of config_.mgcs

  AssociationConfig config_;
  Gateway& gateway_;
  net::UdpSocket socket_;
  net::Endpoint mgc_;
  std::unique_ptr<TransactionManager> transactions_;
  AssociationState state_ = AssociationState::kIdle;
  size_t mgc_index_ = 0;
  Clock::time_point retry_at_ = Clock::time_point::max();
  // Inactivity timer (it/ito on ROOT): report and treat the MGC as lost when it stays silent.
  std::optional<Millis> inactivity_;
  size_t mgc_max_message_size_ = 0;  // seg/mgcmaxpdusize from the MGC (0: not set)
  std::optional<uint32_t> inactivity_request_id_;
  Clock::time_point last_heard_ = Clock::now();
  AssociationStats stats_;
  std::vector<std::string> log_;
  std::vector<std::function<void()>> deferred_;
  std::optional<net::TcpConnection> tcp_;  // kTcp: the connection to the current MGC
  uint64_t tcp_connections_ = 0;           // kTcp: connections opened so far
  TpktReader tpkt_;
  Clock::time_point tpkt_frame_due_ = Clock::time_point::max();  // a frame begun must end by then
};

}  // namespace mediasec::h248
