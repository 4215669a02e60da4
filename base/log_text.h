// Text from the wire made safe for a log line: every byte outside printable ASCII, and the
// backslash, written as an escape (\n, \r, \t, \\, \xNN), so a peer can neither break a line nor
// forge one, and what it sent stays readable.
#pragma once

#include <string>
#include <string_view>

namespace mediasec {

inline std::string log_text(std::string_view wire) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(wire.size());
  for (const char ch : wire) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\\': out += "\\\\"; break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          out.push_back(ch);
        } else {
          out += "\\x";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xf]);
        }
    }
  }
  return out;
}

}  // namespace mediasec
