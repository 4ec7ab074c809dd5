// A JSON string literal (RFC 8259 §7), shared by the examples that print
// JSON (sipsaf-inspect, sipsaf-ua --json).
#ifndef SIPSAF_EXAMPLES_COMMON_JSON_STRING_HPP
#define SIPSAF_EXAMPLES_COMMON_JSON_STRING_HPP

#include <cstddef>
#include <string>
#include <string_view>

namespace example {

/// `s` as a JSON string literal. A well-formed UTF-8 sequence passes
/// through; any other byte is written as \u00XX (its Latin-1 reading), so
/// that the output is always valid JSON whatever a message carried.
inline auto json_string(std::string_view s) -> std::string {
  static constexpr char hex[] = "0123456789abcdef";
  // The length of the well-formed UTF-8 sequence at `i`, 0 if there is none
  // (RFC 3629 §4: no overlong forms, no surrogates, nothing past U+10FFFF).
  auto utf8_length = [&s](std::size_t i) -> std::size_t {
    auto const c = static_cast<unsigned char>(s[i]);
    std::size_t const n = c >= 0xc2 && c <= 0xdf   ? 2
                          : c >= 0xe0 && c <= 0xef ? 3
                          : c >= 0xf0 && c <= 0xf4 ? 4
                                                   : 0;
    if (n == 0 || i + n > s.size()) return 0;
    auto const second = static_cast<unsigned char>(s[i + 1]);
    unsigned char const low = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80;
    unsigned char const high = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
    if (second < low || second > high) return 0;
    for (std::size_t k = 2; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return 0;
    return n;
  };
  std::string out = "\"";
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
    } else if (std::size_t const n = utf8_length(i); n != 0) {
      out.append(s.substr(i, n));
      i += n - 1;
    } else {
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out + '"';
}

}  // namespace example

#endif  // SIPSAF_EXAMPLES_COMMON_JSON_STRING_HPP
