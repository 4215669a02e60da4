// Character classes of the H.248.1 text encoding (Annex B), shared by the decoder and encoder.
#pragma once

#include <string_view>

namespace mediasec::h248 {

namespace detail {
struct SafeCharTable {
  bool safe[256] = {};
  constexpr SafeCharTable() {
    for (int c = 0; c < 256; ++c) {
      const char ch = static_cast<char>(c);
      bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
      for (char extra :
           {'+', '-', '&', '!', '_', '/', '\'', '?', '@', '^', '`', '~', '*', '$', '\\', '(', ')', '%', '|', '.'})
        ok = ok || ch == extra;
      safe[c] = ok;
    }
  }
};
inline constexpr SafeCharTable kSafeChars{};
}  // namespace detail

// SafeChar = DIGIT / ALPHA / "+" / "-" / "&" / "!" / "_" / "/" / "'" / "?" / "@" / "^" / "`" /
//            "~" / "*" / "$" / "\" / "(" / ")" / "%" / "|" / "."
constexpr bool is_safe_char(char c) { return detail::kSafeChars.safe[static_cast<unsigned char>(c)]; }

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
