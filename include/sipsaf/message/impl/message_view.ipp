// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MESSAGE_IMPL_MESSAGE_VIEW_IPP
#define SIPSAF_MESSAGE_IMPL_MESSAGE_VIEW_IPP

#include <sipsaf/message/impl/message_parser.hpp>
#include <sipsaf/message/message_view.hpp>

SIPSAF_BEGIN_NAMESPACE

template <class T, class Parse>
auto message_view::single(field f, Parse&& parse) const -> result<T> {
  message_field const* first = find(f);
  if (first == nullptr) return missing();
  if (count_[static_cast<std::size_t>(f)] > 1) {
    for (auto const& r : rows_)
      if (r.id == f && &r != first && r.value != first->value)
        return parse_error{errc::conflicting_headers, r.offset};
  }
  auto v = parse(first->raw);
  if (!v) return v.error().rebased(offset_of(first->raw));
  return T(std::move(*v));
}

SIPSAF_DECL auto message_view::rows(std::string_view name) const
    -> std::vector<message_field const*> {
  std::vector<message_field const*> out;
  field const f = field_of(name);
  for (auto const& r : rows_)
    if (f != field::unknown ? r.id == f
                            : (r.id == field::unknown && detail::msg::iequals(r.name, name)))
      out.push_back(&r);
  return out;
}

SIPSAF_DECL auto message_view::values(std::string_view name) const
    -> std::vector<std::string_view> {
  std::vector<std::string_view> out;
  field const f = field_of(name);
  bool const list = f == field::unknown || is_list_field(f);
  for (message_field const* r : rows(name)) {
    if (!list) {
      out.push_back(r->value);
      continue;
    }
    for (std::string_view el : split_list(r->value)) out.push_back(el);
  }
  return out;
}

SIPSAF_DECL auto message_view::combined(std::string_view name) const -> std::string {
  std::string out;
  for (message_field const* r : rows(name)) {
    if (!out.empty()) out += ", ";
    out += r->value;
  }
  return out;
}

SIPSAF_DECL auto message_view::from() const -> result<name_addr> {
  return single<name_addr>(field::from, parse_name_addr);
}

SIPSAF_DECL auto message_view::to() const -> result<name_addr> {
  return single<name_addr>(field::to, parse_name_addr);
}

SIPSAF_DECL auto message_view::call_id() const -> result<std::string_view> {
  return single<std::string_view>(field::call_id, parse_call_id);
}

SIPSAF_DECL auto message_view::cseq() const -> result<cseq_value> {
  return single<cseq_value>(field::cseq, parse_cseq);
}

SIPSAF_DECL auto message_view::max_forwards() const -> result<std::uint32_t> {
  return single<std::uint32_t>(field::max_forwards, [](std::string_view v) {
    return detail::msg::run_scan<std::uint32_t>(
        v, [](char const*& p, char const* e, std::uint32_t& out) {
          std::uint64_t x = 0;
          errc const ec = detail::msg::scan_number_field(p, e, 255, x, errc::bad_header_value);
          out = static_cast<std::uint32_t>(x);
          return ec;
        });
  });
}

SIPSAF_DECL auto message_view::expires() const -> result<std::uint32_t> {
  return single<std::uint32_t>(field::expires, parse_delta_seconds);
}

SIPSAF_DECL auto message_view::date() const -> result<sip_date> {
  return single<sip_date>(field::date, parse_sip_date);
}

SIPSAF_DECL auto message_view::content_length() const -> result<std::size_t> {
  return single<std::size_t>(field::content_length, parse_content_length);
}

SIPSAF_DECL auto message_view::via() const -> result<std::vector<via_entry>> {
  std::vector<via_entry> out;
  for (auto const& r : rows_) {
    if (r.id != field::via) continue;
    auto one = parse_via(r.raw);
    if (!one) return one.error().rebased(offset_of(r.raw));
    out.insert(out.end(), one->begin(), one->end());
  }
  if (out.empty()) return missing();
  return out;
}

