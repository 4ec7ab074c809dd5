// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MESSAGE_HEADER_VALUES_HPP
#define SIPSAF_MESSAGE_HEADER_VALUES_HPP

/// @file
/// Typed SIP header field values and their parsers: addresses (From, To,
/// Contact), Via, CSeq, Call-ID, Date, the numeric fields, and comma-list
/// splitting. Each parser takes one field value as it appears on the wire
/// (folded lines allowed: LWS may contain CRLF followed by SP/HTAB,
/// RFC 3261 §7.3.1) and reports errors with a byte offset into that value.
///
/// Every value type here is a view into the parsed text. Ownership is not
/// transferred; the caller keeps that text alive and unchanged while the
/// value is used.

#include <sipsaf/config.hpp>
#include <sipsaf/error.hpp>
#include <sipsaf/message/detail/scan.hpp>
#include <sipsaf/message/uri.hpp>
#include <sipsaf/result.hpp>
#include <sipsaf/time.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

SIPSAF_BEGIN_NAMESPACE

/// A name-addr or addr-spec with its header parameters: the value of From,
/// To, Reply-To, or one element of Contact, Route, Record-Route.
///
/// @par BNF (RFC 3261 §25.1)
/// @code
///   from-spec    = ( name-addr / addr-spec ) *( SEMI from-param )
///   name-addr    = [ display-name ] LAQUOT addr-spec RAQUOT
///   addr-spec    = SIP-URI / SIPS-URI / absoluteURI
///   display-name = *(token LWS) / quoted-string
///   LAQUOT = SWS "<"   RAQUOT = ">" SWS   SEMI = SWS ";" SWS
/// @endcode
/// In the addr-spec form the URI ends at the first `;` (RFC 3261 §20: a URI
/// with a comma, question mark or semicolon must be enclosed in `<>`).
struct name_addr {
  std::string_view display_name;  ///< as written; for a quoted-string the text between
                                  ///< the quotes, escapes kept
  bool quoted_display_name = false;
  bool angle_brackets = false;  ///< true for the name-addr form
  uri_view uri;
  std::string_view params;  ///< header parameters as written, from the first `;` (or empty)
  std::string_view tag;     ///< the `tag` parameter (RFC 3261 §19.3), empty when absent

  /// The display name as text: quoted-pair escapes removed; for the token
  /// form each LWS run becomes one SP.
  SIPSAF_DECL auto display_text() const -> std::string;
  /// The header parameter `name` (case-insensitive) as written (a quoted
  /// value keeps its quotes); an empty view for a parameter without value.
  SIPSAF_DECL auto param(std::string_view name) const -> std::optional<std::string_view>;
};

/// One Via entry (RFC 3261 §20.42).
///
/// @par BNF
/// @code
///   via-parm      = sent-protocol LWS sent-by *( SEMI via-params )
///   sent-protocol = protocol-name SLASH protocol-version SLASH transport
///   sent-by       = host [ COLON port ]
///   via-params    = via-ttl / via-maddr / via-received / via-branch / via-extension
/// @endcode
struct via_entry {
  std::string_view protocol;   ///< "SIP"
  std::string_view version;    ///< "2.0"
  std::string_view transport;  ///< "UDP", "TCP", "TLS", "SCTP", "WS", ... as written
  std::string_view host;       ///< sent-by host (IPv6 keeps its brackets)
  std::optional<std::uint16_t> port;
  std::string_view params;    ///< as written, from the first `;` (or empty)
  std::string_view branch;    ///< the `branch` parameter, empty when absent
  std::string_view received;  ///< the `received` parameter, empty when absent

  SIPSAF_DECL auto param(std::string_view name) const -> std::optional<std::string_view>;
  /// RFC 3261 §8.1.1.7: a branch that starts with the magic cookie
  /// "z9hG4bK" identifies the transaction (a bare cookie does not, RFC 4475 §3.2.1).
  auto has_rfc3261_branch() const noexcept -> bool {
    return branch.size() > 7 && branch.substr(0, 7) == "z9hG4bK";
  }
};

/// CSeq (RFC 3261 §20.16): `CSeq = 1*DIGIT LWS Method`, a 32-bit unsigned number.
struct cseq_value {
  std::uint32_t number = 0;
  std::string_view method;
};

/// One Contact element (RFC 3261 §20.10) with its `expires` and `q`.
struct contact_entry {
  name_addr address;
  std::optional<std::uint32_t> expires;  ///< contact-params `expires` (delta-seconds)
  std::optional<std::uint16_t> q;        ///< qvalue in thousandths (0..1000)
};

/// A Contact value: `*` (RFC 3261 §10.2.2, REGISTER only) or a list.
struct contact_list {
  bool star = false;
  std::vector<contact_entry> entries;
};

/// A Date value (RFC 3261 §20.17), always GMT.
///
/// @par BNF (RFC 3261 §25.1, RFC 1123 §5.2.14 form only)
/// @code
///   SIP-date = rfc1123-date
///   rfc1123-date = wkday "," SP date1 SP time SP "GMT"
///   date1 = 2DIGIT SP month SP 4DIGIT
///   time  = 2DIGIT ":" 2DIGIT ":" 2DIGIT
/// @endcode
struct sip_date {
  int year = 1970;
  int month = 1;  ///< 1..12
  int day = 1;    ///< 1..31
  int hour = 0;
  int minute = 0;
  int second = 0;
  int weekday = 4;  ///< 0 = Sunday, as written
  /// Seconds since 1970-01-01T00:00:00Z.
  SIPSAF_DECL auto epoch_seconds() const noexcept -> std::int64_t;
};

