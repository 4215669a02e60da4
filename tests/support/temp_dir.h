// A temporary directory for one test (or fixture), removed with everything in it when the object
// goes: <tmp>/mediasec-<name>-<pid>.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

namespace mediasec::test_env {

class TempDir {
 public:
  explicit TempDir(const std::string& name)
      : path_(std::filesystem::temp_directory_path() / ("mediasec-" + name + "-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace mediasec::test_env
