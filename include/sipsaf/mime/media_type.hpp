// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MIME_MEDIA_TYPE_HPP
#define SIPSAF_MIME_MEDIA_TYPE_HPP

/// @file
/// Media types (RFC 2045 §5.1, RFC 3261 §20.15) and media ranges
/// (RFC 3261 §20.1): value type, parsers, matching, serializer.
///
/// @par BNF (RFC 3261 §25.1, tokens as in RFC 2045 §5.1)
/// @code
///   media-type   = m-type SLASH m-subtype *(SEMI m-parameter)
///   m-type       = token          ; "text", "image", "multipart", x-token, ...
///   m-subtype    = token
///   m-parameter  = m-attribute EQUAL m-value
///   m-attribute  = token
///   m-value      = token / quoted-string
///   Accept       = [ accept-range *(COMMA accept-range) ]
///   accept-range = media-range *(SEMI accept-param)
///   media-range  = ( "*/*" / ( m-type SLASH "*" ) / ( m-type SLASH m-subtype ) )
///                  *( SEMI m-parameter )
///   accept-param = ( "q" EQUAL qvalue ) / generic-param
///   qvalue       = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
/// @endcode
/// Type, subtype and parameter names compare case-insensitively
/// (RFC 2045 §5.1); parameter values are kept exactly as written.

#include <sipsaf/config.hpp>
#include <sipsaf/error.hpp>
#include <sipsaf/result.hpp>

#include <cstddef>
#include <iterator>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

SIPSAF_BEGIN_NAMESPACE

/// The most parameters one media type, media range or Content-Disposition
/// may have; one more is `errc::too_many_parameters` at its name. Real
/// values have a handful; the bound keeps every check on them linear.
inline constexpr std::size_t max_mime_parameters = 64;

/// One `name=value` parameter of a media type or a Content-Disposition.
///
/// Both views point into the parsed input (or wherever the caller's strings
/// live when built by hand). For a quoted-string, `value` is the text between
/// the quotes with its quoted-pairs still escaped and `quoted` is true; use
/// `unescaped()` for the text it stands for.
struct mime_parameter {
  std::string_view name;
  std::string_view value;
  bool quoted = false;

  /// The value without quoted-pair escapes (RFC 3261 §25.1: `\x` is `x`).
  /// Equal to `value` when not quoted. Complexity: linear.
  SIPSAF_DECL auto unescaped() const -> std::string;
};

/// A media type or media range: `type/subtype;name=value;...`.
///
/// A view type: `type`, `subtype` and the parameters point into the string
/// that was parsed. Ownership is not transferred; the caller keeps that
/// string alive (and unchanged) while the `media_type` is used. Building one
/// by hand from string literals is fine: `media_type{"text", "plain", {}}`.
struct media_type {
  std::string_view type;                   ///< e.g. "multipart"; `*` in a range
  std::string_view subtype;                ///< e.g. "mixed"; `*` in a range
  std::vector<mime_parameter> parameters;  ///< in the order written

  /// The value of the first parameter called `name` (case-insensitive), as
  /// written (quotes removed, escapes kept), or nothing. Complexity: linear
  /// in the number of parameters.
  /// @par Example
  /// @code
  ///   auto ct = sipsaf::parse_media_type("multipart/mixed; boundary=\"b1\"");
  ///   std::string_view b = ct->param("Boundary").value_or("");   // "b1"
  /// @endcode
  SIPSAF_DECL auto param(std::string_view name) const noexcept -> std::optional<std::string_view>;

  /// The parameter called `name` (case-insensitive), or null.
  SIPSAF_DECL auto find_param(std::string_view name) const noexcept -> mime_parameter const*;

  /// True when this is `type/subtype`, compared case-insensitively.
  SIPSAF_DECL auto is(std::string_view t, std::string_view s) const noexcept -> bool;

  /// True for `multipart/*` (RFC 2046 §5.1).
  SIPSAF_DECL auto is_multipart() const noexcept -> bool;

  /// True when this type falls within `range` (RFC 3261 §20.1, the rules of
  /// RFC 7231 §5.3.2): `*/*` matches every type, `image/*` every image
  /// type; type and subtype compare case-insensitively. Each parameter of
  /// `range` written before its `q` must also be present here with the same
  /// unescaped value (compared case-insensitively); `q` and the
  /// accept-extensions after it are ignored. Complexity: O(n·m) in the
  /// parameter counts.
  SIPSAF_DECL auto matches(media_type const& range) const -> bool;

  /// The `q` weight of a media range in thousandths (RFC 3261 §20.1
  /// qvalue): 1000 when absent; 0 means "not acceptable". Unchecked here:
  /// `parse_media_ranges` rejects a malformed qvalue, a hand-built value
  /// that is not a qvalue reads as 1000.
  SIPSAF_DECL auto quality() const noexcept -> int;
};

