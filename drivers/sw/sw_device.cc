// The sw backend: docs/record-engine.md implemented on OpenSSL EVP. It is the reference model the
// RTL is compared with, so it follows the contract literally: the same checks in the same order,
// the same statuses, the same sequence-number and counter rules.
#include "drivers/sw/sw_device.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <deque>
#include <optional>
#include <span>

#include "drivers/record_format.h"

namespace mediasec::device {
namespace {

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

using Nonce = std::array<uint8_t, 12>;

void put_be(std::span<uint8_t> out, uint64_t v) {
  for (size_t i = out.size(); i > 0; --i, v >>= 8) out[i - 1] = static_cast<uint8_t>(v);
}

uint64_t get_be(std::span<const uint8_t> in) {
  uint64_t v = 0;
  for (uint8_t b : in) v = (v << 8) | b;
  return v;
}

struct Slot {
  bool valid = false;
  SlotConfig config;
  Counters counters;
  CipherCtx ctx;
};

// One AES-GCM operation on a slot's keyed context. Returns false on a tag mismatch.
// `trailer` (encrypt only, TLS 1.3's inner content type) is one more plaintext byte after `in`;
// out holds in.size() (+1) bytes.
bool gcm(EVP_CIPHER_CTX* ctx, bool encrypt, const Nonce& nonce, std::span<const uint8_t> aad,
         std::span<const uint8_t> in, std::span<uint8_t> out, std::span<uint8_t, kTagBytes> tag,
         const uint8_t* trailer = nullptr) {
  int n = 0;
  if (EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data(), encrypt ? 1 : 0) != 1) return false;
  if (!aad.empty() && EVP_CipherUpdate(ctx, nullptr, &n, aad.data(), static_cast<int>(aad.size())) != 1) return false;
  if (!in.empty() && EVP_CipherUpdate(ctx, out.data(), &n, in.data(), static_cast<int>(in.size())) != 1) return false;
  const size_t done = in.size() + (trailer != nullptr ? 1 : 0);
  if (trailer != nullptr && EVP_CipherUpdate(ctx, out.data() + in.size(), &n, trailer, 1) != 1) return false;
  if (!encrypt && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) != 1) return false;
  if (EVP_CipherFinal_ex(ctx, out.data() + done, &n) != 1) return false;
  if (encrypt && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kTagBytes, tag.data()) != 1) return false;
  return true;
}

Nonce xor_nonce(const std::array<uint8_t, 12>& iv, uint64_t seq) {
  Nonce n = iv;
  for (int i = 0; i < 8; ++i) n[11 - i] ^= static_cast<uint8_t>(seq >> (8 * i));
  return n;
}

Nonce salt_nonce(const std::array<uint8_t, 12>& iv, std::span<const uint8_t> explicit_nonce) {
  Nonce n{};
  std::copy_n(iv.begin(), 4, n.begin());
  std::copy_n(explicit_nonce.begin(), 8, n.begin() + 4);
  return n;
}

class SwDevice final : public Device {
 public:
  explicit SwDevice(uint32_t slots) : slots_(slots) {
    identity_.backend = "sw";
    identity_.id_magic = regs::kIdMagic;
    identity_.version = regs::kRegmapVersion;
    identity_.build = 0;
    identity_.key_slots = slots;
    identity_.lanes = 1;
    identity_.aes128 = identity_.aes256 = true;
    identity_.tls12 = identity_.tls13 = identity_.dtls12 = identity_.raw = true;
  }
  ~SwDevice() override {
    for (auto& s : slots_) secure_wipe(s.config);
  }

  const Identity& identity() const override { return identity_; }

  Result<void> load_slot(uint32_t slot, const SlotConfig& config) override {
    if (slot >= slots_.size())
      return make_error(ErrorCode::kInvalidArgument, "slot " + std::to_string(slot) + " out of range");
    Slot& s = slots_[slot];
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    const EVP_CIPHER* cipher = config.cipher == Cipher::kAes128Gcm ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
    if (!ctx || EVP_CipherInit_ex(ctx.get(), cipher, nullptr, config.key.data(), nullptr, 1) != 1) {
      return make_error(ErrorCode::kDeviceError, "OpenSSL could not key an AES-GCM context");
    }
    s.ctx = std::move(ctx);
    s.config = config;
    s.config.sequence &= sequence_mask(config.framing);
    s.counters = {};
    s.valid = true;
    return ok_result();
  }

