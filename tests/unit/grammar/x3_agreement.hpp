// The X3 rules of <sipsaf/grammar/x3.hpp> as complete parsers, and the check
// that sipsaf's scanners agree with them: the same value, or the same error
// code at the same offset. Shared by the unit test and the fuzz target.
#ifndef SIPSAF_TESTS_X3_AGREEMENT_HPP
#define SIPSAF_TESTS_X3_AGREEMENT_HPP

#include <sipsaf/grammar/x3.hpp>
#include <sipsaf/mime.hpp>
#include <sipsaf/rfc3841/request_disposition.hpp>

#include <algorithm>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace x3_agreement {

namespace rules = sipsaf::grammar::rules;
namespace x3 = boost::spirit::x3;
using sipsaf::errc;
using sipsaf::parse_error;
using sipsaf::result;

inline auto blank(std::string_view v) -> bool {
  return sipsaf::grammar::detail::skip_lws(v.data(), v.data() + v.size()) == v.data() + v.size();
}

inline auto offset(std::string_view whole, std::string_view part) -> std::size_t {
  return static_cast<std::size_t>(part.data() - whole.data());
}

// --- Request-Disposition (RFC 3841 §9.1, §10) ---------------------------------
inline auto request_disposition(std::string_view value,
                                sipsaf::request_disposition_options const& opt)
    -> result<sipsaf::request_disposition> {
  if (blank(value)) return parse_error{errc::empty_value, 0};
  sipsaf::request_disposition rd;
  std::size_t const limit = std::min(opt.max_directives, sipsaf::request_disposition::capacity);
  auto sink = [&](std::string_view token) {
    auto const d = sipsaf::classify_directive(token);
    bool const strict = opt.mode == sipsaf::disposition_mode::strict;
    if (strict && (d == sipsaf::directive::extension || !sipsaf::is_rfc3841(d)))
      throw rules::failure{errc::unknown_directive, token.data()};
    if (rd.size() >= limit) throw rules::failure{errc::too_many_directives, token.data()};
    bool const added = d == sipsaf::directive::extension ? rd.add_extension(token) : rd.add(d);
    if (!added) throw rules::failure{errc::conflicting_directives, token.data()};
  };
  std::function<void(std::string_view)> call = sink;
  auto const parser =
      x3::with<rules::directive_sink_tag>(std::ref(call))[rules::request_disposition_value];
  auto r = rules::parse(value, parser, errc::expected_directive, errc::expected_comma);
  if (!r) return r.error();
  return rd;
}

// --- media types, Accept, Content-Disposition (RFC 2045 §5.1, RFC 3261 §20) ---
inline void add_parameter(std::vector<sipsaf::mime_parameter>& to,
                          sipsaf::grammar::detail::mime_param_view const& p) {
  if (to.size() == sipsaf::max_mime_parameters)
    throw rules::failure{errc::too_many_parameters, p.name.data()};
  auto const value = p.has_value ? p.value : std::string_view(p.name.data() + p.name.size(), 0);
  to.push_back(sipsaf::mime_parameter{p.name, value, p.quoted});
}

