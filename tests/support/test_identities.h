// The certificates the TLS and media tests use: the gateway's and a terminal's identity, in a
// temporary directory (gw.pem/gw.key and t.pem/t.key, for peers such as s_client to read) that
// goes away with the object.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "host/tls/identity.h"

namespace mediasec::test_env {

struct TestIdentities {
  // The directory is <tmp>/mediasec-<name>-<pid>.
  explicit TestIdentities(const std::string& name)
      : dir(Create(std::filesystem::temp_directory_path() / ("mediasec-" + name + "-" + std::to_string(::getpid())))),
        gateway(std::make_unique<tls::Identity>(tls::Identity::load_or_create(dir / "gw.pem", dir / "gw.key").value())),
        terminal(std::make_unique<tls::Identity>(tls::Identity::load_or_create(dir / "t.pem", dir / "t.key").value())) {}
  ~TestIdentities() { std::filesystem::remove_all(dir); }
  TestIdentities(const TestIdentities&) = delete;
  TestIdentities& operator=(const TestIdentities&) = delete;

  const std::filesystem::path dir;
  const std::unique_ptr<tls::Identity> gateway, terminal;

 private:
  static std::filesystem::path Create(std::filesystem::path dir) {
    std::filesystem::create_directories(dir);
    return dir;
  }
};

}  // namespace mediasec::test_env
