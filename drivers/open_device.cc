#include "drivers/open_device.h"

#include <charconv>
#include <map>

#include "drivers/sw/sw_device.h"
#include "drivers/xrt/xrt_device.h"
#ifdef MEDIASEC_HAVE_SIM
#include "drivers/sim/sim_device.h"
#endif

namespace mediasec::device {
namespace {

using Options = std::map<std::string, std::string, std::less<>>;

Result<Options> parse_options(std::string_view text) {
  Options out;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return make_error(ErrorCode::kInvalidArgument, "backend option '" + std::string(item) + "' is not key=value");
    }
    out.emplace(std::string(item.substr(0, eq)), std::string(item.substr(eq + 1)));
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
  }
  return out;
}

template <typename T>
Result<T> take_number(Options& opts, std::string_view key, T fallback) {
  auto it = opts.find(key);
  if (it == opts.end()) return fallback;
  T value{};
  const std::string& s = it->second;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "backend option " + std::string(key) + "='" + s + "' is not a number");
  }
  opts.erase(it);
  return value;
}

Result<void> reject_leftovers(const Options& opts, std::string_view backend) {
  if (opts.empty()) return ok_result();
  return make_error(ErrorCode::kInvalidArgument,
                    "unknown option '" + opts.begin()->first + "' for backend " + std::string(backend));
}

}  // namespace

std::vector<std::string> compiled_backends() {
#ifdef MEDIASEC_HAVE_SIM
  return {"sw", "sim", "xrt"};
#else
  return {"sw", "xrt"};
#endif
}

namespace {

// A spec read into the options of the backend it names; opening it is a separate step, so a
// configuration can be checked on a machine that has no card.
struct ParsedSpec {
  std::string name;
  SwOptions sw;
  XrtOptions xrt;
#ifdef MEDIASEC_HAVE_SIM
  SimOptions sim;
#endif
};

Result<ParsedSpec> parse_spec(std::string_view spec) {
  const size_t colon = spec.find(':');
  ParsedSpec out;
  out.name = std::string(spec.substr(0, colon));
  auto parsed = parse_options(colon == std::string_view::npos ? std::string_view{} : spec.substr(colon + 1));
  if (!parsed) return parsed.error();
  Options opts = std::move(parsed.value());

  if (out.name == "sw") {
    auto slots = take_number<uint32_t>(opts, "slots", out.sw.key_slots);
    if (!slots) return slots.error();
    out.sw.key_slots = *slots;
  } else if (out.name == "sim") {
#ifdef MEDIASEC_HAVE_SIM
    auto lanes = take_number<uint32_t>(opts, "lanes", out.sim.lanes);
    if (!lanes) return lanes.error();
    auto stall = take_number<double>(opts, "stall", out.sim.stall_probability);
    if (!stall) return stall.error();
    auto seed = take_number<uint64_t>(opts, "seed", out.sim.seed);
    if (!seed) return seed.error();
    out.sim.lanes = *lanes;
    out.sim.stall_probability = *stall;
    out.sim.seed = *seed;
#else
    return make_error(ErrorCode::kUnavailable,
                      "this build has no sim backend (configured with MEDIASEC_WITH_SIM=OFF); use sw");
#endif
  } else if (out.name == "xrt") {
    auto index = take_number<unsigned>(opts, "index", out.xrt.index);
    if (!index) return index.error();
    out.xrt.index = *index;
    if (auto it = opts.find("xclbin"); it != opts.end()) {
      out.xrt.xclbin = it->second;
      opts.erase(it);
    }
  } else {
    std::string known;
    for (const auto& b : compiled_backends()) known += (known.empty() ? "" : ", ") + b;
    return make_error(ErrorCode::kNotFound, "unknown device backend '" + out.name + "' (known: " + known + ")");
  }
  if (auto r = reject_leftovers(opts, out.name); !r) return r.error();
  return out;
}

}  // namespace

Result<void> check_device_spec(std::string_view spec) {
  auto parsed = parse_spec(spec);
  if (!parsed) return parsed.error();
  return ok_result();
}

Result<std::unique_ptr<Device>> open_device(std::string_view spec) {
  auto parsed = parse_spec(spec);
  if (!parsed) return parsed.error();
  const ParsedSpec& p = *parsed;
  if (p.name == "sw") return open_sw_device(p.sw);
#ifdef MEDIASEC_HAVE_SIM
  if (p.name == "sim") return open_sim_device(p.sim);
#endif
  return open_xrt_device(p.xrt);
}

}  // namespace mediasec::device