  Result<void> zeroize_slot(uint32_t slot) override {
    if (slot >= slots_.size())
      return make_error(ErrorCode::kInvalidArgument, "slot " + std::to_string(slot) + " out of range");
    Slot& s = slots_[slot];
    secure_wipe(s.config);  // EVP_CIPHER_CTX_free cleanses the key schedule
    s.config = SlotConfig{};
    s.ctx.reset();
    s.counters = {};
    s.valid = false;
    return ok_result();
  }

  Result<SlotState> read_slot(uint32_t slot) override {
    if (slot >= slots_.size())
      return make_error(ErrorCode::kInvalidArgument, "slot " + std::to_string(slot) + " out of range");
    const Slot& s = slots_[slot];
    SlotState st;
    st.valid = s.valid;
    if (s.valid) {
      st.cipher = s.config.cipher;
      st.framing = s.config.framing;
      st.direction = s.config.direction;
      st.sequence = s.config.sequence;
      st.epoch = s.config.epoch;
    }
    st.counters = s.counters;
    return st;
  }

  Result<void> submit(std::vector<Job>&& jobs) override {
    for (auto& j : jobs) done_.push_back(process(j));
    return ok_result();
  }

  std::vector<Completion> poll(size_t max_completions) override {
    std::vector<Completion> out;
    while (!done_.empty() && out.size() < max_completions) {
      out.push_back(std::move(done_.front()));
      done_.pop_front();
    }
    return out;
  }

  size_t in_flight() const override { return done_.size(); }

  Result<Counters> counters() override { return total_; }

