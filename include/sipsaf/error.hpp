// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_ERROR_HPP
#define SIPSAF_ERROR_HPP

#include <sipsaf/config.hpp>

#include <string>
#include <system_error>
#include <type_traits>

SIPSAF_BEGIN_NAMESPACE

/// Everything a sipsaf parser or limit check can report.
///
/// The enumerators are grouped by `condition`; the values are stable
/// within a major version. Each one has its own message in `error_category()`.
enum class errc {
  // condition::incomplete: more input may fix it.
  need_more = 1,  ///< the input ended before the element did
  leftover,       ///< a valid element followed by unparsed bytes

  // condition::syntax: the bytes are not what the grammar allows.
  empty_value,              ///< a header value with no element at all
  expected_token,           ///< RFC 3261 token expected
  expected_directive,       ///< Request-Disposition directive expected (RFC 3841 §10)
  expected_comma,           ///< `,` between list elements expected
  expected_equal,           ///< `=` after a parameter name expected
  expected_semicolon,       ///< `;` before a parameter expected
  expected_slash,           ///< `/` between type and subtype expected
  bad_quoted_string,        ///< unterminated quoted-string or bad quoted-pair
  bad_parameter,            ///< a generic-param that does not parse
  bad_media_type,           ///< media type (RFC 2045 §5.1) malformed
  bad_disposition,          ///< Content-Disposition (RFC 3261 §20.11) malformed
  bad_boundary,             ///< boundary not 1-70 bchars (RFC 2046 §5.1.1)
  no_opening_delimiter,     ///< multipart body without a first delimiter line
  no_closing_delimiter,     ///< multipart body without the close delimiter
  bad_part_header,          ///< a header field of a body part is malformed
  bad_base64,               ///< a byte that is not base64 alphabet, padding or space
  bad_quoted_printable,     ///< a `=` not followed by two hex digits or a soft break
  bad_start_line,           ///< SIP request or status line malformed (RFC 3261 §7.1, §7.2)
  bad_version,              ///< SIP-Version not `SIP/x.y`
  bad_status_code,          ///< Status-Code not three digits
  bad_header_field,         ///< a header field line without a name and a colon
  bad_header_value,         ///< a typed header value that does not parse
  bad_content_length,       ///< Content-Length not a number
  content_length_mismatch,  ///< Content-Length disagrees with the bytes present
  missing_content_length,   ///< stream transport without Content-Length (RFC 3261 §18.3)
  conflicting_headers,      ///< two single-valued headers disagree (e.g. two Content-Lengths)
  bad_uri,                  ///< a SIP URI that does not parse
  bad_date,                 ///< a Date header not in RFC 1123 form
  bad_line_end,             ///< a bare CR or LF where CRLF is required
  bad_xml,                  ///< an XML body that is not well-formed (or has a DOCTYPE)
  bad_xml_document,         ///< well-formed XML that is not the expected document

  // condition::semantic: well-formed, but the meaning is refused.
  conflicting_directives,  ///< two directives of one type, e.g. `proxy, redirect`
  unknown_directive,       ///< an extension token in strict RFC 3841 mode
  unsupported,             ///< well-formed, but a feature sipsaf does not offer
  missing_header,          ///< a header field the operation needs is absent

  // condition::limit: a configured limit was reached.
  too_many_directives,  ///< more directives than the options allow
  too_many_parts,       ///< more body parts than the options allow
  nesting_too_deep,     ///< multipart (or XML) nested deeper than the options allow
  header_too_long,      ///< a header section longer than the options allow
  too_many_headers,     ///< more header fields than the options allow
  body_too_large,       ///< a body larger than the options allow
  message_too_large,    ///< a message larger than the options allow
  too_many_parameters,  ///< more parameters on one media type or disposition than allowed
  too_many_elements,    ///< more XML elements than the options allow
};

/// The groups of `errc`, usable as `std::error_condition`s.
enum class condition {
  incomplete = 1,  ///< more input may complete it
  syntax,          ///< malformed input
  semantic,        ///< well-formed input that is refused
  limit,           ///< a configured limit was hit
};

