#include "host/security/setup_role.h"

namespace mediasec::security {

const char* to_string(Setup s) {
  switch (s) {
    case Setup::kActive: return "active";
    case Setup::kPassive: return "passive";
    case Setup::kActPass: return "actpass";
    case Setup::kHoldConn: return "holdconn";
  }
  return "?";
}

const char* to_string(ConnectionAttr c) { return c == ConnectionAttr::kNew ? "new" : "existing"; }

}  // namespace mediasec::security
