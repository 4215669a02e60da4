// The gateway model: contexts and terminations under MGC control, with the Iq semantics of the
// commands (TS 29.334): Add with "$" (choose a context, choose a termination name from the
// bearer: tcp/N, tls/N, udptl/N), Modify, Subtract returning Statistics, Move, AuditValue and
// AuditCapability (also on ROOT), Events and Signals stored, and Notify built for the events the
// MGC asked for. Media actions go to a MediaPlane.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "host/h248/media_plane.h"
#include "host/h248/message.h"
#include "host/h248/packages.h"

namespace mediasec::h248 {

struct GatewayConfig {
  uint32_t max_contexts = 100000;
  uint32_t max_terminations_per_context = 2;  // an IMS-AGW context joins the access and core sides
};

class Gateway {
 public:
  Gateway(const PackageRegistry& packages, MediaPlane& media, GatewayConfig config = {});

  // Executes a request and returns its reply (never throws: every fault is an Error descriptor).
  TransactionReply handle(const TransactionRequest& request);

  // An event on a termination. If the MGC's Events descriptor asked for it, returns the Notify
  // action to send (ObservedEvents with the request ID and a time stamp).
  std::optional<Action> observe(const std::string& termination, ObservedEvent event);

  // Drops every context (after a Forced/Graceful shutdown or a cold restart).
  void clear();

  size_t context_count() const { return contexts_.size(); }
  size_t termination_count() const { return terminations_.size(); }
  std::vector<std::string> terminations_in(uint32_t context) const;

 private:
  struct Termination {
    std::string name;
    uint32_t context = 0;
    TerminationRequest media;
    std::optional<sdp::SessionDescription> answered_local;
    std::optional<EventsDescriptor> events;
    std::optional<SignalsDescriptor> signals;
    std::chrono::steady_clock::time_point added;
  };
  struct Fault {
    uint16_t code;
    std::string text;
  };

  Action execute(const Action& request);
  std::optional<Fault> run(const Command& cmd, uint32_t& context, Command& reply);
  std::optional<Fault> add(const Command& cmd, uint32_t& context, Command& reply);
  std::optional<Fault> modify(const Command& cmd, uint32_t context, Command& reply, bool move);
  std::optional<Fault> subtract(const Command& cmd, uint32_t context, Command& reply);
  std::optional<Fault> audit(const Command& cmd, uint32_t context, Command& reply);
  std::optional<Fault> apply_descriptors(const Command& cmd, Termination& t);
  std::optional<Fault> check_names(const Command& cmd) const;
  std::optional<Fault> check_root_properties(const Command& cmd) const;
  std::vector<std::string> match(const TerminationId& id, uint32_t context) const;
  std::string choose_name(const std::string& requested, const TerminationRequest& media);
  void audit_termination(const Termination& t, const AuditDescriptor* what, Command& reply) const;
  StatisticsDescriptor statistics_of(const MediaStatistics& s) const;
  PackagesDescriptor packages_descriptor() const;
  void remove(const std::string& termination);

  const PackageRegistry& packages_;
  MediaPlane& media_;
  GatewayConfig config_;
  std::map<uint32_t, std::vector<std::string>> contexts_;
  std::map<std::string, Termination> terminations_;
  std::map<std::string, uint32_t> next_number_;  // per name prefix
  uint32_t next_context_ = 1;
};

}  // namespace mediasec::h248
