// Decoder of H.248.1 text messages (Annex B, versions 1 to 3, pretty and compact tokens mixed
// freely, case-insensitive, ';' comments).
//
// Bad input never crashes, hangs or allocates without bound: the decoder works in one pass over
// the input with a nesting limit, and answers with the H.248 error code a peer should receive
// and the byte offset of the fault.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "host/h248/message.h"

namespace mediasec::h248 {

struct DecodeError {
  uint16_t code = 400;  // 400 message syntax, 403 transaction syntax, 406 version, ...
  size_t offset = 0;    // byte offset of the fault
  std::string reason;   // for logs: what was expected and what was found
  // Set once the transaction's ID has been read: the MG answers that transaction with an error
  // instead of dropping the whole message.
  std::optional<uint32_t> transaction_id;
  bool transaction_is_request = false;
};

struct DecodeLimits {
  size_t max_message_bytes = 65535;  // a UDP datagram or a TPKT frame
  size_t max_nesting = 24;           // braces and brackets
  uint8_t max_version = 3;
};

Result<Message, DecodeError> decode(std::string_view text, const DecodeLimits& limits = {});

// For a log line: "403 at byte 57 (transaction 12): expected '}' but found ','".
std::string describe(const DecodeError& error);

}  // namespace mediasec::h248