  Result<void> self_test() override {
    // GCM specification test case 2: zero key, zero IV, one zero block.
    static constexpr std::array<uint8_t, 16> kCipher = {0x03, 0x88, 0xda, 0xce, 0x60, 0xb6, 0xa3, 0x92,
                                                        0xf3, 0x28, 0xc2, 0xb9, 0x71, 0xb2, 0xfe, 0x78};
    static constexpr std::array<uint8_t, 16> kTag = {0xab, 0x6e, 0x47, 0xd4, 0x2c, 0xec, 0x13, 0xbd,
                                                     0xf5, 0x3a, 0x67, 0xb2, 0x12, 0x57, 0xbd, 0xdf};
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    const std::array<uint8_t, 16> key{};
    if (!ctx || EVP_CipherInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, key.data(), nullptr, 1) != 1) {
      return make_error(ErrorCode::kDeviceError, "self-test: OpenSSL could not key AES-128-GCM");
    }
    std::array<uint8_t, 16> zero{}, out{}, back{};
    std::array<uint8_t, 16> tag{};
    if (!gcm(ctx.get(), true, Nonce{}, {}, zero, out, tag) || out != kCipher || tag != kTag) {
      return make_error(ErrorCode::kDeviceError, "self-test: AES-128-GCM known answer mismatch");
    }
    if (!gcm(ctx.get(), false, Nonce{}, {}, out, back, tag) || back != zero) {
      return make_error(ErrorCode::kDeviceError, "self-test: AES-128-GCM known answer did not open");
    }
    tag[0] ^= 1;
    if (gcm(ctx.get(), false, Nonce{}, {}, out, back, tag)) {
      return make_error(ErrorCode::kDeviceError, "self-test: a forged tag was accepted");
    }
    return ok_result();
  }

  Result<void> reset() override {
    done_.clear();
    for (uint32_t i = 0; i < slots_.size(); ++i) (void)zeroize_slot(i);
    total_ = {};
    return ok_result();
  }

 private:
  static uint64_t sequence_mask(Framing f) { return f == Framing::kDtls12 ? (uint64_t{1} << 48) - 1 : ~uint64_t{0}; }

  Completion process(const Job& job) {
    Completion c{.cookie = job.cookie, .slot = job.slot, .status = Status::kOk, .content_type = 0, .output = {}};
    if (job.slot >= slots_.size() || !slots_[job.slot].valid) return finish(c, nullptr, Status::kBadSlot);
    Slot& s = slots_[job.slot];
    if (job.op != s.config.direction) return finish(c, nullptr, Status::kBadDirection);
    const uint64_t seq = s.config.sequence;
    s.config.sequence = (seq + 1) & sequence_mask(s.config.framing);
    const Status st = job.op == Op::kProtect ? protect(s, seq, job, c) : unprotect(s, seq, job, c);
    if (st != Status::kOk && c.wrote_into) {
      secure_wipe(job.output_into.data(), job.output_into.size());  // unauthenticated plaintext
      c.wrote_into = false;
      c.output_length = 0;
    }
    return finish(c, &s, st);
  }

  Completion finish(Completion& c, Slot* s, Status st) {
    c.status = st;
    if (st != Status::kOk) {
      secure_wipe(c.output.data(), c.output.size());
      c.output.clear();
      c.content_type = 0;
    }
    auto count = [&](Counters& k, bool total) {
      if (st == Status::kOk) {
        ++k.records;
        k.bytes += bytes_;
      } else if (st == Status::kAuthFail) {
        ++k.auth_failures;
      } else if (total) {
        ++k.errors;
      }
    };
    count(total_, true);
    if (s != nullptr) count(s->counters, false);
    return std::move(c);
  }

  Status protect(Slot& s, uint64_t seq, const Job& job, Completion& c) {
    const SlotConfig& k = s.config;
    const std::span<const uint8_t> in = job.bytes();
    const Framing f = k.framing;
    size_t aad_len = 0;
    if (f == Framing::kRaw) {
      if (job.aad_len > in.size()) return Status::kBadLength;
      aad_len = job.aad_len;
    }
    const size_t L = in.size() - aad_len;
    if (L > max_plaintext(f)) return Status::kBadLength;
    bytes_ = L;
    const uint8_t type = job.content_type;
    std::array<uint8_t, 13> aad{};
    std::array<uint8_t, kTagBytes> tag{};
    Nonce nonce{};
    std::span<const uint8_t> aad_span;
    std::vector<uint8_t>& out = c.output;
    switch (f) {
      case Framing::kTls12: {
        out.resize(L + record_overhead(f));
        out[0] = type;
        put_be({&out[1], 2}, kTlsVersion12);
        put_be({&out[3], 2}, L + kExplicitNonceBytes + kTagBytes);
        put_be({&out[5], 8}, seq);
        nonce = salt_nonce(k.iv, {&out[5], 8});
        put_be({&aad[0], 8}, seq);
        aad[8] = type;
        put_be({&aad[9], 2}, kTlsVersion12);
        put_be({&aad[11], 2}, L);
        aad_span = aad;
        if (!gcm(s.ctx.get(), true, nonce, aad_span, in, {&out[13], L},
                 std::span<uint8_t, kTagBytes>(&out[13 + L], kTagBytes)))
          return Status::kBadLength;
        return Status::kOk;
      }
      case Framing::kTls13: {
        out.resize(L + record_overhead(f));
        out[0] = kContentApplicationData;
        put_be({&out[1], 2}, kTlsVersion12);
        put_be({&out[3], 2}, L + 1 + kTagBytes);
        nonce = xor_nonce(k.iv, seq);
        // The inner plaintext is P || type: the type byte is encrypted right after P.
        const bool ok = gcm(s.ctx.get(), true, nonce, {&out[0], 5}, in, {&out[5], L + 1},
                            std::span<uint8_t, kTagBytes>(&out[6 + L], kTagBytes), &type);
        return ok ? Status::kOk : Status::kBadLength;
      }
      case Framing::kDtls12: {
        out.resize(L + record_overhead(f));
        out[0] = type;
        put_be({&out[1], 2}, kDtlsVersion12);
        put_be({&out[3], 2}, k.epoch);
        put_be({&out[5], 6}, seq);
        put_be({&out[11], 2}, L + kExplicitNonceBytes + kTagBytes);
        std::copy_n(&out[3], 8, &out[13]);
        nonce = salt_nonce(k.iv, {&out[13], 8});
        std::copy_n(&out[3], 8, aad.begin());
        aad[8] = type;
        put_be({&aad[9], 2}, kDtlsVersion12);
        put_be({&aad[11], 2}, L);
        if (!gcm(s.ctx.get(), true, nonce, aad, in, {&out[21], L},
                 std::span<uint8_t, kTagBytes>(&out[21 + L], kTagBytes)))
          return Status::kBadLength;
        return Status::kOk;
      }
      case Framing::kRaw: {
        out.resize(L + kTagBytes);
        nonce = xor_nonce(k.iv, seq);
        if (!gcm(s.ctx.get(), true, nonce, in.first(aad_len), in.subspan(aad_len), {out.data(), L},
                 std::span<uint8_t, kTagBytes>(&out[L], kTagBytes))) {
          return Status::kBadLength;
        }
        (void)tag;
        return Status::kOk;
      }
    }
    return Status::kBadRecord;
  }

  Status unprotect(Slot& s, uint64_t seq, const Job& job, Completion& c) {
    const SlotConfig& k = s.config;
    const std::span<const uint8_t> r = job.bytes();
    const size_t n = r.size();
    const Framing f = k.framing;
    std::array<uint8_t, 13> aad{};
    std::array<uint8_t, kTagBytes> tag{};
    bytes_ = 0;
    // The plaintext: in the caller's buffer when it gave one (no allocation), else a new output.
    std::span<uint8_t> out;
    auto open = [&](const Nonce& nonce, std::span<const uint8_t> a, std::span<const uint8_t> ct) {
      std::copy_n(ct.data() + ct.size(), kTagBytes, tag.begin());
      if (job.output_into.size() >= ct.size()) {
        out = job.output_into.first(ct.size());
        c.wrote_into = true;
        c.output_length = ct.size();
      } else {
        c.output.resize(ct.size());
        out = c.output;
      }
      return gcm(s.ctx.get(), false, nonce, a, ct, out, tag);
    };
    auto keep = [&](size_t length) {  // the plaintext's length after the inner content type
      if (c.wrote_into) {
        c.output_length = length;
      } else {
        c.output.resize(length);
      }
    };
    switch (f) {
      case Framing::kTls12: {
        if (n < record_overhead(f)) return Status::kBadLength;
        if (get_be(r.subspan(1, 2)) != kTlsVersion12 || get_be(r.subspan(3, 2)) != n - 5) return Status::kBadRecord;
        const size_t L = n - record_overhead(f);
        if (L > kMaxDataBytes) return Status::kBadLength;
        put_be({&aad[0], 8}, seq);
        aad[8] = r[0];
        put_be({&aad[9], 2}, kTlsVersion12);
        put_be({&aad[11], 2}, L);
        if (!open(salt_nonce(k.iv, r.subspan(5, 8)), aad, r.subspan(13, L))) return Status::kAuthFail;
        c.content_type = r[0];
        bytes_ = L;
        return Status::kOk;
      }
      case Framing::kTls13: {
        if (n < record_overhead(f)) return Status::kBadLength;
        if (r[0] != kContentApplicationData || get_be(r.subspan(1, 2)) != kTlsVersion12 ||
            get_be(r.subspan(3, 2)) != n - 5) {
          return Status::kBadRecord;
        }
        const size_t D = n - 5 - kTagBytes;
        if (D > kMaxDataBytes) return Status::kBadLength;
        if (!open(xor_nonce(k.iv, seq), r.first(5), r.subspan(5, D))) return Status::kAuthFail;
        size_t end = out.size();
        while (end > 0 && out[end - 1] == 0) --end;
        if (end == 0) return Status::kBadRecord;
        c.content_type = out[end - 1];
        keep(end - 1);
        bytes_ = end - 1;
        return Status::kOk;
      }
      case Framing::kDtls12: {
        if (n < record_overhead(f)) return Status::kBadLength;
        if (get_be(r.subspan(1, 2)) != kDtlsVersion12 || get_be(r.subspan(11, 2)) != n - 13) return Status::kBadRecord;
        const size_t L = n - record_overhead(f);
        if (L > kMaxDataBytes) return Status::kBadLength;
        if (get_be(r.subspan(3, 2)) != k.epoch) return Status::kBadEpoch;
        std::copy_n(&r[3], 8, aad.begin());
        aad[8] = r[0];
        put_be({&aad[9], 2}, kDtlsVersion12);
        put_be({&aad[11], 2}, L);
        if (!open(salt_nonce(k.iv, r.subspan(13, 8)), aad, r.subspan(21, L))) return Status::kAuthFail;
        c.content_type = r[0];
        bytes_ = L;
        return Status::kOk;
      }
      case Framing::kRaw: {
        const size_t a = job.aad_len;
        if (n < a + kTagBytes) return Status::kBadLength;
        const size_t L = n - a - kTagBytes;
        if (L > kMaxDataBytes) return Status::kBadLength;
        if (!open(xor_nonce(k.iv, seq), r.first(a), r.subspan(a, L))) return Status::kAuthFail;
        bytes_ = L;
        return Status::kOk;
      }
    }
    return Status::kBadRecord;
  }

  Identity identity_;
  std::vector<Slot> slots_;
  std::deque<Completion> done_;
  Counters total_;
  size_t bytes_ = 0;  // plaintext bytes of the job being finished
};

}  // namespace

Result<std::unique_ptr<Device>> open_sw_device(const SwOptions& options) {
  if (options.key_slots == 0 || options.key_slots > (1u << 16)) {
    return make_error(ErrorCode::kInvalidArgument, "sw backend: slots must be 1..65536");
  }
  return std::unique_ptr<Device>(new SwDevice(options.key_slots));
}

}  // namespace mediasec::device
