// Encoder of H.248.1 text messages: compact tokens without white space (the default, what goes on
// the wire) or pretty tokens with one item per line (for logs and for peers that want it).
#pragma once

#include <string>

#include "host/h248/message.h"
#include "host/h248/tokens.h"

namespace mediasec::h248 {

struct EncodeOptions {
  Form form = Form::kCompact;
};

// Appends the encoding of `message` to `out` (which callers may reuse to avoid allocations).
// Characters a quoted string cannot hold (DQUOTE, CR, LF, NUL) are dropped from values.
void encode(const Message& message, std::string& out, const EncodeOptions& options = {});
std::string encode(const Message& message, const EncodeOptions& options = {});

}  // namespace mediasec::h248
