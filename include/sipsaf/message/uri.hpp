// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MESSAGE_URI_HPP
#define SIPSAF_MESSAGE_URI_HPP

/// @file
/// A zero-copy view of a URI as SIP uses it: SIP and SIPS URIs split into
/// their parts (RFC 3261 §19.1, §25.1), any other scheme checked as an
/// absoluteURI (RFC 3261 §25.1, RFC 2396) and kept opaque.
///
/// @par BNF (RFC 3261 §25.1)
/// @code
///   SIP-URI        = "sip:" [ userinfo ] hostport uri-parameters [ headers ]
///   SIPS-URI       = "sips:" [ userinfo ] hostport uri-parameters [ headers ]
///   userinfo       = ( user / telephone-subscriber ) [ ":" password ] "@"
///   user           = 1*( unreserved / escaped / user-unreserved )
///   user-unreserved= "&" / "=" / "+" / "$" / "," / ";" / "?" / "/"
///   password       = *( unreserved / escaped / "&" / "=" / "+" / "$" / "," )
///   hostport       = host [ ":" port ]
///   host           = hostname / IPv4address / IPv6reference
///   uri-parameters = *( ";" uri-parameter )
///   uri-parameter  = pname [ "=" pvalue ]     ; 1*paramchar each
///   headers        = "?" header *( "&" header )
///   absoluteURI    = scheme ":" ( hier-part / opaque-part )
/// @endcode

#include <sipsaf/config.hpp>
#include <sipsaf/error.hpp>
#include <sipsaf/message/detail/scan.hpp>
#include <sipsaf/result.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

SIPSAF_BEGIN_NAMESPACE

/// The parts of a URI, as written (escapes kept).
///
/// A view: every member points into the string that was parsed. Ownership
/// is not transferred; the caller keeps that string alive and unchanged
/// while the view is used.
struct uri_view {
  std::string_view text;              ///< the whole URI
  std::string_view scheme;            ///< "sip", "sips", "tel", ... as written
  std::string_view user;              ///< SIP/SIPS: user part (empty when absent)
  std::string_view password;          ///< SIP/SIPS: password (empty when absent)
  std::string_view host;              ///< SIP/SIPS: host; an IPv6 reference keeps its brackets
  std::optional<std::uint16_t> port;  ///< SIP/SIPS: port when written
  std::string_view params;            ///< SIP/SIPS: uri-parameters without the first ';'
  std::string_view headers;           ///< SIP/SIPS: headers without the '?'
  std::string_view opaque;            ///< everything after "scheme:"

  /// True for the sip and sips schemes (case-insensitive, RFC 3261 §19.1.1).
  auto is_sip() const noexcept -> bool {
    return detail::msg::iequals(scheme, "sip") || detail::msg::iequals(scheme, "sips");
  }
  /// The value of the uri-parameter `name` (case-insensitive), as written;
  /// an empty view for a parameter without a value (e.g. `lr`).
  auto param(std::string_view name) const -> std::optional<std::string_view> {
    std::size_t i = 0;
    while (i <= params.size() && !params.empty()) {
      std::size_t const end = std::min(params.find(';', i), params.size());
      std::string_view const one = params.substr(i, end - i);
      std::size_t const eq = one.find('=');
      if (detail::msg::iequals(one.substr(0, eq), name))
        return eq == std::string_view::npos ? std::string_view() : one.substr(eq + 1);
      i = end + 1;
    }
    return std::nullopt;
  }
};

/// Where a URI appears: the Request-URI may not carry headers (RFC 3261
/// §19.1.1, table 1).
enum class uri_context : std::uint8_t { header, request_line };

