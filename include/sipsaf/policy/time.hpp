// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_POLICY_TIME_HPP
#define SIPSAF_POLICY_TIME_HPP

/// @file
/// Time as the store/forward engine sees it: UTC wall-clock milliseconds,
/// the SIP `Date` header (RFC 3261 §20.17), the `Expires` delta-seconds
/// (RFC 3261 §20.19) and the RFC 3339 text IMDN documents carry.
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

/// Parses a SIP `Date` value (RFC 3261 §20.17), which is an RFC 1123 date
/// in GMT: `Sat, 13 Nov 2010 23:29:00 GMT`.
///
/// @par BNF (RFC 3261 §25.1)
/// @code
///   SIP-date     = rfc1123-date
///   rfc1123-date = wkday "," SP date1 SP time SP "GMT"
///   date1        = 2DIGIT SP month SP 4DIGIT
///   time         = 2DIGIT ":" 2DIGIT ":" 2DIGIT
///   wkday        = "Mon" / "Tue" / "Wed" / "Thu" / "Fri" / "Sat" / "Sun"
///   month        = "Jan" / "Feb" / ... / "Dec"
/// @endcode
/// Names compare case-insensitively. Whitespace around the value is
/// ignored; inside it, runs of spaces are accepted where one SP is written.
/// The weekday is checked against the date: a Date that names the wrong day
/// is not trusted (it could be from anywhere), `errc::bad_date`.
/// A leap second (`:60`) reads as the following second.
///
/// Errors: `errc::empty_value`, or `errc::bad_date` at the first byte that
/// does not fit. Complexity: constant (the value is at most a few dozen bytes).
inline auto parse_sip_date(std::string_view value) -> result<timestamp> {
  std::size_t lead = 0;
  while (lead < value.size() && detail::is_lws(value[lead])) ++lead;
  std::string_view const v = detail::trim_lws(value);
  if (v.empty()) return parse_error{errc::empty_value, value.size()};
  std::size_t i = 0;
  auto fail = [&]() -> result<timestamp> { return parse_error{errc::bad_date, lead + i}; };
  auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
  auto word = [&](std::string_view names, int count) -> int {  // 3-letter names packed
    if (i + 3 > v.size()) return -1;
    for (int k = 0; k < count; ++k) {
      std::size_t const at = static_cast<std::size_t>(k) * 3;
      if (lower(v[i]) == names[at] && lower(v[i + 1]) == names[at + 1] &&
          lower(v[i + 2]) == names[at + 2]) {
        i += 3;
        return k;
      }
    }
    return -1;
  };
  auto spaces = [&]() -> bool {
    std::size_t const s = i;
    while (i < v.size() && (v[i] == ' ' || v[i] == '\t')) ++i;
    return i > s;
  };
  auto digits = [&](std::size_t n, unsigned& out) -> bool {
    if (i + n > v.size()) return false;
    unsigned x = 0;
    for (std::size_t k = 0; k < n; ++k) {
      if (!detail::is_digit(v[i + k])) return false;
      x = x * 10 + static_cast<unsigned>(v[i + k] - '0');
    }
    i += n;
    out = x;
    return true;
  };
  auto colon = [&]() -> bool {
    if (i < v.size() && v[i] == ':') return ++i, true;
    return false;
  };

  int const wkday = word("montuewedthufrisatsun", 7);
  if (wkday < 0) return fail();
  if (i >= v.size() || v[i] != ',') return fail();
  ++i;
  if (!spaces()) return fail();
  unsigned day = 0, year = 0, hh = 0, mm = 0, ss = 0;
  std::size_t const day_at = i;
  if (!digits(2, day)) return fail();
  if (!spaces()) return fail();
  int const month = word("janfebmaraprmayjunjulaugsepoctnovdec", 12);
  if (month < 0) return fail();
  if (!spaces()) return fail();
  if (!digits(4, year)) return fail();
  if (!spaces()) return fail();
  std::size_t const time_at = i;
  if (!digits(2, hh) || !colon() || !digits(2, mm) || !colon() || !digits(2, ss)) return fail();
  if (!spaces()) return fail();
  if (i + 3 != v.size() || lower(v[i]) != 'g' || lower(v[i + 1]) != 'm' || lower(v[i + 2]) != 't')
    return fail();

  static constexpr unsigned month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool const leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  unsigned const mdays = (month == 1 && !leap) ? 28u : month_days[static_cast<std::size_t>(month)];
  if (day < 1 || day > mdays) {
    i = day_at;
    return fail();
  }
  if (hh > 23 || mm > 59 || ss > 60) {
    i = time_at;
    return fail();
  }
  std::int64_t const days = detail::days_from_civil(year, static_cast<unsigned>(month + 1), day);
  // 1970-01-01 was a Thursday (index 3 with Monday = 0).
  auto const wd = static_cast<int>(((days % 7) + 7 + 3) % 7);
  if (wd != wkday) {
    i = 0;
    return fail();
  }
  std::int64_t const secs = days * 86400 + hh * 3600 + mm * 60 + ss;
  return timestamp(std::chrono::milliseconds(secs * 1000));
}

