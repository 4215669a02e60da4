// The PICS-style table of the packages mediasec supports, generated from the registry so that
// docs/h248-profile.md cannot drift from the code (a test compares them).
#pragma once

#include <string>

#include "host/h248/packages.h"

namespace mediasec::h248 {

std::string packages_markdown(const PackageRegistry& registry);

}  // namespace mediasec::h248
