// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_ASCII_HPP
#define SIPSAF_ASCII_HPP

/// @file
/// ASCII case folding without a locale. SIP compares header field names,
/// method-independent tokens, URI schemes and parameter names without case
/// (RFC 3261 §7.3.1, §19.1.4), and only in ASCII (RFC 5234 §2.3): a locale
/// must not change the answer.

#include <sipsaf/config.hpp>

#include <cstddef>
#include <string>
#include <string_view>

SIPSAF_BEGIN_NAMESPACE

/// `c` in lower case when it is an ASCII capital letter, else `c` itself.
constexpr auto ascii_lower(char c) noexcept -> char {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}

/// `s` with its ASCII capital letters in lower case.
inline auto ascii_lower(std::string_view s) -> std::string {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

/// Whether `a` and `b` are equal when ASCII letters are compared without case.
constexpr auto iequals(std::string_view a, std::string_view b) noexcept -> bool {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char const x = a[i], y = b[i];
    if (x != y && ascii_lower(x) != ascii_lower(y)) return false;  // folded only when they differ
  }
  return true;
}

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_ASCII_HPP
