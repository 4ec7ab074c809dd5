// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MESSAGE_FIELDS_HPP
#define SIPSAF_MESSAGE_FIELDS_HPP

/// @file
/// The SIP header field names sipsaf knows, with their compact forms.
///
/// Header field names are case-insensitive (RFC 3261 §7.3.1), and a field
/// may be written in its compact form (RFC 3261 §7.3.3, §20). The compact
/// forms are those of the IANA "Header Fields" registry of the SIP
/// Parameters: a Accept-Contact, b Referred-By, c Content-Type,
/// d Request-Disposition, e Content-Encoding, f From, i Call-ID,
/// j Reject-Contact, k Supported, l Content-Length, m Contact,
/// n Identity-Info, o Event, r Refer-To, s Subject, t To, u Allow-Events,
/// v Via, x Session-Expires, y Identity.

#include <sipsaf/config.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

SIPSAF_BEGIN_NAMESPACE

/// A header field sipsaf knows by name. `field::unknown` is any other name
/// (an extension header field, RFC 3261 §7.3); those are kept and looked up
/// by their text.
enum class field : std::uint8_t {
  unknown = 0,
  accept,
  accept_contact,  // a
  accept_encoding,
  accept_language,
  alert_info,
  allow,
  allow_events,  // u
  authentication_info,
  authorization,
  call_id,  // i
  call_info,
  contact,  // m
  content_disposition,
  content_encoding,  // e
  content_language,
  content_length,  // l
  content_type,    // c
  cseq,
  date,
  error_info,
  event,  // o
  expires,
  from,           // f
  identity,       // y
  identity_info,  // n
  in_reply_to,
  max_forwards,
  mime_version,
  min_expires,
  organization,
  priority,
  proxy_authenticate,
  proxy_authorization,
  proxy_require,
  record_route,
  refer_to,        // r
  referred_by,     // b
  reject_contact,  // j
  reply_to,
  request_disposition,  // d
  require,
  retry_after,
  route,
  server,
  session_expires,  // x
  subject,          // s
  subscription_state,
  supported,  // k
  timestamp,
  to,  // t
  unsupported,
  user_agent,
  via,  // v
  warning,
  www_authenticate,
};

/// The number of `field` values, `unknown` included.
inline constexpr std::size_t field_count = static_cast<std::size_t>(field::www_authenticate) + 1;

