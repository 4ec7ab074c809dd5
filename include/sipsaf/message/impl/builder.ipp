// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MESSAGE_IMPL_BUILDER_IPP
#define SIPSAF_MESSAGE_IMPL_BUILDER_IPP

#include <sipsaf/message/builder.hpp>

SIPSAF_BEGIN_NAMESPACE

SIPSAF_DECL auto format_sip_date(sip_date const& d) -> std::string {
  static constexpr char const* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr char const* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto two = [](int v) {
    return std::string{static_cast<char>('0' + v / 10 % 10), static_cast<char>('0' + v % 10)};
  };
  std::string out;
  out += days[((d.weekday % 7) + 7) % 7];
  out += ", ";
  out += two(d.day);
  out += ' ';
  out += months[(d.month - 1) % 12];
  out += ' ';
  out += two(d.year / 100);
  out += two(d.year % 100);
  out += ' ';
  out += two(d.hour) + ":" + two(d.minute) + ":" + two(d.second);
  out += " GMT";
  return out;
}

SIPSAF_DECL auto sip_date_from_epoch(std::int64_t seconds) -> sip_date {
  std::int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
  std::int64_t secs = seconds - days * 86400;
  sip_date d;
  d.hour = static_cast<int>(secs / 3600);
  d.minute = static_cast<int>(secs / 60 % 60);
  d.second = static_cast<int>(secs % 60);
  d.weekday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday
  // Civil date from days (proleptic Gregorian calendar).
  days += 719468;
  std::int64_t const era = (days >= 0 ? days : days - 146096) / 146097;
  std::int64_t const doe = days - era * 146097;
  std::int64_t const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  std::int64_t const mp = (5 * doy + 2) / 153;
  d.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  d.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  d.year = static_cast<int>(yoe + era * 400 + (d.month <= 2 ? 1 : 0));
  return d;
}

namespace detail {
namespace msg {

SIPSAF_DECL auto quote(std::string_view text) -> std::string {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

SIPSAF_DECL auto name_addr_text(std::string_view uri, std::string_view display,
                                std::string_view tag) -> std::string {
  std::string out;
  if (!display.empty()) out = quote(display) + " ";
  out += '<';
  out += uri;
  out += '>';
  if (!tag.empty()) {
    out += ";tag=";
    out += tag;
  }
  return out;
}

SIPSAF_DECL auto write_message(std::string start_line,
                               std::vector<std::pair<std::string, std::string>> const& fields,
                               std::string_view content_type, std::string_view body)
    -> result<std::string> {
  std::string out = std::move(start_line);
  out += "\r\n";
  auto add = [&](std::string_view name, std::string_view value) -> result<void> {
    std::size_t const at = out.size();
    if (name.empty() ||
        span(name.data(), name.data() + name.size(), token_chars) != name.data() + name.size())
      return parse_error{errc::bad_header_field, at};
    for (std::size_t i = 0; i < value.size(); ++i)
      if (value[i] == '\r' || value[i] == '\n')
        return parse_error{errc::bad_header_value, at + name.size() + 2 + i};
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
    return {};
  };
  for (auto const& f : fields) {
    auto r = add(f.first, f.second);
    if (!r) return r.error();
  }
  if (!content_type.empty()) {
    auto r = add("Content-Type", content_type);
    if (!r) return r.error();
  }
  out += "Content-Length: ";
  out += std::to_string(body.size());
  out += "\r\n\r\n";
  out += body;
  return out;
}

SIPSAF_DECL auto fnv1a(std::uint64_t h, std::string_view s) noexcept -> std::uint64_t {
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

}  // namespace msg
}  // namespace detail

SIPSAF_DECL auto make_response(message_view const& request, int code, std::string_view reason,
                               std::string_view to_tag) -> result<std::string> {
  response_builder b(request, code, reason);
  if (!to_tag.empty()) b.to_tag(to_tag);
  return b.build();
}

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_MESSAGE_IMPL_BUILDER_IPP