// RFC 2045 §5.1: parameter names are case-insensitive; one of each.
inline auto duplicate(std::vector<sipsaf::mime_parameter> const& ps)
    -> sipsaf::mime_parameter const* {
  for (std::size_t i = 1; i < ps.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (sipsaf::iequals(ps[i].name, ps[j].name)) return &ps[i];
  return nullptr;
}

struct one_type_sink {
  std::string_view* type;
  std::string_view* subtype;
  std::vector<sipsaf::mime_parameter>* params;
  void on_type(std::string_view v) { *type = v; }
  void on_subtype(std::string_view v) { *subtype = v; }
  void on_param(sipsaf::grammar::detail::mime_param_view const& p) { add_parameter(*params, p); }
};

inline auto media_type(std::string_view value) -> result<sipsaf::media_type> {
  if (blank(value)) return parse_error{errc::empty_value, 0};
  sipsaf::media_type t;
  one_type_sink sink{&t.type, &t.subtype, &t.parameters};
  auto const parser = x3::with<rules::media_sink_tag>(std::ref(sink))[rules::media_type_value];
  auto r = rules::parse(value, parser, errc::bad_media_type, errc::expected_semicolon);
  if (!r) return r.error();
  if (auto const* dup = duplicate(t.parameters))
    return parse_error{errc::bad_parameter, offset(value, dup->name)};
  return t;
}

struct range_list_sink {
  std::vector<sipsaf::media_type>& into;
  void on_type(std::string_view v) {
    into.emplace_back();
    into.back().type = v;
  }
  void on_subtype(std::string_view v) { into.back().subtype = v; }
  void on_param(sipsaf::grammar::detail::mime_param_view const& p) {
    add_parameter(into.back().parameters, p);
  }
};

// RFC 3261 §25.1: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
inline auto qvalue_ok(std::string_view v) -> bool {
  if (v.empty() || v.size() > 5 || (v[0] != '0' && v[0] != '1')) return false;
  if (v.size() == 1) return true;
  if (v[1] != '.') return false;
  for (std::size_t i = 2; i < v.size(); ++i)
    if (v[i] < '0' || v[i] > '9' || (v[0] == '1' && v[i] != '0')) return false;
  return true;
}

inline auto media_ranges(std::string_view value) -> result<std::vector<sipsaf::media_type>> {
  std::vector<sipsaf::media_type> ranges;
  range_list_sink sink{ranges};
  auto const parser = x3::with<rules::media_sink_tag>(std::ref(sink))[rules::accept_range_list];
  auto r = rules::parse(value, parser, errc::bad_media_type, errc::expected_comma);
  if (!r) return r.error();
  for (auto const& range : ranges) {
    // RFC 3261 §20.1: a wildcard type needs a wildcard subtype.
    if (range.type == "*" && range.subtype != "*")
      return parse_error{errc::bad_media_type, offset(value, range.type)};
    if (auto const* dup = duplicate(range.parameters))
      return parse_error{errc::bad_parameter, offset(value, dup->name)};
    for (auto const& p : range.parameters)
      if (sipsaf::iequals(p.name, "q") && (p.quoted || !qvalue_ok(p.value)))
        return parse_error{errc::bad_parameter, offset(value, p.value)};
  }
  return ranges;
}

inline auto content_disposition(std::string_view value) -> result<sipsaf::content_disposition> {
  if (blank(value)) return parse_error{errc::empty_value, 0};
  sipsaf::content_disposition d;
  std::string_view unused;
  one_type_sink sink{&d.type, &unused, &d.parameters};
  auto const parser =
      x3::with<rules::media_sink_tag>(std::ref(sink))[rules::content_disposition_value];
  auto r = rules::parse(value, parser, errc::bad_disposition, errc::expected_semicolon);
  if (!r) return r.error();
  if (auto const* dup = duplicate(d.parameters))
    return parse_error{errc::bad_parameter, offset(value, dup->name)};
  return d;
}

// --- agreement ------------------------------------------------------------------
inline auto same_params(std::vector<sipsaf::mime_parameter> const& a,
                        std::vector<sipsaf::mime_parameter> const& b) -> bool {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].name.data() != b[i].name.data() || a[i].name != b[i].name ||
        a[i].value != b[i].value || a[i].quoted != b[i].quoted)
      return false;
  return true;
}

inline auto same(sipsaf::media_type const& a, sipsaf::media_type const& b) -> bool {
  return a.type.data() == b.type.data() && a.type == b.type && a.subtype == b.subtype &&
         same_params(a.parameters, b.parameters);
}
inline auto same(std::vector<sipsaf::media_type> const& a, std::vector<sipsaf::media_type> const& b)
    -> bool {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!same(a[i], b[i])) return false;
  return true;
}
inline auto same(sipsaf::content_disposition const& a, sipsaf::content_disposition const& b)
    -> bool {
  return a.type.data() == b.type.data() && a.type == b.type &&
         same_params(a.parameters, b.parameters);
}
inline auto same(sipsaf::request_disposition const& a, sipsaf::request_disposition const& b)
    -> bool {
  return a == b && sipsaf::to_string(a) == sipsaf::to_string(b);
}

inline auto describe(parse_error const& e) -> std::string {
  return std::string(sipsaf::make_error_code(e.code).message()) + " at " + std::to_string(e.offset);
}

/// Empty when the scanner's result and the rules' result agree, else what differs.
template <class T>
auto compare(result<T> const& scanner, result<T> const& x3) -> std::string {
  if (scanner.has_value() != x3.has_value())
    return scanner.has_value() ? "scanner accepts, X3 says " + describe(x3.error())
                               : "X3 accepts, scanner says " + describe(scanner.error());
  if (!scanner.has_value()) {
    if (scanner.error().code != x3.error().code || scanner.error().offset != x3.error().offset)
      return "scanner says " + describe(scanner.error()) + ", X3 says " + describe(x3.error());
    return {};
  }
  return same(*scanner, *x3) ? std::string{} : std::string("different values");
}

/// Every grammar on one input: the first disagreement, or empty.
inline auto check_all(std::string_view in) -> std::string {
  for (auto mode : {sipsaf::disposition_mode::extended, sipsaf::disposition_mode::strict}) {
    sipsaf::request_disposition_options opt;
    opt.mode = mode;
    auto d = compare(sipsaf::parse_request_disposition(in, opt), request_disposition(in, opt));
    if (!d.empty()) return "Request-Disposition: " + d;
  }
  if (auto d = compare(sipsaf::parse_media_type(in), media_type(in)); !d.empty())
    return "media type: " + d;
  if (auto d = compare(sipsaf::parse_media_ranges(in), media_ranges(in)); !d.empty())
    return "Accept: " + d;
  if (auto d = compare(sipsaf::parse_content_disposition(in), content_disposition(in)); !d.empty())
    return "Content-Disposition: " + d;
  return {};
}

}  // namespace x3_agreement

#endif
