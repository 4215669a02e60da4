#include "drivers/engine_control.h"

#include <array>

namespace mediasec::device {
namespace {

uint32_t be32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 | static_cast<uint32_t>(p[2]) << 8 |
         p[3];
}

std::string hex32(uint32_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s = "0x";
  for (int shift = 28; shift >= 0; shift -= 4) s.push_back(kDigits[(v >> shift) & 0xF]);
  return s;
}

}  // namespace

Result<Identity> EngineControl::read_identity(const std::string& backend) {
  Identity id;
  id.backend = backend;
  id.id_magic = bus_.read32(regs::kId);
  if (id.id_magic != regs::kIdMagic) {
    return make_error(ErrorCode::kDeviceError, "record engine ID register reads " + hex32(id.id_magic) + ", expected " +
                                                   hex32(regs::kIdMagic) + " ('MSEC')");
  }
  id.version = bus_.read32(regs::kVersion);
  if (regs::version::kMajor.get(id.version) != regs::version::kMajor.get(regs::kRegmapVersion)) {
    return make_error(ErrorCode::kDeviceError, "record engine register map version " + hex32(id.version) +
                                                   " is incompatible with this driver's " +
                                                   hex32(regs::kRegmapVersion));
  }
  id.build = bus_.read32(regs::kBuild);
  const uint32_t caps = bus_.read32(regs::kCaps);
  const auto slots_log2 = static_cast<uint32_t>(regs::caps::kSlotsLog2.get(caps));
  id.key_slots = slots_log2 >= 31 ? 0 : 1u << slots_log2;
  id.lanes = static_cast<uint32_t>(regs::caps::kLanes.get(caps));
  id.aes128 = regs::caps::kAes128.get(caps) != 0;
  id.aes256 = regs::caps::kAes256.get(caps) != 0;
  id.tls12 = regs::caps::kTls12.get(caps) != 0;
  id.tls13 = regs::caps::kTls13.get(caps) != 0;
  id.dtls12 = regs::caps::kDtls12.get(caps) != 0;
  id.raw = regs::caps::kRaw.get(caps) != 0;
  slots_ = id.key_slots;
  return id;
}

Result<uint32_t> EngineControl::wait_idle(const char* what) {
  uint32_t status = 0;
  for (uint32_t i = 0; i < max_polls_; ++i) {
    status = bus_.read32(regs::kStatus);
    if (regs::status::kBusy.get(status) == 0) return status;
  }
  return make_error(ErrorCode::kDeviceError, std::string("record engine still busy after ") +
                                                 std::to_string(max_polls_) + " STATUS polls (" + what +
                                                 "); STATUS = " + hex32(status));
}

Result<void> EngineControl::check_slot(uint32_t slot) const {
  if (slot >= slots_) {
    return make_error(ErrorCode::kInvalidArgument,
                      "key slot " + std::to_string(slot) + " out of range (device has " + std::to_string(slots_) + ")");
  }
  return ok_result();
}

Result<void> EngineControl::slot_command(uint32_t slot, regs::SlotCmd cmd, const char* what) {
  bus_.write32(regs::kSlotSel, slot);
  bus_.write32(regs::kSlotCmd, static_cast<uint32_t>(cmd));
  auto status = wait_idle(what);
  if (!status) return status.error();
  if (regs::status::kCmdError.get(*status) != 0) {
    return make_error(ErrorCode::kDeviceError, std::string("record engine rejected ") + what + " of slot " +
                                                   std::to_string(slot) + " (STATUS.cmd_error)");
  }
  return ok_result();
}

Result<void> EngineControl::load_slot(uint32_t slot, const SlotConfig& config) {
  if (auto r = check_slot(slot); !r) return r;
  if (auto r = wait_idle("before LOAD"); !r) return r.error();
  const bool key256 = config.cipher == Cipher::kAes256Gcm;
  uint32_t cfg = 0;
  cfg = static_cast<uint32_t>(regs::slot_cfg::kKey256.put(cfg, key256 ? 1 : 0));
  cfg = static_cast<uint32_t>(regs::slot_cfg::kFraming.put(cfg, static_cast<uint32_t>(config.framing)));
  cfg = static_cast<uint32_t>(regs::slot_cfg::kDir.put(cfg, static_cast<uint32_t>(config.direction)));
  bus_.write32(regs::kSlotCfg, cfg);
  uint64_t seq = config.sequence;
  if (config.framing == Framing::kDtls12) seq &= (1ull << 48) - 1;
  bus_.write32(regs::kSeqLo, static_cast<uint32_t>(seq));
  bus_.write32(regs::kSeqHi, static_cast<uint32_t>(seq >> 32));
  bus_.write32(regs::kEpoch, config.epoch);
  const size_t key_words = key256 ? 8 : 4;
  for (size_t i = 0; i < 8; ++i) {
    bus_.write32(regs::kKey0 + static_cast<uint32_t>(4 * i), i < key_words ? be32(&config.key[4 * i]) : 0);
  }
  for (size_t i = 0; i < 3; ++i) bus_.write32(regs::kIv0 + static_cast<uint32_t>(4 * i), be32(&config.iv[4 * i]));
  auto r = slot_command(slot, regs::SlotCmd::kLoad, "LOAD");
  // The staging registers are write-only, but clear them anyway: no key stays in the register block.
  for (uint32_t i = 0; i < 8; ++i) bus_.write32(regs::kKey0 + 4 * i, 0);
  for (uint32_t i = 0; i < 3; ++i) bus_.write32(regs::kIv0 + 4 * i, 0);
  return r;
}

