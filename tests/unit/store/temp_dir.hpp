// A fresh directory under $TMPDIR (or /tmp), removed with its files at the end.
#ifndef SIPSAF_TESTS_UNIT_STORE_TEMP_DIR_HPP
#define SIPSAF_TESTS_UNIT_STORE_TEMP_DIR_HPP

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

#include <stdlib.h>

namespace sipsaf_test {

class temp_dir {
 public:
  temp_dir() {
    char const* base = std::getenv("TMPDIR");
    std::string pattern =
        std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/sipsaf-store-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  temp_dir(temp_dir const&) = delete;
  auto operator=(temp_dir const&) -> temp_dir& = delete;
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  auto path() const -> std::string const& { return path_; }
  auto file(std::string const& name) const -> std::string { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace sipsaf_test

#endif
