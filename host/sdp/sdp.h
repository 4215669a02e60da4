// SDP (RFC 8866) as H.248 carries it in Local and Remote descriptors: possibly underspecified
// ("$" for an address or port that the gateway chooses, "*" as MSRP's format), with the
// attributes of TCP bearers (RFC 4145), TLS fingerprints (RFC 8122), tls-id (RFC 8842), 3GPP
// e2ae (TS 24.229), MSRP (RFC 4975), BFCP (RFC 8856) and T.38 (ITU-T T.38 Annex D / RFC 7345).
//
// The parser keeps every line it does not interpret, so what it reads it writes back.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "host/security/fingerprint.h"
#include "host/security/setup_role.h"

namespace mediasec::sdp {

struct SdpError {
  size_t line = 0;  // 1-based line of the fault
  std::string reason;
};

// c= IN IP4 198.51.100.7 ("$" when the gateway is to choose)
struct Connection {
  std::string net_type = "IN";
  std::string addr_type = "IP4";
  std::string address = "$";
  bool underspecified() const { return address == "$"; }
  friend bool operator==(const Connection&, const Connection&) = default;
};

// b=AS:64 (kbit/s) or b=TIAS:64000 (bit/s)
struct Bandwidth {
  std::string type;  // "AS", "TIAS", "CT", ...
  uint64_t value = 0;
  friend bool operator==(const Bandwidth&, const Bandwidth&) = default;
};

struct Attribute {
  std::string name;
  std::optional<std::string> value;  // absent for a property attribute (a=recvonly)
  friend bool operator==(const Attribute&, const Attribute&) = default;
};

// The transports this gateway handles, from the m= proto.
enum class Transport : uint8_t {
  kTcp,        // TCP
  kTcpMsrp,    // TCP/MSRP
  kTlsMsrp,    // TCP/TLS/MSRP
  kTcpBfcp,    // TCP/BFCP
  kTlsBfcp,    // TCP/TLS/BFCP
  kUdptl,      // udptl
  kDtlsUdptl,  // UDP/TLS/UDPTL
  kOther,      // anything else (RTP/AVP, ...): passed through, not terminated
};
Transport classify(std::string_view proto);
bool is_tls(Transport t);  // TCP/TLS/* and UDP/TLS/UDPTL
bool is_tcp(Transport t);  // every TCP-based transport

// a=setup and a=connection (RFC 4145) and a=fingerprint (RFC 8122) carry the security types.
using security::ConnectionAttr;
using security::Fingerprint;
using security::Setup;
using security::to_string;

// a=fingerprint:sha-256 AB:CD:... The hash is any digest OpenSSL knows by that name.
Result<Fingerprint, SdpError> parse_fingerprint(std::string_view value);

struct MediaDescription {
  std::string media;             // "message", "application", "image", "audio", ...
  std::optional<uint16_t> port;  // absent: "$"
  std::optional<uint16_t> port_count;
  std::string proto;
  std::vector<std::string> formats;  // "*" for MSRP, "t38" for T.38
  std::optional<Connection> connection;
  std::vector<Bandwidth> bandwidths;
  std::vector<Attribute> attributes;
  std::vector<std::string> other_lines;  // i=, k= lines kept as written ("i=...")

  Transport transport() const { return classify(proto); }
  const Attribute* attribute(std::string_view name) const;  // the first, case-insensitive name
  std::vector<const Attribute*> attributes_named(std::string_view name) const;
  void set_attribute(std::string_view name, std::optional<std::string> value);  // replace or add
  void remove_attribute(std::string_view name);

  // Typed views of the attributes this gateway acts on; an attribute that is present but
  // malformed is an error, one that is underspecified ("$") reads as absent.
  Result<std::optional<Setup>, SdpError> setup() const;
  Result<std::optional<ConnectionAttr>, SdpError> connection_attr() const;
  Result<std::vector<Fingerprint>, SdpError> fingerprints() const;
  std::optional<std::string> tls_id() const;
  std::optional<std::string> e2ae() const;     // a=3ge2ae:requested / applied
  std::vector<std::string> msrp_path() const;  // a=path URIs, in order
  std::vector<std::string> accept_types() const;
  std::optional<uint64_t> bandwidth(std::string_view type) const;

  friend bool operator==(const MediaDescription&, const MediaDescription&) = default;
};

struct SessionDescription {
  std::optional<std::string> version;  // v=
  std::optional<std::string> origin;   // o= as written
  std::optional<std::string> name;     // s=
  std::optional<Connection> connection;
  std::vector<Bandwidth> bandwidths;
  std::vector<std::string> other_lines;  // t=, i=, u=, e=, p=, z=, k=, r= as written
  std::vector<Attribute> attributes;
  std::vector<MediaDescription> media;

  friend bool operator==(const SessionDescription&, const SessionDescription&) = default;
};

// Lines end in LF or CRLF; blank lines and surrounding white space are ignored.
Result<SessionDescription, SdpError> parse(std::string_view text);

struct WriteOptions {
  std::string_view line_end = "\n";  // H.248 text carries LF; "\r\n" for SDP outside H.248
};
std::string write(const SessionDescription& sdp, const WriteOptions& options = {});

}  // namespace mediasec::sdp
