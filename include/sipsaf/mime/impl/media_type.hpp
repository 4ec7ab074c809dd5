// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MIME_IMPL_MEDIA_TYPE_HPP
#define SIPSAF_MIME_IMPL_MEDIA_TYPE_HPP

#include <sipsaf/grammar/media_type.hpp>
#include <sipsaf/mime/media_type.hpp>

SIPSAF_BEGIN_NAMESPACE

namespace detail {

inline auto view_offset(std::string_view whole, std::string_view part) noexcept -> std::size_t {
  return static_cast<std::size_t>(part.data() - whole.data());
}

/// Unescaped equality of two parameter values, without allocating.
inline auto same_value(mime_parameter const& a, mime_parameter const& b, bool ignore_case) noexcept
    -> bool {
  std::size_t i = 0, j = 0;
  auto next = [](mime_parameter const& p, std::size_t& k) {
    if (p.quoted && p.value[k] == '\\' && k + 1 < p.value.size()) ++k;
    return p.value[k++];
  };
  while (i < a.value.size() && j < b.value.size()) {
    char x = next(a, i), y = next(b, j);
    if (ignore_case) x = grammar::detail::ascii_lower(x), y = grammar::detail::ascii_lower(y);
    if (x != y) return false;
  }
  return i == a.value.size() && j == b.value.size();
}

inline auto find_parameter(std::vector<mime_parameter> const& params,
                           std::string_view name) noexcept -> mime_parameter const* {
  for (auto const& p : params)
    if (grammar::detail::iequals(p.name, name)) return &p;
  return nullptr;
}

/// The first parameter whose name occurs earlier too, or null.
inline auto duplicate_parameter(std::vector<mime_parameter> const& params) noexcept
    -> mime_parameter const* {
  for (std::size_t i = 1; i < params.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (grammar::detail::iequals(params[i].name, params[j].name)) return &params[i];
  return nullptr;
}

/// RFC 3261 §25.1: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ).
/// The weight in thousandths, or -1 when `v` is not a qvalue.
inline auto parse_qvalue(std::string_view v) noexcept -> int {
  if (v.empty() || (v[0] != '0' && v[0] != '1')) return -1;
  int q = (v[0] - '0') * 1000;
  if (v.size() == 1) return q;
  if (v[1] != '.' || v.size() > 5) return -1;
  int scale = 100;
  for (std::size_t i = 2; i < v.size(); ++i, scale /= 10) {
    if (v[i] < '0' || v[i] > '9') return -1;
    q += (v[i] - '0') * scale;
  }
  return q > 1000 ? -1 : q;
}

/// A parameter's value; for a bare name, the empty view just after it, so
/// that an offset can still be taken from it.
inline auto value_of(grammar::mime_param_view const& p) noexcept -> std::string_view {
  return p.has_value ? p.value : std::string_view(p.name.data() + p.name.size(), 0);
}

/// Appends a parameter, refusing more than `max_mime_parameters`.
inline auto add_parameter(std::vector<mime_parameter>& to, grammar::mime_param_view const& p)
    -> errc {
  if (to.size() == max_mime_parameters) return errc::too_many_parameters;
  to.push_back(mime_parameter{p.name, value_of(p), p.quoted});
  return errc{};
}

/// Receives the pieces of one media type from the grammar.
struct media_type_sink {
  media_type& into;
  void on_type(std::string_view v) { into.type = v; }
  void on_subtype(std::string_view v) { into.subtype = v; }
  auto on_param(grammar::mime_param_view const& p) -> errc {
    return add_parameter(into.parameters, p);
  }
};

/// Receives a list of media ranges; `on_type` starts the next one.
struct media_range_sink {
  std::vector<media_type>& into;
  void on_type(std::string_view v) {
    into.emplace_back();
    into.back().type = v;
  }
  void on_subtype(std::string_view v) { into.back().subtype = v; }
  auto on_param(grammar::mime_param_view const& p) -> errc {
    return add_parameter(into.back().parameters, p);
  }
};

template <class OutputIt>
auto put(OutputIt out, std::string_view s) -> OutputIt {
  for (char c : s) *out++ = c;
  return out;
}

template <class OutputIt>
auto put_lower(OutputIt out, std::string_view s) -> OutputIt {
  for (char c : s) *out++ = grammar::detail::ascii_lower(c);
  return out;
}

inline auto is_mime_token(std::string_view s) noexcept -> bool {
  if (s.empty()) return false;
  for (char c : s)
    if (!grammar::detail::mime_token_chars(c)) return false;
  return true;
}

/// `;name=value`, quoting a value that needs it (RFC 2045 §5.1: a value that
/// is not a token must be a quoted-string).
template <class OutputIt>
auto put_parameter(OutputIt out, mime_parameter const& p, bool has_value = true) -> OutputIt {
  *out++ = ';';
  out = put_lower(out, p.name);
  if (!has_value) return out;
  *out++ = '=';
  if (p.quoted) {
    *out++ = '"';
    out = put(out, p.value);
    *out++ = '"';
  } else if (is_mime_token(p.value)) {
    out = put(out, p.value);
  } else {
    *out++ = '"';
    for (char c : p.value) {
      if (c == '"' || c == '\\') *out++ = '\\';
      *out++ = c;
    }
    *out++ = '"';
  }
  return out;
}

/// How specific a range is: */* < type/* < type/subtype, then by parameters.
inline auto specificity(media_type const& range) noexcept -> int {
  int s = range.type == "*" ? 0 : range.subtype == "*" ? 1 : 2;
  int params = 0;
  for (auto const& p : range.parameters) {
    if (grammar::detail::iequals(p.name, "q")) break;
    ++params;
  }
  return s * 1024 + params;
}

}  // namespace detail

inline auto mime_parameter::unescaped() const -> std::string {
  if (!quoted) return std::string(value);
  return grammar::detail::unescape_quoted(value);
}

inline auto media_type::param(std::string_view name) const noexcept
    -> std::optional<std::string_view> {
  if (auto const* p = detail::find_parameter(parameters, name)) return p->value;
  return std::nullopt;
}

inline auto media_type::find_param(std::string_view name) const noexcept -> mime_parameter const* {
  return detail::find_parameter(parameters, name);
}

inline auto media_type::is(std::string_view t, std::string_view s) const noexcept -> bool {
  return grammar::detail::iequals(type, t) && grammar::detail::iequals(subtype, s);
}

inline auto media_type::is_multipart() const noexcept -> bool {
  return grammar::detail::iequals(type, "multipart");
}

inline auto media_type::matches(media_type const& range) const -> bool {
  using grammar::detail::iequals;
  if (range.type != "*" && !iequals(range.type, type)) return false;
  if (range.subtype != "*" && !iequals(range.subtype, subtype)) return false;
  for (auto const& rp : range.parameters) {
    // RFC 3261 §20.1: accept-params begin with q; they do not restrict the range.
    if (iequals(rp.name, "q")) break;
    auto const* mine = detail::find_parameter(parameters, rp.name);
    if (mine == nullptr || !detail::same_value(*mine, rp, true)) return false;
  }
  return true;
}

inline auto media_type::quality() const noexcept -> int {
  auto const* q = detail::find_parameter(parameters, "q");
  if (q == nullptr) return 1000;
  int const v = detail::parse_qvalue(q->value);
  return v < 0 ? 1000 : v;
}

inline auto operator==(media_type const& a, media_type const& b) -> bool {
  using grammar::detail::iequals;
  if (!iequals(a.type, b.type) || !iequals(a.subtype, b.subtype)) return false;
  if (a.parameters.size() != b.parameters.size()) return false;
  for (std::size_t i = 0; i < a.parameters.size(); ++i) {
    if (!iequals(a.parameters[i].name, b.parameters[i].name)) return false;
    if (!detail::same_value(a.parameters[i], b.parameters[i], false)) return false;
  }
  return true;
}

inline auto parse_media_type(std::string_view value) -> result<media_type> {
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

inline auto parse_media_ranges(std::string_view value) -> result<std::vector<media_type>> {
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

inline auto accepts(std::vector<media_type> const& ranges, media_type const& t) -> bool {
  media_type const* best = nullptr;
  int best_specificity = -1;
  for (auto const& range : ranges) {
    if (!t.matches(range)) continue;
    int const s = detail::specificity(range);
    if (s > best_specificity) best = &range, best_specificity = s;
  }
  return best != nullptr && best->quality() > 0;
}

template <class OutputIt>
auto serialize(OutputIt out, media_type const& t) -> OutputIt {
  out = detail::put_lower(out, t.type);
  *out++ = '/';
  out = detail::put_lower(out, t.subtype);
  for (auto const& p : t.parameters) out = detail::put_parameter(out, p);
  return out;
}

inline auto to_string(media_type const& t) -> std::string {
  std::string s;
  serialize(std::back_inserter(s), t);
  return s;
}

inline auto operator<<(std::ostream& os, media_type const& t) -> std::ostream& {
  serialize(std::ostreambuf_iterator<char>(os), t);
  return os;
}

SIPSAF_END_NAMESPACE

#endif
