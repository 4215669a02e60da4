// gcm_core against OpenSSL EVP AES-GCM and the Wycheproof AES-GCM vectors (96-bit IVs):
// random records (both key sizes, both directions, good and bad tags, every length mod 16),
// back to back with per-record keys, with random input gaps and output/result stalls; plus
// the cycles per 16 KiB record at full rate.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cstdio>
#include <deque>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "Vgcm_core.h"
#include "tests/rtl/crypto/tb_util.h"

namespace mediasec::tb {
namespace {

using Bytes = std::vector<uint8_t>;

struct Record {
  Bytes key;
  Bytes nonce;  // 12 bytes
  Bytes aad;
  Bytes data;    // input data: plaintext (encrypt) or ciphertext (decrypt)
  Bytes rx_tag;  // decrypt: the received tag
  bool decrypt = false;
  // expected
  Bytes out;
  Bytes tag;
  bool tag_ok = true;
};

// OpenSSL GCM encryption of (key, nonce, aad, pt) → (ct, tag).
void GcmEncrypt(const Bytes& key, const Bytes& nonce, const Bytes& aad, const Bytes& pt, Bytes* ct, Bytes* tag) {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  const EVP_CIPHER* c = key.size() == 32 ? EVP_aes_256_gcm() : EVP_aes_128_gcm();
  int len = 0;
  ct->assign(pt.size(), 0);
  tag->assign(16, 0);
  bool ok = ctx != nullptr && EVP_EncryptInit_ex(ctx, c, nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, nullptr) == 1 &&
            EVP_EncryptInit_ex(ctx, nullptr, nullptr, key.data(), nonce.data()) == 1;
  if (ok && !aad.empty()) ok = EVP_EncryptUpdate(ctx, nullptr, &len, aad.data(), static_cast<int>(aad.size())) == 1;
  if (ok && !pt.empty()) ok = EVP_EncryptUpdate(ctx, ct->data(), &len, pt.data(), static_cast<int>(pt.size())) == 1;
  if (ok) ok = EVP_EncryptFinal_ex(ctx, ct->data() + ct->size(), &len) == 1;
  if (ok) ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag->data()) == 1;
  EVP_CIPHER_CTX_free(ctx);
  if (!ok) throw std::runtime_error("OpenSSL GCM failed");
}

Bytes RandomBytes(std::mt19937_64& rng, size_t n) {
  Bytes b(n);
  for (auto& c : b) c = static_cast<uint8_t>(rng());
  return b;
}

// A random record; the expected values come from OpenSSL.
Record MakeRecord(std::mt19937_64& rng, size_t aad_len, size_t data_len, bool k256, bool decrypt, bool bad_tag) {
  Record r;
  r.key = RandomBytes(rng, k256 ? 32 : 16);
  r.nonce = RandomBytes(rng, 12);
  r.aad = RandomBytes(rng, aad_len);
  r.decrypt = decrypt;
  const Bytes pt = RandomBytes(rng, data_len);
  Bytes ct, tag;
  GcmEncrypt(r.key, r.nonce, r.aad, pt, &ct, &tag);
  r.tag = tag;
  if (!decrypt) {
    r.data = pt;
    r.out = ct;
  } else {
    r.data = ct;
    r.out = pt;
    r.rx_tag = tag;
    if (bad_tag) {
      r.rx_tag[rng() % 16] ^= static_cast<uint8_t>(1u << (rng() % 8));
      r.tag_ok = false;
    }
  }
  return r;
}

struct Stalls {
  double in_gap = 0;
  double out_stall = 0;
  double res_stall = 0;
  double job_gap = 0;
};

class GcmHarness {
 public:
  GcmHarness() : dut_(std::make_unique<Vgcm_core>(&ctx_)) {
    dut_->rst_ni = 0;
    dut_->clk_i = 0;
    dut_->job_valid_i = 0;
    dut_->in_valid_i = 0;
    dut_->out_ready_i = 0;
    dut_->res_ready_i = 0;
    dut_->eval();
    Tick();
    dut_->rst_ni = 1;
    Tick();
  }
  ~GcmHarness() { dut_->final(); }

  void Tick() {
    dut_->clk_i = 1;
    dut_->eval();
    dut_->clk_i = 0;
    dut_->eval();
  }

