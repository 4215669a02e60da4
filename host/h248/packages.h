// The H.248 packages the gateway supports: a data-driven registry with IANA names and binary
// package IDs, each element (property, event, signal, statistic) with its type, default and
// allowed values. The gateway validates every package name it receives against it and answers
// unknown ones with the H.248 error for them.
//
// Where the standard's element names are not known to us (tcpbcc, tlsbsc, tlscn, dtlscn: see
// docs/h248-profile.md), the names are ours, marked `ours`, and an operator may rename them to
// match an MGC (rename()).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mediasec::h248 {

enum class ElementKind : uint8_t { kProperty, kEvent, kSignal, kStatistic };
enum class ValueType : uint8_t { kBoolean, kInteger, kString, kEnumeration, kDouble, kNone };

struct Element {
  ElementKind kind = ElementKind::kProperty;
  std::string name;
  ValueType type = ValueType::kNone;
  std::string default_value;            // empty: none
  std::vector<std::string> values;      // kEnumeration: allowed values
  std::vector<std::string> parameters;  // events and signals: parameter names
  bool ours = false;                    // name defined by mediasec, not taken from the standard
  std::string description;
};

struct Package {
  std::string name;
  uint16_t id = 0;  // IANA binary package ID
  uint16_t version = 1;
  std::string extends;  // "name/version" of the package it extends, if any
  std::string reference;
  std::vector<Element> elements;

  const Element* find(ElementKind kind, std::string_view element) const;
};

// Where a name failed, as the H.248 error code to answer with.
struct NameCheck {
  uint16_t code = 0;  // 0: known; else 440 unknown package, 450/451/452/453 unknown element, 449 bad value
  std::string reason;
  bool ok() const { return code == 0; }
};

class PackageRegistry {
 public:
  // The packages of mediasec's profiles (Iq, Ix, Mp).
  static PackageRegistry standard();

  const Package* package(std::string_view name) const;
  const std::vector<Package>& packages() const { return packages_; }

  // Checks "pkg/element" (or "pkg/*") of the given kind, and the value of a property when given.
  NameCheck check(ElementKind kind, std::string_view pkgd_name, const std::string* value = nullptr) const;

  // Renames an element of a package (e.g. to match an MGC's spelling of an element marked ours).
  bool rename(std::string_view package, std::string_view from, std::string_view to);

  void add(Package p) { packages_.push_back(std::move(p)); }

 private:
  std::vector<Package> packages_;
};

}  // namespace mediasec::h248
