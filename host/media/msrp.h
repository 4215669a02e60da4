// MSRP (RFC 4975) as the gateway relays it: messages framed out of a TCP byte stream, and the
// To-Path/From-Path rewriting that makes the gateway the next hop for each side (TR 29.828
// §4.1.4: the IMS-AGW interworks MSRP between a TLS access side and a TCP core side, so the URIs
// each side sees — in SDP a=path and in every message — are the gateway's).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "host/sdp/sdp.h"

namespace mediasec::media::msrp {

struct Message {
  std::string transaction_id;
  std::string method;                                        // "SEND", "REPORT", "AUTH", ...; empty for a response
  int status = 0;                                            // a response's code; 0 for a request
  std::string comment;                                       // a response's reason text, may be empty
  std::vector<std::pair<std::string, std::string>> headers;  // in order, names as written
  std::optional<std::string> body;                           // absent: no content at all
  char flag = '$';  // end-line continuation flag: '$' complete, '+' more chunks follow, '#' aborted

  bool is_request() const { return status == 0; }
  const std::string* header(std::string_view name) const;  // case-insensitive
  void set_header(std::string_view name, std::string value);
  std::string serialize() const;
};

struct MsrpError {
  std::string reason;
};

// Splits an MSRP byte stream into messages, sans I/O. A malformed or oversized message is an
// error; the stream cannot be resynchronized after it (the connection is released).
class Framer {
 public:
  explicit Framer(size_t max_message = 1 << 20) : max_message_(max_message) {}
  void feed(std::span<const uint8_t> bytes) {
    buffer_.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }
  void feed(std::string_view bytes) { buffer_.append(bytes); }
  // The next whole message, nullopt if more bytes are needed, or the error.
  Result<std::optional<Message>, MsrpError> next();
  size_t buffered() const { return buffer_.size(); }

 private:
  size_t max_message_;
  std::string buffer_;
};

// One side of the relay as the gateway sees it.
struct Side {
  std::vector<std::string> peer_path;  // the peer's a=path (its URIs, in order)
  std::string our_uri;                 // the gateway's URI on this side (our a=path)
};

// Readdresses a message (request or response) that leaves the gateway toward `out`: To-Path is
// the peer's path there, From-Path the gateway's URI there.
void readdress(Message& m, const Side& out);

// The gateway's MSRP URI: msrp[s]://host:port/session-id;tcp (RFC 4975 §6).
std::string uri(std::string_view host, uint16_t port, std::string_view session_id, bool tls);
// Puts the gateway's URI into the a=path of a Local descriptor's media.
void set_path(sdp::MediaDescription& m, const std::string& our_uri);

}  // namespace mediasec::media::msrp