  // Runs the records through the core; checks every out block and result with gtest
  // assertions. Returns the cycles from the first to the last result.
  int Run(const std::vector<Record>& recs, const Stalls& st, std::mt19937_64& rng) {
    std::uniform_real_distribution<double> u(0, 1);
    // Input block stream.
    std::vector<Block> in_blocks;
    auto add_blocks = [&](const Bytes& b) {
      for (size_t i = 0; i < b.size(); i += 16) {
        Block blk{};
        std::copy(b.begin() + i, b.begin() + std::min(b.size(), i + 16), blk.begin());
        in_blocks.push_back(blk);
      }
    };
    std::deque<std::pair<Block, bool>> exp_out;
    for (const auto& r : recs) {
      add_blocks(r.aad);
      add_blocks(r.data);
      if (r.decrypt) add_blocks(r.rx_tag);
      for (size_t i = 0; i < r.out.size(); i += 16) {
        Block blk{};
        std::copy(r.out.begin() + i, r.out.begin() + std::min(r.out.size(), i + 16), blk.begin());
        exp_out.emplace_back(blk, i + 16 >= r.out.size());
      }
    }
    size_t next_job = 0, next_in = 0, res_done = 0, out_done = 0;
    size_t lasts_taken = 0;  // records with data whose last out block was taken
    size_t data_recs_resulted = 0;
    int cycles = 0;
    const int limit = static_cast<int>(in_blocks.size() + recs.size()) * 50 + 2000;
    while (res_done < recs.size() && cycles < limit) {
      // Drive.
      dut_->job_valid_i = next_job < recs.size() && u(rng) >= st.job_gap;
      if (dut_->job_valid_i) DriveJob(recs[next_job]);
      dut_->in_valid_i = next_in < in_blocks.size() && u(rng) >= st.in_gap;
      if (dut_->in_valid_i)
        PutBytes(dut_->in_block_i, in_blocks[next_in], 16);
      else
        PutBytes(dut_->in_block_i, RandomBlock(rng), 16);
      dut_->out_ready_i = u(rng) >= st.out_stall;
      dut_->res_ready_i = u(rng) >= st.res_stall;
      dut_->eval();
      // Observe.
      if (dut_->job_valid_i && dut_->job_ready_o) ++next_job;
      if (dut_->in_valid_i && dut_->in_ready_o) ++next_in;
      if (dut_->out_valid_o && dut_->out_ready_i) {
        EXPECT_FALSE(exp_out.empty());
        if (exp_out.empty()) return cycles;
        EXPECT_EQ(ToHex(GetBlockAt(dut_->out_block_o)), ToHex(exp_out.front().first)) << "out block " << out_done;
        EXPECT_EQ(dut_->out_last_o != 0, exp_out.front().second) << "out block " << out_done;
        if (exp_out.front().second) ++lasts_taken;
        exp_out.pop_front();
        ++out_done;
      }
      if (dut_->res_valid_o && dut_->res_ready_i) {
        const Record& r = recs[res_done];
        EXPECT_EQ(ToHex(GetBlockAt(dut_->res_tag_o)), ToHex(r.tag)) << "record " << res_done;
        EXPECT_EQ(dut_->res_tag_ok_o != 0, r.tag_ok) << "record " << res_done;
        if (!r.out.empty()) {
          ++data_recs_resulted;
          // Never before the record's last out block (taken this cycle or earlier).
          EXPECT_LE(data_recs_resulted, lasts_taken) << "result before its last out block, record " << res_done;
        }
        ++res_done;
      }
      Tick();
      ++cycles;
    }
    EXPECT_EQ(res_done, recs.size()) << "timed out after " << cycles << " cycles";
    EXPECT_TRUE(exp_out.empty());
    EXPECT_EQ(next_in, in_blocks.size());
    // Idle afterwards: nothing more comes out.
    dut_->job_valid_i = 0;
    dut_->in_valid_i = 0;
    dut_->out_ready_i = 1;
    dut_->res_ready_i = 1;
    for (int i = 0; i < 40; ++i) {
      dut_->eval();
      EXPECT_FALSE(dut_->out_valid_o);
      EXPECT_FALSE(dut_->res_valid_o);
      Tick();
    }
    return cycles;
  }

  // One record of one data block on an idle core: clocks from the input block's acceptance to
  // out_valid_o and to res_valid_o.
  std::pair<int, int> Latency(const Record& r) {
    dut_->out_ready_i = 1;
    dut_->res_ready_i = 1;
    dut_->job_valid_i = 1;
    DriveJob(r);
    Tick();
    dut_->job_valid_i = 0;
    Block blk{};
    std::copy(r.data.begin(), r.data.end(), blk.begin());
    PutBytes(dut_->in_block_i, blk, 16);
    dut_->in_valid_i = 1;
    dut_->eval();
    while (!dut_->in_ready_o) Tick();
    Tick();
    dut_->in_valid_i = 0;
    int out_at = -1, res_at = -1;
    for (int c = 1; c < 100 && res_at < 0; ++c) {
      dut_->eval();
      if (dut_->out_valid_o && out_at < 0) out_at = c;
      if (dut_->res_valid_o) res_at = c;
      Tick();
    }
    return {out_at, res_at};
  }

