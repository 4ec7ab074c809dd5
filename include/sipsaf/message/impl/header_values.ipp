// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MESSAGE_IMPL_HEADER_VALUES_IPP
#define SIPSAF_MESSAGE_IMPL_HEADER_VALUES_IPP

#include <sipsaf/message/header_values.hpp>

SIPSAF_BEGIN_NAMESPACE

SIPSAF_DECL auto name_addr::display_text() const -> std::string {
  std::string out;
  out.reserve(display_name.size());
  for (std::size_t i = 0; i < display_name.size(); ++i) {
    char const c = display_name[i];
    if (quoted_display_name) {
      if (c == '\\' && i + 1 < display_name.size())
        out.push_back(display_name[++i]);
      else if (c != '\r' && c != '\n')  // a fold's CRLF goes, its WSP stays
        out.push_back(c);
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');  // LWS = one SP
    } else {
      out.push_back(c);
    }
  }
  return out;
}

SIPSAF_DECL auto name_addr::param(std::string_view name) const -> std::optional<std::string_view> {
  std::string_view v;
  if (detail::msg::find_param(params, name, v)) return v;
  return std::nullopt;
}

SIPSAF_DECL auto via_entry::param(std::string_view name) const -> std::optional<std::string_view> {
  std::string_view v;
  if (detail::msg::find_param(params, name, v)) return v;
  return std::nullopt;
}

SIPSAF_DECL auto sip_date::epoch_seconds() const noexcept -> std::int64_t {
  // Days from the civil date (proleptic Gregorian calendar).
  int const y = year - (month <= 2 ? 1 : 0);
  int const era = (y >= 0 ? y : y - 399) / 400;
  int const yoe = y - era * 400;
  int const mp = (month + 9) % 12;
  int const doy = (153 * mp + 2) / 5 + day - 1;
  int const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  std::int64_t const days = static_cast<std::int64_t>(era) * 146097 + doe - 719468;
  return days * 86400 + hour * 3600 + minute * 60 + second;
}

