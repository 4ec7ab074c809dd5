// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MIME_IMPL_CONTENT_DISPOSITION_HPP
#define SIPSAF_MIME_IMPL_CONTENT_DISPOSITION_HPP

#include <sipsaf/grammar/media_type.hpp>
#include <sipsaf/mime/content_disposition.hpp>

SIPSAF_BEGIN_NAMESPACE

namespace detail {

/// Receives the pieces of one Content-Disposition value from the grammar.
struct disposition_sink {
  content_disposition& into;
  void on_type(std::string_view v) { into.type = v; }
  auto on_param(grammar::mime_param_view const& p) -> errc {
    return add_parameter(into.parameters, p);
  }
};

}  // namespace detail

inline auto content_disposition::param(std::string_view name) const noexcept
    -> std::optional<std::string_view> {
  if (auto const* p = detail::find_parameter(parameters, name)) return p->value;
  return std::nullopt;
}

inline auto content_disposition::is(std::string_view t) const noexcept -> bool {
  return grammar::detail::iequals(type, t);
}

inline auto content_disposition::handling() const noexcept -> disposition_handling {
  auto const h = param("handling");
  if (h && grammar::detail::iequals(*h, "optional")) return disposition_handling::optional;
  return disposition_handling::required;
}

inline auto parse_content_disposition(std::string_view value) -> result<content_disposition> {
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

inline auto default_disposition_type(media_type const& t) noexcept -> std::string_view {
  return t.is("application", "sdp") ? "session" : "render";
}

template <class OutputIt>
auto serialize(OutputIt out, content_disposition const& d) -> OutputIt {
  out = detail::put_lower(out, d.type);
  // A bare name (generic-param without a value) has an empty, unquoted value.
  for (auto const& p : d.parameters)
    out = detail::put_parameter(out, p, p.quoted || !p.value.empty());
  return out;
}

inline auto to_string(content_disposition const& d) -> std::string {
  std::string s;
  serialize(std::back_inserter(s), d);
  return s;
}

inline auto operator<<(std::ostream& os, content_disposition const& d) -> std::ostream& {
  serialize(std::ostreambuf_iterator<char>(os), d);
  return os;
}

SIPSAF_END_NAMESPACE

#endif