namespace detail {
namespace msg {

// Parses [b, e) as a whole URI into `u`, which must be freshly constructed
// (members not found are left as they are). On failure `at` is the offending byte.
// With `stop`, the URI may end before `e` (at the first byte that cannot
// continue it), and `*stop` tells where.
inline auto scan_uri(char const* b, char const* e, uri_context ctx, uri_view& u, char const*& at,
                     char const** stop = nullptr) -> errc {
  char const* p = b;
  if (p == e || !((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z')) {
    at = p;
    return errc::bad_uri;
  }
  p = span(p, e, scheme_chars);
  if (p == e || *p != ':') {
    at = p;
    return errc::bad_uri;
  }
  u.scheme = view(b, p);
  ++p;
  char const* const opaque = p;
  // RFC 3261 §19.1.1: the scheme is case-insensitive.
  bool const sip =
      (p - b == 4 && (b[0] | 0x20) == 's' && (b[1] | 0x20) == 'i' && (b[2] | 0x20) == 'p') ||
      (p - b == 5 && (b[0] | 0x20) == 's' && (b[1] | 0x20) == 'i' && (b[2] | 0x20) == 'p' &&
       (b[3] | 0x20) == 's');
  if (!sip) {
    // absoluteURI: at least one byte, all uric, escapes well-formed.
    char const* q = span(p, e, uric_chars);
    if (p == q || (q != e && stop == nullptr)) {
      at = q;
      return errc::bad_uri;
    }
    if (char const* bad = bad_escape(p, q); bad != q) {
      at = bad;
      return errc::bad_uri;
    }
    if (stop != nullptr) *stop = q;
    u.text = view(b, q);
    u.opaque = view(opaque, q);
    return ok;
  }
  // userinfo: the longest run of userinfo bytes, if an '@' ends it. One pass
  // notes the first ':' and whether any escape needs checking.
  char const* ui_end = p;
  char const* colon = nullptr;
  bool escaped = false;
  for (; ui_end != e && userinfo_chars(*ui_end); ++ui_end) {
    if (*ui_end == ':' && colon == nullptr) colon = ui_end;
    escaped = escaped || *ui_end == '%';
  }
  if (ui_end != e && *ui_end == '@') {
    if (colon == nullptr) colon = ui_end;
    if (colon == p) {
      at = p;
      return errc::bad_uri;
    }
    u.user = view(p, colon);
    if (colon != ui_end) {
      u.password = view(colon + 1, ui_end);
      // password = *( unreserved / escaped / "&" / "=" / "+" / "$" / "," )
      for (char const* q = colon + 1; q != ui_end; ++q)
        if (*q == ';' || *q == '?' || *q == '/' || *q == ':') {
          at = q;
          return errc::bad_uri;
        }
    }
    if (escaped) {
      if (char const* bad = bad_escape(p, ui_end); bad != ui_end) {
        at = bad;
        return errc::bad_uri;
      }
    }
    p = ui_end + 1;
  }
  // host = hostname / IPv4address / IPv6reference
  char const* host_begin = p;
  if (p != e && *p == '[') {
    // IPv6reference, read liberally (RFC 5118 §4.10: tolerate the RFC 3261
    // ABNF's three-colon form).
    char const* q = p + 1;
    while (q != e && (hexdig(*q) || *q == ':' || *q == '.')) ++q;
    if (q == e || *q != ']' || q == p + 1) {
      at = q;
      return errc::bad_uri;
    }
    p = q + 1;
  } else {
    p = span(p, e, host_chars);
    if (p == host_begin || *host_begin == '.' || *host_begin == '-') {
      at = host_begin;
      return errc::bad_uri;
    }
  }
  u.host = view(host_begin, p);
  if (p != e && *p == ':') {
    ++p;
    std::uint64_t port = 0;
    if (!parse_number(p, e, 65535, port)) {
      at = p;
      return errc::bad_uri;
    }
    u.port = static_cast<std::uint16_t>(port);
  }
  if (p != e && *p == ';') {
    char const* pb = ++p;
    for (;;) {
      char const* name_end = span(p, e, param_chars);
      if (name_end == p) {
        at = p;
        return errc::bad_uri;
      }
      p = name_end;
      if (p != e && *p == '=') {
        char const* v = ++p;
        p = span(p, e, param_chars);
        if (p == v) {
          at = p;
          return errc::bad_uri;
        }
      }
      if (p == e || *p != ';') break;
      ++p;
    }
    if (char const* bad = bad_escape(pb, p); bad != p) {
      at = bad;
      return errc::bad_uri;
    }
    u.params = view(pb, p);
  }
  if (p != e && *p == '?') {
    if (ctx == uri_context::request_line) {
      at = p;
      return errc::bad_uri;
    }
    char const* hb = ++p;
    for (;;) {
      char const* name_end = span(p, e, header_chars);
      if (name_end == p || name_end == e || *name_end != '=') {
        at = name_end;
        return errc::bad_uri;
      }
      p = span(name_end + 1, e, header_chars);
      if (p == e || *p != '&') break;
      ++p;
    }
    if (char const* bad = bad_escape(hb, p); bad != p) {
      at = bad;
      return errc::bad_uri;
    }
    u.headers = view(hb, p);
  }
  if (stop != nullptr) {
    *stop = p;
  } else if (p != e) {
    at = p;
    return errc::bad_uri;
  }
  u.text = view(b, p);
  u.opaque = view(opaque, p);
  return ok;
}

}  // namespace msg
}  // namespace detail

/// Parses a whole URI: SIP and SIPS URIs into their parts, any other scheme
/// as an absoluteURI kept opaque.
///
/// Lifetime: the result points into `text`.
///
/// Errors: `bad_uri`, offset at the first byte that does not fit (a bad
/// escape, a port that is not a number up to 65535, headers in a
/// Request-URI when `ctx` is `uri_context::request_line`).
///
/// @par Specification RFC 3261 §19.1, §25.1; RFC 5118 §4.10.
/// @par Complexity Linear in `text.size()`.
inline auto parse_uri(std::string_view text, uri_context ctx = uri_context::header)
    -> result<uri_view> {
  uri_view u;
  char const* at = text.data();
  errc const ec = detail::msg::scan_uri(text.data(), text.data() + text.size(), ctx, u, at);
  if (ec != detail::msg::ok) return parse_error{ec, static_cast<std::size_t>(at - text.data())};
  return u;
}

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_MESSAGE_URI_HPP
