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
  SIPSAF_DECL auto param(std::string_view name) const -> std::optional<std::string_view>;
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
SIPSAF_DECL auto scan_uri(char const* b, char const* e, uri_context ctx, uri_view& u,
                          char const*& at, char const** stop = nullptr) -> errc;

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
SIPSAF_DECL auto parse_uri(std::string_view text, uri_context ctx = uri_context::header)
    -> result<uri_view>;

SIPSAF_END_NAMESPACE

#ifdef SIPSAF_HEADER_ONLY
#include <sipsaf/message/impl/uri.ipp>
#endif

#endif  // SIPSAF_MESSAGE_URI_HPP
