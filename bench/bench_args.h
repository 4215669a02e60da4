// What every benchmark takes on its command line (--seconds S, --json FILE and its own numeric
// options) and how it writes its rows of build/bench.json.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace mediasec::bench {

struct Args {
  double seconds = 3;
  std::string json_path;                  // empty: no JSON
  std::map<std::string, double> numbers;  // --name value of the benchmark's own options

  double number(const std::string& name, double fallback) const {
    auto it = numbers.find(name);
    return it == numbers.end() ? fallback : it->second;
  }
};

// Parses [--seconds S] [--json FILE] [--NAME N for each of `options`] after `positional` leading
// arguments. Prints the usage and returns nothing on anything else.
inline std::optional<Args> parse_args(int argc, char** argv, std::string_view usage, double default_seconds,
                                      const std::vector<std::string>& options = {}, int positional = 0) {
  Args args;
  args.seconds = default_seconds;
  auto fail = [&] {
    std::fprintf(stderr, "usage: %.*s\n", static_cast<int>(usage.size()), usage.data());
    return std::nullopt;
  };
  for (int i = 1 + positional; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag.rfind("--", 0) != 0 || i + 1 >= argc) return fail();
    const std::string name = flag.substr(2);
    const char* value = argv[++i];
    if (name == "json") {
      args.json_path = value;
      continue;
    }
    char* end = nullptr;
    const double v = std::strtod(value, &end);
    if (end == value || *end != '\0' || !(v > 0)) return fail();
    if (name == "seconds") {
      args.seconds = v;
    } else if (std::find(options.begin(), options.end(), name) != options.end()) {
      args.numbers[name] = v;
    } else {
      return fail();
    }
  }
  return args;
}

// One row of build/bench.json: the figure, its anchor measured in the same run, and how the two
// compare (above 1 is better than the anchor).
struct Figure {
  Figure() = default;
  Figure(std::string name_, double value_, std::string unit_, std::string anchor_ = "", double anchor_value_ = 0,
         double ratio_ = 0)
      : name(std::move(name_)),
        value(value_),
        unit(std::move(unit_)),
        anchor(std::move(anchor_)),
        anchor_value(anchor_value_),
        ratio(ratio_) {}

  std::string name;
  double value = 0;
  std::string unit;
  std::string anchor;
  double anchor_value = 0;
  double ratio = 0;
};

inline void write_json(const std::string& path, const std::vector<Figure>& figures) {
  if (path.empty()) return;
  nlohmann::json out = nlohmann::json::array();
  for (const Figure& f : figures) {
    nlohmann::json row{{"name", f.name}, {"value", f.value}, {"unit", f.unit}};
    if (!f.anchor.empty()) {
      row["anchor"] = f.anchor;
      row["anchor_value"] = f.anchor_value;
      row["ratio"] = std::isfinite(f.ratio) ? std::round(f.ratio * 1000) / 1000 : 0.0;
    }
    out.push_back(row);
  }
  std::ofstream(path) << out.dump(1) << "\n";
}

}  // namespace mediasec::bench
