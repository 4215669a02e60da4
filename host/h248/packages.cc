#include "host/h248/packages.h"

#include "base/ascii.h"

namespace mediasec::h248 {
namespace {

Element prop(std::string name, ValueType type, std::string def, std::vector<std::string> values, bool ours,
             std::string description) {
  return Element{ElementKind::kProperty, std::move(name), type, std::move(def), std::move(values), {}, ours,
                 std::move(description)};
}
Element event(std::string name, std::vector<std::string> params, bool ours, std::string description) {
  return Element{ElementKind::kEvent,   std::move(name), ValueType::kNone, {}, {}, std::move(params), ours,
                 std::move(description)};
}
Element signal(std::string name, std::vector<std::string> params, bool ours, std::string description) {
  return Element{ElementKind::kSignal,  std::move(name), ValueType::kNone, {}, {}, std::move(params), ours,
                 std::move(description)};
}
Element stat(std::string name, ValueType type, bool ours, std::string description) {
  return Element{ElementKind::kStatistic, std::move(name), type, {}, {}, {}, ours, std::move(description)};
}

constexpr bool kStd = false;
constexpr bool kOurs = true;

}  // namespace

const Element* Package::find(ElementKind kind, std::string_view element) const {
  for (const Element& e : elements)
    if (e.kind == kind && iequals(e.name, element)) return &e;
  return nullptr;
}

const Package* PackageRegistry::package(std::string_view name) const {
  for (const Package& p : packages_)
    if (iequals(p.name, name)) return &p;
  return nullptr;
}

NameCheck PackageRegistry::check(ElementKind kind, std::string_view pkgd_name, const std::string* value) const {
  size_t slash = pkgd_name.find('/');
  if (slash == std::string_view::npos) return {445, "'" + std::string(pkgd_name) + "' is not package/element"};
  std::string_view pkg = pkgd_name.substr(0, slash);
  std::string_view item = pkgd_name.substr(slash + 1);
  if (pkg == "*") return {};
  const Package* p = package(pkg);
  if (p == nullptr) return {440, "unsupported or unknown package '" + std::string(pkg) + "'"};
  if (item == "*") return {};
  const Element* e = p->find(kind, item);
  // An element of an extended package is visible through the extending one.
  if (e == nullptr && !p->extends.empty()) {
    const Package* base = package(p->extends.substr(0, p->extends.find('/')));
    if (base != nullptr) e = base->find(kind, item);
  }
  if (e == nullptr) {
    static constexpr uint16_t codes[] = {450, 451, 452, 453};
    static constexpr const char* what[] = {"property", "event", "signal", "statistic"};
    const auto k = static_cast<size_t>(kind);
    return {codes[k], std::string("no ") + what[k] + " '" + std::string(item) + "' in package " + p->name};
  }
  if (value != nullptr && kind == ElementKind::kProperty) {
    const std::string& v = *value;
    bool ok = true;
    switch (e->type) {
      case ValueType::kBoolean:
        ok = iequals(v, "on") || iequals(v, "off") || iequals(v, "true") || iequals(v, "false");
        break;
      case ValueType::kInteger: ok = !v.empty() && v.find_first_not_of("0123456789") == std::string::npos; break;
      case ValueType::kEnumeration: {
        ok = false;
        for (const std::string& allowed : e->values) ok = ok || iequals(allowed, v) || v == "$";
        break;
      }
      default: break;
    }
    if (!ok) return {449, "value '" + v + "' is not allowed for " + std::string(pkgd_name)};
  }
  return {};
}

bool PackageRegistry::rename(std::string_view package, std::string_view from, std::string_view to) {
  for (Package& p : packages_) {
    if (!iequals(p.name, package)) continue;
    for (Element& e : p.elements) {
      if (iequals(e.name, from)) {
        e.name = std::string(to);
        return true;
      }
    }
  }
  return false;
}

PackageRegistry PackageRegistry::standard() {
  using VT = ValueType;
  PackageRegistry r;
  r.add({"g",
         0x0001,
         2,
         "",
         "H.248.1 Annex E.1",
         {event("cause", {"gencause", "failurecause"}, kStd, "general failure with its cause"),
          event("sc", {"SigID", "Meth", "SLID", "RID"}, kStd, "signal completion")}});
  r.add({"root",
         0x0002,
         2,
         "",
         "H.248.1 Annex E.2",
         {prop("maxNumberOfContexts", VT::kInteger, "", {}, kStd, "contexts the MG can hold"),
          prop("maxTerminationsPerContext", VT::kInteger, "2", {}, kStd, "terminations per context"),
          prop("normalMGExecutionTime", VT::kInteger, "1000", {}, kStd, "ms the MG normally needs for a transaction"),
          prop("normalMGCExecutionTime", VT::kInteger, "1000", {}, kStd, "ms the MGC normally needs"),
          prop("MGProvisionalResponseTimerValue", VT::kInteger, "1000", {}, kStd, "ms before the MG sends Pending"),
          prop("MGCProvisionalResponseTimerValue", VT::kInteger, "1000", {}, kStd, "ms before the MGC sends Pending"),
          prop("MGOriginatedPendingLimit", VT::kInteger, "16", {}, kStd, "Pendings the MG sends per transaction"),
          prop("MGCOriginatedPendingLimit", VT::kInteger, "16", {}, kStd, "Pendings the MG accepts per transaction")}});
  r.add({"nt",
         0x000b,
         1,
         "",
         "H.248.1 Annex E.11",
         {prop("jit", VT::kInteger, "", {}, kStd, "maximum jitter buffer (ms)"),
          event("netfail", {"cs"}, kStd, "network failure"), event("qualert", {"th"}, kStd, "quality alert"),
          stat("dur", VT::kInteger, kStd, "duration of the termination in the context (ms)"),
          stat("os", VT::kInteger, kStd, "octets sent"), stat("or", VT::kInteger, kStd, "octets received")}});
  r.add({"it",
         0x0045,
         1,
         "",
         "H.248.14",
         {event("ito", {"mit"}, kStd, "inactivity timeout: no message from the MGC for mit x 10 ms")}});
  r.add({"seg",
         0x00a3,
         1,
         "",
         "H.248.1 Annex E (v3 segmentation)",
         {prop("mgsegtime", VT::kInteger, "", {}, kOurs, "ms the MG waits for missing segments of a reply"),
          prop("mgcsegtime", VT::kInteger, "", {}, kOurs, "ms the MGC waits for missing segments of a reply"),
          prop("mgmaxpdusize", VT::kInteger, "", {}, kOurs, "largest message the MGC sends the MG (bytes)"),
          prop("mgcmaxpdusize", VT::kInteger, "", {}, kOurs,
               "largest message the MG sends the MGC (bytes); larger replies are segmented")}});
  r.add({"ds", 0x008b, 2, "", "H.248.52", {prop("dscp", VT::kInteger, "", {}, kStd, "DiffServ code point")}});
  r.add({"gm",
         0x008c,
         2,
         "",
         "H.248.43",
         {prop("rsaf", VT::kBoolean, "OFF", {}, kStd, "remote source address filtering"),
          prop("rspf", VT::kBoolean, "OFF", {}, kStd, "remote source port filtering"),
          prop("rsam", VT::kString, "", {}, kStd, "remote source address mask")}});
  r.add({"tman",
         0x008d,
         2,
         "",
         "H.248.53",
         {prop("pol", VT::kBoolean, "OFF", {}, kStd, "policing required"),
          prop("sdr", VT::kInteger, "", {}, kStd, "sustainable data rate (bytes/s)"),
          prop("mbs", VT::kInteger, "", {}, kStd, "maximum burst size (bytes)"),
          prop("pdr", VT::kInteger, "", {}, kStd, "peak data rate (bytes/s)"),
          prop("dvt", VT::kInteger, "", {}, kStd, "delay variation tolerance")}});
  r.add({"hangterm",
         0x0098,
         1,
         "",
         "H.248.36",
         {prop("thb", VT::kInteger, "", {}, kOurs, "time after which a termination without media is reported"),
          event("thb", {}, kOurs, "termination heartbeat: no media within thb")}});
  r.add({"ipnapt",
         0x0099,
         1,
         "",
         "H.248.37",
         {prop("latch", VT::kBoolean, "OFF", {}, kOurs, "latch the remote address to the first packet's source"),
          prop("rlatch", VT::kBoolean, "OFF", {}, kOurs, "relatch when the source changes")}});
  r.add({"adr",
         0x00ac,
         1,
         "ipnapt/1",
         "H.248.37",
         {event("rsac", {"nrsa", "nrsp"}, kStd, "remote source address changed (latch, relatch)")}});
  r.add({"lstat",
         0x00e4,
         1,
         "ipnapt/1",
         "H.248.37",
         {stat("latches", VT::kInteger, kOurs, "latch and relatch events on the termination")}});
  r.add({"tcpbcc",
         0x0115,
         1,
         "",
         "H.248.89",
         {prop("estab", VT::kEnumeration, "immediate", {"immediate", "delayed"}, kOurs,
               "immediate: establish as soon as configured; delayed: when the MGC signals it or the other "
               "termination's connection comes up"),
          event("tcpest", {}, kOurs, "TCP connection established"),
          event("tcpfail", {"reason"}, kOurs, "TCP establishment failed (refused, timeout)"),
          event("tcprel", {"cause"}, kOurs, "TCP connection released (fin, reset, timeout)"),
          signal("estab", {}, kOurs, "establish the TCP connection now (delayed establishment)")}});
  r.add({"tcprm", 0x0116, 1, "", "H.248.89", {stat("rtx", VT::kInteger, kOurs, "TCP segments retransmitted")}});
  r.add({"tlsbsc",
         0x0117,
         1,
         "",
         "H.248.90",
         {prop("role", VT::kEnumeration, "auto", {"client", "server", "auto"}, kOurs,
               "TLS role; auto: from a=setup (active -> client)"),
          prop("start", VT::kEnumeration, "auto", {"auto", "mgc"}, kOurs,
               "auto: handshake once TCP is up; mgc: when signalled"),
          event("tlsest", {}, kOurs, "TLS session established"),
          event("tlsfail", {"reason"}, kOurs, "the session ended before its handshake completed (handshake-failed, fingerprint-mismatch, "
                "handshake-timeout, transport-closed, ...)"),
          event("tlsrel", {"cause"}, kOurs, "an established session ended (close-notify, alert-received, transport-closed, bad-record, ...)"),
          signal("start", {}, kOurs, "start the TLS handshake now")}});
  r.add({"tlscn",
         0x0118,
         1,
         "",
         "H.248.90",
         {prop("versions", VT::kString, "TLS1.2,TLS1.3", {}, kOurs, "TLS versions allowed"),
          prop("suites", VT::kString, "", {}, kOurs, "cipher suites allowed (3GPP TS 33.310 Annex E)")}});
  r.add({"tlsm",
         0x0119,
         1,
         "",
         "H.248.90",
         {prop("resume", VT::kBoolean, "ON", {}, kOurs, "session resumption (RFC 5077 tickets, session IDs)"),
          prop("reneg", VT::kBoolean, "ON", {}, kOurs, "secure renegotiation (RFC 5746)"),
          event("rekey", {"kind"}, kOurs, "renegotiation or KeyUpdate completed")}});
  r.add({"tlstv",
         0x011a,
         1,
         "",
         "H.248.90",
         {stat("octs", VT::kInteger, kOurs, "TLS application octets sent"),
          stat("octr", VT::kInteger, kOurs, "TLS application octets received"),
          stat("recs", VT::kInteger, kOurs, "TLS records sent"),
          stat("recr", VT::kInteger, kOurs, "TLS records received")}});
  r.add({"seplink",
         0x011b,
         1,
         "",
         "H.248.92",
         {prop("peer", VT::kString, "", {}, kOurs, "the termination this stream endpoint is interlinked with")}});
  r.add({"dtlscn",
         0x011e,
         1,
         "tlscn/1",
         "H.248.93",
         {prop("mtu", VT::kInteger, "1200", {}, kOurs, "DTLS path MTU"),
          prop("replay", VT::kInteger, "64", {}, kOurs, "anti-replay window (records)")}});
  r.add({"msrpstat",
         0x00ea,
         1,
         "",
         "H.248.69",
         {stat("msent", VT::kInteger, kOurs, "MSRP messages sent"),
          stat("mrecv", VT::kInteger, kOurs, "MSRP messages received")}});
  r.add({"msi",
         0x00ee,
         1,
         "",
         "H.248.69",
         {prop("rewrite", VT::kBoolean, "ON", {}, kOurs,
               "rewrite MSRP To-Path/From-Path and a=path (MSRP-aware interworking)")}});
  return r;
}

}  // namespace mediasec::h248