namespace detail {
namespace msg {

SIPSAF_DECL auto scan_name_addr(char const*& p, char const* e, addr_mode mode, name_addr& out)
    -> errc {
  char const* q = skip_lws(p, e);
  if (q == e) {
    p = q;
    return errc::empty_value;
  }
  char const* uri_b = nullptr;
  char const* uri_e = nullptr;
  if (q != e && *q == '"') {
    std::string_view content;
    errc const ec = scan_quoted(q, e, content);
    if (ec != ok) {
      p = q;
      return ec;
    }
    out.display_name = content;
    out.quoted_display_name = true;
    q = skip_lws(q, e);
    if (q == e || *q != '<') {
      p = q;
      return errc::bad_header_value;
    }
  } else if (q != e && *q != '<') {
    // *(token LWS) then '<', or else an addr-spec.
    char const* r = q;
    char const* last_token_end = nullptr;
    while (r != e && token_chars(*r)) {
      char const* t = span(r, e, token_chars);
      last_token_end = t;
      r = skip_lws(t, e);
    }
    if (r != e && *r == '<' && last_token_end != nullptr) {
      out.display_name = view(q, last_token_end);
      q = r;
    } else {
      // addr-spec: the URI runs to `;`, `,` (lists), LWS or the end.
      uri_b = q;
      char const* s = q;
      while (s != e && *s != ';' && *s != ' ' && *s != '\t' && *s != '\r' && *s != '\n' &&
             !(mode == addr_mode::list && *s == ','))
        ++s;
      uri_e = s;
      // RFC 3261 §20: a URI with '?' (or ',' ';') must be in angle brackets.
      for (char const* x = uri_b; x != uri_e; ++x)
        if (*x == '?' || (*x == ',' && mode == addr_mode::single)) {
          p = x;
          return errc::bad_uri;
        }
      q = uri_e;
    }
  }
  char const* at = uri_b;
  errc ec = ok;
  if (uri_b == nullptr) {
    // q is at '<': LAQUOT addr-spec RAQUOT, no LWS inside (RFC 3261 §25.1).
    // The URI is read once, up to the first byte that cannot continue it.
    out.angle_brackets = true;
    uri_b = q + 1;
    char const* s = uri_b;
    ec = scan_uri(uri_b, e, uri_context::header, out.uri, at, &s);
    if (ec != ok) {
      p = at;
      return ec;
    }
    if (s == e || *s != '>') {
      p = s;
      return errc::bad_uri;
    }
    q = s + 1;
  } else {
    ec = scan_uri(uri_b, uri_e, uri_context::header, out.uri, at);
    if (ec != ok) {
      p = at;
      return ec;
    }
  }
  char const* const before_params = q;
  char const* params_b = skip_lws(q, e);
  ec = scan_params(q, e, [&](std::string_view n, std::string_view v, bool has) {
    if (iequals(n, "tag")) {
      if (!has) return errc::bad_parameter;
      out.tag = v;
    }
    return ok;
  });
  if (ec != ok) {
    p = q;
    return ec;
  }
  // scan_params moves q only past parameters, never past bare whitespace.
  if (q != before_params) out.params = view(params_b, q);
  q = skip_lws(q, e);
  if (q != e && !(mode == addr_mode::list && *q == ',')) {
    p = q;
    return errc::bad_header_value;
  }
  p = q;
  return ok;
}

SIPSAF_DECL auto scan_via(char const*& p, char const* e, via_entry& out) -> errc {
  char const* q = skip_lws(p, e);
  std::string_view* parts[3] = {&out.protocol, &out.version, &out.transport};
  for (int i = 0; i < 3; ++i) {
    if (i > 0) {
      // SLASH = SWS "/" SWS
      q = skip_lws(q, e);
      if (q == e || *q != '/') {
        p = q;
        return errc::bad_header_value;
      }
      q = skip_lws(q + 1, e);
    }
    char const* t = span(q, e, token_chars);
    if (t == q) {
      p = q;
      return errc::bad_header_value;
    }
    *parts[i] = view(q, t);
    q = t;
  }
  // LWS sent-by
  char const* h = skip_lws(q, e);
  if (h == q) {
    p = q;
    return errc::bad_header_value;
  }
  q = h;
  if (q != e && *q == '[') {
    char const* r = q + 1;
    while (r != e && (hexdig(*r) || *r == ':' || *r == '.')) ++r;
    if (r == e || *r != ']') {
      p = r;
      return errc::bad_header_value;
    }
    q = r + 1;
  } else {
    q = span(q, e, host_chars);
    if (q == h) {
      p = q;
      return errc::bad_header_value;
    }
  }
  out.host = view(h, q);
  // COLON = SWS ":" SWS
  char const* c = skip_lws(q, e);
  if (c != e && *c == ':') {
    c = skip_lws(c + 1, e);
    std::uint64_t port = 0;
    if (!parse_number(c, e, 65535, port)) {
      p = c;
      return errc::bad_header_value;
    }
    out.port = static_cast<std::uint16_t>(port);
    q = c;
  }
  char const* const before_params = q;
  char const* params_b = skip_lws(q, e);
  errc ec = scan_params(q, e, [&](std::string_view n, std::string_view v, bool) {
    if (iequals(n, "branch")) out.branch = v;
    if (iequals(n, "received")) out.received = v;
    return ok;
  });
  if (ec != ok) {
    p = q;
    return ec;
  }
  // scan_params moves q only past parameters, never past bare whitespace.
  if (q != before_params) out.params = view(params_b, q);
  q = skip_lws(q, e);
  if (q != e && *q != ',') {
    p = q;
    return errc::bad_header_value;
  }
  p = q;
  return ok;
}

SIPSAF_DECL auto scan_contact(char const*& p, char const* e, contact_entry& out) -> errc {
  char const* b = p;
  errc ec = scan_name_addr(p, e, addr_mode::list, out.address);
  if (ec != ok) return ec;
  (void)b;
  // Check expires and q (RFC 3261 §20.10, §25.1).
  char const* q = out.address.params.data();
  char const* qe = q + out.address.params.size();
  char const* bad = nullptr;
  scan_params(q, qe, [&](std::string_view n, std::string_view v, bool has) {
    if (bad != nullptr) return ok;
    if (iequals(n, "expires")) {
      char const* s = v.data();
      std::uint64_t x = 0;
      if (!has || !parse_number(s, v.data() + v.size(), 0xffffffffu, x) ||
          s != v.data() + v.size()) {
        bad = v.data();
        return ok;
      }
      out.expires = static_cast<std::uint32_t>(x);
    } else if (iequals(n, "q")) {
      // qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
      std::uint16_t permille = 0;
      bool good = has && !v.empty() && (v[0] == '0' || v[0] == '1');
      if (good) {
        permille = v[0] == '1' ? 1000 : 0;
        if (v.size() > 1) {
          good = v[1] == '.' && v.size() <= 5;
          int scale = 100;
          for (std::size_t i = 2; good && i < v.size(); ++i, scale /= 10) {
            good = digit(v[i]) && (v[0] == '0' || v[i] == '0');
            permille = static_cast<std::uint16_t>(permille + (v[i] - '0') * scale);
          }
        }
      }
      if (!good) {
        bad = v.data();
        return ok;
      }
      out.q = permille;
    }
    return ok;
  });
  if (bad != nullptr) {
    p = bad;
    return errc::bad_parameter;
  }
  return ok;
}

SIPSAF_DECL auto scan_contact_list(char const*& p, char const* e, contact_list* out) -> errc {
  char const* q = skip_lws(p, e);
  if (q != e && *q == '*') {
    char const* r = skip_lws(q + 1, e);
    if (r == e) {
      if (out != nullptr) out->star = true;
      p = r;
      return ok;
    }
  }
  return scan_list(p, e, [&](char const*& s) {
    contact_entry c;
    errc const ec = scan_contact(s, e, c);
    if (ec == ok && out != nullptr) out->entries.push_back(c);
    return ec;
  });
}

SIPSAF_DECL auto scan_cseq(char const*& p, char const* e, cseq_value& out) -> errc {
  p = skip_lws(p, e);
  std::uint64_t n = 0;
  if (!parse_number(p, e, 0xffffffffu, n)) return errc::bad_header_value;
  char const* q = skip_lws(p, e);
  if (q == p) return errc::bad_header_value;
  char const* m = span(q, e, token_chars);
  if (m == q) {
    p = q;
    return errc::bad_header_value;
  }
  out.number = static_cast<std::uint32_t>(n);
  out.method = view(q, m);
  p = skip_lws(m, e);
  return p == e ? ok : errc::bad_header_value;
}

SIPSAF_DECL auto scan_call_id(char const*& p, char const* e, std::string_view& out) -> errc {
  p = skip_lws(p, e);
  char const* b = p;
  char const* q = span(p, e, word_chars);
  if (q == p) return errc::bad_header_value;
  if (q != e && *q == '@') {
    char const* r = span(q + 1, e, word_chars);
    if (r == q + 1) {
      p = r;
      return errc::bad_header_value;
    }
    q = r;
  }
  out = view(b, q);
  p = skip_lws(q, e);
  return p == e ? ok : errc::bad_header_value;
}

SIPSAF_DECL auto scan_number_field(char const*& p, char const* e, std::uint64_t max,
                                   std::uint64_t& out, errc code) -> errc {
  p = skip_lws(p, e);
  if (!parse_number(p, e, max, out)) return code;
  p = skip_lws(p, e);
  return p == e ? ok : code;
}

SIPSAF_DECL auto scan_date(char const*& p, char const* e, sip_date& out) -> errc {
  // Day and month names as three case-folded bytes in one integer: one
  // compare per candidate. RFC 5234 §2.3: ABNF literals are case-insensitive.
  constexpr auto pack = [](char a, char b, char c) -> std::uint32_t {
    return (static_cast<std::uint32_t>(static_cast<unsigned char>(a) | 0x20u) << 16) |
           (static_cast<std::uint32_t>(static_cast<unsigned char>(b) | 0x20u) << 8) |
           (static_cast<std::uint32_t>(static_cast<unsigned char>(c) | 0x20u));
  };
  static constexpr std::uint32_t days[] = {
      pack('s', 'u', 'n'), pack('m', 'o', 'n'), pack('t', 'u', 'e'), pack('w', 'e', 'd'),
      pack('t', 'h', 'u'), pack('f', 'r', 'i'), pack('s', 'a', 't')};
  static constexpr std::uint32_t months[] = {
      pack('j', 'a', 'n'), pack('f', 'e', 'b'), pack('m', 'a', 'r'), pack('a', 'p', 'r'),
      pack('m', 'a', 'y'), pack('j', 'u', 'n'), pack('j', 'u', 'l'), pack('a', 'u', 'g'),
      pack('s', 'e', 'p'), pack('o', 'c', 't'), pack('n', 'o', 'v'), pack('d', 'e', 'c')};
  auto word3 = [&](std::uint32_t const* names, int n, int& idx) {
    if (e - p < 3) return false;
    std::uint32_t const w = pack(p[0], p[1], p[2]);
    for (int i = 0; i < n; ++i)
      if (w == names[i]) {
        idx = i;
        p += 3;
        return true;
      }
    return false;
  };
  auto lit = [&](char c) {
    if (p == e || *p != c) return false;
    ++p;
    return true;
  };
  auto digits = [&](int n, int& v) {
    v = 0;
    for (int i = 0; i < n; ++i, ++p) {
      if (p == e || !digit(*p)) return false;
      v = v * 10 + (*p - '0');
    }
    return true;
  };
  p = skip_lws(p, e);
  sip_date d;
  int mon = 0;
  if (!word3(days, 7, d.weekday) || !lit(',') || !lit(' ') || !digits(2, d.day) || !lit(' ') ||
      !word3(months, 12, mon) || !lit(' ') || !digits(4, d.year) || !lit(' ') ||
      !digits(2, d.hour) || !lit(':') || !digits(2, d.minute) || !lit(':') ||
      !digits(2, d.second) || !lit(' '))
    return errc::bad_date;
  // RFC 3261 §20.17: the time zone is always "GMT".
  if (e - p < 3 || pack(p[0], p[1], p[2]) != pack('g', 'm', 't')) return errc::bad_date;
  p += 3;
  d.month = mon + 1;
  static constexpr int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool const leap = (d.year % 4 == 0 && d.year % 100 != 0) || d.year % 400 == 0;
  if (d.day < 1 || d.day > mdays[mon] || (mon == 1 && d.day == 29 && !leap) || d.hour > 23 ||
      d.minute > 59 || d.second > 60) {
    p -= 3;
    return errc::bad_date;
  }
  p = skip_lws(p, e);
  if (p != e) return errc::bad_date;
  out = d;
  return ok;
}

SIPSAF_DECL auto read_fixed_date(std::string_view v, sip_date& out) noexcept -> bool {
  if (v.size() != 29 || v[3] != ',' || v[4] != ' ' || v[7] != ' ' || v[11] != ' ' || v[16] != ' ' ||
      v[19] != ':' || v[22] != ':' || v[25] != ' ')
    return false;
  // Three bytes, case-folded, as one word (as scan_date compares names).
  auto word = [&](std::size_t i) -> std::uint32_t {
    return ((static_cast<std::uint32_t>(static_cast<unsigned char>(v[i])) | 0x20u) << 16) |
           ((static_cast<std::uint32_t>(static_cast<unsigned char>(v[i + 1])) | 0x20u) << 8) |
           (static_cast<std::uint32_t>(static_cast<unsigned char>(v[i + 2])) | 0x20u);
  };
  constexpr auto w = [](char a, char b, char c) -> std::uint32_t {
    return (std::uint32_t(static_cast<unsigned char>(a)) << 16) |
           (std::uint32_t(static_cast<unsigned char>(b)) << 8) |
           std::uint32_t(static_cast<unsigned char>(c));
  };
  static constexpr std::uint32_t days[] = {w('s', 'u', 'n'), w('m', 'o', 'n'), w('t', 'u', 'e'),
                                           w('w', 'e', 'd'), w('t', 'h', 'u'), w('f', 'r', 'i'),
                                           w('s', 'a', 't')};
  static constexpr std::uint32_t months[] = {w('j', 'a', 'n'), w('f', 'e', 'b'), w('m', 'a', 'r'),
                                             w('a', 'p', 'r'), w('m', 'a', 'y'), w('j', 'u', 'n'),
                                             w('j', 'u', 'l'), w('a', 'u', 'g'), w('s', 'e', 'p'),
                                             w('o', 'c', 't'), w('n', 'o', 'v'), w('d', 'e', 'c')};
  // Two digits at `i` as a number, or 100 (out of every range) if either is not a digit.
  auto two = [&](std::size_t i) -> int {
    unsigned const a = static_cast<unsigned char>(v[i]) - unsigned('0');
    unsigned const b = static_cast<unsigned char>(v[i + 1]) - unsigned('0');
    return a > 9 || b > 9 ? 100 : static_cast<int>(a * 10 + b);
  };
  std::uint32_t const wd = word(0), mo = word(8);
  int day_name = 0, mon = 0;
  while (day_name < 7 && days[day_name] != wd) ++day_name;
  while (mon < 12 && months[mon] != mo) ++mon;
  int const century = two(12), year2 = two(14);
  sip_date d;
  d.day = two(5);
  d.hour = two(17);
  d.minute = two(20);
  d.second = two(23);
  if (day_name == 7 || mon == 12 || word(26) != w('g', 'm', 't') || century > 99 || year2 > 99)
    return false;
  d.weekday = day_name;
  d.month = mon + 1;
  d.year = century * 100 + year2;
  static constexpr int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool const leap = (d.year % 4 == 0 && d.year % 100 != 0) || d.year % 400 == 0;
  if (d.day < 1 || d.day > mdays[mon] || (mon == 1 && d.day == 29 && !leap) || d.hour > 23 ||
      d.minute > 59 || d.second > 60)
    return false;
  out = d;
  return true;
}

}  // namespace msg
}  // namespace detail

