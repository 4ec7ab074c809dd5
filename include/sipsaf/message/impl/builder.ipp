// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MESSAGE_IMPL_BUILDER_IPP
#define SIPSAF_MESSAGE_IMPL_BUILDER_IPP

#include <sipsaf/message/builder.hpp>

#include <algorithm>
#include <cstring>
#include <iterator>

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

SIPSAF_DECL auto append_field(std::string& out, std::string_view name, std::string_view value)
    -> result<void> {
  std::size_t const at = out.size();
  if (name.empty() ||
      span(name.data(), name.data() + name.size(), token_chars) != name.data() + name.size())
    return parse_error{errc::bad_header_field, at};
  // The first CR or LF (memchr: a loop byte by byte was most of a field's cost).
  char const* eol = nullptr;
  for (char const c : {'\r', '\n'}) {
    if (value.empty()) break;
    auto const* p = static_cast<char const*>(std::memchr(value.data(), c, value.size()));
    if (p != nullptr && (eol == nullptr || p < eol)) eol = p;
  }
  if (eol != nullptr)
    return parse_error{errc::bad_header_value,
                       at + name.size() + 2 + static_cast<std::size_t>(eol - value.data())};
  out += name;
  out += ": ";
  out += value;
  out += "\r\n";
  return {};
}

SIPSAF_DECL auto append_body(std::string& out, std::string_view content_type, std::string_view body)
    -> result<void> {
  if (!content_type.empty()) {
    auto r = append_field(out, "Content-Type", content_type);
    if (!r) return r.error();
  }
  out += "Content-Length: ";
  out += std::to_string(body.size());
  out += "\r\n\r\n";
  out += body;
  return {};
}

