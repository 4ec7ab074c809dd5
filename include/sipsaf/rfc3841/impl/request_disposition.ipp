// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_RFC3841_IMPL_REQUEST_DISPOSITION_IPP
#define SIPSAF_RFC3841_IMPL_REQUEST_DISPOSITION_IPP

#include <sipsaf/grammar/detail/chars.hpp>
#include <sipsaf/rfc3841/request_disposition.hpp>

#include <algorithm>
#include <cstring>

SIPSAF_BEGIN_NAMESPACE

namespace detail {

inline auto load8(char const* p) noexcept -> std::uint64_t {
  std::uint64_t v = 0;
  std::memcpy(&v, p, 8);
  return v;
}
inline auto load4(char const* p) noexcept -> std::uint32_t {
  std::uint32_t v = 0;
  std::memcpy(&v, p, 4);
  return v;
}

// True when the bytes at `p` spell `lower` (lower-case letters and '-') in
// any ASCII case (RFC 3261 §7.3.1). Only letters are folded: the fold bit
// 0x20 of each byte is bit 0x40 of the literal's byte, which letters have
// and '-' has not, so 'P' and 'p' match 'p' and only '-' matches '-'.
// Reads exactly the literal's length, eight or four bytes at a time
// (the last word overlapping the one before).
template <std::size_t N>
inline auto spells(char const* p, char const (&lower)[N]) noexcept -> bool {
  constexpr std::size_t n = N - 1;
  static_assert(n >= 4, "directive names have four letters or more");
  auto eq8 = [&](std::size_t i) {
    std::uint64_t const b = load8(lower + i);
    return (load8(p + i) | ((b >> 1) & 0x2020202020202020ull)) == b;
  };
  auto eq4 = [&](std::size_t i) {
    std::uint32_t const b = load4(lower + i);
    return (load4(p + i) | ((b >> 1) & 0x20202020u)) == b;
  };
  if constexpr (n < 8) {
    return eq4(0) && eq4(n - 4);
  } else {
    for (std::size_t i = 0; i + 8 <= n; i += 8)
      if (!eq8(i)) return false;
    return n % 8 == 0 || eq8(n - 8);
  }
}

// The directive whose name starts at `p` and ends before `e` or before a
// byte that cannot continue a token, with `end` set after it; or
// `directive::extension` (and `end` untouched). One dispatch on the first
// letter (and on the fourth for "no-"), then whole-word compares.
[[gnu::always_inline]] inline auto match_directive(char const* p, char const* e,
                                                   char const*& end) noexcept -> directive {
  using grammar::detail::token_chars;
  directive found = directive::extension;
  auto is = [&](auto const& name, directive d) {
    std::size_t const n = sizeof(name) - 1;
    if (static_cast<std::size_t>(e - p) < n || !spells(p, name) ||
        (p + n != e && token_chars(p[n])))
      return false;
    end = p + n;
    found = d;
    return true;
  };
  if (e - p < 4) return found;
  switch (p[0] | 0x20) {
    case 'c':
      is("cancel", directive::cancel);
      break;
    case 'd':
      is("do-not-store", directive::do_not_store);
      break;
    case 'f':
      is("fork", directive::fork);
      break;
    case 'n':
      if (p[1] != 'o' && p[1] != 'O') break;
      if (p[2] != '-') {
        is("notify", directive::notify);
        break;
      }
      switch (p[3] | 0x20) {
        case 'c':
          is("no-cancel", directive::no_cancel);
          break;
        case 'f':
          is("no-fork", directive::no_fork);
          break;
        case 'q':
          is("no-queue", directive::no_queue);
          break;
        case 'r':
          is("no-recurse", directive::no_recurse) || is("no-ring", directive::no_ring);
          break;
        default:
          break;
      }
      break;
    case 'p':
      is("proxy", directive::proxy) || is("parallel", directive::parallel);
      break;
    case 'q':
      is("queue", directive::queue);
      break;
    case 'r':
      is("redirect", directive::redirect) || is("recurse", directive::recurse) ||
          is("ring", directive::ring);
      break;
    case 's':
      is("store-and-forward-if-not-reached", directive::store_and_forward_if_not_reached) ||
          is("store", directive::store) || is("sequential", directive::sequential);
      break;
    default:
      break;
  }
  return found;
}

}  // namespace detail

