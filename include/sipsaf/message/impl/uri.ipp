// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MESSAGE_IMPL_URI_IPP
#define SIPSAF_MESSAGE_IMPL_URI_IPP

#include <sipsaf/message/uri.hpp>

#include <algorithm>

SIPSAF_BEGIN_NAMESPACE

SIPSAF_DECL auto uri_view::param(std::string_view name) const -> std::optional<std::string_view> {
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

namespace detail {
namespace msg {

SIPSAF_DECL auto scan_uri(char const* b, char const* e, uri_context ctx, uri_view& u,
                          char const*& at, char const** stop) -> errc {
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

SIPSAF_DECL auto parse_uri(std::string_view text, uri_context ctx) -> result<uri_view> {
  uri_view u;
  char const* at = text.data();
  errc const ec = detail::msg::scan_uri(text.data(), text.data() + text.size(), ctx, u, at);
  if (ec != detail::msg::ok) return parse_error{ec, static_cast<std::size_t>(at - text.data())};
  return u;
}

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_MESSAGE_IMPL_URI_IPP