/// Equal when type, subtype and the parameter names are equal ignoring case
/// and the unescaped parameter values are equal, in the same order.
SIPSAF_DECL auto operator==(media_type const& a, media_type const& b) -> bool;
inline auto operator!=(media_type const& a, media_type const& b) -> bool {
  return !(a == b);
}

namespace detail {
/// Enables an overload for a `std::string` rvalue only: a parser's result
/// would point into a temporary that dies at the end of the statement.
template <class S>
using if_temporary_string = std::enable_if_t<std::is_same<S, std::string>::value>;
}  // namespace detail

/// Parses one media type, e.g. a Content-Type value (RFC 3261 §20.15) or
/// the Content-Type field of a body part (RFC 2045 §5.1).
///
/// Whitespace (SWS, including folded lines) is allowed around the value and
/// around `/`, `;` and `=`. A parameter name that occurs twice is an error
/// (`errc::bad_parameter` at the second): a message must not be read two
/// ways (think of two `boundary` values). `*` is a token byte, so
/// `image/*` parses too and can serve as a media range.
///
/// Lifetime: the result points into `value`.
///
/// Errors (offset = first byte that does not fit): `empty_value` (nothing
/// but whitespace), `bad_media_type` (no type token), `expected_slash`,
/// `expected_token` (no subtype), `expected_equal`, `bad_parameter`,
/// `bad_quoted_string`, `expected_semicolon` (bytes after the type that
/// start no parameter), `too_many_parameters` (more than
/// `max_mime_parameters`).
///
/// @par Specification RFC 2045 §5.1; RFC 3261 §20.15, §25.1.
/// @par Complexity Linear in `value.size()`.
SIPSAF_DECL auto parse_media_type(std::string_view value) -> result<media_type>;

/// Deleted: the result would point into a temporary string.
template <class S, class = detail::if_temporary_string<S>>
auto parse_media_type(S&& temporary) -> result<media_type> = delete;

/// Parses a list of media ranges, e.g. an Accept value (RFC 3261 §20.1):
/// `"text/plain, image/*;q=0.5, */*;q=0"`. An empty or blank value gives an
/// empty list (RFC 3261 §20.1: then nothing is acceptable).
///
/// Lifetime: the result points into `value`.
///
/// Errors: as `parse_media_type`, plus `bad_media_type` for `*/subtype`
/// (offset of the `*`) or a list element that does not start a range, and
/// `bad_parameter` for a `q` that is not a qvalue (offset of the value).
///
/// @par Specification RFC 3261 §20.1, §25.1.
/// @par Complexity Linear in `value.size()`.
SIPSAF_DECL auto parse_media_ranges(std::string_view value) -> result<std::vector<media_type>>;

/// Deleted: the result would point into a temporary string.
template <class S, class = detail::if_temporary_string<S>>
auto parse_media_ranges(S&& temporary) -> result<std::vector<media_type>> = delete;

/// True when `t` is acceptable to a recipient whose accepted ranges are
/// `ranges`: the most specific range that `t` matches decides (a full
/// type beats `type/*`, which beats `*/*`; more parameters beat fewer), and
/// it must not have `q=0` (RFC 7231 §5.3.2, used by RFC 3261 §20.1). An
/// empty list accepts nothing. (A SIP request without an Accept header
/// field implies `application/sdp`; that default is the caller's.)
///
/// @par Complexity O(ranges.size()) matches.
SIPSAF_DECL auto accepts(std::vector<media_type> const& ranges, media_type const& t) -> bool;

/// Writes `t` in canonical form: type, subtype and parameter names in lower
/// case, no whitespace, `;` before each parameter; values as written, a
/// value that is not a token (or was quoted) inside quotes, escaping `"`
/// and `\` if it was not quoted. `parse_media_type(to_string(t)) == t`.
///
/// @par Complexity Linear in the output size.
template <class OutputIt>
auto serialize(OutputIt out, media_type const& t) -> OutputIt;

/// `serialize` into a new string.
SIPSAF_DECL auto to_string(media_type const& t) -> std::string;

/// `serialize` to a stream.
SIPSAF_DECL auto operator<<(std::ostream& os, media_type const& t) -> std::ostream&;

SIPSAF_END_NAMESPACE

#include <sipsaf/mime/impl/media_type.hpp>

#ifdef SIPSAF_HEADER_ONLY
#include <sipsaf/mime/impl/media_type.ipp>
#endif

#endif  // SIPSAF_MIME_MEDIA_TYPE_HPP
