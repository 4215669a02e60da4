#include "host/sdp/sdp.h"

#include <openssl/evp.h>

#include <charconv>
#include <cstdio>

#include "base/ascii.h"

namespace mediasec::sdp {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split_ws(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

template <typename T>
bool parse_number(std::string_view s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

SdpError error(size_t line, std::string reason) { return SdpError{line, std::move(reason)}; }

Result<Connection, SdpError> parse_connection(std::string_view v, size_t line) {
  auto f = split_ws(v);
  if (f.size() != 3) return error(line, "c= needs <nettype> <addrtype> <address>");
  Connection c{std::string(f[0]), std::string(f[1]), std::string(f[2])};
  if (c.addr_type != "IP4" && c.addr_type != "IP6" && c.addr_type != "$")
    return error(line, "c= address type must be IP4 or IP6");
  return c;
}

Result<Bandwidth, SdpError> parse_bandwidth(std::string_view v, size_t line) {
  size_t colon = v.find(':');
  Bandwidth b;
  if (colon == std::string_view::npos || colon == 0) return error(line, "b= needs <type>:<value>");
  b.type = std::string(v.substr(0, colon));
  if (!parse_number(v.substr(colon + 1), b.value)) return error(line, "b= value is not a number");
  return b;
}

Attribute parse_attribute(std::string_view v) {
  size_t colon = v.find(':');
  if (colon == std::string_view::npos) return Attribute{std::string(v), std::nullopt};
  return Attribute{std::string(v.substr(0, colon)), std::string(v.substr(colon + 1))};
}

Result<MediaDescription, SdpError> parse_media(std::string_view v, size_t line) {
  auto f = split_ws(v);
  if (f.size() < 3) return error(line, "m= needs <media> <port> <proto> <fmt>...");
  MediaDescription m;
  m.media = std::string(f[0]);
  std::string_view port = f[1];
  if (port != "$") {
    size_t slash = port.find('/');
    uint16_t p = 0;
    if (!parse_number(port.substr(0, slash), p)) return error(line, "m= port is not a number or $");
    m.port = p;
    if (slash != std::string_view::npos) {
      uint16_t n = 0;
      if (!parse_number(port.substr(slash + 1), n)) return error(line, "m= port count is not a number");
      m.port_count = n;
    }
  }
  m.proto = std::string(f[2]);
  for (size_t i = 3; i < f.size(); ++i) m.formats.emplace_back(f[i]);
  if (m.formats.empty() && m.transport() != Transport::kOther) return error(line, "m= needs a format");
  return m;
}

void write_connection(std::string& out, const Connection& c, std::string_view eol) {
  out += "c=" + c.net_type + " " + c.addr_type + " " + c.address;
  out += eol;
}

void write_bandwidths(std::string& out, const std::vector<Bandwidth>& bs, std::string_view eol) {
  for (const Bandwidth& b : bs) {
    out += "b=" + b.type + ":" + std::to_string(b.value);
    out += eol;
  }
}

void write_attributes(std::string& out, const std::vector<Attribute>& as, std::string_view eol) {
  for (const Attribute& a : as) {
    out += "a=" + a.name;
    if (a.value) out += ":" + *a.value;
    out += eol;
  }
}

}  // namespace

Transport classify(std::string_view proto) {
  if (iequals(proto, "TCP")) return Transport::kTcp;
  if (iequals(proto, "TCP/MSRP")) return Transport::kTcpMsrp;
  if (iequals(proto, "TCP/TLS/MSRP")) return Transport::kTlsMsrp;
  if (iequals(proto, "TCP/BFCP")) return Transport::kTcpBfcp;
  if (iequals(proto, "TCP/TLS/BFCP")) return Transport::kTlsBfcp;
  if (iequals(proto, "udptl")) return Transport::kUdptl;
  if (iequals(proto, "UDP/TLS/UDPTL")) return Transport::kDtlsUdptl;
  return Transport::kOther;
}

bool is_tls(Transport t) { return t == Transport::kTlsMsrp || t == Transport::kTlsBfcp || t == Transport::kDtlsUdptl; }

bool is_tcp(Transport t) {
  return t == Transport::kTcp || t == Transport::kTcpMsrp || t == Transport::kTlsMsrp || t == Transport::kTcpBfcp ||
         t == Transport::kTlsBfcp;
}

Result<Fingerprint, SdpError> parse_fingerprint(std::string_view value) {
  auto f = split_ws(value);
  if (f.size() != 2) return error(0, "fingerprint needs <hash> <hex:hex:...>");
  Fingerprint fp;
  fp.hash = ascii_lowercase(f[0]);
  const EVP_MD* md = security::fingerprint_digest(fp.hash);
  if (md == nullptr) return error(0, "fingerprint hash '" + fp.hash + "' is unknown");
  std::string_view hex = f[1];
  for (size_t i = 0; i < hex.size();) {
    if (i + 2 > hex.size()) return error(0, "fingerprint has an odd hex digit");
    uint8_t byte = 0;
    auto [p, ec] = std::from_chars(hex.data() + i, hex.data() + i + 2, byte, 16);
    if (ec != std::errc() || p != hex.data() + i + 2) return error(0, "fingerprint is not hex pairs");
    fp.digest.push_back(byte);
    i += 2;
    if (i < hex.size()) {
      if (hex[i] != ':') return error(0, "fingerprint bytes are separated by ':'");
      ++i;
      if (i == hex.size()) return error(0, "fingerprint ends with ':'");
    }
  }
  if (fp.digest.size() != static_cast<size_t>(EVP_MD_get_size(md)))
    return error(0, "fingerprint of " + std::to_string(fp.digest.size()) + " bytes for " + fp.hash + " (" +
                        std::to_string(EVP_MD_get_size(md)) + " expected)");
  return fp;
}

const Attribute* MediaDescription::attribute(std::string_view name) const {
  for (const Attribute& a : attributes)
    if (iequals(a.name, name)) return &a;
  return nullptr;
}

std::vector<const Attribute*> MediaDescription::attributes_named(std::string_view name) const {
  std::vector<const Attribute*> out;
  for (const Attribute& a : attributes)
    if (iequals(a.name, name)) out.push_back(&a);
  return out;
}

void MediaDescription::set_attribute(std::string_view name, std::optional<std::string> value) {
  for (Attribute& a : attributes) {
    if (iequals(a.name, name)) {
      a.value = std::move(value);
      return;
    }
  }
  attributes.push_back(Attribute{std::string(name), std::move(value)});
}

void MediaDescription::remove_attribute(std::string_view name) {
  std::erase_if(attributes, [&](const Attribute& a) { return iequals(a.name, name); });
}

Result<std::optional<Setup>, SdpError> MediaDescription::setup() const {
  const Attribute* a = attribute("setup");
  if (a == nullptr) return std::optional<Setup>();
  std::string_view v = a->value ? trim(*a->value) : std::string_view();
  if (v == "$") return std::optional<Setup>();  // underspecified: the gateway chooses
  if (iequals(v, "active")) return std::optional<Setup>(Setup::kActive);
  if (iequals(v, "passive")) return std::optional<Setup>(Setup::kPassive);
  if (iequals(v, "actpass")) return std::optional<Setup>(Setup::kActPass);
  if (iequals(v, "holdconn")) return std::optional<Setup>(Setup::kHoldConn);
  return error(0, "a=setup must be active, passive, actpass or holdconn");
}

Result<std::optional<ConnectionAttr>, SdpError> MediaDescription::connection_attr() const {
  const Attribute* a = attribute("connection");
  if (a == nullptr) return std::optional<ConnectionAttr>();
  std::string_view v = a->value ? trim(*a->value) : std::string_view();
  if (v == "$") return std::optional<ConnectionAttr>();  // underspecified: the gateway chooses
  if (iequals(v, "new")) return std::optional<ConnectionAttr>(ConnectionAttr::kNew);
  if (iequals(v, "existing")) return std::optional<ConnectionAttr>(ConnectionAttr::kExisting);
  return error(0, "a=connection must be new or existing");
}

Result<std::vector<Fingerprint>, SdpError> MediaDescription::fingerprints() const {
  std::vector<Fingerprint> out;
  for (const Attribute* a : attributes_named("fingerprint")) {
    if (!a->value) return error(0, "a=fingerprint without a value");
    if (trim(*a->value) == "$") continue;  // underspecified: the gateway publishes its own
    auto fp = parse_fingerprint(*a->value);
    if (!fp) return fp.error();
    out.push_back(std::move(fp).value());
  }
  return out;
}

std::optional<std::string> MediaDescription::tls_id() const {
  const Attribute* a = attribute("tls-id");
  return a ? a->value : std::nullopt;
}

std::optional<std::string> MediaDescription::e2ae() const {
  const Attribute* a = attribute("3ge2ae");
  return a ? a->value : std::nullopt;
}

std::vector<std::string> MediaDescription::msrp_path() const {
  std::vector<std::string> out;
  for (const Attribute* a : attributes_named("path"))
    if (a->value)
      for (std::string_view uri : split_ws(*a->value)) out.emplace_back(uri);
  return out;
}

std::vector<std::string> MediaDescription::accept_types() const {
  std::vector<std::string> out;
  if (const Attribute* a = attribute("accept-types"); a && a->value)
    for (std::string_view t : split_ws(*a->value)) out.emplace_back(t);
  return out;
}

std::optional<uint64_t> MediaDescription::bandwidth(std::string_view type) const {
  for (const Bandwidth& b : bandwidths)
    if (iequals(b.type, type)) return b.value;
  return std::nullopt;
}

Result<SessionDescription, SdpError> parse(std::string_view text) {
  SessionDescription sdp;
  MediaDescription* media = nullptr;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = trim(text.substr(pos, eol - pos));
    pos = eol + 1;
    ++line_no;
    if (line.empty()) continue;
    if (line.size() < 2 || line[1] != '=' || !((line[0] >= 'a' && line[0] <= 'z')))
      return error(line_no, "not a <type>=<value> line");
    for (char c : line)
      if (static_cast<unsigned char>(c) < 0x20 && c != '\t') return error(line_no, "control character");
    const char type = line[0];
    std::string_view value = line.substr(2);
    switch (type) {
      case 'v':
        if (media || sdp.version) return error(line_no, "v= must come first, once");
        sdp.version = std::string(value);
        break;
      case 'o':
        if (media) return error(line_no, "o= inside a media description");
        sdp.origin = std::string(value);
        break;
      case 's':
        if (media) return error(line_no, "s= inside a media description");
        sdp.name = std::string(value);
        break;
      case 'c': {
        auto c = parse_connection(value, line_no);
        if (!c) return c.error();
        if (media) {
          media->connection = std::move(c).value();
        } else {
          sdp.connection = std::move(c).value();
        }
        break;
      }
      case 'b': {
        auto b = parse_bandwidth(value, line_no);
        if (!b) return b.error();
        (media ? media->bandwidths : sdp.bandwidths).push_back(std::move(b).value());
        break;
      }
      case 'a':
        if (value.empty()) return error(line_no, "empty attribute");
        (media ? media->attributes : sdp.attributes).push_back(parse_attribute(value));
        break;
      case 'm': {
        auto m = parse_media(value, line_no);
        if (!m) return m.error();
        sdp.media.push_back(std::move(m).value());
        media = &sdp.media.back();
        break;
      }
      default: (media ? media->other_lines : sdp.other_lines).emplace_back(line); break;
    }
  }
  // Check the typed attributes now, so that a bad one is reported with the SDP as a whole.
  for (const MediaDescription& m : sdp.media) {
    if (auto s = m.setup(); !s) return s.error();
    if (auto c = m.connection_attr(); !c) return c.error();
    if (auto f = m.fingerprints(); !f) return f.error();
  }
  return sdp;
}

std::string write(const SessionDescription& sdp, const WriteOptions& options) {
  const std::string_view eol = options.line_end;
  std::string out;
  out.reserve(256);
  auto line = [&](char type, const std::string& value) {
    out.push_back(type);
    out.push_back('=');
    out += value;
    out += eol;
  };
  if (sdp.version) line('v', *sdp.version);
  if (sdp.origin) line('o', *sdp.origin);
  if (sdp.name) line('s', *sdp.name);
  if (sdp.connection) write_connection(out, *sdp.connection, eol);
  write_bandwidths(out, sdp.bandwidths, eol);
  for (const std::string& l : sdp.other_lines) {
    out += l;
    out += eol;
  }
  write_attributes(out, sdp.attributes, eol);
  for (const MediaDescription& m : sdp.media) {
    out += "m=" + m.media + " " + (m.port ? std::to_string(*m.port) : std::string("$"));
    if (m.port && m.port_count) out += "/" + std::to_string(*m.port_count);
    out += " " + m.proto;
    for (const std::string& f : m.formats) out += " " + f;
    out += eol;
    for (const std::string& l : m.other_lines) {
      out += l;
      out += eol;
    }
    if (m.connection) write_connection(out, *m.connection, eol);
    write_bandwidths(out, m.bandwidths, eol);
    write_attributes(out, m.attributes, eol);
  }
  return out;
}

}  // namespace mediasec::sdp
