// sipsaf-ua: what the user agent prints. Each event is one line of plain
// words, or with --json one JSON object per line (for scripts and tests).
#ifndef SIPSAF_EXAMPLES_UA_OUTPUT_HPP
#define SIPSAF_EXAMPLES_UA_OUTPUT_HPP

#include "../common/json_string.hpp"

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace ua {

using example::json_string;

/// One printed event: a kind, named values in order, and the plain-words line.
class event {
 public:
  /// An event line; an empty kind makes a plain object (a list element).
  explicit event(std::string_view kind) {
    if (!kind.empty()) add("event", kind);
  }
  auto add(std::string_view key, std::string_view v) -> event& {
    fields_.emplace_back(std::string(key), json_string(v));
    return *this;
  }
  auto add(std::string_view key, char const* v) -> event& { return add(key, std::string_view(v)); }
  auto add(std::string_view key, std::string const& v) -> event& {
    return add(key, std::string_view(v));
  }
  auto add(std::string_view key, long long v) -> event& {
    fields_.emplace_back(std::string(key), std::to_string(v));
    return *this;
  }
  auto add(std::string_view key, int v) -> event& { return add(key, static_cast<long long>(v)); }
  auto add(std::string_view key, std::size_t v) -> event& {
    return add(key, static_cast<long long>(v));
  }
  auto add(std::string_view key, bool v) -> event& {
    fields_.emplace_back(std::string(key), v ? "true" : "false");
    return *this;
  }
  /// A list of objects, already written as JSON.
  auto add_raw(std::string_view key, std::string json) -> event& {
    fields_.emplace_back(std::string(key), std::move(json));
    return *this;
  }
  auto json() const -> std::string {
    std::string s = "{";
    for (std::size_t i = 0; i < fields_.size(); ++i) {
      if (i) s += ",";
      s += json_string(fields_[i].first) + ":" + fields_[i].second;
    }
    return s + "}";
  }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

class printer {
 public:
  bool json = false;
  bool quiet = false;

  /// Prints `e` as JSON, or `text` (one or more lines) in plain words.
  void print(event const& e, std::string const& text) const {
    if (json) {
      line(e.json());
    } else if (!quiet) {
      line(text);
    }
  }
  /// Plain words only (headings, wire dumps); nothing in JSON mode.
  void say(std::string const& text) const {
    if (!json && !quiet) line(text);
  }

 private:
  static void line(std::string const& s) {
    std::fwrite(s.data(), 1, s.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
  }
};

}  // namespace ua

#endif  // SIPSAF_EXAMPLES_UA_OUTPUT_HPP
