// mediasecctl: the operator's command line for the appliance. It asks a running mediasecd
// through its control socket (status, contexts and terminations, TLS sessions, device identity
// and counters, self-test, reload, metrics), or works on a device backend directly when
// --backend is given or no daemon runs (identity, self-test, a record demo), and manages the
// gateway's TLS certificate (create, show its a=fingerprint). Tables by default, --json on request.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include "drivers/open_device.h"
#include "host/app/control_client.h"
#include "host/app/device_json.h"
#include "host/app/record_demo.h"
#include "host/app/tables.h"
#include "host/tls/identity.h"

namespace {

using mediasec::app::identity_json;
using mediasec::device::Device;

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"mediasecctl: control the mediasec media-plane security gateway"};
  app.require_subcommand(1);
  app.fallthrough();  // --backend and --json may come before or after the subcommand
  std::string backend = "sw";
  bool json = false;
  const char* env_socket = std::getenv("MEDIASEC_CONTROL");
  std::string socket_path = env_socket != nullptr ? env_socket : mediasec::app::kDefaultControlSocket;
  auto* backend_option =
      app.add_option("-b,--backend", backend,
                     "device backend to use directly: sw, sim[:lanes=N,stall=P,seed=S], xrt[:index=N,xclbin=PATH]")
          ->capture_default_str();
  auto* socket_option = app.add_option("-s,--socket", socket_path, "mediasecd's control socket (or $MEDIASEC_CONTROL)")
                            ->capture_default_str();
  app.add_flag("--json", json, "print JSON instead of tables");

  auto* status = app.add_subcommand("status", "mediasecd: association with the MGC, contexts, key slots, certificate");
  auto* contexts =
      app.add_subcommand("contexts", "mediasecd: contexts and their terminations (bearers, state, octets)");
  auto* sessions =
      app.add_subcommand("sessions", "mediasecd: TLS and DTLS sessions (version, suite, peer fingerprint; never keys)");
  auto* reload = app.add_subcommand("reload", "mediasecd: read the certificate and key again (as SIGHUP does)");
  auto* metrics = app.add_subcommand("metrics", "mediasecd: the metrics as Prometheus scrapes them");

  auto* identity = app.add_subcommand(
      "identity", "show what the device is and can do (mediasecd's device, with its counters, when it runs)");
  auto* selftest =
      app.add_subcommand("selftest", "run the device's known-answer self-test (on mediasecd's device when it runs)");
  auto* demo = app.add_subcommand("demo", "self-test, then protect and unprotect records of every framing and suite");
  auto* certificate =
      app.add_subcommand("certificate", "show the gateway's TLS certificate and its a=fingerprint (or create one)");
  std::string cert_path, key_path, hash = "sha-256";
  bool create = false, rsa = false;
  certificate->add_option("--cert", cert_path, "certificate (PEM)")->required();
  certificate->add_option("--key", key_path, "private key (PEM)")->required();
  certificate->add_option("--hash", hash, "fingerprint hash (RFC 8122 name: sha-256, sha-1, sha-384, sha3-256, ...)")
      ->capture_default_str();
  certificate->add_flag("--create", create,
                        "create a self-signed certificate and key if neither file exists (key mode 0600)");
  certificate->add_flag("--rsa", rsa, "with --create: RSA-2048 instead of ECDSA P-256");
  CLI11_PARSE(app, argc, argv);

  if (certificate->parsed()) {
    const bool existed = std::filesystem::exists(cert_path) || std::filesystem::exists(key_path);
    auto id =
        create ? mediasec::tls::Identity::load_or_create(
                     cert_path, key_path, rsa ? mediasec::tls::KeyType::kRsa2048 : mediasec::tls::KeyType::kEcdsaP256)
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
      std::cout << nlohmann::json{{"certificate", cert_path},
                                  {"subject", subject},
                                  {"created", create && !existed},
                                  {"fingerprint", fp->to_string()}}
                       .dump()
                << "\n";
    } else {
      std::cout << "certificate  " << cert_path << (create && !existed ? " (created)" : "") << "\n"
                << "subject      " << subject << "\n"
                << "a=fingerprint:" << fp->to_string() << "\n";
    }
    return 0;
  }

  // The daemon's view: asked for, or the daemon runs and no backend was named.
  const bool daemon_command =
      status->parsed() || contexts->parsed() || sessions->parsed() || reload->parsed() || metrics->parsed();
  const bool daemon_device = (identity->parsed() || selftest->parsed()) && backend_option->count() == 0 &&
                             (socket_option->count() > 0 || std::filesystem::exists(socket_path));
  if (daemon_command || daemon_device) {
    const char* command = status->parsed()     ? "status"
                          : contexts->parsed() ? "contexts"
                          : sessions->parsed() ? "sessions"
                          : reload->parsed()   ? "reload"
                          : metrics->parsed()  ? "metrics"
                          : identity->parsed() ? "device"
                                               : "selftest";
    auto answer = mediasec::app::ask_daemon(socket_path, {{"command", command}});
    if (!answer) {
      std::cerr << "mediasecctl: " << answer.error().message << "\n";
      return 2;
    }
    if (answer->contains("error") && !selftest->parsed()) {
      std::cerr << "mediasecctl: mediasecd: " << (*answer)["error"].get<std::string>() << "\n";
      return 1;
    }
    if (json) {
      std::cout << answer->dump(2) << "\n";
    } else if (status->parsed()) {
      mediasec::app::print_status(std::cout, *answer);
    } else if (contexts->parsed()) {
      mediasec::app::print_contexts(std::cout, *answer);
    } else if (sessions->parsed()) {
      mediasec::app::print_sessions(std::cout, *answer);
    } else if (reload->parsed()) {
      std::cout << "certificate reloaded: a=fingerprint:" << (*answer)["fingerprint"].get<std::string>() << "\n";
    } else if (metrics->parsed()) {
      std::cout << (*answer)["text"].get<std::string>();
    } else if (identity->parsed()) {
      mediasec::app::print_device(std::cout, *answer);
    } else {
      const bool passed = answer->value("passed", false);
      std::cout << "self-test on " << answer->value("backend", "?")
                << " (mediasecd): " << (passed ? "passed" : "FAILED: " + answer->value("error", std::string("?")))
                << "\n";
      return passed ? 0 : 1;
    }
    if (selftest->parsed()) return answer->value("passed", false) ? 0 : 1;
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
      mediasec::app::print_identity(std::cout, identity_json(dev.identity()));
    }
    return 0;
  }
  if (selftest->parsed()) {
    auto r = dev.self_test();
    if (json) {
      std::cout << nlohmann::json{{"backend", dev.identity().backend},
                                  {"passed", r.ok()},
                                  {"error", r ? "" : r.error().message}}
                       .dump()
                << "\n";
    } else {
      std::cout << "self-test on " << dev.identity().backend << ": " << (r ? "passed" : "FAILED: " + r.error().message)
                << "\n";
    }
    return r ? 0 : 1;
  }
  if (demo->parsed()) {
    std::cout << "== record-protection demo on backend " << backend << " ==\n";
    return mediasec::app::run_record_demo(dev, std::cout) ? 0 : 1;
  }
  return 0;
}
