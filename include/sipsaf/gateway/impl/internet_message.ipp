// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_GATEWAY_IMPL_INTERNET_MESSAGE_IPP
#define SIPSAF_GATEWAY_IMPL_INTERNET_MESSAGE_IPP

#include <sipsaf/gateway/internet_message.hpp>

SIPSAF_BEGIN_NAMESPACE

namespace detail {
namespace gw {

inline auto is_atext(char c) noexcept -> bool {  // RFC 5322 §3.2.3
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

/// RFC 5322 §3.2.3 dot-atom-text: atext runs joined by single dots.
inline auto is_dot_atom(std::string_view s) noexcept -> bool {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '.' ? s[i - 1] == '.' : !is_atext(s[i])) return false;
  }
  return true;
}

/// A mailbox we may put in a header and hand to SMTP: dot-atom or quoted
/// local part, `@`, dot-atom or domain-literal (RFC 5322 §3.4.1).
inline auto is_addr_spec(std::string_view a) noexcept -> bool {
  std::size_t const at = a.rfind('@');
  if (at == std::string_view::npos) return false;
  std::string_view const local = a.substr(0, at), domain = a.substr(at + 1);
  bool local_ok = is_dot_atom(local);
  if (!local_ok && local.size() >= 2 && local.front() == '"' && local.back() == '"') {
    local_ok = true;
    for (std::size_t i = 1; i + 1 < local.size(); ++i) {
      char const c = local[i];
      if (c < 0x20 || c > 0x7E) local_ok = false;
      if (c == '\\') ++i;
    }
  }
  bool domain_ok = is_dot_atom(domain);
  if (!domain_ok && domain.size() > 2 && domain.front() == '[' && domain.back() == ']') {
    domain_ok = true;
    for (char c : domain.substr(1, domain.size() - 2))
      if (c < 0x21 || c > 0x7E || c == '[' || c == ']' || c == '\\') domain_ok = false;
  }
  return local_ok && domain_ok;
}

/// `%XX` escapes undone (RFC 3261 §19.1.2); a bad escape stays as written.
inline auto unescape_uri_part(std::string_view s) -> std::string {
  auto hex = [](char c) {
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                  : -1;
  };
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

/// The RFC 5322 §3.3 date-time of `t` (seconds since 1970) in UTC.
inline auto rfc5322_date(std::int64_t t) -> std::string {
  std::int64_t days = t / 86400, secs = t % 86400;
  if (secs < 0) secs += 86400, --days;
  int const weekday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday
  // Civil date from days (proleptic Gregorian calendar).
  std::int64_t const z = days + 719468;
  std::int64_t const era = (z >= 0 ? z : z - 146096) / 146097;
  std::int64_t const doe = z - era * 146097;
  std::int64_t const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  std::int64_t const mp = (5 * doy + 2) / 153;
  std::int64_t const day = doy - (153 * mp + 2) / 5 + 1;
  std::int64_t const month = mp < 10 ? mp + 3 : mp - 9;
  std::int64_t const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  static constexpr char const* wk[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr char const* mo[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto two = [](std::int64_t v) {
    return std::string(1, static_cast<char>('0' + v / 10)) + static_cast<char>('0' + v % 10);
  };
  return std::string(wk[weekday]) + ", " + two(day) + " " + mo[month - 1] + " " +
         std::to_string(year) + " " + two(secs / 3600) + ":" + two(secs / 60 % 60) + ":" +
         two(secs % 60) + " +0000";
}

/// True when `data` can go as 7bit (RFC 2045 §2.7): ASCII without NUL,
/// CR and LF only as CRLF, lines of at most 998 octets.
inline auto is_7bit(std::string_view data) noexcept -> bool {
  std::size_t line = 0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    auto const c = static_cast<unsigned char>(data[i]);
    if (c == '\r') {
      if (i + 1 >= data.size() || data[i + 1] != '\n') return false;
      ++i, line = 0;
    } else if (c == '\n' || c == 0 || c >= 0x80 || ++line > 998) {
      return false;
    }
  }
  return true;
}

/// A header value without line ends (a fold undone, nothing injected).
inline auto one_line(std::string s) -> std::string {
  std::string out;
  for (char c : s)
    if (c != '\r' && c != '\n') out.push_back(c);
  return out;
}

/// A MIME entity being written: header fields and body.
struct entity {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

/// RFC 2231 §4 `name*=utf-8''%XX...` for a non-ASCII parameter value.
inline auto rfc2231_value(std::string_view v) -> std::string {
  static constexpr char hexd[] = "0123456789ABCDEF";
  std::string out = "utf-8''";
  for (char c : v) {
    auto const u = static_cast<unsigned char>(c);
    if (u < 0x80 &&
        (std::isalnum(u) || std::string_view("!#$&+-.^_`|~").find(c) != std::string_view::npos)) {
      out.push_back(c);
    } else {
      out += '%';
      out += hexd[u >> 4];
      out += hexd[u & 15];
    }
  }
  return out;
}

inline auto quoted(std::string_view v) -> std::string {
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

inline auto write_entity(payload_part const& p) -> result<entity> {
  entity e;
  media_type t = p.type;
  if (p.is_multipart()) {
    std::vector<entity> children;
    children.reserve(p.parts.size());
    for (auto const& c : p.parts) {
      auto ce = write_entity(c);
      if (!ce) return ce.error();
      children.push_back(std::move(*ce));
    }
    std::vector<body_part> parts;
    for (auto const& c : children) {
      body_part bp;
      for (auto const& [n, v] : c.headers) bp.headers.push_back(header_field{n, v});
      bp.body = c.body;
      parts.push_back(std::move(bp));
    }
    auto mb = serialize_multipart(parts);
    if (!mb) return mb.error();
    std::vector<mime_parameter> params;
    for (auto const& prm : t.parameters)
      if (!iequal_ascii(prm.name, "boundary")) params.push_back(prm);
    params.push_back(mime_parameter{"boundary", mb->boundary, false});
    t.parameters = std::move(params);
    e.headers.emplace_back("Content-Type", one_line(to_string(t)));
    e.body = std::move(mb->body);
    return e;
  }
  if (p.text) {
    std::string charset;
    if (!t.param("charset")) {
      charset = is_ascii(p.data) ? "us-ascii" : "utf-8";  // SIP text is UTF-8 (RFC 3261 §7.4)
      t.parameters.push_back(mime_parameter{"charset", charset, false});
    }
    e.headers.emplace_back("Content-Type", one_line(to_string(t)));
    if (is_7bit(p.data)) {
      e.headers.emplace_back("Content-Transfer-Encoding", "7bit");
      e.body = p.data;
    } else {
      e.headers.emplace_back("Content-Transfer-Encoding", "base64");
      e.body = encode_base64(p.data);
    }
  } else {
    e.headers.emplace_back("Content-Type", one_line(to_string(t)));
    e.headers.emplace_back("Content-Transfer-Encoding", "base64");
    std::string disp = "attachment; filename=";
    if (is_ascii(p.filename)) {
      disp += quoted(p.filename);
    } else {
      std::string fallback;  // for readers without RFC 2231
      for (std::size_t i = 0; i < p.filename.size();) {
        char32_t const cp = next_code_point(p.filename, i);
        fallback.push_back(cp < 0x80 ? static_cast<char>(cp) : '_');
      }
      disp += quoted(fallback) + "; filename*=" + rfc2231_value(p.filename);
    }
    e.headers.emplace_back("Content-Disposition", std::move(disp));
    e.body = encode_base64(p.data);
  }
  if (!p.content_id.empty() && is_ascii(p.content_id))
    e.headers.emplace_back("Content-ID", "<" + one_line(std::string(p.content_id)) + ">");
  return e;
}

/// The first `words` words of the first text part, "..." when cut.
inline auto subject_from_text(payload_part const& p, std::size_t words)
    -> std::optional<std::string> {
  if (p.text) {
    auto utf8 = p.text_utf8();
    if (!utf8) return std::nullopt;
    std::string const clean = clean_header_text(utf8->substr(0, 1000));
    if (clean.empty()) return std::nullopt;
    std::size_t end = 0, n = 0;
    while (end != std::string::npos && n < words) {
      end = clean.find(' ', end + (n == 0 ? 0 : 1));
      ++n;
    }
    if (end == std::string::npos) return clean;
    return clean.substr(0, end) + " ...";
  }
  for (auto const& c : p.parts)
    if (auto s = subject_from_text(c, words)) return s;
  return std::nullopt;
}

/// A Message-ID left side from Call-ID and CSeq: letters, digits, `-`,
/// `_` as they are, every other byte `=XX`; a long Call-ID by its hash.
inline auto message_id_left(std::string_view call_id, std::uint32_t cseq) -> std::string {
  static constexpr char hexd[] = "0123456789ABCDEF";
  std::string enc;
  for (char c : call_id) {
    auto const u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_') {
      enc.push_back(c);
    } else {
      enc += '=';
      enc += hexd[u >> 4];
      enc += hexd[u & 15];
    }
  }
  if (enc.size() > 200) {  // keep the header line well under 998 (RFC 5322 §2.1.1)
    std::uint64_t h = 14695981039346656037ull;  // FNV-1a 64
    for (char c : call_id) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    enc = "h";
    for (int i = 60; i >= 0; i -= 4) enc += hexd[(h >> i) & 15];
  }
  return "sip." + std::to_string(cseq) + "." + enc;
}

}  // namespace gw
}  // namespace detail

SIPSAF_DECL auto is_mail_address(std::string_view address) noexcept -> bool {
  return detail::gw::is_addr_spec(address);
}

SIPSAF_DECL auto default_mail_address(uri_view const& u) -> std::optional<std::string> {
  using namespace detail::gw;
  if (!u.is_sip() || u.user.empty() || u.host.empty()) return std::nullopt;
  std::string const user = unescape_uri_part(u.user);
  std::string local;
  if (is_dot_atom(user)) {
    local = user;
  } else {
    for (char c : user)
      if (c < 0x20 || c > 0x7E) return std::nullopt;
    local = quoted(user);
  }
  std::string host(u.host);
  for (char& c : host)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  if (host.front() == '[') host = "[IPv6:" + host.substr(1);
  std::string addr = local + "@" + host;
  if (!is_addr_spec(addr)) return std::nullopt;
  return addr;
}

SIPSAF_DECL auto to_internet_message(message_view const& m, mail_options const& options)
    -> result<internet_message> {
  using namespace detail::gw;
  auto const mapped = [&](uri_view const& u) -> std::optional<std::string> {
    auto a = options.map_address ? options.map_address(u) : default_mail_address(u);
    if (a && !is_addr_spec(*a)) return std::nullopt;
    return a;
  };
  auto from = m.from();
  auto call_id = m.call_id();
  auto cseq = m.cseq();
  if (!from || !call_id || !cseq) return parse_error{errc::missing_header, 0};
  internet_message out;
  auto from_addr = mapped(from->uri);
  if (!from_addr) return parse_error{errc::bad_uri, 0};
  out.from = *from_addr;

  std::string to_name;
  if (auto to = m.to()) to_name = to->display_text();
  if (!options.to.empty()) {
    if (!is_addr_spec(options.to)) return parse_error{errc::bad_header_value, 0};
    out.to = options.to;
  } else {
    auto to = m.to();
    if (!to) return parse_error{errc::missing_header, 0};
    auto a = mapped(to->uri);
    if (!a) return parse_error{errc::bad_uri, 0};
    out.to = *a;
  }
  std::string domain = options.message_id_domain;
  if (domain.empty()) domain = out.from.substr(out.from.rfind('@') + 1);
  if (!is_dot_atom(domain) && !(domain.size() > 2 && domain.front() == '[')) {
    if (!options.message_id_domain.empty()) return parse_error{errc::bad_header_value, 0};
    domain = "sip.invalid";
  }

  auto payload = read_payload(m, options.limits);
  if (!payload) return payload.error();
  auto body = write_entity(*payload);
  if (!body) return body.error();

  std::int64_t when = 0;
  if (auto d = m.date()) {
    when = d->epoch_seconds();
  } else if (options.date) {
    when = *options.date;
  } else {
    when = std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
               .count();
  }
  std::string subject;
  if (auto s = m.header(field::subject)) subject = clean_header_text(*s);
  if (subject.empty())
    subject = subject_from_text(*payload, options.subject_words).value_or(std::string());
  if (subject.empty()) {
    std::string const who = clean_header_text(from->display_text());
    subject = "Message from " + (who.empty() ? out.from : who);
  }

  auto mailbox = [](std::string_view name, std::string const& addr) {
    std::string const phrase = encode_phrase(name);
    return phrase.empty() ? addr : phrase + " <" + addr + ">";
  };
  std::string& t = out.text;
  t += "From: " + mailbox(from->display_text(), out.from) + "\r\n";
  t += "To: " + mailbox(to_name, out.to) + "\r\n";
  t += "Subject: " + encode_unstructured(subject, 9) + "\r\n";
  t += "Date: " + rfc5322_date(when) + "\r\n";
  t += "Message-ID: <" + message_id_left(*call_id, cseq->number) + "@" + domain + ">\r\n";
  t += "MIME-Version: 1.0\r\n";
  t += "Auto-Submitted: auto-forwarded\r\n";
  for (auto const& [n, v] : options.extra_headers) t += one_line(n) + ": " + one_line(v) + "\r\n";
  for (auto const& [n, v] : body->headers) t += n + ": " + v + "\r\n";
  t += "\r\n";
  t += body->body;
  return out;
}

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_GATEWAY_IMPL_INTERNET_MESSAGE_IPP
