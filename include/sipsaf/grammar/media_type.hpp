// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_GRAMMAR_MEDIA_TYPE_HPP
#define SIPSAF_GRAMMAR_MEDIA_TYPE_HPP

/// @file
/// The grammar of a media type (RFC 2045 §5.1, RFC 3261 §20.15), of a list
/// of media ranges (RFC 3261 §20.1 Accept) and of a Content-Disposition value
/// (RFC 3261 §20.11, RFC 2183 §2). Private.
///
/// Hand-written scanners over `char const*`: one pass, no backtracking past
/// a byte once it is taken. Each piece goes to a sink with
/// `on_type(std::string_view)`, `on_subtype(std::string_view)` and
/// `errc on_param(mime_param_view const&)`; `on_type` starts a new element.
/// A scanner returns `errc{}` on success, or the error with the cursor left
/// on the offending byte.
///
/// Tokens are RFC 2045 tokens: every RFC 3261 token is one, and MIME part
/// headers may use the few more bytes RFC 2045 allows (`#$&^{|}`).
/// RFC 822 comments are not supported: `(` is a syntax error.

#include <sipsaf/error.hpp>
#include <sipsaf/grammar/detail/chars.hpp>

#include <cstddef>
#include <string_view>

SIPSAF_BEGIN_NAMESPACE
namespace grammar {
namespace detail {

/// RFC 2045 §5.1:
///   token    := 1*<any (US-ASCII) CHAR except SPACE, CTLs, or tspecials>
///   tspecials := "(" / ")" / "<" / ">" / "@" / "," / ";" / ":" / "\" /
///                <"> / "/" / "[" / "]" / "?" / "="
inline constexpr char_set mime_token_chars =
    char_set("!#$%&'*+-.^_`{|}~").with_range('a', 'z').with_range('A', 'Z').with_range('0', '9');

/// A parameter as written: `value` is the token, or the text between the
/// quotes of a quoted-string (quoted-pairs still escaped, `quoted` set).
/// `has_value` is false for a bare name (only allowed where values are optional).
struct mime_param_view {
  std::string_view name;
  std::string_view value;
  bool quoted = false;
  bool has_value = false;
};

inline constexpr errc no_error{};

constexpr auto text(char const* b, char const* e) noexcept -> std::string_view {
  return {b, static_cast<std::size_t>(e - b)};
}

/// RFC 3261 §25.1, from the opening DQUOTE at `p`:
///   quoted-string = SWS DQUOTE *(qdtext / quoted-pair ) DQUOTE
///   qdtext        = LWS / %x21 / %x23-5B / %x5D-7E / UTF8-NONASCII
///   quoted-pair   = "\" (%x00-09 / %x0B-0C / %x0E-7F)
/// `content` is the text between the quotes, still escaped; `p` ends after
/// the closing quote. A bad byte or a missing closing quote is
/// `bad_quoted_string` at that byte.
inline auto scan_quoted_string(char const*& p, char const* e, std::string_view& content) noexcept
    -> errc {
  char const* const open = p + 1;
  char const* q = open;
  for (;;) {
    if (q == e) break;
    auto const c = static_cast<unsigned char>(*q);
    if (c == '"') {
      content = text(open, q);
      p = q + 1;
      return no_error;
    }
    if (c == '\\') {
      if (e - q < 2) {
        q = e;
        break;
      }
      auto const x = static_cast<unsigned char>(q[1]);
      if (x == '\n' || x == '\r' || x > 0x7f) {
        ++q;
        break;
      }
      q += 2;
    } else if (c == ' ' || c == '\t' || c == '\r') {
      char const* const r = skip_lws(q, e);
      if (r == q) break;
      q = r;
    } else if (c < 0x21 || c == 0x7f) {
      break;
    } else {
      ++q;
    }
  }
  p = q;
  return errc::bad_quoted_string;
}

/// RFC 3261 §25.1 / RFC 2045 §5.1, at `p` (after SEMI):
///   m-parameter = m-attribute EQUAL m-value
///   m-attribute = token
///   m-value     = token / quoted-string
/// With `optional_value`, `EQUAL m-value` may be absent (the generic-param
/// of accept-param and disp-param). No name is `bad_parameter`; a name
/// without `=` where a value is due is `expected_equal`; `=` without a value
/// is `bad_parameter`.
inline auto scan_mime_param(char const*& p, char const* e, bool optional_value,
                            mime_param_view& param) noexcept -> errc {
  char const* const n = span(p, e, mime_token_chars);
  if (n == p) return errc::bad_parameter;
  param.name = text(p, n);
  char const* q = skip_lws(n, e);
  if (q == e || *q != '=') {
    if (!optional_value) {
      p = q;
      return errc::expected_equal;
    }
    p = n;
    return no_error;
  }
  q = skip_lws(q + 1, e);
  if (q != e && *q == '"') {
    if (errc const ec = scan_quoted_string(q, e, param.value); ec != no_error) {
      p = q;
      return ec;
    }
    param.quoted = true;
  } else {
    char const* const v = span(q, e, mime_token_chars);
    if (v == q) {
      p = q;
      return errc::bad_parameter;
    }
    param.value = text(q, v);
    q = v;
  }
  param.has_value = true;
  p = q;
  return no_error;
}

/// `*(SEMI param)` after an element ending at `p`; `p` ends after the last
/// parameter (before any whitespace that follows it).
template <class Sink>
auto scan_mime_params(char const*& p, char const* e, bool optional_value, Sink& sink) -> errc {
  for (;;) {
    char const* q = skip_lws(p, e);
    if (q == e || *q != ';') return no_error;
    q = skip_lws(q + 1, e);
    mime_param_view param;
    if (errc const ec = scan_mime_param(q, e, optional_value, param); ec != no_error) {
      p = q;
      return ec;
    }
    if (errc const ec = sink.on_param(param); ec != no_error) {
      p = param.name.data();
      return ec;
    }
    p = q;
  }
}

/// media-type = m-type SLASH m-subtype *(SEMI m-parameter)   (RFC 3261 §25.1)
/// accept-range = media-range *(SEMI accept-param)           (RFC 3261 §20.1)
/// m-type, m-subtype: token (`*` is a token byte, so media ranges parse too).
/// At `p`, which must start the type token (the caller checks). The
/// accept-params (q and the rest) are reported like m-parameters, with
/// optional values.
template <class Sink>
auto scan_media_type(char const*& p, char const* e, bool accept_params, Sink& sink) -> errc {
  char const* const t = span(p, e, mime_token_chars);
  sink.on_type(text(p, t));
  char const* q = skip_lws(t, e);  // SLASH = SWS "/" SWS
  if (q == e || *q != '/') {
    p = t;
    return errc::expected_slash;
  }
  q = skip_lws(q + 1, e);
  char const* const s = span(q, e, mime_token_chars);
  if (s == q) {
    p = q;
    return errc::expected_token;
  }
  sink.on_subtype(text(q, s));
  p = s;
  return scan_mime_params(p, e, accept_params, sink);
}

/// The error of a whole value at `at`, as an offset into [b, ...).
struct scan_error {
  errc code;
  char const* at;
};

/// A whole header value holding one media type, with optional whitespace
/// around it. No type token is `bad_media_type` at the start of the value;
/// bytes after the media type are `expected_semicolon`.
template <class Sink>
auto scan_media_type_value(char const* b, char const* e, Sink& sink) -> scan_error {
  char const* p = skip_lws(b, e);
  if (p == e || !mime_token_chars(*p)) return {errc::bad_media_type, b};
  if (errc const ec = scan_media_type(p, e, false, sink); ec != no_error) return {ec, p};
  p = skip_lws(p, e);
  if (p != e) return {errc::expected_semicolon, p};
  return {no_error, p};
}

/// Accept = "Accept" HCOLON [ accept-range *(COMMA accept-range) ]  (RFC 3261 §20.1)
/// An element missing after a comma is `bad_media_type`; other bytes where a
/// comma could be are `expected_comma`.
template <class Sink>
auto scan_accept_value(char const* b, char const* e, Sink& sink) -> scan_error {
  char const* p = skip_lws(b, e);
  if (p == e || !mime_token_chars(*p)) {
    // No range: the value is the SWS before the list and the SWS after it.
    p = skip_lws(p, e);
    if (p != e) return {errc::expected_comma, p};
    return {no_error, p};
  }
  for (;;) {
    if (errc const ec = scan_media_type(p, e, true, sink); ec != no_error) return {ec, p};
    char const* q = skip_lws(p, e);  // COMMA = SWS "," SWS
    if (q == e || *q != ',') break;
    q = skip_lws(q + 1, e);
    if (q == e || !mime_token_chars(*q)) return {errc::bad_media_type, q};
    p = q;
  }
  p = skip_lws(p, e);
  if (p != e) return {errc::expected_comma, p};
  return {no_error, p};
}

/// Content-Disposition = ( "Content-Disposition" / "x" ) HCOLON
///                       disp-type *( SEMI disp-param )       (RFC 3261 §25.1)
/// disp-type = "render" / "session" / "icon" / "alert" / disp-extension-token
/// disp-param = handling-param / generic-param: a value may be absent.
/// No type token is `bad_disposition` at the start of the value; bytes
/// after the value are `expected_semicolon`.
template <class Sink>
auto scan_content_disposition_value(char const* b, char const* e, Sink& sink) -> scan_error {
  char const* p = skip_lws(b, e);
  char const* const t = span(p, e, mime_token_chars);
  if (t == p) return {errc::bad_disposition, b};
  sink.on_type(text(p, t));
  p = t;
  if (errc const ec = scan_mime_params(p, e, true, sink); ec != no_error) return {ec, p};
  p = skip_lws(p, e);
  if (p != e) return {errc::expected_semicolon, p};
  return {no_error, p};
}

}  // namespace detail

using detail::mime_param_view;

}  // namespace grammar
SIPSAF_END_NAMESPACE

#endif
