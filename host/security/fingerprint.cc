#include "host/security/fingerprint.h"

#include <openssl/evp.h>

#include <cstdio>

#include "base/ascii.h"

namespace mediasec::security {

std::string Fingerprint::to_string() const {
  std::string out = hash + " ";
  char buf[4];
  for (size_t i = 0; i < digest.size(); ++i) {
    std::snprintf(buf, sizeof buf, i ? ":%02X" : "%02X", digest[i]);
    out += buf;
  }
  return out;
}

const EVP_MD* fingerprint_digest(std::string_view hash) {
  const std::string name = ascii_lowercase(hash);
  if (const EVP_MD* md = EVP_get_digestbyname(name.c_str())) return md;
  std::string without_dash;
  for (char c : name)
    if (c != '-') without_dash.push_back(c);
  return EVP_get_digestbyname(without_dash.c_str());
}

}  // namespace mediasec::security
