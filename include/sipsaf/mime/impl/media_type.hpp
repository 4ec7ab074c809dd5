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

/// `*`, the wildcard of a media range (RFC 3261 §20.1).
inline auto is_wildcard(std::string_view v) noexcept -> bool {
  return v.size() == 1 && v[0] == '*';
}

/// An accept-param (`q`, RFC 3261 §20.1), which ends a range's own parameters.
inline auto is_q(std::string_view name) noexcept -> bool {
  return name.size() == 1 && (name[0] == 'q' || name[0] == 'Q');
}

/// How specific a range is: */* < type/* < type/subtype, then by parameters.
inline auto specificity(media_type const& range) noexcept -> int {
  int s = is_wildcard(range.type) ? 0 : is_wildcard(range.subtype) ? 1 : 2;
  int params = 0;
  for (auto const& p : range.parameters) {
    if (is_q(p.name)) break;
    ++params;
  }
  return s * 1024 + params;
}

}  // namespace detail

template <class OutputIt>
auto serialize(OutputIt out, media_type const& t) -> OutputIt {
  out = detail::put_lower(out, t.type);
  *out++ = '/';
  out = detail::put_lower(out, t.subtype);
  for (auto const& p : t.parameters) out = detail::put_parameter(out, p);
  return out;
}

SIPSAF_END_NAMESPACE

#endif
