// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_GATEWAY_DETAIL_UTF8_HPP
#define SIPSAF_GATEWAY_DETAIL_UTF8_HPP

// UTF-8 reading and writing for the gateways (RFC 3629). Every text that
// leaves through a gateway is valid UTF-8: a byte sequence that is not
// becomes U+FFFD, one replacement per maximal ill-formed subpart.

#include <sipsaf/config.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

SIPSAF_BEGIN_NAMESPACE
namespace detail {
namespace gw {

inline constexpr char32_t replacement_char = 0xFFFD;

/// Reads one code point at `s[i]` and advances `i` past it; an ill-formed
/// sequence (RFC 3629 §4: overlong, surrogate, above U+10FFFF, cut short)
/// yields U+FFFD and advances past its longest valid prefix (at least 1).
inline auto next_code_point(std::string_view s, std::size_t& i) noexcept -> char32_t {
  auto const b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char const c = b(i);
  if (c < 0x80) return ++i, c;
  std::size_t len = 0;
  char32_t cp = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // bounds of the second byte (RFC 3629 §4)
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2, cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3, cp = c & 0x0F;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;  // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4, cp = c & 0x07;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return ++i, replacement_char;
  }
  std::size_t k = 1;
  for (; k < len; ++k) {
    if (i + k >= s.size()) break;
    unsigned char const t = b(i + k);
    if (k == 1 ? (t < lo || t > hi) : (t < 0x80 || t > 0xBF)) break;
    cp = (cp << 6) | (t & 0x3F);
  }
  i += k;
  return k == len ? cp : replacement_char;
}

inline void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

/// `s` with every ill-formed sequence replaced by U+FFFD.
inline auto valid_utf8(std::string_view s) -> std::string {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) append_utf8(out, next_code_point(s, i));
  return out;
}

inline auto is_ascii(std::string_view s) noexcept -> bool {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

inline auto iequal_ascii(std::string_view a, std::string_view b) noexcept -> bool {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

/// Text in `charset` as valid UTF-8, for the charsets a SIP client writes:
/// UTF-8 (also when none is named), US-ASCII (a byte above 127 becomes
/// U+FFFD) and ISO-8859-1 (each byte is its code point). Nothing for
/// another charset: the caller treats such text as opaque bytes.
inline auto charset_to_utf8(std::string_view charset, std::string_view bytes)
    -> std::optional<std::string> {
  if (charset.empty() || iequal_ascii(charset, "utf-8") || iequal_ascii(charset, "utf8"))
    return valid_utf8(bytes);
  bool const ascii = iequal_ascii(charset, "us-ascii") || iequal_ascii(charset, "ascii");
  bool const latin1 = iequal_ascii(charset, "iso-8859-1") || iequal_ascii(charset, "latin1");
  if (!ascii && !latin1) return std::nullopt;
  std::string out;
  out.reserve(bytes.size());
  for (char c : bytes) {
    auto const u = static_cast<unsigned char>(c);
    append_utf8(out, u < 0x80 || latin1 ? char32_t(u) : replacement_char);
  }
  return out;
}

}  // namespace gw
}  // namespace detail
SIPSAF_END_NAMESPACE

#endif  // SIPSAF_GATEWAY_DETAIL_UTF8_HPP