SIPSAF_DECL auto classify_directive(std::string_view t) noexcept -> directive {
  char const* const e = t.data() + t.size();
  char const* end = nullptr;
  directive const d = detail::match_directive(t.data(), e, end);
  return end == e ? d : directive::extension;
}

SIPSAF_DECL auto operator==(request_disposition const& a, request_disposition const& b) noexcept
    -> bool {
  if (a.count_ != b.count_ || a.extensions_.size() != b.extensions_.size()) return false;
  if (!std::equal(a.order_.begin(), a.order_.begin() + a.count_, b.order_.begin())) return false;
  for (std::size_t i = 0; i < a.extensions_.size(); ++i)
    if (!grammar::detail::iequals(a.extensions_[i], b.extensions_[i])) return false;
  return true;
}

SIPSAF_DECL auto append_request_disposition(request_disposition& into, std::string_view row,
                                            request_disposition_options const& opt)
    -> result<void> {
  using grammar::detail::skip_lws;
  using grammar::detail::span;
  using grammar::detail::token_chars;
  // RFC 3841 §10: SWS directive *(COMMA directive) SWS, COMMA = SWS "," SWS.
  // Written by hand: one pass, no backtracking; a known directive is
  // recognised by its first letter and whole-word compares before any scan.
  char const* const b = row.data();
  char const* const e = b + row.size();
  auto at = [b](errc code, char const* where) -> result<void> {
    return parse_error{code, static_cast<std::size_t>(where - b)};
  };
  char const* p = skip_lws(b, e);
  if (p == e) return at(errc::empty_value, b);
  std::size_t const limit = std::min(opt.max_directives, request_disposition::capacity);
  bool const strict = opt.mode == disposition_mode::strict;
  for (;;) {
    char const* const t = p;
    directive const d = detail::match_directive(t, e, p);
    if (d == directive::extension) {
      p = span(t, e, token_chars);
      if (p == t) return at(errc::expected_directive, t);
    }
    std::string_view const token(t, static_cast<std::size_t>(p - t));
    if (strict && (d == directive::extension || !is_rfc3841(d)))
      return at(errc::unknown_directive, t);
    if (into.size() >= limit) return at(errc::too_many_directives, t);
    // RFC 3841 §9.1: at most one directive of each type.
    if (!(d == directive::extension ? into.add_extension(token) : into.add(d)))
      return at(errc::conflicting_directives, t);
    if (p != e && *p == ',') {
      // ", " is how lists are written: taken without a whitespace scan.
      ++p;
      if (p != e && *p == ' ') ++p;
      if (p != e && token_chars(*p)) continue;
    } else {
      p = skip_lws(p, e);
      if (p == e) return {};
      if (*p != ',') return at(errc::expected_comma, p);
      ++p;
    }
    p = skip_lws(p, e);
  }
}

SIPSAF_DECL auto parse_request_disposition(std::string_view value,
                                           request_disposition_options const& opt)
    -> result<request_disposition> {
  // Parsed in place, so that the value is not moved on the way out.
  result<request_disposition> out{request_disposition{}};
  auto r = append_request_disposition(*out, value, opt);
  if (!r) return r.error();
  return out;
}

SIPSAF_DECL auto to_string(request_disposition const& rd) -> std::string {
  std::string s;
  s.reserve(rd.size() * 12);
  serialize(std::back_inserter(s), rd);
  return s;
}

SIPSAF_DECL auto operator<<(std::ostream& os, request_disposition const& rd) -> std::ostream& {
  return os << to_string(rd);
}

SIPSAF_DECL auto identifier_code(request_disposition const& rd) noexcept -> std::string_view {
  switch (rd.store()) {
    case store_command::do_not_store:
      return "11";
    case store_command::store:
    case store_command::store_and_forward_if_not_reached:
      return rd.notify() ? "01" : "00";
    case store_command::none:
      break;
  }
  return rd.notify() ? "01" : "";
}

SIPSAF_DECL auto from_identifier_code(std::string_view code) -> result<request_disposition> {
  request_disposition rd;
  if (code == "11") {
    rd.add(directive::do_not_store);
  } else if (code == "00" || code == "01") {
    rd.add(directive::store_and_forward_if_not_reached);
    if (code == "01") rd.add(directive::notify);
  } else {
    return parse_error{errc::expected_directive, 0};
  }
  return rd;
}

SIPSAF_END_NAMESPACE

#endif
