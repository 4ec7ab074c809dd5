// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_IMPL_TIME_IPP
#define SIPSAF_IMPL_TIME_IPP

#include <sipsaf/time.hpp>

SIPSAF_BEGIN_NAMESPACE

SIPSAF_DECL auto format_sip_date(timestamp t) -> std::string {
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

SIPSAF_DECL auto format_rfc3339(timestamp t) -> std::string {
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

SIPSAF_DECL auto parse_expires_seconds(std::string_view value) -> result<std::chrono::seconds> {
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

#endif  // SIPSAF_IMPL_TIME_IPP
