// Record lanes of mediasec_engine end to end: every framing, both key sizes, PROTECT against the
// OpenSSL reference of docs/record-engine.md and UNPROTECT back, lengths around every block
// boundary, back-to-back frames with random stalls on both streams, and the error statuses.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>

#include "Vmediasec_engine.h"
#include "Vmediasec_engine_l4.h"
#include "tests/rtl/record/engine_tb.h"

namespace mediasec::tb {
namespace {

using Tb = EngineTb<Vmediasec_engine, 1>;

uint32_t OutStatus(uint64_t u) { return static_cast<uint32_t>(r::out_user::kStatus.get(u)); }
uint32_t OutLen(uint64_t u) { return static_cast<uint32_t>(r::out_user::kLen.get(u)); }
uint32_t OutCtype(uint64_t u) { return static_cast<uint32_t>(r::out_user::kCtype.get(u)); }

SlotSpec RandomSlot(std::mt19937_64& rng, r::Framing f, bool key256, r::Op dir) {
  SlotSpec s;
  s.framing = f;
  s.key256 = key256;
  s.dir = dir;
  s.seq = rng() & 0xffffffffffffull;
  s.epoch = static_cast<uint16_t>(rng());
  for (auto& b : s.key) b = static_cast<uint8_t>(rng());
  if (!key256) std::fill(s.key.begin() + 16, s.key.end(), 0);
  for (auto& b : s.iv) b = static_cast<uint8_t>(rng());
  return s;
}

Bytes RandomBytes(std::mt19937_64& rng, size_t n) {
  Bytes b(n);
  for (auto& x : b) x = static_cast<uint8_t>(rng());
  return b;
}

struct Case {
  r::Framing framing;
  bool key256;
};

std::string CaseName(const ::testing::TestParamInfo<Case>& info) {
  static constexpr const char* kNames[] = {"tls12", "tls13", "dtls12", "raw"};
  return std::string(kNames[static_cast<int>(info.param.framing)]) + (info.param.key256 ? "_256" : "_128");
}

class RecordStreamTest : public ::testing::TestWithParam<Case> {};

TEST_P(RecordStreamTest, ProtectMatchesReferenceAndUnprotectInverts) {
  const Case c = GetParam();
  const uint64_t seed =
      std::getenv("MEDIASEC_TEST_SEED") ? std::strtoull(std::getenv("MEDIASEC_TEST_SEED"), nullptr, 0) : 7;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  Tb tb;
  tb.set_stalls(true, true);
  SlotSpec tx = RandomSlot(rng, c.framing, c.key256, r::Op::kProtect);
  SlotSpec rx = tx;
  rx.dir = r::Op::kUnprotect;
  tb.Load(1, tx);
  tb.Load(2, rx);

  std::vector<size_t> lengths = {0, 1, 15, 16, 17, 31, 32, 33, 100, 255, 256, 1000, 1024};
  for (int i = 0; i < 12; ++i) lengths.push_back(rng() % 2000);
  lengths.push_back(c.framing == r::Framing::kTls13 ? 16639 : 16640);
  std::vector<Bytes> plain;
  std::vector<Bytes> expect;
  std::vector<size_t> aad_lens;
  for (size_t k = 0; k < lengths.size(); ++k) {
    const size_t aad = c.framing == r::Framing::kRaw ? rng() % 40 : 0;
    Bytes p = RandomBytes(rng, lengths[k] + aad);
    const uint8_t ctype = c.framing == r::Framing::kRaw ? 0 : static_cast<uint8_t>(20 + rng() % 4);
    expect.push_back(RefProtect(tx, tx.seq + k, ctype, p, aad));
    tb.Submit(0, Frame{p, InUser(1, r::Op::kProtect, ctype, p.size(), aad)});
    plain.push_back(p);
    aad_lens.push_back(aad);
  }
  auto out = tb.Collect(0, lengths.size());
  ASSERT_EQ(out.size(), lengths.size());
  for (size_t k = 0; k < out.size(); ++k) {
    SCOPED_TRACE("record " + std::to_string(k) + " length " + std::to_string(lengths[k]));
    EXPECT_EQ(OutStatus(out[k].tuser), 0u);
    EXPECT_EQ(OutLen(out[k].tuser), expect[k].size()) << "aad " << aad_lens[k];
    EXPECT_TRUE(out[k].keep_ok);
    EXPECT_EQ(out[k].bytes, expect[k]);
  }
  // Unprotect the reference records on the receive slot.
  for (size_t k = 0; k < expect.size(); ++k) {
    Bytes in = expect[k];
    if (c.framing == r::Framing::kRaw) in.insert(in.begin(), plain[k].begin(), plain[k].begin() + aad_lens[k]);
    tb.Submit(0, Frame{in, InUser(2, r::Op::kUnprotect, 0, in.size(), aad_lens[k])});
  }
  auto back = tb.Collect(0, expect.size());
  ASSERT_EQ(back.size(), expect.size());
  for (size_t k = 0; k < back.size(); ++k) {
    SCOPED_TRACE("record " + std::to_string(k) + " length " + std::to_string(lengths[k]));
    EXPECT_EQ(OutStatus(back[k].tuser), 0u);
    Bytes want(plain[k].begin() + aad_lens[k], plain[k].end());
    EXPECT_EQ(back[k].bytes, want);
    EXPECT_EQ(OutLen(back[k].tuser), want.size());
    if (c.framing != r::Framing::kRaw) {
      EXPECT_GE(OutCtype(back[k].tuser), 20u);
    }
  }
}

// One frame in, one frame out: status, and for a failure nothing but one empty beat.
struct Verdict {
  uint32_t status;
  OutFrame frame;
};

Verdict RunOne(Tb& tb, const Bytes& in, uint64_t tuser) {
  tb.Submit(0, Frame{in, tuser});
  auto out = tb.Collect(0, 1);
  if (out.size() != 1) return Verdict{99, {}};
  return Verdict{OutStatus(out[0].tuser), out[0]};
}

void ExpectRefused(const Verdict& v, r::Status want) {
  EXPECT_EQ(v.status, static_cast<uint32_t>(want));
  EXPECT_TRUE(v.frame.bytes.empty());
  EXPECT_EQ(v.frame.beats, 1);
  EXPECT_EQ(OutLen(v.frame.tuser), 0u);
}

TEST(RecordStreamErrors, EveryCheckRefusesAndReleasesNothing) {
  std::mt19937_64 rng(11);
  Tb tb;
  SlotSpec tx = RandomSlot(rng, r::Framing::kTls12, false, r::Op::kProtect);
  SlotSpec rx = tx;
  rx.dir = r::Op::kUnprotect;
  tb.Load(3, tx);
  tb.Load(4, rx);
  SlotSpec d = RandomSlot(rng, r::Framing::kDtls12, true, r::Op::kUnprotect);
  tb.Load(5, d);
  SlotSpec t13 = RandomSlot(rng, r::Framing::kTls13, false, r::Op::kUnprotect);
  tb.Load(6, t13);

  const Bytes p = RandomBytes(rng, 100);
  // Slot out of range, slot never loaded, wrong direction.
  ExpectRefused(RunOne(tb, p, InUser(1024, r::Op::kProtect, 23, p.size())), r::Status::kBadSlot);
  ExpectRefused(RunOne(tb, p, InUser(7, r::Op::kProtect, 23, p.size())), r::Status::kBadSlot);
  ExpectRefused(RunOne(tb, p, InUser(4, r::Op::kProtect, 23, p.size())), r::Status::kBadDirection);
  // tuser.len disagrees with the frame; data too long.
  ExpectRefused(RunOne(tb, p, InUser(3, r::Op::kProtect, 23, p.size() + 1)), r::Status::kBadLength);
  const Bytes big = RandomBytes(rng, 16641);
  ExpectRefused(RunOne(tb, big, InUser(3, r::Op::kProtect, 23, big.size())), r::Status::kBadLength);

  // A good record: sequence numbers of both slots advanced by every job that passed checks 1-2
  // (the two length failures above count on slot 3).
  Bytes rec = RefProtect(tx, tx.seq + 2, 23, p);
  {
    Verdict v = RunOne(tb, p, InUser(3, r::Op::kProtect, 23, p.size()));
    EXPECT_EQ(v.status, 0u);
    EXPECT_EQ(v.frame.bytes, rec);
  }
  // Unprotect: too short, bad version, bad length field, then every bit of the tag and one of the
  // ciphertext and explicit nonce flipped -> AUTH_FAIL.
  ExpectRefused(RunOne(tb, Bytes(rec.begin(), rec.begin() + 28), InUser(4, r::Op::kUnprotect, 0, 28)),
                r::Status::kBadLength);
  Bytes bad = rec;
  bad[2] ^= 1;
  ExpectRefused(RunOne(tb, bad, InUser(4, r::Op::kUnprotect, 0, bad.size())), r::Status::kBadRecord);
  bad = rec;
  bad[4] ^= 1;
  ExpectRefused(RunOne(tb, bad, InUser(4, r::Op::kUnprotect, 0, bad.size())), r::Status::kBadRecord);
  for (size_t pos : {size_t{0}, size_t{6}, size_t{20}, rec.size() - 17, rec.size() - 1}) {
    SCOPED_TRACE("flipped byte " + std::to_string(pos));
    bad = rec;
    bad[pos] ^= 0x80;
    ExpectRefused(RunOne(tb, bad, InUser(4, r::Op::kUnprotect, 0, bad.size())), r::Status::kAuthFail);
  }

  // DTLS: another epoch is BAD_EPOCH.
  SlotSpec dtx = d;
  dtx.dir = r::Op::kProtect;
  Bytes drec = RefProtect(dtx, 9, 22, p);
  Verdict dv = RunOne(tb, drec, InUser(5, r::Op::kUnprotect, 0, drec.size()));
  EXPECT_EQ(dv.status, 0u);
  EXPECT_EQ(dv.frame.bytes, p);
  EXPECT_EQ(OutCtype(dv.frame.tuser), 22u);
  dtx.epoch = static_cast<uint16_t>(d.epoch + 1);
  drec = RefProtect(dtx, 9, 22, p);
  ExpectRefused(RunOne(tb, drec, InUser(5, r::Op::kUnprotect, 0, drec.size())), r::Status::kBadEpoch);

  // TLS 1.3: zero padding after the inner type is removed; an inner plaintext of zeros only is
  // BAD_RECORD.
  SlotSpec t13tx = t13;
  t13tx.dir = r::Op::kProtect;
  Bytes padded = p;
  padded.push_back(21);                   // inner content type
  padded.insert(padded.end(), 37, 0x00);  // padding
  // Build the record by hand: header || AES-GCM(inner) with AAD = header.
  auto seal13 = [&](const Bytes& inner, uint64_t seq) {
    Bytes hdr = {0x17, 0x03, 0x03, static_cast<uint8_t>((inner.size() + 16) >> 8),
                 static_cast<uint8_t>(inner.size() + 16)};
    Bytes ct;
    Gcm(t13tx, XorNonce(t13tx, seq), hdr, inner, false, &ct);
    hdr.insert(hdr.end(), ct.begin(), ct.end());
    return hdr;
  };
  Bytes r13 = seal13(padded, t13.seq);
  Verdict tv = RunOne(tb, r13, InUser(6, r::Op::kUnprotect, 0, r13.size()));
  EXPECT_EQ(tv.status, 0u);
  EXPECT_EQ(tv.frame.bytes, p);
  EXPECT_EQ(OutCtype(tv.frame.tuser), 21u);
  Bytes zeros(40, 0x00);
  r13 = seal13(zeros, t13.seq + 1);
  ExpectRefused(RunOne(tb, r13, InUser(6, r::Op::kUnprotect, 0, r13.size())), r::Status::kBadRecord);

  // Counters: slot 4 saw 5 auth failures, and the READ command reports the next sequence number.
  tb.Write(r::kSlotSel, 4);
  tb.Write(r::kSlotCmd, static_cast<uint32_t>(r::SlotCmd::kRead));
  tb.WaitIdle();
  EXPECT_EQ(tb.Read(r::kRdAuthFail), 5u);
  EXPECT_EQ(tb.Read(r::kRdRecords), 0u);
  EXPECT_EQ(tb.Read(r::kRdSeqLo), static_cast<uint32_t>(rx.seq + 8));
  tb.Write(r::kSlotSel, 3);
  tb.Write(r::kSlotCmd, static_cast<uint32_t>(r::SlotCmd::kRead));
  tb.WaitIdle();
  EXPECT_EQ(tb.Read(r::kRdRecords), 1u);
  EXPECT_EQ(tb.Read(r::kRdBytesLo), 100u);
  EXPECT_EQ(tb.Read(r::kRdSeqLo), static_cast<uint32_t>(tx.seq + 3));
  EXPECT_EQ(tb.Read(r::kTotalAuthFail), 5u);
  EXPECT_EQ(tb.Read(r::kTotalErrors), 10u);
}

// The 4-lane build: every lane busy at once with its own slots and framings, random stalls on
// every stream, each lane's results in order and equal to the reference.
TEST(RecordStreamFourLanes, LanesRunConcurrentlyAndMatchReference) {
  std::mt19937_64 rng(23);
  EngineTb<Vmediasec_engine_l4, 4> tb;
  tb.set_stalls(true, true);
  constexpr r::Framing kFr[4] = {r::Framing::kTls12, r::Framing::kTls13, r::Framing::kDtls12, r::Framing::kRaw};
  std::array<SlotSpec, 4> slots;
  std::array<std::vector<Bytes>, 4> expect;
  for (int l = 0; l < 4; ++l) {
    slots[l] = RandomSlot(rng, kFr[l], l % 2 == 1, r::Op::kProtect);
    tb.Load(static_cast<uint32_t>(100 + l), slots[l]);
    for (int k = 0; k < 12; ++k) {
      const size_t n = k == 0 ? 16000 : rng() % 3000;
      const Bytes p = RandomBytes(rng, n);
      expect[l].push_back(RefProtect(slots[l], slots[l].seq + static_cast<uint64_t>(k), 23, p));
      tb.Submit(l, Frame{p, InUser(static_cast<uint32_t>(100 + l), r::Op::kProtect, 23, p.size())});
    }
  }
  for (int l = 0; l < 4; ++l) {
    auto out = tb.Collect(l, expect[l].size());
    ASSERT_EQ(out.size(), expect[l].size());
    for (size_t k = 0; k < out.size(); ++k) {
      SCOPED_TRACE("lane " + std::to_string(l) + " record " + std::to_string(k));
      EXPECT_EQ(OutStatus(out[k].tuser), 0u);
      EXPECT_TRUE(out[k].keep_ok);
      EXPECT_EQ(out[k].bytes, expect[l][k]);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(All, RecordStreamTest,
                         ::testing::Values(Case{r::Framing::kRaw, false}, Case{r::Framing::kRaw, true},
                                           Case{r::Framing::kTls12, false}, Case{r::Framing::kTls12, true},
                                           Case{r::Framing::kTls13, false}, Case{r::Framing::kTls13, true},
                                           Case{r::Framing::kDtls12, false}, Case{r::Framing::kDtls12, true}),
                         CaseName);

}  // namespace
}  // namespace mediasec::tb