SIPSAF_DECL auto message_view::top_via() const -> result<via_entry> {
  message_field const* r = find(field::via);
  if (r == nullptr) return missing();
  char const* p = r->raw.data();
  via_entry v;
  errc const ec = detail::msg::scan_via(p, r->raw.data() + r->raw.size(), v);
  if (ec != detail::msg::ok) return parse_error{ec, offset_of(detail::msg::view(p, p))};
  return v;
}

SIPSAF_DECL auto message_view::contact() const -> result<contact_list> {
  contact_list out;
  bool any = false;
  for (auto const& r : rows_) {
    if (r.id != field::contact) continue;
    any = true;
    auto one = parse_contact(r.raw);
    if (!one) return one.error().rebased(offset_of(r.raw));
    out.star = out.star || one->star;
    out.entries.insert(out.entries.end(), one->entries.begin(), one->entries.end());
  }
  if (!any) return missing();
  return out;
}

SIPSAF_DECL auto message_view::content_type() const -> result<media_type> {
  // A lambda, not the function's name: parse_media_type may be overloaded.
  return single<media_type>(field::content_type,
                            [](std::string_view v) { return parse_media_type(v); });
}

SIPSAF_DECL auto message_view::request_disposition(request_disposition_options const& opts) const
    -> result<::sipsaf::request_disposition> {
  ::sipsaf::request_disposition rd;
  auto const f = static_cast<std::size_t>(field::request_disposition);
  if (count_[f] == 0) return rd;
  for (std::size_t i = first_[f] - 1u; i < rows_.size(); ++i) {
    message_field const& r = rows_[i];
    if (r.id != field::request_disposition) continue;
    auto ok = append_request_disposition(rd, r.raw, opts);
    if (!ok) return ok.error().rebased(offset_of(r.raw));
  }
  return rd;
}

SIPSAF_DECL auto message_view::parse_content_length(std::string_view v) -> result<std::size_t> {
  return detail::msg::run_scan<std::size_t>(v, [](char const*& p, char const* e, std::size_t& out) {
    std::uint64_t x = 0;
    errc const ec =
        detail::msg::scan_number_field(p, e, std::uint64_t(1) << 50, x, errc::bad_content_length);
    out = static_cast<std::size_t>(x);
    return ec;
  });
}

SIPSAF_DECL auto message_view::missing() const -> parse_error {
  return {errc::missing_header, header_size() >= 2 ? offset_of(body_) - 2 : 0};
}

SIPSAF_DECL auto message_view::validate() const -> result<void> {
  for (message_field const& r : rows_) {
    if (r.id == field::unknown || r.id == field::content_length) continue;
    if (detail::msg::usual_form(r.id, r.raw, method_)) continue;
    char const* at = r.raw.data();
    errc const ec = detail::msg::check_field(r.id, r.raw, method_, at);
    if (ec != detail::msg::ok) return parse_error{ec, static_cast<std::size_t>(at - input_begin_)};
  }
  return {};
}

SIPSAF_DECL auto parse_message(std::string_view wire, message_options const& opts)
    -> result<message_view> {
  // Built in place: a moved temporary costs its two field tables' copy.
  result<message_view> out{detail::msg::fresh_view{}};
  detail::msg::message_parser ps{wire.data(), wire.data() + wire.size(), opts, *out, {}};
  if (!ps.run()) {
    // The rows read before the error come first: a malformed one among those
    // whose check waits for access is the error reported, as when every row
    // was checked in order (RFC 4475 verdicts keep their codes).
    if (opts.validate_known_fields) {
      if (auto v = out->validate(); !v) return v.error();
    }
    return ps.err;
  }
  return out;
}

SIPSAF_DECL auto parse_message(std::string_view wire) -> result<message_view> {
  return parse_message(wire, message_options{});
}

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_MESSAGE_IMPL_MESSAGE_VIEW_IPP