  // Cycles at full rate for `recs`, from the first input block accepted to the last result.
  int MeasureFullRate(const std::vector<Record>& recs, std::mt19937_64& rng) { return Run(recs, Stalls{}, rng); }

 private:
  void DriveJob(const Record& r) {
    Bytes k(32, 0);
    std::copy(r.key.begin(), r.key.end(), k.begin());
    PutBytes(dut_->job_key_i, k, 32);
    dut_->job_key256_i = r.key.size() == 32;
    Block zero{};
    const Block h = AesEcb(r.key, zero);
    Block p = h;
    for (int i = 0; i < 4; ++i) {
      PutBlockAt(dut_->job_hpow_i, p, 128 * i);
      p = GfMul(p, h);
    }
    PutBytes(dut_->job_nonce_i, r.nonce, 12);
    dut_->job_decrypt_i = r.decrypt;
    dut_->job_aad_len_i = static_cast<uint32_t>(r.aad.size());
    dut_->job_data_len_i = static_cast<uint32_t>(r.data.size());
  }

  VerilatedContext ctx_;
  std::unique_ptr<Vgcm_core> dut_;
};

TEST(GcmCoreTest, GcmSpecTestCase4) {
  // McGrew & Viega, "The Galois/Counter Mode of Operation", test case 4 (AES-128, 60-byte
  // plaintext, 20-byte AAD) — checked against OpenSSL too.
  Record r;
  r.key = FromHex("feffe9928665731c6d6a8f9467308308");
  r.nonce = FromHex("cafebabefacedbaddecaf888");
  r.aad = FromHex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
  r.data = FromHex(
      "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e24"
      "49a6b525b16aedf5aa0de657ba637b39");
  r.out = FromHex(
      "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5a"
      "ac84aa051ba30b396a0aac973d58e091");
  r.tag = FromHex("5bc94fbc3221a5db94fae95ae7121a47");
  Bytes ct, tag;
  GcmEncrypt(r.key, r.nonce, r.aad, r.data, &ct, &tag);
  ASSERT_EQ(ct, r.out);
  ASSERT_EQ(tag, r.tag);
  Record d = r;
  d.decrypt = true;
  std::swap(d.data, d.out);
  d.rx_tag = r.tag;
  GcmHarness h;
  std::mt19937_64 rng(31);
  h.Run({r, d}, Stalls{}, rng);
}

std::vector<Record> RandomRecords(std::mt19937_64& rng, int n) {
  std::vector<Record> recs;
  for (int i = 0; i < n; ++i) {
    size_t data_len;
    switch (rng() % 8) {
      case 0: data_len = 0; break;
      case 1: data_len = 16640 - rng() % 48; break;
      case 2: data_len = rng() % 4000; break;
      default: data_len = (i % 16) + 16 * (rng() % 20); break;  // every length mod 16
    }
    const size_t aad_len = (rng() % 5 == 0) ? 0 : rng() % 601;
    const bool decrypt = rng() % 2;
    recs.push_back(MakeRecord(rng, aad_len, data_len, rng() % 2, decrypt, decrypt && rng() % 3 == 0));
  }
  return recs;
}

TEST(GcmCoreTest, RandomBackToBackFullRate) {
  std::mt19937_64 rng(32);
  const auto recs = RandomRecords(rng, Scaled(400, 40));
  GcmHarness h;
  h.Run(recs, Stalls{}, rng);
}

TEST(GcmCoreTest, RandomWithGapsAndStalls) {
  std::mt19937_64 rng(33);
  const auto recs = RandomRecords(rng, Scaled(400, 40));
  GcmHarness h;
  h.Run(recs, Stalls{0.3, 0.3, 0.5, 0.2}, rng);
}

TEST(GcmCoreTest, ShortRecordsHeavyResultStalls) {
  // Many records with no or tiny data: the result path fills up and must stall the pipeline.
  std::mt19937_64 rng(34);
  std::vector<Record> recs;
  for (int i = 0; i < Scaled(300, 30); ++i) {
    const bool decrypt = rng() % 2;
    recs.push_back(
        MakeRecord(rng, rng() % 40, rng() % 3 == 0 ? 0 : rng() % 40, rng() % 2, decrypt, decrypt && rng() % 2));
  }
  GcmHarness h;
  h.Run(recs, Stalls{0.0, 0.2, 0.9, 0.0}, rng);
  GcmHarness h2;
  h2.Run(recs, Stalls{}, rng);
}

TEST(GcmCoreTest, LongestAadAndData) {
  std::mt19937_64 rng(37);
  std::vector<Record> recs;
  for (bool decrypt : {false, true}) {
    for (bool k256 : {false, true}) {
      recs.push_back(MakeRecord(rng, 65535, 16640, k256, decrypt, false));
      recs.push_back(MakeRecord(rng, 65520, 0, k256, decrypt, decrypt));
      recs.push_back(MakeRecord(rng, 1, 16639, k256, decrypt, decrypt));
    }
  }
  GcmHarness h;
  h.Run(recs, Stalls{0.05, 0.05, 0.05, 0.0}, rng);
}

TEST(GcmCoreTest, LatencyOfOneBlockRecord) {
  std::mt19937_64 rng(38);
  GcmHarness h;
  const auto [out_at, res_at] = h.Latency(MakeRecord(rng, 0, 16, false, false, false));
  std::printf("gcm_core latency: out block %d clocks, result %d clocks after the input block\n", out_at, res_at);
  EXPECT_EQ(out_at, 16);
  EXPECT_GT(res_at, out_at);
  EXPECT_LE(res_at, 24);
}

TEST(GcmCoreTest, ThroughputSixteenKiBRecords) {
  std::mt19937_64 rng(35);
  const int n = Scaled(16, 4);
  std::vector<Record> recs;
  for (int i = 0; i < n; ++i) recs.push_back(MakeRecord(rng, 13, 16384, i % 2, i % 3 == 2, false));
  GcmHarness h;
  const int cycles = h.MeasureFullRate(recs, rng);
  const double per_record = static_cast<double>(cycles) / n;
  const double bytes_per_clock = 16384.0 * n / cycles;
  std::printf(
      "gcm_core: %d back-to-back 16 KiB records (13-byte AAD) in %d cycles: %.1f cycles/record, "
      "%.2f bytes/clock (input blocks per record: 1025)\n",
      n, cycles, per_record, bytes_per_clock);
  EXPECT_GE(bytes_per_clock, 15.5);
}

TEST(GcmCoreTest, Wycheproof96BitIv) {
  std::ifstream f(MEDIASEC_WYCHEPROOF_GCM);
  ASSERT_TRUE(f.good()) << "cannot open " << MEDIASEC_WYCHEPROOF_GCM;
  const auto j = nlohmann::json::parse(f);
  std::vector<Record> recs;
  int valid = 0, invalid = 0;
  for (const auto& g : j.at("testGroups")) {
    const int iv = g.at("ivSize").get<int>();
    const int ks = g.at("keySize").get<int>();
    const int ts = g.at("tagSize").get<int>();
    if (iv != 96 || ts != 128 || (ks != 128 && ks != 256)) continue;
    for (const auto& t : g.at("tests")) {
      Record d;
      d.key = FromHex(t.at("key").get<std::string>());
      d.nonce = FromHex(t.at("iv").get<std::string>());
      d.aad = FromHex(t.at("aad").get<std::string>());
      const Bytes msg = FromHex(t.at("msg").get<std::string>());
      const Bytes ct = FromHex(t.at("ct").get<std::string>());
      const Bytes tag = FromHex(t.at("tag").get<std::string>());
      if (ct.size() > 16640 || d.aad.size() > 65535) continue;
      const bool ok = t.at("result").get<std::string>() != "invalid";
      ok ? ++valid : ++invalid;
      // Decrypt: the computed tag is the correct one for (aad, ct); it matches iff valid.
      Bytes ref_ct, ref_tag;
      Bytes pt_for_tag = msg;
      if (!ok) {
        // An invalid vector's msg may not correspond to ct; the computed tag is that of ct.
        // Decrypt ct with the keystream (encrypting ct gives back the plaintext in CTR mode).
        GcmEncrypt(d.key, d.nonce, d.aad, ct, &pt_for_tag, &ref_tag);
        GcmEncrypt(d.key, d.nonce, d.aad, pt_for_tag, &ref_ct, &ref_tag);
      } else {
        GcmEncrypt(d.key, d.nonce, d.aad, msg, &ref_ct, &ref_tag);
        EXPECT_EQ(ref_ct, ct) << "tcId " << t.at("tcId");
        EXPECT_EQ(ref_tag, tag) << "tcId " << t.at("tcId");
      }
      d.decrypt = true;
      d.data = ct;
      d.out = pt_for_tag;
      d.rx_tag = tag;
      d.tag = ref_tag;
      d.tag_ok = ok;
      recs.push_back(d);
      if (ok) {
        Record e = d;
        e.decrypt = false;
        e.data = msg;
        e.out = ct;
        e.rx_tag.clear();
        e.tag = tag;
        e.tag_ok = true;
        recs.push_back(e);
      }
    }
  }
  ASSERT_GT(valid, 50);
  ASSERT_GT(invalid, 10);
  std::printf("wycheproof: %d valid and %d invalid 96-bit-IV vectors (AES-128/256)\n", valid, invalid);
  GcmHarness h;
  std::mt19937_64 rng(36);
  h.Run(recs, Stalls{0.1, 0.1, 0.1, 0.0}, rng);
}

}  // namespace
}  // namespace mediasec::tb