namespace detail {

struct field_info {
  std::string_view name;  // canonical spelling
  char compact;           // compact form, or '\0'
  bool list;              // value is a comma-separated list (RFC 3261 §7.3.1)
};

// Indexed by `field`. `list` is true for the fields whose grammar is
// `x *(COMMA x)` (RFC 3261 §25.1), so that several rows may be combined and
// one row split on commas. Authorization-like fields are not lists: their
// commas separate auth-params (RFC 3261 §25.1, §7.3.1 exception).
inline constexpr field_info field_table[field_count] = {
    {"", '\0', false},
    {"Accept", '\0', true},
    {"Accept-Contact", 'a', true},
    {"Accept-Encoding", '\0', true},
    {"Accept-Language", '\0', true},
    {"Alert-Info", '\0', true},
    {"Allow", '\0', true},
    {"Allow-Events", 'u', true},
    {"Authentication-Info", '\0', false},
    {"Authorization", '\0', false},
    {"Call-ID", 'i', false},
    {"Call-Info", '\0', true},
    {"Contact", 'm', true},
    {"Content-Disposition", '\0', false},
    {"Content-Encoding", 'e', true},
    {"Content-Language", '\0', true},
    {"Content-Length", 'l', false},
    {"Content-Type", 'c', false},
    {"CSeq", '\0', false},
    {"Date", '\0', false},
    {"Error-Info", '\0', true},
    {"Event", 'o', false},
    {"Expires", '\0', false},
    {"From", 'f', false},
    {"Identity", 'y', false},
    {"Identity-Info", 'n', false},
    {"In-Reply-To", '\0', true},
    {"Max-Forwards", '\0', false},
    {"MIME-Version", '\0', false},
    {"Min-Expires", '\0', false},
    {"Organization", '\0', false},
    {"Priority", '\0', false},
    {"Proxy-Authenticate", '\0', false},
    {"Proxy-Authorization", '\0', false},
    {"Proxy-Require", '\0', true},
    {"Record-Route", '\0', true},
    {"Refer-To", 'r', false},
    {"Referred-By", 'b', false},
    {"Reject-Contact", 'j', true},
    {"Reply-To", '\0', false},
    {"Request-Disposition", 'd', true},
    {"Require", '\0', true},
    {"Retry-After", '\0', false},
    {"Route", '\0', true},
    {"Server", '\0', false},
    {"Session-Expires", 'x', false},
    {"Subject", 's', false},
    {"Subscription-State", '\0', false},
    {"Supported", 'k', true},
    {"Timestamp", '\0', false},
    {"To", 't', false},
    {"Unsupported", '\0', true},
    {"User-Agent", '\0', false},
    {"Via", 'v', true},
    {"Warning", '\0', true},
    {"WWW-Authenticate", '\0', false},
};

constexpr auto lower(char c) noexcept -> char {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}

constexpr auto same_name(std::string_view a, std::string_view b) noexcept -> bool {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

// `known` is a name of the table (letters and '-' only), `name` a token: then
// OR-ing 0x20 into each byte folds case and maps no other token byte onto a
// letter or '-', so 8 bytes compare at once.
inline auto same_known_name(std::string_view known, std::string_view name) noexcept -> bool {
  std::size_t const n = known.size();
  if (n != name.size()) return false;
  char const* a = known.data();
  char const* b = name.data();
  auto eq8 = [](char const* x, char const* y) {
    std::uint64_t u = 0;
    std::uint64_t v = 0;
    std::memcpy(&u, x, 8);
    std::memcpy(&v, y, 8);
    return (u | 0x2020202020202020ULL) == (v | 0x2020202020202020ULL);
  };
  auto eq4 = [](char const* x, char const* y) {
    std::uint32_t u = 0;
    std::uint32_t v = 0;
    std::memcpy(&u, x, 4);
    std::memcpy(&v, y, 4);
    return (u | 0x20202020U) == (v | 0x20202020U);
  };
  if (n >= 8) {
    // Whole words, then one last word that may overlap the previous one.
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8)
      if (!eq8(a + i, b + i)) return false;
    return i == n || eq8(a + n - 8, b + n - 8);
  }
  if (n >= 4) return eq4(a, b) && eq4(a + n - 4, b + n - 4);
  for (std::size_t i = 0; i < n; ++i)
    if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
  return true;
}

constexpr auto field_of_compact(char c) noexcept -> field {
  switch (lower(c)) {
    case 'a':
      return field::accept_contact;
    case 'b':
      return field::referred_by;
    case 'c':
      return field::content_type;
    case 'd':
      return field::request_disposition;
    case 'e':
      return field::content_encoding;
    case 'f':
      return field::from;
    case 'i':
      return field::call_id;
    case 'j':
      return field::reject_contact;
    case 'k':
      return field::supported;
    case 'l':
      return field::content_length;
    case 'm':
      return field::contact;
    case 'n':
      return field::identity_info;
    case 'o':
      return field::event;
    case 'r':
      return field::refer_to;
    case 's':
      return field::subject;
    case 't':
      return field::to;
    case 'u':
      return field::allow_events;
    case 'v':
      return field::via;
    case 'x':
      return field::session_expires;
    case 'y':
      return field::identity;
    default:
      return field::unknown;
  }
}

// An open-addressing hash table of the field names, keyed on the length and
// the lower-case first and last letters: one or two probes per lookup.
inline constexpr std::size_t field_hash_size = 256;

// OR-ing 0x20 folds the case of letters without a branch; what it does to
// other token bytes does not matter, the name comparison decides.
constexpr auto field_hash(std::size_t len, char first, char last) noexcept -> std::size_t {
  return (len * 37u + (static_cast<unsigned char>(first) | 0x20u) * 7u +
          (static_cast<unsigned char>(last) | 0x20u) * 3u) &
         (field_hash_size - 1);
}

struct field_hash_table {
  std::uint8_t slots[field_hash_size];
};

constexpr auto make_field_hash() noexcept -> field_hash_table {
  field_hash_table t{};
  for (std::size_t i = 1; i < field_count; ++i) {
    std::string_view const n = field_table[i].name;
    std::size_t h = field_hash(n.size(), n.front(), n.back());
    while (t.slots[h] != 0) h = (h + 1) & (field_hash_size - 1);
    t.slots[h] = static_cast<std::uint8_t>(i);
  }
  return t;
}

inline constexpr field_hash_table field_hashes = make_field_hash();

}  // namespace detail

/// The field a header name denotes, by its full name or its compact form,
/// compared ASCII case-insensitively (RFC 3261 §7.3.1, §7.3.3); `field::unknown`
/// for any other name.
///
/// @par Complexity Constant: a hash of the length and the first and last
/// letters, then one name comparison (rarely two).
inline auto field_of(std::string_view name) noexcept -> field {
  if (name.size() == 1) return detail::field_of_compact(name[0]);
  if (name.size() < 2) return field::unknown;
  std::size_t h = detail::field_hash(name.size(), name.front(), name.back());
  for (;;) {
    std::uint8_t const i = detail::field_hashes.slots[h];
    if (i == 0) return field::unknown;
    if (detail::same_known_name(detail::field_table[i].name, name)) return static_cast<field>(i);
    h = (h + 1) & (detail::field_hash_size - 1);
  }
}

/// The canonical name of a known field (e.g. "Call-ID"); empty for unknown.
constexpr auto field_name(field f) noexcept -> std::string_view {
  return detail::field_table[static_cast<std::size_t>(f)].name;
}

/// The compact form of a field (e.g. 'i' for Call-ID), or '\0' when it has none.
constexpr auto compact_form(field f) noexcept -> char {
  return detail::field_table[static_cast<std::size_t>(f)].compact;
}

/// True when the field's value is a comma-separated list, so that several
/// rows combine into one list (RFC 3261 §7.3.1).
constexpr auto is_list_field(field f) noexcept -> bool {
  return detail::field_table[static_cast<std::size_t>(f)].list;
}

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_MESSAGE_FIELDS_HPP
