// rtl_throughput: the Verilated record engine's throughput and latency in model clocks.
//
// Uses the harness directly (no Device queueing): back-to-back TLS 1.3 AES-128 records, protect
// and unprotect, 16 KiB and 1 KiB, on lane 0 of the 1-lane model, and on all lanes of the 4-lane
// model if it is built. Throughput is plaintext bytes per clock per lane in steady state: from the
// clock every lane has delivered its first record (the store-and-forward fill is latency) to the
// last record; the anchor is the design's line rate of 16 B/clk (one 128-bit beat per clock). Latency: clocks from the
// first input beat to the last output beat of one 1 KiB record on an idle engine.
//
//   rtl_throughput [--json FILE] [--records N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/bench_args.h"
#include "drivers/engine_control.h"
#include "drivers/record_format.h"
#include "sim/engine_harness.h"

namespace {

using mediasec::device::Cipher;
using mediasec::device::EngineControl;
using mediasec::device::Framing;
using mediasec::device::Op;
using mediasec::device::SlotConfig;
using mediasec::sim::Beat;
using mediasec::sim::EngineHarness;
namespace regs = mediasec::regs;

constexpr double kLineRate = 16.0;  // bytes per clock per lane: one 128-bit beat

using Figure = mediasec::bench::Figure;

uint64_t in_user(uint32_t slot, Op op, size_t len) {
  uint64_t u = 0;
  u = regs::in_user::kSlot.put(u, slot);
  u = regs::in_user::kOp.put(u, static_cast<uint64_t>(op));
  u = regs::in_user::kCtype.put(u, 23);
  u = regs::in_user::kLen.put(u, len);
  return u;
}

SlotConfig tls13_slot(Op dir) {
  SlotConfig c;
  c.cipher = Cipher::kAes128Gcm;
  c.framing = Framing::kTls13;
  c.direction = dir;
  for (size_t i = 0; i < 16; ++i) c.key[i] = static_cast<uint8_t>(i * 11 + 3);
  for (size_t i = 0; i < 12; ++i) c.iv[i] = static_cast<uint8_t>(i * 5 + 1);
  return c;
}

struct Run {
  uint64_t cycles = 0;  // first input handshake .. last output handshake (latency of one record)
  uint64_t first_in = 0;
  uint64_t last_out = 0;
  // Steady state: from the moment every lane has delivered its first record to the last record,
  // the records delivered in between per lane and the clocks it took. The pipeline's fill (the
  // store-and-forward of the first record) is latency, not throughput, and is left out.
  uint64_t steady_cycles = 0;
  double steady_records_per_lane = 0;
  std::vector<std::vector<std::vector<uint8_t>>> frames;  // per lane, per record: output bytes
  bool ok = true;
};

// Push every lane's records, clock until every lane returned as many frames, time it.
Run stream(EngineHarness& h, const std::vector<std::vector<std::vector<uint8_t>>>& inputs, Op op) {
  Run r;
  const uint32_t lanes = static_cast<uint32_t>(inputs.size());
  r.frames.resize(lanes);
  size_t expected = 0;
  std::vector<size_t> pending0(lanes);
  for (uint32_t l = 0; l < lanes; ++l) {
    for (const auto& rec : inputs[l]) {
      for (const Beat& b : mediasec::sim::to_beats(rec, in_user(l, op, rec.size()))) h.push_input(l, b);
      ++expected;
    }
    pending0[l] = h.input_pending(l);
  }
  std::vector<std::vector<uint8_t>> partial(lanes);
  std::vector<std::vector<uint64_t>> done_at(lanes);  // cycle each record's last beat came out
  size_t got = 0;
  const uint64_t start = h.cycles();
  // Give up when no stream handshake happens for this many clocks (a wedged model).
  constexpr uint64_t kIdleLimit = 200'000;
  while (got < expected && h.cycles() - std::max({h.last_input_cycle(), h.last_output_cycle(), start}) < kIdleLimit) {
    h.tick();
    if (r.first_in == 0) {
      for (uint32_t l = 0; l < lanes; ++l) {
        if (h.input_pending(l) < pending0[l]) r.first_in = h.cycles();
      }
    }
    for (uint32_t l = 0; l < lanes; ++l) {
      while (auto b = h.pop_output(l)) {
        if (regs::out_user::kStatus.get(b->user) != 0) r.ok = false;
        mediasec::sim::append_kept(*b, partial[l]);
        if (b->last) {
          r.frames[l].push_back(std::move(partial[l]));
          partial[l].clear();
          ++got;
          r.last_out = h.cycles();
          done_at[l].push_back(h.cycles());
        }
      }
    }
  }
  if (got < expected) {
    std::fprintf(stderr, "rtl_throughput: only %zu of %zu records came out (no stream progress for 200000 clocks)\n",
                 got, expected);
    r.ok = false;
  }
  r.cycles = r.last_out - r.first_in + 1;
  uint64_t warm = 0;
  for (const auto& d : done_at) warm = std::max(warm, d.empty() ? 0 : d.front());
  size_t after = 0;
  for (const auto& d : done_at)
    after += static_cast<size_t>(std::count_if(d.begin(), d.end(), [&](uint64_t c) { return c > warm; }));
  r.steady_cycles = r.last_out - warm;
  r.steady_records_per_lane = static_cast<double>(after) / lanes;
  return r;
}

bool measure_lanes(uint32_t lanes, size_t record_bytes, int records, std::vector<Figure>& figs, const char* tag) {
  auto made = mediasec::sim::make_engine_harness(lanes, {});
  if (!made) {
    std::fprintf(stderr, "rtl_throughput: %s\n", made.error().message.c_str());
    return false;
  }
  EngineHarness& h = **made;
  EngineControl ctl(h);
  if (auto id = ctl.read_identity("sim"); !id) {
    std::fprintf(stderr, "rtl_throughput: %s\n", id.error().message.c_str());
    return false;
  }
  for (uint32_t l = 0; l < lanes; ++l) {
    if (auto r = ctl.load_slot(l, tls13_slot(Op::kProtect)); !r) {
      std::fprintf(stderr, "rtl_throughput: load: %s\n", r.error().message.c_str());
      return false;
    }
  }
  std::vector<std::vector<std::vector<uint8_t>>> plain(lanes);
  for (uint32_t l = 0; l < lanes; ++l) {
    for (int i = 0; i < records; ++i) {
      std::vector<uint8_t> p(record_bytes);
      for (size_t k = 0; k < p.size(); ++k) p[k] = static_cast<uint8_t>(k * 7 + i + l);
      plain[l].push_back(std::move(p));
    }
  }
  const auto t0 = std::chrono::steady_clock::now();
  const uint64_t c0 = h.cycles();
  Run prot = stream(h, plain, Op::kProtect);
  for (uint32_t l = 0; l < lanes; ++l) {
    if (auto r = ctl.load_slot(l, tls13_slot(Op::kUnprotect)); !r) return false;
  }
  Run unprot = stream(h, prot.frames, Op::kUnprotect);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const uint64_t sim_cycles = h.cycles() - c0;
  if (!prot.ok || !unprot.ok || unprot.frames != plain) {
    std::fprintf(stderr, "rtl_throughput: %s: records did not round-trip (status or bytes); no figures\n", tag);
    return false;
  }
  if (prot.steady_cycles == 0 || unprot.steady_cycles == 0) {
    std::fprintf(stderr, "rtl_throughput: %s: need at least two records per lane for a steady-state figure\n", tag);
    return false;
  }
  const auto rate = [&](const Run& r) {
    return static_cast<double>(record_bytes) * r.steady_records_per_lane / static_cast<double>(r.steady_cycles);
  };
  const std::string size = record_bytes >= 16384 ? "16k" : "1k";
  const std::string where = lanes == 1 ? "" : "_4lanes_per_lane";
  figs.push_back(
      {"rtl_protect_tls13_aes128_" + size + where, rate(prot), "B/clk/lane", "line rate 16 B/clk", kLineRate});
  figs.push_back(
      {"rtl_unprotect_tls13_aes128_" + size + where, rate(unprot), "B/clk/lane", "line rate 16 B/clk", kLineRate});
  std::printf("sim speed (%s): %.0f cycles/s\n", tag, static_cast<double>(sim_cycles) / secs);
  return true;
}

bool measure_latency(std::vector<Figure>& figs) {
  auto made = mediasec::sim::make_engine_harness(1, {});
  if (!made) return false;
  EngineHarness& h = **made;
  EngineControl ctl(h);
  if (!ctl.read_identity("sim") || !ctl.load_slot(0, tls13_slot(Op::kProtect))) return false;
  h.run(100);
  std::vector<std::vector<std::vector<uint8_t>>> one(1);
  one[0].push_back(std::vector<uint8_t>(1024, 0x42));
  Run r = stream(h, one, Op::kProtect);
  if (!r.ok) return false;
  const double beats = static_cast<double>((1024 + 22 + 15) / 16);  // output beats of the record
  figs.push_back(
      {"rtl_latency_tls13_aes128_1k", static_cast<double>(r.cycles), "clk", "output beats of the record", beats});
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const auto args =
      mediasec::bench::parse_args(argc, argv, "rtl_throughput [--json FILE] [--records N]", 1, {"records"});
  if (!args) return 2;
  const int records = std::max(1, static_cast<int>(args->number("records", 16)));
  std::vector<Figure> figs;
  bool ok = measure_lanes(1, 16384, records, figs, "1 lane, 16 KiB");
  ok = measure_lanes(1, 1024, records * 8, figs, "1 lane, 1 KiB") && ok;
  ok = measure_latency(figs) && ok;
  const auto built = mediasec::sim::built_lane_counts();
  if (std::find(built.begin(), built.end(), 4u) != built.end()) {
    ok = measure_lanes(4, 16384, std::max(2, records / 2), figs, "4 lanes, 16 KiB") && ok;
  }
  for (Figure& f : figs) {
    f.ratio = f.anchor_value != 0 ? f.value / f.anchor_value : 0.0;
    std::printf("%-44s %10.3f %-11s (%s: %g, ratio %.3f)\n", f.name.c_str(), f.value, f.unit.c_str(), f.anchor.c_str(),
                f.anchor_value, f.ratio);
  }
  mediasec::bench::write_json(args->json_path, figs);
  return ok ? 0 : 1;
}
