// Character classes of the H.248.1 text encoding (Annex B), shared by the decoder and encoder.
#pragma once

#include <string_view>

namespace mediasec::h248 {

// SafeChar = DIGIT / ALPHA / "+" / "-" / "&" / "!" / "_" / "/" / "'" / "?" / "@" / "^" / "`" /
//            "~" / "*" / "$" / "\" / "(" / ")" / "%" / "|" / "."
constexpr bool is_safe_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '+': case '-': case '&': case '!': case '_': case '/': case '\'': case '?': case '@':
    case '^': case '`': case '~': case '*': case '$': case '\\': case '(': case ')': case '%':
    case '|': case '.':
      return true;
    default:
      return false;
  }
}

// A VALUE may be written bare when it is one or more SafeChars; otherwise it is quoted.
constexpr bool is_bare_value(std::string_view v) {
  if (v.empty()) return false;
  for (char c : v)
    if (!is_safe_char(c)) return false;
  return true;
}

// What a quoted string may hold: printable characters and white space other than DQUOTE.
constexpr bool is_quotable(std::string_view v) {
  for (char c : v)
    if (c == '"' || c == '\0' || c == '\r' || c == '\n') return false;
  return true;
}

}  // namespace mediasec::h248
