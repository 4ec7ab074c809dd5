// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MIME_IMPL_CONTENT_DISPOSITION_IPP
#define SIPSAF_MIME_IMPL_CONTENT_DISPOSITION_IPP

#include <sipsaf/mime/content_disposition.hpp>

SIPSAF_BEGIN_NAMESPACE

SIPSAF_DECL auto content_disposition::param(std::string_view name) const noexcept
    -> std::optional<std::string_view> {
  if (auto const* p = detail::find_parameter(parameters, name)) return p->value;
  return std::nullopt;
}

SIPSAF_DECL auto content_disposition::is(std::string_view t) const noexcept -> bool {
  return grammar::detail::iequals(type, t);
}

SIPSAF_DECL auto content_disposition::handling() const noexcept -> disposition_handling {
  auto const h = param("handling");
  if (h && grammar::detail::iequals(*h, "optional")) return disposition_handling::optional;
  return disposition_handling::required;
}

SIPSAF_DECL auto parse_content_disposition(std::string_view value) -> result<content_disposition> {
  char const* const b = value.data();
  char const* const e = b + value.size();
  if (grammar::detail::skip_lws(b, e) == e) return parse_error{errc::empty_value, 0};
  content_disposition d;
  detail::disposition_sink sink{d};
  auto const r = grammar::detail::scan_content_disposition_value(b, e, sink);
  if (r.code != errc{}) return parse_error{r.code, static_cast<std::size_t>(r.at - b)};
  if (auto const* dup = detail::duplicate_parameter(d.parameters))
    return parse_error{errc::bad_parameter, detail::view_offset(value, dup->name)};
  return d;
}

SIPSAF_DECL auto default_disposition_type(media_type const& t) noexcept -> std::string_view {
  return t.is("application", "sdp") ? "session" : "render";
}

SIPSAF_DECL auto to_string(content_disposition const& d) -> std::string {
  std::string s;
  serialize(std::back_inserter(s), d);
  return s;
}

SIPSAF_DECL auto operator<<(std::ostream& os, content_disposition const& d) -> std::ostream& {
  serialize(std::ostreambuf_iterator<char>(os), d);
  return os;
}

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_MIME_IMPL_CONTENT_DISPOSITION_IPP