namespace detail {

inline auto errc_message(errc e) -> char const* {
  switch (e) {
    case errc::need_more:
      return "input ended early";
    case errc::leftover:
      return "unexpected bytes after the element";
    case errc::empty_value:
      return "empty value";
    case errc::expected_token:
      return "token expected";
    case errc::expected_directive:
      return "directive expected";
    case errc::expected_comma:
      return "comma expected";
    case errc::expected_equal:
      return "'=' expected";
    case errc::expected_semicolon:
      return "';' expected";
    case errc::expected_slash:
      return "'/' expected";
    case errc::bad_quoted_string:
      return "malformed quoted-string";
    case errc::bad_parameter:
      return "malformed parameter";
    case errc::bad_media_type:
      return "malformed media type";
    case errc::bad_disposition:
      return "malformed Content-Disposition";
    case errc::bad_boundary:
      return "invalid multipart boundary";
    case errc::no_opening_delimiter:
      return "multipart body has no delimiter";
    case errc::no_closing_delimiter:
      return "multipart body has no close delimiter";
    case errc::bad_part_header:
      return "malformed body part header";
    case errc::bad_base64:
      return "invalid base64 input";
    case errc::bad_quoted_printable:
      return "invalid quoted-printable input";
    case errc::bad_start_line:
      return "malformed start line";
    case errc::bad_version:
      return "unsupported or malformed SIP version";
    case errc::bad_status_code:
      return "malformed status code";
    case errc::bad_header_field:
      return "malformed header field";
    case errc::bad_header_value:
      return "malformed header value";
    case errc::bad_content_length:
      return "malformed Content-Length";
    case errc::content_length_mismatch:
      return "Content-Length does not match the body";
    case errc::missing_content_length:
      return "Content-Length required on stream transports";
    case errc::conflicting_headers:
      return "conflicting header fields";
    case errc::bad_uri:
      return "malformed URI";
    case errc::bad_date:
      return "malformed Date";
    case errc::bad_line_end:
      return "bare CR or LF where CRLF is required";
    case errc::bad_xml:
      return "malformed XML";
    case errc::bad_xml_document:
      return "XML document of an unexpected shape";
    case errc::conflicting_directives:
      return "conflicting directives";
    case errc::unknown_directive:
      return "unknown directive (strict RFC 3841 mode)";
    case errc::unsupported:
      return "not supported";
    case errc::missing_header:
      return "required header field missing";
    case errc::too_many_directives:
      return "too many directives";
    case errc::too_many_parts:
      return "too many body parts";
    case errc::nesting_too_deep:
      return "nesting too deep";
    case errc::header_too_long:
      return "header section too long";
    case errc::too_many_headers:
      return "too many header fields";
    case errc::body_too_large:
      return "body too large";
    case errc::message_too_large:
      return "message too large";
    case errc::too_many_parameters:
      return "too many parameters";
    case errc::too_many_elements:
      return "too many XML elements";
  }
  return "unknown sipsaf error";
}

inline auto condition_of(errc e) -> condition {
  if (e <= errc::leftover) return condition::incomplete;
  if (e < errc::conflicting_directives) return condition::syntax;
  if (e < errc::too_many_directives) return condition::semantic;
  return condition::limit;
}

class error_category_impl final : public std::error_category {
 public:
  auto name() const noexcept -> char const* override { return "sipsaf"; }
  auto message(int ev) const -> std::string override { return errc_message(static_cast<errc>(ev)); }
  auto default_error_condition(int ev) const noexcept -> std::error_condition override;
};

class condition_category_impl final : public std::error_category {
 public:
  auto name() const noexcept -> char const* override { return "sipsaf.condition"; }
  auto message(int ev) const -> std::string override {
    switch (static_cast<condition>(ev)) {
      case condition::incomplete:
        return "incomplete input";
      case condition::syntax:
        return "syntax error";
      case condition::semantic:
        return "refused input";
      case condition::limit:
        return "limit exceeded";
    }
    return "unknown sipsaf condition";
  }
};

}  // namespace detail

/// The category of `errc` codes (a function-local singleton, safe in headers).
inline auto error_category() noexcept -> std::error_category const& {
  static detail::error_category_impl const cat{};
  return cat;
}

