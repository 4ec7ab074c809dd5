// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MIME_CONTENT_DISPOSITION_HPP
#define SIPSAF_MIME_CONTENT_DISPOSITION_HPP

/// @file
/// The Content-Disposition header field (RFC 3261 §20.11, RFC 5621 §3,
/// RFC 2183 inside MIME parts): value type, parser, serializer.
///
/// @par BNF (RFC 3261 §25.1, tokens as in RFC 2045 §5.1)
/// @code
///   Content-Disposition  = ( "Content-Disposition" / "x" ) HCOLON
///                          disp-type *( SEMI disp-param )
///   disp-type            = "render" / "session" / "icon" / "alert"
///                          / disp-extension-token
///   disp-param           = handling-param / generic-param
///   handling-param       = "handling" EQUAL ( "optional" / "required" / other-handling )
///   other-handling       = token
///   disp-extension-token = token
/// @endcode

#include <sipsaf/mime/media_type.hpp>

SIPSAF_BEGIN_NAMESPACE

/// RFC 3261 §20.11 `handling`: whether the recipient must understand the
/// body (or part) to process the message.
enum class disposition_handling {
  required,  ///< the default; an unknown body is an error (415)
  optional,  ///< an unknown body may be ignored
};

/// A Content-Disposition value: a type such as `render`, `session`,
/// `attachment` (RFC 2183) or `by-reference` (RFC 5621), and parameters.
///
/// A view type: `type` and the parameters point into the parsed string, which
/// the caller keeps alive and unchanged while this is used.
struct content_disposition {
  std::string_view type;                   ///< the disp-type as written
  std::vector<mime_parameter> parameters;  ///< in order; a bare name has an empty value

  /// The value of the first parameter called `name` (case-insensitive),
  /// quotes removed, escapes kept; nothing when absent.
  SIPSAF_DECL auto param(std::string_view name) const noexcept -> std::optional<std::string_view>;

  /// True when the type is `t`, compared case-insensitively.
  SIPSAF_DECL auto is(std::string_view t) const noexcept -> bool;

  /// The `handling` parameter (RFC 3261 §20.11): `required` when absent
  /// (the RFC's default) and also for an unknown value, which is the safe
  /// reading (RFC 5621 §5: a body the recipient cannot handle is then
  /// refused rather than silently skipped).
  SIPSAF_DECL auto handling() const noexcept -> disposition_handling;
};

/// Parses a Content-Disposition value, e.g. `session;handling=optional` or
/// `attachment; filename="photo.jpg"`.
///
/// Lifetime: the result points into `value`.
///
/// Errors: `empty_value`, `bad_disposition` (no disp-type), `bad_parameter`,
/// `bad_quoted_string`, `expected_semicolon` (bytes that start no
/// parameter), `too_many_parameters`; a parameter name that occurs twice is
/// `bad_parameter` at the second.
///
/// @par Specification RFC 3261 §20.11, §25.1; RFC 5621 §3; RFC 2183 §2.
/// @par Complexity Linear in `value.size()`.
SIPSAF_DECL auto parse_content_disposition(std::string_view value) -> result<content_disposition>;

/// Deleted: the result would point into a temporary string.
template <class S, class = detail::if_temporary_string<S>>
auto parse_content_disposition(S&& temporary) -> result<content_disposition> = delete;

/// The disposition a part or message body has when it carries no
/// Content-Disposition (RFC 5621 §3.2): `session` for `application/sdp`,
/// `render` otherwise.
SIPSAF_DECL auto default_disposition_type(media_type const& t) noexcept -> std::string_view;

/// Writes `d` canonically: the type and parameter names in lower case, `;`
/// before each parameter, no whitespace; values as in `serialize(media_type)`.
template <class OutputIt>
auto serialize(OutputIt out, content_disposition const& d) -> OutputIt;

/// `serialize` into a new string.
SIPSAF_DECL auto to_string(content_disposition const& d) -> std::string;

/// `serialize` to a stream.
SIPSAF_DECL auto operator<<(std::ostream& os, content_disposition const& d) -> std::ostream&;

SIPSAF_END_NAMESPACE

#include <sipsaf/mime/impl/content_disposition.hpp>

#ifdef SIPSAF_HEADER_ONLY
#include <sipsaf/mime/impl/content_disposition.ipp>
#endif

#endif  // SIPSAF_MIME_CONTENT_DISPOSITION_HPP
