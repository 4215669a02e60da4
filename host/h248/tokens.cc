#include "host/h248/tokens.h"

#include <array>

#include "base/ascii.h"

namespace mediasec::h248 {
namespace {

struct Spelling {
  std::string_view pretty;
  std::string_view compact;
};

constexpr std::array kSpellings = {
#define MEDIASEC_H248_SPELLING(name, pretty, compact) Spelling{pretty, compact},
    MEDIASEC_H248_TOKENS(MEDIASEC_H248_SPELLING)
#undef MEDIASEC_H248_SPELLING
};

constexpr size_t kLongestToken = 24;
constexpr size_t kSlots = 1024;  // power of two, well above twice the number of spellings

size_t slot_of(std::string_view word) {
  // Length and the first, second and last characters, lower-cased: cheap and spreads the ~250
  // spellings well; collisions are resolved by linear probing.
  const size_t n = word.size();
  size_t h = n * 0x9e37u;
  h ^= static_cast<size_t>(ascii_lower(word[0])) * 131u;
  h ^= static_cast<size_t>(ascii_lower(word[n - 1])) * 17u;
  if (n > 1) h ^= static_cast<size_t>(ascii_lower(word[1])) * 1031u;
  return (h ^ (h >> 7)) & (kSlots - 1);
}

// Both spellings of every token, lower-cased, in an open-addressing table built once and
// read-only afterwards. Keyword lookup is on the decoder's hot path.
class TokenTable {
 public:
  TokenTable() {
    for (size_t i = 0; i < kSpellings.size(); ++i) {
      add(kSpellings[i].pretty, static_cast<Token>(i));
      add(kSpellings[i].compact, static_cast<Token>(i));
    }
    add("EmergencyOffToken", Token::kEmergencyOff);
  }

  std::optional<Token> find(std::string_view word) const {
    if (word.empty() || word.size() > kLongestToken) return std::nullopt;
    if (word[0] >= '0' && word[0] <= '9') return std::nullopt;  // IDs and values, never keywords
    for (size_t s = slot_of(word);; s = (s + 1) & (kSlots - 1)) {
      const Entry& e = slots_[s];
      if (e.length == 0) return std::nullopt;
      if (e.length == word.size() && equal_lower(word, e.key.data())) return e.token;
    }
  }

 private:
  struct Entry {
    std::array<char, kLongestToken> key{};  // lower-cased
    uint8_t length = 0;                     // 0: empty slot
    Token token{};
  };

  static bool equal_lower(std::string_view word, const char* key) {
    for (size_t i = 0; i < word.size(); ++i)
      if (ascii_lower(word[i]) != key[i]) return false;
    return true;
  }

  void add(std::string_view spelling, Token token) {
    if (find(spelling)) return;  // the same spelling in both forms
    size_t s = slot_of(spelling);
    while (slots_[s].length != 0) s = (s + 1) & (kSlots - 1);
    Entry& e = slots_[s];
    for (size_t i = 0; i < spelling.size(); ++i) e.key[i] = ascii_lower(spelling[i]);
    e.length = static_cast<uint8_t>(spelling.size());
    e.token = token;
  }

  std::array<Entry, kSlots> slots_{};
};

const TokenTable& table() {
  static const TokenTable instance;
  return instance;
}

}  // namespace

std::optional<Token> lookup_token(std::string_view word) { return table().find(word); }

std::string_view spelling(Token token, Form form) {
  const Spelling& s = kSpellings[static_cast<size_t>(token)];
  return form == Form::kPretty ? s.pretty : s.compact;
}

}  // namespace mediasec::h248