SIPSAF_DECL auto parse_name_addr(std::string_view value) -> result<name_addr> {
  return detail::msg::run_scan<name_addr>(value, [](char const*& p, char const* e, name_addr& o) {
    if (detail::msg::skip_lws(p, e) == e) {
      p = e;
      return errc::empty_value;
    }
    return detail::msg::scan_name_addr(p, e, detail::msg::addr_mode::single, o);
  });
}

SIPSAF_DECL auto parse_via(std::string_view value) -> result<std::vector<via_entry>> {
  return detail::msg::run_scan<std::vector<via_entry>>(
      value, [](char const*& p, char const* e, std::vector<via_entry>& out) {
        return detail::msg::scan_list(p, e, [&](char const*& s) {
          via_entry v;
          errc const ec = detail::msg::scan_via(s, e, v);
          if (ec == detail::msg::ok) out.push_back(v);
          return ec;
        });
      });
}

SIPSAF_DECL auto parse_contact(std::string_view value) -> result<contact_list> {
  return detail::msg::run_scan<contact_list>(value,
                                             [](char const*& p, char const* e, contact_list& out) {
                                               return detail::msg::scan_contact_list(p, e, &out);
                                             });
}

SIPSAF_DECL auto parse_cseq(std::string_view value) -> result<cseq_value> {
  return detail::msg::run_scan<cseq_value>(value, detail::msg::scan_cseq);
}