/// Writes `t` as an RFC 1123 date for a SIP `Date` header (RFC 3261 §20.17),
/// e.g. `Sat, 13 Nov 2010 23:29:00 GMT`; milliseconds are dropped.
inline auto format_sip_date(timestamp t) -> std::string {
  std::int64_t const ms = to_unix_ms(t);
  std::int64_t secs = ms / 1000 - ((ms % 1000) < 0 ? 1 : 0);
  std::int64_t days = secs / 86400 - ((secs % 86400) < 0 ? 1 : 0);
  auto const sod = static_cast<unsigned>(secs - days * 86400);
  detail::civil const c = detail::civil_from_days(days);
  static constexpr char const* wk[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static constexpr char const* mo[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto const wd = static_cast<std::size_t>(((days % 7) + 7 + 3) % 7);
  char buf[40];
  auto two = [](char* p, unsigned v) {
    p[0] = static_cast<char>('0' + v / 10);
    p[1] = static_cast<char>('0' + v % 10);
  };
  std::string out;
  out.reserve(29);
  out += wk[wd];
  out += ", ";
  two(buf, c.day);
  out.append(buf, 2);
  out += ' ';
  out += mo[c.month - 1];
  out += ' ';
  out += std::to_string(c.year);
  out += ' ';
  two(buf, sod / 3600);
  two(buf + 3, sod / 60 % 60);
  two(buf + 6, sod % 60);
  buf[2] = buf[5] = ':';
  out.append(buf, 8);
  out += " GMT";
  return out;
}

/// Writes `t` as an RFC 3339 `date-time` in UTC, e.g.
/// `2010-11-13T23:29:00.250Z` (the form IMDN's `datetime` element takes,
/// RFC 5438 §7.2.1.2); the fraction appears only when it is not zero.
inline auto format_rfc3339(timestamp t) -> std::string {
  std::int64_t const ms = to_unix_ms(t);
  std::int64_t days = ms / 86400000 - ((ms % 86400000) < 0 ? 1 : 0);
  auto const msod = static_cast<std::uint32_t>(ms - days * 86400000);
  detail::civil const c = detail::civil_from_days(days);
  auto pad = [](std::string& s, std::uint64_t v, int width) {
    char tmp[24];
    int n = 0;
    do {
      tmp[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    for (int k = n; k < width; ++k) s += '0';
    while (n > 0) s += tmp[--n];
  };
  std::string out;
  out.reserve(24);
  if (c.year < 0) out += '-';
  pad(out, static_cast<std::uint64_t>(c.year < 0 ? -c.year : c.year), 4);
  out += '-';
  pad(out, c.month, 2);
  out += '-';
  pad(out, c.day, 2);
  out += 'T';
  pad(out, msod / 3600000, 2);
  out += ':';
  pad(out, msod / 60000 % 60, 2);
  out += ':';
  pad(out, msod / 1000 % 60, 2);
  if (msod % 1000 != 0) {
    out += '.';
    pad(out, msod % 1000, 3);
  }
  out += 'Z';
  return out;
}

/// Parses an `Expires` value: delta-seconds (RFC 3261 §20.19, §25.1:
/// `1*DIGIT`), surrounding whitespace allowed. Values above 2^32-1 are
/// clamped to it (RFC 3261 §20.19 caps the range there).
///
/// RFC 3261 §20.19 says a malformed value SHOULD be read as 3600; that
/// reading is the caller's choice (the engine makes it and says so in its
/// trace), so this function reports the error: `errc::empty_value`, or
/// `errc::bad_header_value` at the first byte that is not a digit.
inline auto parse_delta_seconds(std::string_view value) -> result<std::chrono::seconds> {
  std::size_t i = 0;
  while (i < value.size() && detail::is_lws(value[i])) ++i;
  std::size_t const start = i;
  if (i == value.size()) return parse_error{errc::empty_value, value.size()};
  std::uint64_t n = 0;
  constexpr std::uint64_t cap = std::numeric_limits<std::uint32_t>::max();
  while (i < value.size() && detail::is_digit(value[i])) {
    n = n * 10 + static_cast<std::uint64_t>(value[i] - '0');
    if (n > cap) n = cap;
    ++i;
  }
  if (i == start) return parse_error{errc::bad_header_value, i};
  std::size_t const end = i;
  while (i < value.size() && detail::is_lws(value[i])) ++i;
  if (i != value.size()) return parse_error{errc::bad_header_value, i == end ? end : i};
  return std::chrono::seconds(static_cast<std::int64_t>(n));
}

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_POLICY_TIME_HPP
