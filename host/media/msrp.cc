#include "host/media/msrp.h"

#include <charconv>

#include "base/ascii.h"

namespace mediasec::media::msrp {
namespace {

constexpr std::string_view kCrlf = "\r\n";
constexpr std::string_view kEndPrefix = "-------";

bool valid_transaction_id(std::string_view id) {
  if (id.size() < 4 || id.size() > 32) return false;  // alphanum 3*31 (RFC 4975 §9)
  for (char c : id) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alnum && c != '.' && c != '-' && c != '+' && c != '%' && c != '=') return false;
  }
  const char first = id.front();
  return (first >= '0' && first <= '9') || (first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z');
}

bool is_end_line(std::string_view line, std::string_view tid, char* flag) {
  if (line.size() != kEndPrefix.size() + tid.size() + 1) return false;
  if (line.substr(0, kEndPrefix.size()) != kEndPrefix || line.substr(kEndPrefix.size(), tid.size()) != tid)
    return false;
  const char f = line.back();
  if (f != '$' && f != '+' && f != '#') return false;
  *flag = f;
  return true;
}

Result<std::optional<Message>, MsrpError> fail(std::string reason) { return MsrpError{std::move(reason)}; }

}  // namespace

const std::string* Message::header(std::string_view name) const {
  for (const auto& [n, v] : headers)
    if (iequals(n, name)) return &v;
  return nullptr;
}

void Message::set_header(std::string_view name, std::string value) {
  for (auto& [n, v] : headers) {
    if (iequals(n, name)) {
      v = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::string(name), std::move(value));
}

std::string Message::serialize() const {
  std::string out = "MSRP " + transaction_id + " ";
  if (is_request()) {
    out += method;
  } else {
    out += std::to_string(status);
    if (!comment.empty()) out += " " + comment;
  }
  out += kCrlf;
  for (const auto& [n, v] : headers) out += n + ": " + v + std::string(kCrlf);
  if (body) {
    out += kCrlf;
    out += *body;
    out += kCrlf;
  }
  out += std::string(kEndPrefix) + transaction_id + flag + std::string(kCrlf);
  return out;
}

Result<std::optional<Message>, MsrpError> Framer::next() {
  // Start line.
  const size_t start_end = buffer_.find(kCrlf);
  if (start_end == std::string::npos) {
    if (buffer_.size() > 1024) return fail("no MSRP start line in the first 1024 bytes");
    return std::optional<Message>();
  }
  const std::string_view start(buffer_.data(), start_end);
  if (start.substr(0, 5) != "MSRP ") return fail("a message must start with 'MSRP '");
  const size_t sp1 = 4, sp2 = start.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return fail("an MSRP start line needs a transaction ID and a method or status");
  Message m;
  m.transaction_id = std::string(start.substr(sp1 + 1, sp2 - sp1 - 1));
  if (!valid_transaction_id(m.transaction_id))
    return fail("bad MSRP transaction ID '" + m.transaction_id.substr(0, 40) + "'");
  const std::string_view rest = start.substr(sp2 + 1);
  if (rest.size() >= 3 && rest[0] >= '0' && rest[0] <= '9') {
    const auto [p, ec] = std::from_chars(rest.data(), rest.data() + 3, m.status);
    if (ec != std::errc() || p != rest.data() + 3 || m.status < 100 || (rest.size() > 3 && rest[3] != ' ')) {
      return fail("bad MSRP status code");
    }
    if (rest.size() > 4) m.comment = std::string(rest.substr(4));
  } else {
    if (rest.empty() || rest.find(' ') != std::string_view::npos) return fail("bad MSRP method");
    for (char c : rest)
      if (c < 'A' || c > 'Z') return fail("an MSRP method is upper-case letters");
    m.method = std::string(rest);
  }
  // Header lines until the end-line (no body) or a blank line (a body follows).
  size_t at = start_end + 2;
  for (;;) {
    const size_t eol = buffer_.find(kCrlf, at);
    if (eol == std::string::npos) {
      if (buffer_.size() > max_message_) return fail("an MSRP message over " + std::to_string(max_message_) + " bytes");
      return std::optional<Message>();
    }
    const std::string_view line(buffer_.data() + at, eol - at);
    at = eol + 2;
    if (is_end_line(line, m.transaction_id, &m.flag)) break;
    if (line.empty()) {
      // The body runs to CRLF + end-line; the end-line carries this transaction's ID, which the
      // sender chose so that it does not occur in the body (RFC 4975 §7.1).
      const std::string marker = std::string(kCrlf) + std::string(kEndPrefix) + m.transaction_id;
      size_t search = at;
      for (;;) {
        const size_t hit = buffer_.find(marker, search == at ? at - 2 : search);
        if (hit == std::string::npos || hit + marker.size() + 3 > buffer_.size()) {
          if (buffer_.size() > max_message_)
            return fail("an MSRP message over " + std::to_string(max_message_) + " bytes");
          return std::optional<Message>();
        }
        const char f = buffer_[hit + marker.size()];
        if ((f == '$' || f == '+' || f == '#') && buffer_.compare(hit + marker.size() + 1, 2, kCrlf) == 0) {
          m.body = hit >= at ? buffer_.substr(at, hit - at) : std::string();
          m.flag = f;
          at = hit + marker.size() + 3;
          break;
        }
        search = hit + 1;
      }
      break;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return fail("a malformed MSRP header line");
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    m.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  if (!m.header("To-Path") || !m.header("From-Path")) return fail("an MSRP message needs To-Path and From-Path");
  buffer_.erase(0, at);
  return std::optional<Message>(std::move(m));
}

void readdress(Message& m, const Side& out) {
  std::string to;
  for (const std::string& u : out.peer_path) to += (to.empty() ? "" : " ") + u;
  m.set_header("To-Path", to);
  m.set_header("From-Path", out.our_uri);
}

std::string uri(std::string_view host, uint16_t port, std::string_view session_id, bool tls) {
  std::string h(host);
  if (h.find(':') != std::string::npos) h = "[" + h + "]";  // IPv6
  return std::string(tls ? "msrps://" : "msrp://") + h + ":" + std::to_string(port) + "/" + std::string(session_id) +
         ";tcp";
}

void set_path(sdp::MediaDescription& m, const std::string& our_uri) { m.set_attribute("path", our_uri); }

}  // namespace mediasec::media::msrp
