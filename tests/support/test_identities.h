// The certificates the TLS and media tests use: the gateway's and a terminal's identity, in a
// temporary directory (gw.pem/gw.key and t.pem/t.key, for peers such as s_client to read) that
// goes away with the object.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "host/tls/identity.h"
#include "tests/support/temp_dir.h"

namespace mediasec::test_env {

struct TestIdentities {
  // The directory is <tmp>/mediasec-<name>-<pid>.
  explicit TestIdentities(const std::string& name)
      : temp(name),
        dir(temp.path()),
        gateway(std::make_unique<tls::Identity>(tls::Identity::load_or_create(dir / "gw.pem", dir / "gw.key").value())),
        terminal(std::make_unique<tls::Identity>(tls::Identity::load_or_create(dir / "t.pem", dir / "t.key").value())) {
  }

  const TempDir temp;  // goes last, with the files
  const std::filesystem::path dir;
  const std::unique_ptr<tls::Identity> gateway, terminal;
};

}  // namespace mediasec::test_env