/// The category of `condition` values.
inline auto condition_category() noexcept -> std::error_category const& {
  static detail::condition_category_impl const cat{};
  return cat;
}

inline auto make_error_code(errc e) noexcept -> std::error_code {
  return {static_cast<int>(e), error_category()};
}

inline auto make_error_condition(condition c) noexcept -> std::error_condition {
  return {static_cast<int>(c), condition_category()};
}

inline auto detail::error_category_impl::default_error_condition(int ev) const noexcept
    -> std::error_condition {
  return make_error_condition(condition_of(static_cast<errc>(ev)));
}

/// A short, stable name for an error code, e.g. "conflicting_directives";
/// used in JSON and logs.
inline auto to_string(errc e) -> char const* {
  switch (e) {
#define SIPSAF_ERRC_NAME(x) \
  case errc::x:             \
    return #x;
    SIPSAF_ERRC_NAME(need_more)
    SIPSAF_ERRC_NAME(leftover)
    SIPSAF_ERRC_NAME(empty_value)
    SIPSAF_ERRC_NAME(expected_token)
    SIPSAF_ERRC_NAME(expected_directive)
    SIPSAF_ERRC_NAME(expected_comma)
    SIPSAF_ERRC_NAME(expected_equal)
    SIPSAF_ERRC_NAME(expected_semicolon)
    SIPSAF_ERRC_NAME(expected_slash)
    SIPSAF_ERRC_NAME(bad_quoted_string)
    SIPSAF_ERRC_NAME(bad_parameter)
    SIPSAF_ERRC_NAME(bad_media_type)
    SIPSAF_ERRC_NAME(bad_disposition)
    SIPSAF_ERRC_NAME(bad_boundary)
    SIPSAF_ERRC_NAME(no_opening_delimiter)
    SIPSAF_ERRC_NAME(no_closing_delimiter)
    SIPSAF_ERRC_NAME(bad_part_header)
    SIPSAF_ERRC_NAME(bad_base64)
    SIPSAF_ERRC_NAME(bad_quoted_printable)
    SIPSAF_ERRC_NAME(bad_start_line)
    SIPSAF_ERRC_NAME(bad_version)
    SIPSAF_ERRC_NAME(bad_status_code)
    SIPSAF_ERRC_NAME(bad_header_field)
    SIPSAF_ERRC_NAME(bad_header_value)
    SIPSAF_ERRC_NAME(bad_content_length)
    SIPSAF_ERRC_NAME(content_length_mismatch)
    SIPSAF_ERRC_NAME(missing_content_length)
    SIPSAF_ERRC_NAME(conflicting_headers)
    SIPSAF_ERRC_NAME(bad_uri)
    SIPSAF_ERRC_NAME(bad_date)
    SIPSAF_ERRC_NAME(bad_line_end)
    SIPSAF_ERRC_NAME(bad_xml)
    SIPSAF_ERRC_NAME(bad_xml_document)
    SIPSAF_ERRC_NAME(conflicting_directives)
    SIPSAF_ERRC_NAME(unknown_directive)
    SIPSAF_ERRC_NAME(unsupported)
    SIPSAF_ERRC_NAME(missing_header)
    SIPSAF_ERRC_NAME(too_many_directives)
    SIPSAF_ERRC_NAME(too_many_parts)
    SIPSAF_ERRC_NAME(nesting_too_deep)
    SIPSAF_ERRC_NAME(header_too_long)
    SIPSAF_ERRC_NAME(too_many_headers)
    SIPSAF_ERRC_NAME(body_too_large)
    SIPSAF_ERRC_NAME(message_too_large)
    SIPSAF_ERRC_NAME(too_many_parameters)
    SIPSAF_ERRC_NAME(too_many_elements)
#undef SIPSAF_ERRC_NAME
  }
  return "unknown";
}

SIPSAF_END_NAMESPACE

namespace std {
template <>
struct is_error_code_enum<::sipsaf::errc> : true_type {};
template <>
struct is_error_condition_enum<::sipsaf::condition> : true_type {};
}  // namespace std

#endif  // SIPSAF_ERROR_HPP