namespace detail {
namespace msg {

enum class addr_mode : std::uint8_t { single, list };

// name-addr / addr-spec with params, from p; stops at the end (single) or
// before a `,` (list). On failure p is the offending byte. `out` must be
// freshly constructed.
SIPSAF_DECL auto scan_name_addr(char const*& p, char const* e, addr_mode mode, name_addr& out)
    -> errc;

// via-parm from p; stops before `,` or at the end.
SIPSAF_DECL auto scan_via(char const*& p, char const* e, via_entry& out) -> errc;

// Walks a comma list of elements; `f(p)` scans one element from p and
// stops before `,` or at the end. COMMA = SWS "," SWS.
template <class F>
inline auto scan_list(char const*& p, char const* e, F&& f) -> errc {
  for (;;) {
    p = skip_lws(p, e);
    if (p == e) return errc::empty_value;
    errc const ec = f(p);
    if (ec != ok) return ec;
    p = skip_lws(p, e);
    if (p == e) return ok;
    if (*p != ',') return errc::expected_comma;
    ++p;
  }
}

// contact-param list element with the typed params checked.
SIPSAF_DECL auto scan_contact(char const*& p, char const* e, contact_entry& out) -> errc;

SIPSAF_DECL auto scan_contact_list(char const*& p, char const* e, contact_list* out) -> errc;

SIPSAF_DECL auto scan_cseq(char const*& p, char const* e, cseq_value& out) -> errc;

// callid = word [ "@" word ]
SIPSAF_DECL auto scan_call_id(char const*& p, char const* e, std::string_view& out) -> errc;

// A single number field: 1*DIGIT no larger than `max`, LWS around it.
SIPSAF_DECL auto scan_number_field(char const*& p, char const* e, std::uint64_t max,
                                   std::uint64_t& out, errc code) -> errc;

SIPSAF_DECL auto scan_date(char const*& p, char const* e, sip_date& out) -> errc;

// The Date as nearly every sender writes it: exactly 29 bytes,
// `Www, DD Mmm YYYY HH:MM:SS GMT`. Read in place, with the checks scan_date
// makes; any other text (spacing, folding, an error) is left to scan_date,
// which gives the verdict and the error offset.
SIPSAF_DECL auto read_fixed_date(std::string_view v, sip_date& out) noexcept -> bool;

template <class T, class Scan>
auto run_scan(std::string_view v, Scan&& scan) -> result<T> {
  T out{};
  char const* p = v.data();
  errc const ec = scan(p, v.data() + v.size(), out);
  if (ec != ok) return parse_error{ec, static_cast<std::size_t>(p - v.data())};
  return out;
}

}  // namespace msg
}  // namespace detail

/// Parses a From, To or Reply-To value (one name-addr or addr-spec with
/// parameters). Errors: `bad_quoted_string`, `bad_uri`, `bad_parameter`,
/// `bad_header_value`; offset into `value`.
/// @par Specification RFC 3261 §20.20, §20.39, §25.1.
SIPSAF_DECL auto parse_name_addr(std::string_view value) -> result<name_addr>;

/// Parses one Via row: one or more via-parms separated by commas.
/// @par Specification RFC 3261 §20.42; RFC 5118 §4.5 (received without brackets tolerated).
SIPSAF_DECL auto parse_via(std::string_view value) -> result<std::vector<via_entry>>;

/// Parses a Contact row: `*` or a list of contact-params, checking the
/// `expires` (delta-seconds up to 2^32-1) and `q` (qvalue) parameters.
/// @par Specification RFC 3261 §20.10, §25.1.
SIPSAF_DECL auto parse_contact(std::string_view value) -> result<contact_list>;

/// Parses CSeq: a number up to 2^32-1 and a method token.
/// @par Specification RFC 3261 §20.16.
SIPSAF_DECL auto parse_cseq(std::string_view value) -> result<cseq_value>;

/// Parses Call-ID: `word [ "@" word ]`. Returns the id without surrounding LWS.
/// @par Specification RFC 3261 §20.8, §25.1.
SIPSAF_DECL auto parse_call_id(std::string_view value) -> result<std::string_view>;

/// Parses a Date value in the RFC 1123 form with "GMT".
/// @par Specification RFC 3261 §20.17; RFC 1123 §5.2.14.
SIPSAF_DECL auto parse_sip_date(std::string_view value) -> result<sip_date>;

/// Reads a SIP `Date` value (RFC 3261 §20.17, RFC 1123 form in GMT, e.g.
/// `Sat, 13 Nov 2010 23:29:00 GMT`) as a timestamp. The syntax is checked by
/// `parse_sip_date`; its errors pass through.
SIPSAF_DECL auto parse_sip_timestamp(std::string_view value) -> result<timestamp>;

/// Parses delta-seconds (Expires, RFC 3261 §20.19): 1*DIGIT up to 2^32-1.
SIPSAF_DECL auto parse_delta_seconds(std::string_view value) -> result<std::uint32_t>;

/// Splits a list value on the commas that are outside quoted-strings and
/// angle brackets (RFC 3261 §7.3.1), trimming LWS around each element.
/// Empty elements are skipped. The views point into `value`.
/// @par Complexity Linear in `value.size()`.
SIPSAF_DECL auto split_list(std::string_view value) -> std::vector<std::string_view>;

SIPSAF_END_NAMESPACE

#ifdef SIPSAF_HEADER_ONLY
#include <sipsaf/message/impl/header_values.ipp>
#endif

#endif  // SIPSAF_MESSAGE_HEADER_VALUES_HPP
