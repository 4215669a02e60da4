// The keys of one direction of an offloaded session and the two record sequences that run under
// them: the wire's (the device slot's) and OpenSSL's (which stops advancing once application data
// bypasses it). Records of other content types cross between the two sequences by being
// re-protected on the device with a scratch slot set to OpenSSL's number (docs/tls-offload.md).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/result.h"
#include "drivers/device.h"
#include "drivers/key_slot.h"
#include "host/tls/key_log.h"

namespace mediasec::tls {

class DirectionKeys {
 public:
  DirectionKeys() = default;
  DirectionKeys(const DirectionKeys&) = delete;
  DirectionKeys& operator=(const DirectionKeys&) = delete;
  ~DirectionKeys() { clear(); }

  // Loads `config` (any direction; the wire slot gets `wire_op`) with both sequences at `sequence`.
  // `secret` is the TLS 1.3 traffic secret the keys came from (empty for TLS 1.2 and DTLS).
  // The previous wire slot is zeroized. The config is copied; the caller wipes its own.
  Result<void> load(device::SlotPool& pool, const device::SlotConfig& config, device::Op wire_op, uint64_t sequence,
                    SecretBytes secret = {});
  bool loaded() const { return slot_.valid(); }
  // Zeroizes the wire slot and forgets the keys.
  void clear();

  uint32_t slot_index() const { return slot_.index(); }
  device::Cipher cipher() const { return config_.cipher; }
  const SecretBytes& secret() const { return secret_; }
  uint64_t openssl_sequence() const { return openssl_seq_; }

  // One record on the wire slot (advances the wire sequence).
  Result<device::Completion> run_wire(device::Job job);
  // Several records on the wire slot, completions in submission order.
  Result<std::vector<device::Completion>> run_wire(std::vector<device::Job> jobs);

  // `op` on a scratch slot holding these keys at OpenSSL's sequence number, which then advances.
  // Inbound: protect a record the peer sent so OpenSSL accepts it. Outbound: unprotect a record
  // OpenSSL wrote. The scratch slot is zeroized before this returns.
  Result<device::Completion> run_at_openssl_sequence(device::Op op, uint8_t content_type, std::vector<uint8_t> input);

 private:
  device::SlotPool* pool_ = nullptr;
  device::SlotConfig config_{};  // secret: wiped by clear()
  SecretBytes secret_;
  device::KeySlot slot_;
  uint64_t openssl_seq_ = 0;
};

}  // namespace mediasec::tls
