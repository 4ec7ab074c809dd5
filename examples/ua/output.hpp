// sipsaf-ua: what the user agent prints. Each event is one line of plain
// words, or with --json one JSON object per line (for scripts and tests).
#ifndef SIPSAF_EXAMPLES_UA_OUTPUT_HPP
#define SIPSAF_EXAMPLES_UA_OUTPUT_HPP

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace ua {

/// A JSON string literal. Bytes that do not form UTF-8 are written as
/// \u00XX (their Latin-1 reading) so that the line is always valid JSON.
inline auto json_string(std::string_view s) -> std::string {
  std::string out = "\"";
  static constexpr char hex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto const c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      // A well-formed UTF-8 sequence passes through; anything else is Latin-1.
      std::size_t len = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
      bool ok = len > 0 && c < 0xf5 && i + len <= s.size();
      for (std::size_t k = 1; ok && k < len; ++k)
        ok = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
      if (ok) {
        out.append(s.substr(i, len));
        i += len - 1;
      } else {
        out += "\\u00";
        out += hex[c >> 4];
        out += hex[c & 15];
      }
    }
  }
  return out + "\"";
}

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
