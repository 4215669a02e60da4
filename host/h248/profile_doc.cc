#include "host/h248/profile_doc.h"

#include <cstdio>

namespace mediasec::h248 {
namespace {

const char* kind_name(ElementKind k) {
  switch (k) {
    case ElementKind::kProperty: return "property";
    case ElementKind::kEvent: return "event";
    case ElementKind::kSignal: return "signal";
    case ElementKind::kStatistic: return "statistic";
  }
  return "?";
}

const char* type_name(ValueType t) {
  switch (t) {
    case ValueType::kBoolean: return "boolean";
    case ValueType::kInteger: return "integer";
    case ValueType::kString: return "string";
    case ValueType::kEnumeration: return "enumeration";
    case ValueType::kDouble: return "double";
    case ValueType::kNone: return "";
  }
  return "";
}

}  // namespace

std::string packages_markdown(const PackageRegistry& registry) {
  std::string out;
  out += "| package | ID | version | extends | reference |\n|---|---|---|---|---|\n";
  char id[16];
  for (const Package& p : registry.packages()) {
    std::snprintf(id, sizeof id, "0x%04x", p.id);
    out += "| `" + p.name + "` | " + id + " | " + std::to_string(p.version) + " | " +
           (p.extends.empty() ? "" : p.extends) + " | " + p.reference + " |\n";
  }
  out +=
      "\n| element | kind | type | default | values / parameters | name from | meaning "
      "|\n|---|---|---|---|---|---|---|\n";
  for (const Package& p : registry.packages()) {
    for (const Element& e : p.elements) {
      std::string values;
      const auto& list = e.kind == ElementKind::kEvent || e.kind == ElementKind::kSignal ? e.parameters : e.values;
      for (size_t i = 0; i < list.size(); ++i) values += (i ? ", " : "") + list[i];
      out += "| `" + p.name + "/" + e.name + "` | " + kind_name(e.kind) + " | " + type_name(e.type) + " | " +
             e.default_value + " | " + values + " | " + (e.ours ? "**ours**" : "standard") + " | " + e.description +
             " |\n";
    }
  }
  return out;
}

}  // namespace mediasec::h248
