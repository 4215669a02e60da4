#include "host/h248/message.h"

namespace mediasec::h248 {

bool TerminationId::is_root() const {
  if (name.size() != 4) return false;
  for (size_t i = 0; i < 4; ++i) {
    char c = name[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != "ROOT"[i]) return false;
  }
  return true;
}

bool TerminationId::has_wildcard() const { return name.find_first_of("*$") != std::string::npos; }

bool TerminationId::is_choose() const { return name.find('$') != std::string::npos; }

}  // namespace mediasec::h248
