// What the TLS and DTLS endpoints negotiate. The defaults are the profile of 3GPP TS 33.310
// Annex E as it applies to e2ae media security: TLS 1.2 and 1.3 with AES-GCM suites only,
// ECDHE key exchange, no compression, RFC 5746 renegotiation_info required. The device offloads
// only AES-GCM, so a configuration that would admit any other cipher is refused.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace mediasec::tls {

enum class Version { kTls12, kTls13 };

struct Profile {
  Version min_version = Version::kTls12;
  Version max_version = Version::kTls13;
  // OpenSSL cipher list for TLS 1.2 and DTLS 1.2.
  std::string tls12_ciphers =
      "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:"
      "ECDHE-RSA-AES256-GCM-SHA384";
  // OpenSSL ciphersuites for TLS 1.3.
  std::string tls13_suites = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384";
  std::string groups = "P-256:P-384:X25519";
  // TLS 1.2 renegotiation (always the secure RFC 5746 kind), either side may start it.
  bool renegotiation = true;
  // RFC 5077 tickets: keys rotate after this long; a ticket stays valid for two periods.
  std::chrono::seconds ticket_key_period{3600};
  // TLS 1.3 NewSessionTicket messages a server sends after each handshake.
  uint32_t tls13_tickets = 1;
  // A TLS 1.3 server session frees its OpenSSL connection once offloaded and its tickets are
  // sent: all a TLS 1.3 client can send after the handshake is application data, KeyUpdate and
  // alerts, which the session handles itself (docs/tls-offload.md). Idle memory drops from ~15 KiB
  // to ~2 KiB per session. Off: those records go to OpenSSL as for TLS 1.2 and clients.
  bool tls13_server_without_openssl = true;
  // DTLS path MTU (bytes of a UDP payload).
  uint32_t dtls_mtu = 1200;
  // A TLS bearer whose handshake has not completed this long after its TCP connection came up
  // (a peer that sent half a ClientHello, or nothing) is released and reported as tlsfail.
  std::chrono::milliseconds handshake_timeout{10000};
};

}  // namespace mediasec::tls
