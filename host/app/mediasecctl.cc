// mediasecctl: the operator's command line for the appliance. For now it talks to a device
// backend directly (identity, self-test, a record demo) and manages the gateway's TLS
// certificate (create, show its a=fingerprint); the daemon's control socket comes with the media
// plane.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <iostream>
#include <string>

#include "drivers/open_device.h"
#include "host/app/record_demo.h"
#include "host/tls/identity.h"

namespace {

using mediasec::device::Device;

nlohmann::json identity_json(const mediasec::device::Identity& id) {
  return {{"backend", id.backend}, {"id", id.id_magic}, {"version", id.version}, {"build", id.build},
          {"key_slots", id.key_slots}, {"lanes", id.lanes},
          {"suites", {{"aes128", id.aes128}, {"aes256", id.aes256}}},
          {"framings", {{"tls1.2", id.tls12}, {"tls1.3", id.tls13}, {"dtls1.2", id.dtls12}, {"raw", id.raw}}}};
}

void print_identity(const mediasec::device::Identity& id) {
  std::cout << "backend      " << id.backend << "\n"
            << "id           0x" << std::hex << id.id_magic << std::dec << "\n"
            << "version      " << (id.version >> 24) << "." << ((id.version >> 16) & 0xff) << "." << (id.version & 0xffff) << "\n"
            << "build        0x" << std::hex << id.build << std::dec << "\n"
            << "key slots    " << id.key_slots << "\n"
            << "lanes        " << id.lanes << "\n"
            << "suites       " << (id.aes128 ? "AES-128-GCM " : "") << (id.aes256 ? "AES-256-GCM" : "") << "\n"
            << "framings     " << (id.tls12 ? "TLS1.2 " : "") << (id.tls13 ? "TLS1.3 " : "") << (id.dtls12 ? "DTLS1.2 " : "")
            << (id.raw ? "raw" : "") << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"mediasecctl: control the mediasec media-plane security gateway"};
  app.require_subcommand(1);
  app.fallthrough();  // --backend and --json may come before or after the subcommand
  std::string backend = "sw";
  bool json = false;
  app.add_option("-b,--backend", backend, "device backend: sw, sim[:lanes=N,stall=P,seed=S], xrt[:index=N,xclbin=PATH]")
      ->capture_default_str();
  app.add_flag("--json", json, "print JSON instead of tables");

  auto* identity = app.add_subcommand("identity", "show what the device is and can do");
  auto* selftest = app.add_subcommand("selftest", "run the device's known-answer self-test");
  auto* demo = app.add_subcommand("demo", "self-test, then protect and unprotect records of every framing and suite");
  auto* certificate = app.add_subcommand("certificate", "show the gateway's TLS certificate and its a=fingerprint (or create one)");
  std::string cert_path, key_path, hash = "sha-256";
  bool create = false, rsa = false;
  certificate->add_option("--cert", cert_path, "certificate (PEM)")->required();
  certificate->add_option("--key", key_path, "private key (PEM)")->required();
  certificate->add_option("--hash", hash, "fingerprint hash (RFC 8122 name: sha-256, sha-1, sha-384, sha3-256, ...)")->capture_default_str();
  certificate->add_flag("--create", create, "create a self-signed certificate and key if neither file exists (key mode 0600)");
  certificate->add_flag("--rsa", rsa, "with --create: RSA-2048 instead of ECDSA P-256");
  CLI11_PARSE(app, argc, argv);

  if (certificate->parsed()) {
    const bool existed = std::filesystem::exists(cert_path) || std::filesystem::exists(key_path);
    auto id = create ? mediasec::tls::Identity::load_or_create(cert_path, key_path,
                                                               rsa ? mediasec::tls::KeyType::kRsa2048 : mediasec::tls::KeyType::kEcdsaP256)
                     : mediasec::tls::Identity::load(cert_path, key_path);
    if (!id) {
      std::cerr << "mediasecctl: " << id.error().message << "\n";
      return 2;
    }
    auto fp = id->fingerprint(hash);
    if (!fp) {
      std::cerr << "mediasecctl: " << fp.error().message << "\n";
      return 2;
    }
    char subject[256];
    X509_NAME_oneline(X509_get_subject_name(id->certificate()), subject, sizeof subject);
    if (json) {
      std::cout << nlohmann::json{{"certificate", cert_path}, {"subject", subject}, {"created", create && !existed},
                                  {"fingerprint", fp->to_string()}}.dump() << "\n";
    } else {
      std::cout << "certificate  " << cert_path << (create && !existed ? " (created)" : "") << "\n"
                << "subject      " << subject << "\n"
                << "a=fingerprint:" << fp->to_string() << "\n";
    }
    return 0;
  }

  auto opened = mediasec::device::open_device(backend);
  if (!opened) {
    std::cerr << "mediasecctl: cannot open backend '" << backend << "': " << opened.error().message << "\n";
    return 2;
  }
  Device& dev = **opened;

  if (identity->parsed()) {
    if (json) {
      std::cout << identity_json(dev.identity()).dump(2) << "\n";
    } else {
      print_identity(dev.identity());
    }
    return 0;
  }
  if (selftest->parsed()) {
    auto r = dev.self_test();
    if (json) {
      std::cout << nlohmann::json{{"backend", dev.identity().backend}, {"passed", r.ok()},
                                  {"error", r ? "" : r.error().message}}.dump() << "\n";
    } else {
      std::cout << "self-test on " << dev.identity().backend << ": " << (r ? "passed" : "FAILED: " + r.error().message) << "\n";
    }
    return r ? 0 : 1;
  }
  if (demo->parsed()) {
    std::cout << "== record-protection demo on backend " << backend << " ==\n";
    return mediasec::app::run_record_demo(dev, std::cout) ? 0 : 1;
  }
  return 0;
}
