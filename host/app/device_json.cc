#include "host/app/device_json.h"

namespace mediasec::app {

nlohmann::json identity_json(const device::Identity& id) {
  return {{"backend", id.backend},
          {"id", id.id_magic},
          {"version", id.version},
          {"build", id.build},
          {"key_slots", id.key_slots},
          {"lanes", id.lanes},
          {"suites", {{"aes128", id.aes128}, {"aes256", id.aes256}}},
          {"framings", {{"tls1.2", id.tls12}, {"tls1.3", id.tls13}, {"dtls1.2", id.dtls12}, {"raw", id.raw}}}};
}

nlohmann::json counters_json(const device::Counters& c) {
  return {{"records", c.records}, {"bytes", c.bytes}, {"auth_failures", c.auth_failures}, {"errors", c.errors}};
}

}  // namespace mediasec::app
