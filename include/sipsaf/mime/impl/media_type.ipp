// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MIME_IMPL_MEDIA_TYPE_IPP
#define SIPSAF_MIME_IMPL_MEDIA_TYPE_IPP

#include <sipsaf/mime/media_type.hpp>

SIPSAF_BEGIN_NAMESPACE

SIPSAF_DECL auto mime_parameter::unescaped() const -> std::string {
  if (!quoted) return std::string(value);
  return grammar::detail::unescape_quoted(value);
}

SIPSAF_DECL auto media_type::param(std::string_view name) const noexcept
    -> std::optional<std::string_view> {
  if (auto const* p = detail::find_parameter(parameters, name)) return p->value;
  return std::nullopt;
}

SIPSAF_DECL auto media_type::find_param(std::string_view name) const noexcept
    -> mime_parameter const* {
  return detail::find_parameter(parameters, name);
}

SIPSAF_DECL auto media_type::is(std::string_view t, std::string_view s) const noexcept -> bool {
  return grammar::detail::iequals(type, t) && grammar::detail::iequals(subtype, s);
}

SIPSAF_DECL auto media_type::is_multipart() const noexcept -> bool {
  return grammar::detail::iequals(type, "multipart");
}

SIPSAF_DECL auto media_type::matches(media_type const& range) const -> bool {
  using grammar::detail::iequals;
  if (!detail::is_wildcard(range.type) && !iequals(range.type, type)) return false;
  if (!detail::is_wildcard(range.subtype) && !iequals(range.subtype, subtype)) return false;
  for (auto const& rp : range.parameters) {
    // RFC 3261 §20.1: accept-params begin with q; they do not restrict the range.
    if (detail::is_q(rp.name)) break;
    auto const* mine = detail::find_parameter(parameters, rp.name);
    if (mine == nullptr || !detail::same_value(*mine, rp, true)) return false;
  }
  return true;
}

SIPSAF_DECL auto media_type::quality() const noexcept -> int {
  auto const* q = detail::find_parameter(parameters, "q");
  if (q == nullptr) return 1000;
  int const v = detail::parse_qvalue(q->value);
  return v < 0 ? 1000 : v;
}

SIPSAF_DECL auto operator==(media_type const& a, media_type const& b) -> bool {
  using grammar::detail::iequals;
  if (!iequals(a.type, b.type) || !iequals(a.subtype, b.subtype)) return false;
  if (a.parameters.size() != b.parameters.size()) return false;
  for (std::size_t i = 0; i < a.parameters.size(); ++i) {
    if (!iequals(a.parameters[i].name, b.parameters[i].name)) return false;
    if (!detail::same_value(a.parameters[i], b.parameters[i], false)) return false;
  }
  return true;
}

SIPSAF_DECL auto parse_media_type(std::string_view value) -> result<media_type> {
  char const* const b = value.data();
  char const* const e = b + value.size();
  if (grammar::detail::skip_lws(b, e) == e) return parse_error{errc::empty_value, 0};
  media_type t;
  detail::media_type_sink sink{t};
  auto const r = grammar::detail::scan_media_type_value(b, e, sink);
  if (r.code != errc{}) return parse_error{r.code, static_cast<std::size_t>(r.at - b)};
  if (auto const* dup = detail::duplicate_parameter(t.parameters))
    return parse_error{errc::bad_parameter, detail::view_offset(value, dup->name)};
  return t;
}

SIPSAF_DECL auto parse_media_ranges(std::string_view value) -> result<std::vector<media_type>> {
  char const* const b = value.data();
  std::vector<media_type> ranges;
  detail::media_range_sink sink{ranges};
  auto const r = grammar::detail::scan_accept_value(b, b + value.size(), sink);
  if (r.code != errc{}) return parse_error{r.code, static_cast<std::size_t>(r.at - b)};
  for (auto const& range : ranges) {
    // RFC 3261 §20.1: a wildcard type needs a wildcard subtype.
    if (range.type == "*" && range.subtype != "*")
      return parse_error{errc::bad_media_type, detail::view_offset(value, range.type)};
    if (auto const* dup = detail::duplicate_parameter(range.parameters))
      return parse_error{errc::bad_parameter, detail::view_offset(value, dup->name)};
    if (auto const* q = range.find_param("q"))
      if (q->quoted || detail::parse_qvalue(q->value) < 0)
        return parse_error{errc::bad_parameter, detail::view_offset(value, q->value)};
  }
  return ranges;
}

SIPSAF_DECL auto accepts(std::vector<media_type> const& ranges, media_type const& t) -> bool {
  media_type const* best = nullptr;
  int best_specificity = -1;
  for (auto const& range : ranges) {
    if (!t.matches(range)) continue;
    int const s = detail::specificity(range);
    if (s > best_specificity) best = &range, best_specificity = s;
  }
  return best != nullptr && best->quality() > 0;
}

SIPSAF_DECL auto to_string(media_type const& t) -> std::string {
  std::string s;
  serialize(std::back_inserter(s), t);
  return s;
}

SIPSAF_DECL auto operator<<(std::ostream& os, media_type const& t) -> std::ostream& {
  serialize(std::ostreambuf_iterator<char>(os), t);
  return os;
}

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_MIME_IMPL_MEDIA_TYPE_IPP
