// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_TIME_HPP
#define SIPSAF_TIME_HPP

/// @file
/// Time as sipsaf sees it: UTC wall-clock milliseconds, written as a SIP
/// `Date` (RFC 3261 §20.17) or as the RFC 3339 text IMDN documents carry,
/// and the `Expires` delta-seconds (RFC 3261 §20.19). Reading a `Date` into
/// a timestamp is `parse_sip_timestamp` (<sipsaf/message/header_values.hpp>).
///
/// Wall-clock time (not a steady clock) because a message's lifetime counts
/// from its `Date` header (RFC 3428), which names an absolute instant, and
/// because stored due times must mean the same thing after a restart.

#include <sipsaf/config.hpp>
#include <sipsaf/error.hpp>
#include <sipsaf/result.hpp>

#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

SIPSAF_BEGIN_NAMESPACE

/// An instant in UTC with millisecond resolution, the engine's one time type.
using timestamp = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;

/// Milliseconds since 1970-01-01T00:00:00Z, the form stores persist.
constexpr auto to_unix_ms(timestamp t) noexcept -> std::int64_t {
  return t.time_since_epoch().count();
}

/// The inverse of `to_unix_ms`.
constexpr auto from_unix_ms(std::int64_t ms) noexcept -> timestamp {
  return timestamp(std::chrono::milliseconds(ms));
}

namespace detail {

// Days since 1970-01-01 of a proleptic Gregorian date (the usual
// era-of-400-years arithmetic; exact for every year representable here).
constexpr auto days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept -> std::int64_t {
  y -= m <= 2 ? 1 : 0;
  std::int64_t const era = (y >= 0 ? y : y - 399) / 400;
  auto const yoe = static_cast<unsigned>(y - era * 400);
  unsigned const doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  unsigned const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct civil {
  std::int64_t year;
  unsigned month, day;
};

constexpr auto civil_from_days(std::int64_t z) noexcept -> civil {
  z += 719468;
  std::int64_t const era = (z >= 0 ? z : z - 146096) / 146097;
  auto const doe = static_cast<unsigned>(z - era * 146097);
  unsigned const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  unsigned const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned const mp = (5 * doy + 2) / 153;
  unsigned const d = doy - (153 * mp + 2) / 5 + 1;
  unsigned const m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

constexpr auto is_digit(char c) noexcept -> bool {
  return c >= '0' && c <= '9';
}
constexpr auto is_lws(char c) noexcept -> bool {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

inline auto trim_lws(std::string_view s) noexcept -> std::string_view {
  while (!s.empty() && is_lws(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_lws(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace detail

/// Writes `t` as an RFC 1123 date for a SIP `Date` header (RFC 3261 §20.17),
/// e.g. `Sat, 13 Nov 2010 23:29:00 GMT`; milliseconds are dropped.
SIPSAF_DECL auto format_sip_date(timestamp t) -> std::string;

/// Writes `t` as an RFC 3339 `date-time` in UTC, e.g.
/// `2010-11-13T23:29:00.250Z` (the form IMDN's `datetime` element takes,
/// RFC 5438 §7.2.1.2); the fraction appears only when it is not zero.
SIPSAF_DECL auto format_rfc3339(timestamp t) -> std::string;

/// Parses an `Expires` value: delta-seconds (RFC 3261 §20.19, §25.1:
/// `1*DIGIT`), surrounding whitespace allowed. Values above 2^32-1 are
/// clamped to it (RFC 3261 §20.19 caps the range there).
///
/// RFC 3261 §20.19 says a malformed value SHOULD be read as 3600; that
/// reading is the caller's choice (the engine makes it and says so in its
/// trace), so this function reports the error: `errc::empty_value`, or
/// `errc::bad_header_value` at the first byte that is not a digit.
SIPSAF_DECL auto parse_expires_seconds(std::string_view value) -> result<std::chrono::seconds>;

SIPSAF_END_NAMESPACE

#ifdef SIPSAF_HEADER_ONLY
#include <sipsaf/impl/time.ipp>
#endif

#endif  // SIPSAF_TIME_HPP