SIPSAF_DECL auto write_message(std::string start_line,
                               std::vector<std::pair<std::string, std::string>> const& fields,
                               std::string_view content_type, std::string_view body)
    -> result<std::string> {
  std::string out = std::move(start_line);
  out += "\r\n";
  for (auto const& f : fields) {
    auto r = append_field(out, f.first, f.second);
    if (!r) return r.error();
  }
  auto r = append_body(out, content_type, body);
  if (!r) return r.error();
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

SIPSAF_DECL auto request_builder::via(std::string_view transport, std::string_view sent_by,
                                      std::string_view branch) -> request_builder& {
  std::string v = "SIP/2.0/";
  v += transport;
  v += ' ';
  v += sent_by;
  if (!branch.empty()) {
    v += ";branch=";
    v += branch;
  }
  return header("Via", v);
}

SIPSAF_DECL auto request_builder::from(std::string_view uri, std::string_view tag,
                                       std::string_view display_name) -> request_builder& {
  return header("From", detail::msg::name_addr_text(uri, display_name, tag));
}

SIPSAF_DECL auto request_builder::to(std::string_view uri, std::string_view display_name,
                                     std::string_view tag) -> request_builder& {
  return header("To", detail::msg::name_addr_text(uri, display_name, tag));
}

SIPSAF_DECL auto request_builder::cseq(std::uint32_t number) -> request_builder& {
  return header("CSeq", std::to_string(number) + " " + method_);
}

SIPSAF_DECL auto request_builder::max_forwards(unsigned hops) -> request_builder& {
  return header("Max-Forwards", std::to_string(hops));
}

SIPSAF_DECL auto request_builder::contact(std::string_view uri, std::string_view params)
    -> request_builder& {
  std::string v = "<";
  v += uri;
  v += '>';
  v += params;
  return header("Contact", v);
}

SIPSAF_DECL auto request_builder::expires(std::uint32_t seconds) -> request_builder& {
  return header("Expires", std::to_string(seconds));
}

SIPSAF_DECL auto request_builder::date(sip_date const& d) -> request_builder& {
  return header("Date", format_sip_date(d));
}

SIPSAF_DECL auto request_builder::request_disposition(::sipsaf::request_disposition const& rd)
    -> request_builder& {
  if (!rd.empty()) header("Request-Disposition", to_string(rd));
  return *this;
}

SIPSAF_DECL auto request_builder::request_disposition(std::string_view value) -> request_builder& {
  disposition_checks_.push_back(fields_.size());
  return header("Request-Disposition", value);
}

SIPSAF_DECL auto request_builder::multipart(std::vector<body_part> const& parts,
                                            std::string_view subtype) -> request_builder& {
  auto mp = serialize_multipart(parts);
  if (!mp) {
    error_ = mp.error();
    return *this;
  }
  content_type_ = mp->content_type(subtype);
  body_ = std::move(mp->body);
  return *this;
}

SIPSAF_DECL auto request_builder::build() const -> result<std::string> {
  if (error_) return *error_;
  char const* mb = method_.data();
  if (method_.empty() ||
      detail::msg::span(mb, mb + method_.size(), detail::msg::token_chars) != mb + method_.size())
    return parse_error{errc::bad_start_line, 0};
  auto u = parse_uri(uri_, uri_context::request_line);
  if (!u) return u.error().rebased(method_.size() + 1);
  for (std::size_t i : disposition_checks_) {
    auto rd = parse_request_disposition(fields_[i].second);
    if (!rd) return parse_error{rd.error().code, 0};
  }
  return detail::msg::write_message(method_ + " " + uri_ + " SIP/2.0", fields_, content_type_,
                                    body_);
}

SIPSAF_DECL auto response_builder::build() const -> result<std::string> {
  if (code_ < 100 || code_ > 699) return parse_error{errc::bad_status_code, 8};
  // Reason-Phrase (RFC 3261 §25.1): no control bytes but HTAB.
  for (char c : reason_)
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f)
      return parse_error{errc::bad_start_line, 12};
  message_view const& r = *req_;
  // The request's fields a response repeats, in this order (RFC 3261 §8.2.6.2);
  // Record-Route only in a 2xx to what makes a dialog (§12.1.1).
  static constexpr field echoed[] = {field::via,     field::from, field::to,
                                     field::call_id, field::cseq, field::record_route};
  bool const record_route =
      code_ > 100 && code_ < 300 && (r.method() == "INVITE" || r.method() == "SUBSCRIBE");
  auto const echoed_end = std::end(echoed) - (record_route ? 0 : 1);
  auto copied = [&](field f) { return std::find(std::begin(echoed), echoed_end, f) != echoed_end; };
  // Written straight into one string sized for it: the request's rows are
  // not gathered in a list of copies first (two allocations a row).
  std::size_t size = 64 + reason_.size() + content_type_.size() + body_.size();
  for (auto const& h : r.headers())
    if (copied(h.id)) size += 16 + h.value.size();
  for (auto const& f : fields_) size += 4 + f.first.size() + f.second.size();
  std::string out;
  out.reserve(size + 32);  // and a To tag
  out += "SIP/2.0 ";
  out += std::to_string(code_);
  out += ' ';
  out += reason_;
  out += "\r\n";
  auto copy = [&](field f) -> result<void> {
    for (auto const& h : r.headers())
      if (h.id == f)
        if (auto e = detail::msg::append_field(out, field_name(f), h.value); !e) return e;
    return {};
  };
  auto to = [&]() -> result<void> {
    for (auto const& h : r.headers()) {
      if (h.id != field::to) continue;
      if (code_ > 100) {
        auto parsed = parse_name_addr(h.raw);
        if (parsed && parsed->tag.empty()) {
          std::string v(h.value);
          v += ";tag=";
          v += tag_.empty() ? stable_tag() : tag_;
          if (auto e = detail::msg::append_field(out, "To", v); !e) return e;
          continue;
        }
      }
      if (auto e = detail::msg::append_field(out, "To", h.value); !e) return e;
    }
    return {};
  };
  for (auto it = std::begin(echoed); it != echoed_end; ++it) {
    auto e = *it == field::to ? to() : copy(*it);
    if (!e) return e.error();
  }
  for (auto const& f : fields_)
    if (auto e = detail::msg::append_field(out, f.first, f.second); !e) return e.error();
  if (auto e = detail::msg::append_body(out, content_type_, body_); !e) return e.error();
  return out;
}

SIPSAF_DECL auto response_builder::stable_tag() const -> std::string {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  h = detail::msg::fnv1a(h, req_->header(field::call_id).value_or(""));
  if (auto f = req_->from()) h = detail::msg::fnv1a(h, f->tag);
  if (auto v = req_->top_via()) h = detail::msg::fnv1a(h, v->branch);
  static constexpr char hex[] = "0123456789abcdef";
  std::string t;
  for (int i = 0; i < 16; ++i, h >>= 4) t.push_back(hex[h & 15]);
  return t;
}

SIPSAF_DECL auto make_response(message_view const& request, int code, std::string_view reason,
                               std::string_view to_tag) -> result<std::string> {
  response_builder b(request, code, reason);
  if (!to_tag.empty()) b.to_tag(to_tag);
  return b.build();
}

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_MESSAGE_IMPL_BUILDER_IPP
