#include "host/app/tables.h"

#include <algorithm>

namespace mediasec::app {
namespace {

std::string text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "-";
  return v.dump();
}

// [1, 0] as "1, 0".
std::string joined(const nlohmann::json& list) {
  std::string out;
  for (const auto& v : list) out += (out.empty() ? "" : ", ") + text(v);
  return out;
}

}  // namespace

void print_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    width.resize(std::max(width.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    out << line << "\n";
  }
}

void print_status(std::ostream& out, const nlohmann::json& s) {
  const auto& h = s.at("h248");
  std::vector<std::vector<std::string>> rows{
      {"backend", text(s.at("backend"))},
      {"uptime", text(s.at("uptime_s")) + " s"},
      {"H.248", text(h.at("state")) + " with MGC " + text(h.at("mgc")) + " (" + text(h.at("transport")) + ", local " +
                    text(h.at("local")) + ")"},
      {"profile", text(h.at("profile_name")) + "/" + text(h.at("profile_version"))},
      {"messages", text(h.at("messages_received")) + " received, " + text(h.at("messages_sent")) + " sent, " +
                       text(h.at("malformed_messages")) + " malformed, " + text(h.at("retransmissions")) +
                       " retransmissions"},
      {"contexts", text(s.at("contexts")) + " (" + text(s.at("terminations")) + " terminations, " +
                       text(s.at("relays")) + " relays)"},
      {"workers", text(s.at("workers")) + " (relays on each: " + joined(s.at("relays_per_worker")) + ")"},
      {"key slots free", text(s.at("free_key_slots"))},
      {"descriptors",
       (s.at("descriptors").at("open").is_null() ? std::string("?") : text(s.at("descriptors").at("open"))) +
           " open of " + text(s.at("descriptors").at("limit"))},
      {"certificate", text(s.at("certificate").at("file"))},
      {"a=fingerprint", text(s.at("certificate").at("fingerprint"))},
  };
  print_table(out, rows);
}

void print_identity(std::ostream& out, const nlohmann::json& id) {
  const auto version = id.at("version").get<uint32_t>();
  const auto& suites = id.at("suites");
  const auto& framings = id.at("framings");
  out << "backend      " << text(id.at("backend")) << "\n"
      << "id           0x" << std::hex << id.at("id").get<uint32_t>() << std::dec << "\n"
      << "version      " << (version >> 24) << "." << ((version >> 16) & 0xff) << "." << (version & 0xffff) << "\n"
      << "build        0x" << std::hex << id.at("build").get<uint32_t>() << std::dec << "\n"
      << "key slots    " << text(id.at("key_slots")) << "\n"
      << "lanes        " << text(id.at("lanes")) << "\n"
      << "suites       " << (suites.at("aes128").get<bool>() ? "AES-128-GCM " : "")
      << (suites.at("aes256").get<bool>() ? "AES-256-GCM" : "") << "\n"
      << "framings     " << (framings.at("tls1.2").get<bool>() ? "TLS1.2 " : "")
      << (framings.at("tls1.3").get<bool>() ? "TLS1.3 " : "") << (framings.at("dtls1.2").get<bool>() ? "DTLS1.2 " : "")
      << (framings.at("raw").get<bool>() ? "raw" : "") << "\n";
}

void print_device(std::ostream& out, const nlohmann::json& device) {
  print_identity(out, device.at("identity"));
  if (device.contains("counters")) {
    const auto& c = device.at("counters");
    out << "records      " << text(c.at("records")) << " (" << text(c.at("bytes")) << " bytes), "
        << text(c.at("auth_failures")) << " failed authentication, " << text(c.at("errors")) << " rejected\n";
  }
  out << "slots free   " << text(device.at("free_key_slots")) << "\n";
}

void print_contexts(std::ostream& out, const nlohmann::json& c) {
  std::vector<std::vector<std::string>> rows{
      {"CONTEXT", "WORKER", "TERMINATION", "KIND", "SETUP", "STATE", "PORT", "REMOTE", "SENT", "RECEIVED", "TLS"}};
  for (const auto& ctx : c.at("contexts")) {
    for (const auto& t : ctx.at("terminations")) {
      rows.push_back({text(ctx.at("context")), t.contains("worker") ? text(t.at("worker")) : "-",
                      text(t.at("termination")), text(t.at("kind")), text(t.at("setup")), text(t.at("state")),
                      text(t.at("local_port")), t.at("remote").get<std::string>().empty() ? "-" : text(t.at("remote")),
                      text(t.at("octets_sent")), text(t.at("octets_received")),
                      t.contains("tls") ? text(t["tls"].at("version")) + " " + text(t["tls"].at("cipher")) : "-"});
    }
  }
  print_table(out, rows);
}

void print_sessions(std::ostream& out, const nlohmann::json& s) {
  std::vector<std::vector<std::string>> rows{{"TERMINATION", "CONTEXT", "ROLE", "VERSION", "CIPHER", "RESUMED", "RENEG",
                                              "KEYUPD", "RECORDS IN/OUT", "PEER FINGERPRINT"}};
  for (const auto& t : s.at("sessions")) {
    const auto& tls = t.at("tls");
    rows.push_back({text(t.at("termination")), text(t.at("context")), t.at("setup") == "active" ? "client" : "server",
                    text(tls.at("version")), text(tls.at("cipher")), tls.at("resumed").get<bool>() ? "yes" : "no",
                    text(tls.at("renegotiations")), text(tls.at("key_updates")),
                    text(tls.at("records_in")) + "/" + text(tls.at("records_out")), text(tls.at("peer_fingerprint"))});
  }
  print_table(out, rows);
}

}  // namespace mediasec::app
