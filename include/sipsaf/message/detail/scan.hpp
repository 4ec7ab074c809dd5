// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MESSAGE_DETAIL_SCAN_HPP
#define SIPSAF_MESSAGE_DETAIL_SCAN_HPP

// Hand-written scanners for the SIP message view: byte classes of RFC 3261
// §25.1 as 256-entry tables, and small helpers that walk a `char const*`.
// Convention: a scanner returns `errc{}` (zero, not an enumerator) on
// success and leaves the cursor on the offending byte on failure.

#include <sipsaf/config.hpp>
#include <sipsaf/error.hpp>
#include <sipsaf/grammar/detail/chars.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

SIPSAF_BEGIN_NAMESPACE
namespace detail {
namespace msg {

using grammar::detail::char_set;
using grammar::detail::iequals;
using grammar::detail::is_wsp;
using grammar::detail::skip_lws;
using grammar::detail::span;
using grammar::detail::token_chars;

inline constexpr errc ok{};

// RFC 3261 §25.1: unreserved = alphanum / mark; mark = - _ . ! ~ * ' ( )
inline constexpr char_set unreserved =
    char_set("-_.!~*'()").with_range('a', 'z').with_range('A', 'Z').with_range('0', '9');
// user = 1*( unreserved / escaped / user-unreserved ), user-unreserved = & = + $ , ; ? /
// plus ':' (password separator) and '%' (escaped, checked separately).
inline constexpr char_set userinfo_chars =
    char_set("-_.!~*'()&=+$,;?/:%").with_range('a', 'z').with_range('A', 'Z').with_range('0', '9');
// paramchar = param-unreserved / unreserved / escaped; param-unreserved = [ ] / : & + $
inline constexpr char_set param_chars =
    char_set("-_.!~*'()[]/:&+$%").with_range('a', 'z').with_range('A', 'Z').with_range('0', '9');
// hname/hvalue = *( hnv-unreserved / unreserved / escaped ), hnv-unreserved = [ ] / ? : + $
inline constexpr char_set header_chars =
    char_set("-_.!~*'()[]/?:+$%").with_range('a', 'z').with_range('A', 'Z').with_range('0', '9');
// uric = reserved / unreserved / escaped (RFC 2396, used by absoluteURI).
inline constexpr char_set uric_chars = char_set("-_.!~*'();/?:@&=+$,%[]")
                                           .with_range('a', 'z')
                                           .with_range('A', 'Z')
                                           .with_range('0', '9');
// scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
inline constexpr char_set scheme_chars =
    char_set("+-.").with_range('a', 'z').with_range('A', 'Z').with_range('0', '9');
inline constexpr char_set host_chars =
    char_set("-.").with_range('a', 'z').with_range('A', 'Z').with_range('0', '9');
inline constexpr char_set digit = char_set("").with_range('0', '9');
inline constexpr char_set hexdig =
    char_set("").with_range('0', '9').with_range('a', 'f').with_range('A', 'F');
// word = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" /
//        "(" / ")" / "<" / ">" / ":" / "\" / DQUOTE / "/" / "[" / "]" / "?" / "{" / "}")
inline constexpr char_set word_chars = char_set("-.!%*_+`'~()<>:\\\"/[]?{}")
                                           .with_range('a', 'z')
                                           .with_range('A', 'Z')
                                           .with_range('0', '9');
// A gen-value (token / host / quoted-string) read liberally: token bytes,
// plus ':' '[' ']' so that an IPv6 address without brackets in `received`
// is tolerated (RFC 5118 §4.5).
inline constexpr char_set gen_value_chars =
    char_set("-.!%*_+`'~:[]").with_range('a', 'z').with_range('A', 'Z').with_range('0', '9');

constexpr auto view(char const* b, char const* e) noexcept -> std::string_view {
  return {b, static_cast<std::size_t>(e - b)};
}

/// Each `%` in [b, e) must start `%` HEX HEX (RFC 3261 §25.1 escaped).
/// Returns the first bad `%`, or `e`.
constexpr auto bad_escape(char const* b, char const* e) noexcept -> char const* {
  for (char const* p = b; p != e; ++p) {
    if (*p != '%') continue;
    if (e - p < 3 || !hexdig(p[1]) || !hexdig(p[2])) return p;
    p += 2;
  }
  return e;
}

/// A run of decimal digits as an unsigned value no larger than `max`.
/// Returns false on no digits or overflow (`p` left at the first digit).
constexpr auto parse_number(char const*& p, char const* e, std::uint64_t max,
                            std::uint64_t& out) noexcept -> bool {
  char const* q = p;
  std::uint64_t v = 0;
  while (q != e && digit(*q)) {
    v = v * 10 + static_cast<std::uint64_t>(*q - '0');
    if (v > max) return false;
    ++q;
  }
  if (q == p) return false;
  p = q;
  out = v;
  return true;
}

/// Trailing SP / HTAB (and folds) removed.
constexpr auto trim_right(std::string_view v) noexcept -> std::string_view {
  while (!v.empty() && (is_wsp(v.back()) || v.back() == '\r' || v.back() == '\n'))
    v.remove_suffix(1);
  return v;
}

// qdtext bytes that need no further look: SP, HTAB, %x21, %x23-5B, %x5D-7E,
// and UTF8-NONASCII (%x80-FF; RFC 3261 §25.1 takes them as they come).
inline constexpr char_set plain_qdtext =
    char_set(" \t!").with_range(0x23, 0x5b).with_range(0x5d, 0x7e).with_range(0x80, 0xff);

/// RFC 3261 §25.1 quoted-string from `p` (which is at the opening DQUOTE).
/// On success `p` is after the closing quote and `content` holds the text
/// between the quotes (escapes kept).
///   qdtext = LWS / %x21 / %x23-5B / %x5D-7E / UTF8-NONASCII
///   quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
constexpr auto scan_quoted(char const*& p, char const* e, std::string_view& content) noexcept
    -> errc {
  char const* q = p + 1;
  for (;;) {
    q = span(q, e, plain_qdtext);  // the common bytes, a table test each
    if (q == e) {
      p = q;
      return errc::bad_quoted_string;
    }
    auto const c = static_cast<unsigned char>(*q);
    if (c == '"') break;
    if (c == '\\') {
      if (e - q < 2) {
        p = e;
        return errc::bad_quoted_string;
      }
      auto const x = static_cast<unsigned char>(q[1]);
      if (x == '\n' || x == '\r' || x > 0x7f) {
        p = q + 1;
        return errc::bad_quoted_string;
      }
      q += 2;
    } else if (c == ' ' || c == '\t' || c == '\r') {
      char const* r = skip_lws(q, e);
      if (r == q) {
        p = q;
        return errc::bad_quoted_string;
      }
      q = r;
    } else if (c < 0x20 || c == 0x7f) {
      p = q;
      return errc::bad_quoted_string;
    } else {
      ++q;
    }
  }
  content = view(p + 1, q);
  p = q + 1;
  return ok;
}

/// `name=value` pairs of `;`-separated parameters, as written.
/// RFC 3261 §25.1: *( SEMI generic-param ), SEMI = SWS ";" SWS,
/// generic-param = token [ EQUAL gen-value ], gen-value = token / host / quoted-string.
/// Starts at `p` (which may be at SWS before the first `;`) and stops before
/// the first byte that cannot continue the list (`,` or the end, normally).
/// Calls `f(name, value, has_value)` for each parameter; `f` returns an errc.
template <class F>
constexpr auto scan_params(char const*& p, char const* e, F&& f) -> errc {
  for (;;) {
    char const* q = skip_lws(p, e);
    if (q == e || *q != ';') {
      return ok;
    }
    q = skip_lws(q + 1, e);
    char const* name_end = span(q, e, token_chars);
    if (name_end == q) {
      p = q;
      return errc::bad_parameter;
    }
    std::string_view const name = view(q, name_end);
    char const* r = skip_lws(name_end, e);
    std::string_view value;
    bool has_value = false;
    if (r != e && *r == '=') {
      r = skip_lws(r + 1, e);
      has_value = true;
      if (r != e && *r == '"') {
        char const* start = r;
        std::string_view content;
        errc const ec = scan_quoted(r, e, content);
        if (ec != ok) {
          p = r;
          return ec;
        }
        value = view(start, r);
      } else {
        char const* v_end = span(r, e, gen_value_chars);
        if (v_end == r) {
          p = r;
          return errc::bad_parameter;
        }
        value = view(r, v_end);
        r = v_end;
      }
    } else {
      r = name_end;
    }
    errc const ec = f(name, value, has_value);
    if (ec != ok) {
      p = q;
      return ec;
    }
    p = r;
  }
}

/// The first parameter named `name` (case-insensitive) in a `;`-list written
/// as by `scan_params`; `found` tells whether it exists. Assumes the list
/// was validated already (stops quietly at anything unexpected).
inline auto find_param(std::string_view params, std::string_view name, std::string_view& value)
    -> bool {
  char const* p = params.data();
  char const* const e = p + params.size();
  bool found = false;
  scan_params(p, e, [&](std::string_view n, std::string_view v, bool) {
    if (!found && iequals(n, name)) {
      found = true;
      value = v;
    }
    return ok;
  });
  return found;
}

}  // namespace msg
}  // namespace detail
SIPSAF_END_NAMESPACE

#endif  // SIPSAF_MESSAGE_DETAIL_SCAN_HPP
