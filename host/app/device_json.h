// The device's identity and counters as JSON, the same for mediasecctl talking to a backend and
// for mediasecd's control socket.
#pragma once

#include <nlohmann/json.hpp>

#include "drivers/device.h"

namespace mediasec::app {

nlohmann::json identity_json(const device::Identity& id);
nlohmann::json counters_json(const device::Counters& c);

}  // namespace mediasec::app
