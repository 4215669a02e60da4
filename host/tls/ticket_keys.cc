#include "host/tls/ticket_keys.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>

namespace mediasec::tls {
namespace {
void wipe(TicketKeys::Key& k) { OPENSSL_cleanse(&k, sizeof k); }
}  // namespace

TicketKeys::~TicketKeys() {
  for (Key& k : keys_) wipe(k);
}

void TicketKeys::rotate(Clock::time_point now) {
  std::lock_guard lock(mu_);
  Key k;
  RAND_bytes(k.name.data(), static_cast<int>(k.name.size()));
  RAND_priv_bytes(k.aes.data(), static_cast<int>(k.aes.size()));
  RAND_priv_bytes(k.hmac.data(), static_cast<int>(k.hmac.size()));
  k.created = now;
  keys_.push_front(k);
  wipe(k);
  expire(now);
}

void TicketKeys::expire(Clock::time_point now) {
  // A key encrypts for one period and decrypts for one more.
  while (keys_.size() > 1 && now - keys_.back().created >= 2 * period_) {
    wipe(keys_.back());
    keys_.pop_back();
  }
}

TicketKeys::Key TicketKeys::current(Clock::time_point now) {
  {
    std::lock_guard lock(mu_);
    if (!keys_.empty() && now - keys_.front().created < period_) return keys_.front();
  }
  rotate(now);
  std::lock_guard lock(mu_);
  return keys_.front();
}

std::optional<std::pair<TicketKeys::Key, bool>> TicketKeys::find(const uint8_t* name, Clock::time_point now) {
  std::lock_guard lock(mu_);
  expire(now);
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (std::equal(keys_[i].name.begin(), keys_[i].name.end(), name)) {
      if (now - keys_[i].created >= 2 * period_) return std::nullopt;
      return std::make_pair(keys_[i], i != 0 || now - keys_[i].created >= period_);
    }
  }
  return std::nullopt;
}

size_t TicketKeys::size() const {
  std::lock_guard lock(mu_);
  return keys_.size();
}

}  // namespace mediasec::tls
