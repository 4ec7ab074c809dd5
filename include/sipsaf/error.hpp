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
/// The message of an error code, without where it happened.
SIPSAF_DECL auto errc_message(errc e) -> char const*;
}  // namespace detail

/// The category of `errc` codes (a function-local singleton, safe in headers).
SIPSAF_DECL auto error_category() noexcept -> std::error_category const&;

/// The category of `condition` values.
SIPSAF_DECL auto condition_category() noexcept -> std::error_category const&;

inline auto make_error_code(errc e) noexcept -> std::error_code {
  return {static_cast<int>(e), error_category()};
}

inline auto make_error_condition(condition c) noexcept -> std::error_condition {
  return {static_cast<int>(c), condition_category()};
}

/// A short, stable name for an error code, e.g. "conflicting_directives";
/// used in JSON and logs.
SIPSAF_DECL auto to_string(errc e) -> char const*;

SIPSAF_END_NAMESPACE

namespace std {
template <>
struct is_error_code_enum<::sipsaf::errc> : true_type {};
template <>
struct is_error_condition_enum<::sipsaf::condition> : true_type {};
}  // namespace std

#ifdef SIPSAF_HEADER_ONLY
#include <sipsaf/impl/error.ipp>
#endif

#endif  // SIPSAF_ERROR_HPP