Result<void> EngineControl::zeroize_slot(uint32_t slot) {
  if (auto r = check_slot(slot); !r) return r;
  if (auto r = wait_idle("before ZEROIZE"); !r) return r.error();
  return slot_command(slot, regs::SlotCmd::kZeroize, "ZEROIZE");
}

Result<SlotState> EngineControl::read_slot(uint32_t slot) {
  if (auto r = check_slot(slot); !r) return r.error();
  if (auto r = wait_idle("before READ"); !r) return r.error();
  if (auto r = slot_command(slot, regs::SlotCmd::kRead, "READ"); !r) return r.error();
  SlotState st;
  const uint32_t flags = bus_.read32(regs::kRdFlags);
  st.valid = regs::rd_flags::kValid.get(flags) != 0;
  st.cipher = regs::rd_flags::kKey256.get(flags) != 0 ? Cipher::kAes256Gcm : Cipher::kAes128Gcm;
  st.framing = static_cast<Framing>(regs::rd_flags::kFraming.get(flags));
  st.direction = static_cast<Op>(regs::rd_flags::kDir.get(flags));
  st.sequence = read64(regs::kRdSeqLo, regs::kRdSeqHi);
  st.epoch = static_cast<uint16_t>(bus_.read32(regs::kRdEpoch));
  st.counters.records = bus_.read32(regs::kRdRecords);
  st.counters.bytes = read64(regs::kRdBytesLo, regs::kRdBytesHi);
  st.counters.auth_failures = bus_.read32(regs::kRdAuthFail);
  st.counters.errors = 0;
  return st;
}

uint64_t EngineControl::read64(uint32_t lo, uint32_t hi) {
  const uint64_t l = bus_.read32(lo);
  const uint64_t h = bus_.read32(hi);
  return h << 32 | l;
}

Result<Counters> EngineControl::counters() {
  Counters c;
  c.records = read64(regs::kTotalRecordsLo, regs::kTotalRecordsHi);
  c.bytes = read64(regs::kTotalBytesLo, regs::kTotalBytesHi);
  c.auth_failures = bus_.read32(regs::kTotalAuthFail);
  c.errors = bus_.read32(regs::kTotalErrors);
  return c;
}

Result<void> EngineControl::clear_counters() {
  if (auto r = wait_idle("before clearing counters"); !r) return r.error();
  bus_.write32(regs::kCtrl, static_cast<uint32_t>(regs::ctrl::kClearCounters.put(0, 1)));
  if (auto r = wait_idle("clearing counters"); !r) return r.error();
  return ok_result();
}

Result<void> EngineControl::hardware_self_test() {
  if (auto r = wait_idle("before self-test"); !r) return r.error();
  bus_.write32(regs::kCtrl, static_cast<uint32_t>(regs::ctrl::kSelftest.put(0, 1)));
  uint32_t status = 0;
  for (uint32_t i = 0; i < max_polls_; ++i) {
    status = bus_.read32(regs::kStatus);
    if (regs::status::kBusy.get(status) == 0 && regs::status::kSelftestDone.get(status) != 0) break;
  }
  if (regs::status::kSelftestDone.get(status) == 0 || regs::status::kBusy.get(status) != 0) {
    return make_error(ErrorCode::kDeviceError, "record engine self-test did not finish within " +
                                                   std::to_string(max_polls_) +
                                                   " STATUS polls; STATUS = " + hex32(status));
  }
  if (regs::status::kSelftestPass.get(status) == 0) {
    return make_error(ErrorCode::kDeviceError,
                      "record engine built-in known-answer test FAILED (STATUS = " + hex32(status) + ")");
  }
  return ok_result();
}

Result<void> EngineControl::reset() {
  bus_.write32(regs::kCtrl, static_cast<uint32_t>(regs::ctrl::kReset.put(0, 1)));
  if (auto r = wait_idle("reset"); !r) return r.error();
  return ok_result();
}

uint64_t EngineControl::cycles() { return read64(regs::kCyclesLo, regs::kCyclesHi); }

}  // namespace mediasec::device
