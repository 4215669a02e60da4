#include "host/h248/tokens.h"

#include <array>
#include <string>
#include <unordered_map>
#include <vector>

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

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Both spellings of every token, lower-cased, built once and read-only afterwards.
class TokenTable {
 public:
  TokenTable() {
    keys_.reserve(kSpellings.size() * 2 + 1);
    for (size_t i = 0; i < kSpellings.size(); ++i) {
      add(kSpellings[i].pretty, static_cast<Token>(i));
      add(kSpellings[i].compact, static_cast<Token>(i));
    }
    add("EmergencyOffToken", Token::kEmergencyOff);
  }

  std::optional<Token> find(std::string_view word) const {
    if (word.empty() || word.size() > kLongestToken) return std::nullopt;
    std::array<char, kLongestToken> buffer{};
    for (size_t i = 0; i < word.size(); ++i) buffer[i] = lower(word[i]);
    auto it = map_.find(std::string_view(buffer.data(), word.size()));
    if (it == map_.end()) return std::nullopt;
    return it->second;
  }

 private:
  void add(std::string_view spelling, Token token) {
    std::string key(spelling);
    for (char& c : key) c = lower(c);
    keys_.push_back(std::move(key));
    map_.emplace(keys_.back(), token);
  }

  std::vector<std::string> keys_;  // storage for the map's keys; reserved so views stay valid
  std::unordered_map<std::string_view, Token> map_;
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
