// The TCP connection roles of RFC 4145 that SDP negotiates (a=setup, a=connection) and that
// decide which side of a TLS/DTLS bearer is the client.
#pragma once

#include <cstdint>

namespace mediasec::security {

enum class Setup : uint8_t { kActive, kPassive, kActPass, kHoldConn };  // a=setup
enum class ConnectionAttr : uint8_t { kNew, kExisting };                // a=connection

const char* to_string(Setup s);
const char* to_string(ConnectionAttr c);

}  // namespace mediasec::security
