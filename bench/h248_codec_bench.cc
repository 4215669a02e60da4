// H.248 text codec throughput: decode + compact encode of every message of a corpus directory
// (*.txt), on one core, for a given time. scripts/bench runs it on megaco's corpus and measures
// megaco's compact codec with its flex scanner on the same files in the same run as the anchor.
//
//   h248_codec_bench CORPUS_DIR [--seconds S] [--json FILE]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/bench_args.h"
#include "host/h248/decode.h"
#include "host/h248/encode.h"

namespace {

std::vector<std::string> load(const std::filesystem::path& dir) {
  std::vector<std::string> msgs;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".txt") continue;
    std::ifstream f(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    msgs.push_back(ss.str());
  }
  return msgs;
}

}  // namespace

int main(int argc, char** argv) {
  constexpr const char* kUsage = "h248_codec_bench CORPUS_DIR [--seconds S] [--json FILE]";
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s\n", kUsage);
    return 2;
  }
  const auto args = mediasec::bench::parse_args(argc, argv, kUsage, 3, {}, 1);
  if (!args) return 2;
  const double seconds = args->seconds;
  std::vector<std::string> msgs = load(argv[1]);
  if (msgs.empty()) {
    std::fprintf(stderr, "h248_codec_bench: no *.txt messages in %s\n", argv[1]);
    return 1;
  }
  size_t bytes = 0;
  for (const auto& m : msgs) {
    if (!mediasec::h248::decode(m).ok()) {
      std::fprintf(stderr, "h248_codec_bench: a corpus message does not decode\n");
      return 1;
    }
    bytes += m.size();
  }
  std::string out;
  out.reserve(4096);
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  const auto deadline = start + std::chrono::duration<double>(seconds);
  uint64_t count = 0;
  size_t encoded = 0;
  do {
    for (const auto& m : msgs) {
      auto decoded = mediasec::h248::decode(m);
      out.clear();
      mediasec::h248::encode(*decoded, out);
      encoded += out.size();
    }
    count += msgs.size();
  } while (clock::now() < deadline);
  const double elapsed = std::chrono::duration<double>(clock::now() - start).count();
  const double rate = static_cast<double>(count) / elapsed;
  std::printf("h248 codec: %zu messages (%zu bytes average), decode+encode %.0f msg/s, %.2f us/msg (%zu bytes out)\n",
              msgs.size(), bytes / msgs.size(), rate, 1e6 / rate, encoded);
  mediasec::bench::write_json(args->json_path, {{"h248_decode_encode", std::round(rate), "msg/s"}});
  return 0;
}
