#include "host/app/daemon_config.h"

#include <toml++/toml.h>

#include <fstream>
#include <functional>
#include <map>
#include <sstream>

namespace mediasec::app {
namespace {

// Where a node is, for error messages: "file:line".
std::string where(std::string_view source, const toml::node& n) {
  return std::string(source) + ":" + std::to_string(n.source().begin.line);
}

class Reader {
 public:
  explicit Reader(std::string_view source) : source_(source) {}

  Error fail(const toml::node& n, const std::string& key, const std::string& why) const {
    return make_error(ErrorCode::kInvalidArgument, where(source_, n) + ": " + key + ": " + why);
  }

  Result<std::string> string(const toml::node& n, const std::string& key) const {
    if (auto v = n.value<std::string>()) return *v;
    return fail(n, key, "expected a string");
  }
  Result<bool> boolean(const toml::node& n, const std::string& key) const {
    if (auto v = n.value<bool>(); v && n.is_boolean()) return *v;
    return fail(n, key, "expected true or false");
  }
  Result<int64_t> integer(const toml::node& n, const std::string& key, int64_t min, int64_t max) const {
    if (!n.is_integer()) return fail(n, key, "expected an integer");
    const int64_t v = *n.value<int64_t>();
    if (v < min || v > max)
      return fail(n, key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return v;
  }
  template <typename T>
  Result<T> choice(const toml::node& n, const std::string& key, const std::map<std::string, T>& options) const {
    auto s = string(n, key);
    if (!s) return s.error();
    if (auto it = options.find(*s); it != options.end()) return it->second;
    std::string names;
    for (const auto& [name, value] : options) names += (names.empty() ? "" : ", ") + name;
    return fail(n, key, "'" + *s + "' is not one of " + names);
  }

 private:
  std::string source_;
};

using Setter = std::function<Result<void>(const toml::node&, const std::string& key)>;

// Applies each key of `table` through its setter; a key without one is an error (a typo must not
// pass silently).
Result<void> apply(const Reader& r, const toml::table& table, const std::string& prefix,
                   const std::map<std::string, Setter>& setters) {
  for (const auto& [k, node] : table) {
    const std::string key = prefix + std::string(k.str());
    auto it = setters.find(std::string(k.str()));
    if (it == setters.end()) return r.fail(node, key, "unknown key");
    if (auto ok = it->second(node, key); !ok) return ok.error();
  }
  return {};
}

Result<std::chrono::milliseconds> millis(const Reader& r, const toml::node& n, const std::string& key) {
  auto v = r.integer(n, key, 1, 3'600'000);
  if (!v) return v.error();
  return std::chrono::milliseconds(*v);
}

}  // namespace

Result<std::pair<std::string, uint16_t>> split_host_port(std::string_view text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    return make_error(ErrorCode::kInvalidArgument, "'" + std::string(text) + "' is not host:port");
  }
  std::string host(text.substr(0, colon));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  uint32_t port = 0;
  for (char c : text.substr(colon + 1)) {
    if (c < '0' || c > '9' || (port = port * 10 + static_cast<uint32_t>(c - '0')) > 65535) {
      return make_error(ErrorCode::kInvalidArgument, "'" + std::string(text) + "' has no valid port");
    }
  }
  return std::pair{host, static_cast<uint16_t>(port)};
}

Result<DaemonConfig> parse_config(std::string_view text, std::string_view source) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return make_error(ErrorCode::kInvalidArgument, std::string(source) + ":" + std::to_string(e.source().begin.line) +
                                                       ": " + std::string(e.description()));
  }
  const Reader r(source);
  DaemonConfig c;
  bool profile_name_set = false;
  auto& a = c.association;

  auto section = [&](const toml::node& n, const std::string& key,
                     const std::map<std::string, Setter>& setters) -> Result<void> {
    const toml::table* t = n.as_table();
    if (t == nullptr) return r.fail(n, key, "expected a table");
    return apply(r, *t, key + ".", setters);
  };
  auto set_string = [&](std::string& out) {
    return Setter([&r, &out](const toml::node& n, const std::string& key) -> Result<void> {
      auto s = r.string(n, key);
      if (!s) return s.error();
      out = *s;
      return {};
    });
  };
  auto set_path = [&](std::filesystem::path& out) {
    return Setter([&r, &out, source](const toml::node& n, const std::string& key) -> Result<void> {
      auto s = r.string(n, key);
      if (!s) return s.error();
      if (s->empty()) return r.fail(n, key, "empty path");
      // Relative paths are taken from the configuration file's directory.
      std::filesystem::path p(*s);
      out = p.is_absolute() ? p : std::filesystem::path(source).parent_path() / p;
      return {};
    });
  };
  auto set_millis = [&](std::chrono::milliseconds& out) {
    return Setter([&r, &out](const toml::node& n, const std::string& key) -> Result<void> {
      auto v = millis(r, n, key);
      if (!v) return v.error();
      out = *v;
      return {};
    });
  };
  auto set_bool = [&](bool& out) {
    return Setter([&r, &out](const toml::node& n, const std::string& key) -> Result<void> {
      auto v = r.boolean(n, key);
      if (!v) return v.error();
      out = *v;
      return {};
    });
  };
  auto set_int = [&]<typename T>(T& out, int64_t min, int64_t max) {
    return Setter([&r, &out, min, max](const toml::node& n, const std::string& key) -> Result<void> {
      auto v = r.integer(n, key, min, max);
      if (!v) return v.error();
      out = static_cast<T>(*v);
      return {};
    });
  };
  auto set_choice = [&]<typename T>(T& out, std::map<std::string, T> options) {
    return Setter(
        [&r, &out, options = std::move(options)](const toml::node& n, const std::string& key) -> Result<void> {
          auto v = r.choice(n, key, options);
          if (!v) return v.error();
          out = *v;
          return {};
        });
  };
  const std::map<std::string, tls::Version> versions{{"1.2", tls::Version::kTls12}, {"1.3", tls::Version::kTls13}};

  std::map<std::string, Setter> top{
      {"device",
       [&](const toml::node& n, const std::string& key) {
         return section(n, key, {{"backend", set_string(c.backend)}});
       }},
      {"h248",
       [&](const toml::node& n, const std::string& key) {
         return section(
             n, key,
             {{"profile", set_choice(c.profile, std::map<std::string, h248::Profile>{{"iq", h248::Profile::kIq}, {"ix", h248::Profile::kIx}, {"mp", h248::Profile::kMp}})},
              {"profile_name", [&](const toml::node& v, const std::string& k) -> Result<void> {
                 auto s = r.string(v, k);
                 if (!s) return s.error();
                 if (s->empty()) return r.fail(v, k, "empty profile name");
                 a.profile.name = *s;
                 profile_name_set = true;
                 return {};
               }},
              {"profile_version", set_int(a.profile.version, 1, 99)},
              {"transport", set_choice(a.transport, std::map<std::string, h248::MgcTransport>{{"udp", h248::MgcTransport::kUdp}, {"tcp", h248::MgcTransport::kTcp}})},
              {"listen", [&](const toml::node& v, const std::string& k) -> Result<void> {
                 auto s = r.string(v, k);
                 if (!s) return s.error();
                 auto hp = split_host_port(*s);
                 if (!hp) return r.fail(v, k, hp.error().message);
                 a.local_address = hp->first;
                 a.local_port = hp->second;
                 return {};
               }},
              {"mgcs", [&](const toml::node& v, const std::string& k) -> Result<void> {
                 const toml::array* list = v.as_array();
                 if (list == nullptr || list->empty()) return r.fail(v, k, "expected a list of \"host:port\"");
                 a.mgcs.clear();
                 for (const toml::node& e : *list) {
                   auto s = r.string(e, k);
                   if (!s) return s.error();
                   auto hp = split_host_port(*s);
                   if (!hp) return r.fail(e, k, hp.error().message);
                   a.mgcs.push_back(h248::MgcPeer{hp->first, hp->second});
                 }
                 return {};
               }},
              {"encoding", set_choice(a.form, std::map<std::string, h248::Form>{{"compact", h248::Form::kCompact}, {"pretty", h248::Form::kPretty}})},
              {"version", set_int(a.version, 1, 3)},
              {"max_message_size", set_int(a.max_message_size, 0, 65507)},
              {"retry_after_all_failed_ms", set_millis(a.retry_after_all_failed)},
              {"timers", [&](const toml::node& v, const std::string& k) {
                 return section(v, k,
                                {{"initial_retransmit_ms", set_millis(a.timers.initial_retransmit)},
                                 {"max_retransmit_ms", set_millis(a.timers.max_retransmit)},
                                 {"request_timeout_ms", set_millis(a.timers.request_timeout)},
                                 {"long_timeout_ms", set_millis(a.timers.long_timeout)},
                                 {"provisional_ms", set_millis(a.timers.provisional)},
                                 {"reply_retention_ms", set_millis(a.timers.reply_retention)}});
               }},
              {"rename", [&](const toml::node& v, const std::string& k) -> Result<void> {
                 const toml::table* t = v.as_table();
                 if (t == nullptr) return r.fail(v, k, "expected a table of \"package/element\" = \"name\"");
                 for (const auto& [name, to] : *t) {
                   const std::string element(name.str());
                   const size_t slash = element.find('/');
                   auto spelled = r.string(to, k + "." + element);
                   if (!spelled) return spelled.error();
                   if (slash == std::string::npos || slash == 0 || slash + 1 == element.size() || spelled->empty()) {
                     return r.fail(to, k + "." + element, "expected \"package/element\" = \"new name\"");
                   }
                   c.renames.push_back({element.substr(0, slash), element.substr(slash + 1), *spelled});
                 }
                 return {};
               }}});
       }},
      {"media",
       [&](const toml::node& n, const std::string& key) {
         return section(n, key, {{"address", set_string(c.media_address)}, {"workers", set_int(c.workers, 0, 256)}});
       }},
      {"tls",
       [&](const toml::node& n, const std::string& key) {
         return section(n, key,
                        {{"certificate", set_path(c.certificate)},
                         {"key", set_path(c.key)},
                         {"create", set_bool(c.create_certificate)},
                         {"min_version", set_choice(c.tls.min_version, versions)},
                         {"max_version", set_choice(c.tls.max_version, versions)},
                         {"tls12_ciphers", set_string(c.tls.tls12_ciphers)},
                         {"tls13_suites", set_string(c.tls.tls13_suites)},
                         {"groups", set_string(c.tls.groups)},
                         {"renegotiation", set_bool(c.tls.renegotiation)},
                         {"ticket_key_period_s",
                          [&](const toml::node& v, const std::string& k) -> Result<void> {
                            auto x = r.integer(v, k, 60, 7 * 24 * 3600);
                            if (!x) return x.error();
                            c.tls.ticket_key_period = std::chrono::seconds(*x);
                            return {};
                          }},
                         {"tls13_tickets", set_int(c.tls.tls13_tickets, 0, 8)},
                         {"dtls_mtu", set_int(c.tls.dtls_mtu, 256, 9000)},
                         {"handshake_timeout_ms", set_millis(c.tls.handshake_timeout)}});
       }},
      {"control",
       [&](const toml::node& n, const std::string& key) {
         return section(n, key, {{"socket", set_path(c.control_socket)}});
       }},
      {"metrics",
       [&](const toml::node& n, const std::string& key) {
         return section(n, key, {{"listen", [&](const toml::node& v, const std::string& k) -> Result<void> {
                                    auto s = r.string(v, k);
                                    if (!s) return s.error();
                                    if (!s->empty()) {
                                      if (auto hp = split_host_port(*s); !hp) return r.fail(v, k, hp.error().message);
                                    }
                                    c.metrics_listen = *s;
                                    return {};
                                  }}});
       }},
      {"log",
       [&](const toml::node& n, const std::string& key) {
         return section(n, key,
                        {{"level", set_choice(c.log_level, std::map<std::string, std::string>{{"trace", "trace"},
                                                                                              {"debug", "debug"},
                                                                                              {"info", "info"},
                                                                                              {"warn", "warn"},
                                                                                              {"error", "error"}})},
                         {"file", set_path(c.log_file)}});
       }},
  };
  if (auto ok = apply(r, root, "", top); !ok) return ok.error();

  if (a.mgcs.empty()) {
    return make_error(ErrorCode::kInvalidArgument, std::string(source) + ": h248.mgcs: at least one MGC is required");
  }
  if (!profile_name_set) {
    const uint32_t version = a.profile.version;
    a.profile = h248::default_profile(c.profile);
    if (root["h248"]["profile_version"]) a.profile.version = version;
  }
  if (c.certificate.empty() != c.key.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      std::string(source) + ": tls: give both certificate and key, or neither");
  }
  if (c.certificate.empty()) {
    const auto dir = std::filesystem::path(source).parent_path();
    c.certificate = dir / "gateway.pem";
    c.key = dir / "gateway.key";
  }
  if (c.tls.min_version == tls::Version::kTls13 && c.tls.max_version == tls::Version::kTls12) {
    return make_error(ErrorCode::kInvalidArgument, std::string(source) + ": tls: min_version is above max_version");
  }
  return c;
}

Result<DaemonConfig> load_config(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return make_error(ErrorCode::kNotFound, path.string() + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path.string());
}

}  // namespace mediasec::app
