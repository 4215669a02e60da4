#include "host/h248/message.h"

#include "base/ascii.h"

namespace mediasec::h248 {

bool TerminationId::is_root() const { return iequals(name, "ROOT"); }

bool TerminationId::has_wildcard() const { return name.find_first_of("*$") != std::string::npos; }

bool TerminationId::is_choose() const { return name.find('$') != std::string::npos; }

}  // namespace mediasec::h248