SIPSAF_DECL auto parse_call_id(std::string_view value) -> result<std::string_view> {
  return detail::msg::run_scan<std::string_view>(value, detail::msg::scan_call_id);
}

SIPSAF_DECL auto parse_sip_date(std::string_view value) -> result<sip_date> {
  return detail::msg::run_scan<sip_date>(value, detail::msg::scan_date);
}

SIPSAF_DECL auto parse_sip_timestamp(std::string_view value) -> result<timestamp> {
  sip_date fixed;
  if (detail::msg::read_fixed_date(value, fixed))
    return timestamp(std::chrono::seconds(fixed.epoch_seconds()));
  auto const d = parse_sip_date(value);
  if (!d) return d.error();
  return timestamp(std::chrono::seconds(d->epoch_seconds()));
}

SIPSAF_DECL auto parse_delta_seconds(std::string_view value) -> result<std::uint32_t> {
  return detail::msg::run_scan<std::uint32_t>(value, [](char const*& p, char const* e,
                                                        std::uint32_t& out) {
    std::uint64_t v = 0;
    errc const ec = detail::msg::scan_number_field(p, e, 0xffffffffu, v, errc::bad_header_value);
    out = static_cast<std::uint32_t>(v);
    return ec;
  });
}

SIPSAF_DECL auto split_list(std::string_view value) -> std::vector<std::string_view> {
  std::vector<std::string_view> out;
  auto trim = [](std::string_view v) {
    while (!v.empty() &&
           (v.front() == ' ' || v.front() == '\t' || v.front() == '\r' || v.front() == '\n'))
      v.remove_prefix(1);
    return detail::msg::trim_right(v);
  };
  std::size_t start = 0;
  bool quoted = false;
  bool angle = false;
  for (std::size_t i = 0; i < value.size(); ++i) {
    char const c = value[i];
    if (quoted) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        quoted = false;
    } else if (c == '"') {
      quoted = true;
    } else if (c == '<') {
      angle = true;
    } else if (c == '>') {
      angle = false;
    } else if (c == ',' && !angle) {
      std::string_view const el = trim(value.substr(start, i - start));
      if (!el.empty()) out.push_back(el);
      start = i + 1;
    }
  }
  std::string_view const el = trim(value.substr(std::min(start, value.size())));
  if (!el.empty()) out.push_back(el);
  return out;
}

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_MESSAGE_IMPL_HEADER_VALUES_IPP
