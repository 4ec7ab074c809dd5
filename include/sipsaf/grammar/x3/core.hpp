// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_GRAMMAR_X3_CORE_HPP
#define SIPSAF_GRAMMAR_X3_CORE_HPP

/// @file
/// RFC 3261 §25.1 core rules as Boost.Spirit X3 parsers.
///
/// The grammar as the RFCs write it, for stacks that build their own X3
/// parsers of SIP headers out of these rules. sipsaf's own parse functions
/// (`parse_request_disposition`, `parse_media_type`...) run hand-written
/// scanners that a test and a fuzz target hold to these rules: same values,
/// same error codes at the same offsets. Opt-in (`<sipsaf/grammar/x3.hpp>`):
/// `<sipsaf.hpp>` does not include Spirit.
///
/// Every parser works on `char const*` and yields `std::string_view`
/// attributes that point into the input (zero copy). A rule that reaches a
/// point of no return throws `failure`; `parse()` below is the one place
/// that turns it into a `parse_error`, so no exception leaves a parse.

#include <sipsaf/error.hpp>
#include <sipsaf/grammar/detail/chars.hpp>
#include <sipsaf/result.hpp>

#include <boost/spirit/home/x3.hpp>

#include <string_view>
#include <type_traits>

SIPSAF_BEGIN_NAMESPACE
namespace grammar {
namespace rules {

namespace x3 = boost::spirit::x3;
using grammar::detail::char_set;
using grammar::detail::skip_lws;

/// Thrown inside a rule at a point of no return (an expectation that failed,
/// a conflict found by a sink) and caught by `parse()`.
struct failure {
  errc code;
  char const* where;
};

namespace detail {
using grammar::detail::alnum_set;
using grammar::detail::token_chars;

template <class Attr>
void assign_view(char const* first, char const* last, Attr& attr) {
  if constexpr (std::is_same<Attr, std::string_view>::value) {
    attr = std::string_view(first, static_cast<std::size_t>(last - first));
  } else if constexpr (!std::is_same<Attr, x3::unused_type>::value) {
    x3::traits::move_to(first, last, attr);
  }
}

/// One or more bytes of the `char_set` `Set`, as a view. The set is a
/// template argument, not a member: X3 copies parsers by value, and a
/// 256-byte table copied per parse would cost more than the scan.
template <char_set const& Set>
struct span_parser : x3::parser<span_parser<Set>> {
  using attribute_type = std::string_view;
  static bool const has_attribute = true;

  template <class Context, class RContext, class Attr>
  auto parse(char const*& first, char const* last, Context const&, RContext&, Attr& attr) const
      -> bool {
    char const* p = first;
    while (p != last && Set(*p)) ++p;
    if (p == first) return false;
    assign_view(first, p, attr);
    first = p;
    return true;
  }
};

/// RFC 3261 §25.1 LWS (and SWS when `optional`).
struct lws_parser : x3::parser<lws_parser> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;

  constexpr explicit lws_parser(bool opt) : optional(opt) {}

  template <class Context, class RContext, class Attr>
  auto parse(char const*& first, char const* last, Context const&, RContext&, Attr&) const -> bool {
    char const* p = skip_lws(first, last);
    if (p == first) return optional;
    first = p;
    return true;
  }
  bool optional;
};

/// RFC 3261 §25.1:
///   quoted-string = SWS DQUOTE *(qdtext / quoted-pair ) DQUOTE
///   qdtext        = LWS / %x21 / %x23-5B / %x5D-7E / UTF8-NONASCII
///   quoted-pair   = "\" (%x00-09 / %x0B-0C / %x0E-7F)
/// The attribute is the text between the quotes, still escaped (see
/// `unquote`). Once the opening quote is seen there is no way back: a bad
/// byte or a missing closing quote throws `failure` at that byte.
struct quoted_string_parser : x3::parser<quoted_string_parser> {
  using attribute_type = std::string_view;
  static bool const has_attribute = true;

  template <class Context, class RContext, class Attr>
  auto parse(char const*& first, char const* last, Context const&, RContext&, Attr& attr) const
      -> bool {
    char const* p = skip_lws(first, last);
    if (p == last || *p != '"') return false;
    char const* const open = ++p;
    for (;;) {
      if (p == last) throw failure{errc::bad_quoted_string, p};
      auto const c = static_cast<unsigned char>(*p);
      if (c == '"') break;
      if (c == '\\') {
        if (last - p < 2) throw failure{errc::bad_quoted_string, last};
        auto const e = static_cast<unsigned char>(p[1]);
        if (e == '\n' || e == '\r' || e > 0x7f) throw failure{errc::bad_quoted_string, p + 1};
        p += 2;
      } else if (c == ' ' || c == '\t' || c == '\r') {
        char const* q = skip_lws(p, last);
        if (q == p) throw failure{errc::bad_quoted_string, p};
        p = q;
      } else if (c < 0x21 || c == 0x7f) {
        throw failure{errc::bad_quoted_string, p};
      } else {
        ++p;
      }
    }
    assign_view(open, p, attr);
    first = p + 1;
    return true;
  }
};

/// A parameter as written: `name` is a token; `value` is the gen-value
/// exactly as written (a quoted-string keeps its quotes), empty when absent.
struct param_view {
  std::string_view name;
  std::string_view value;
  bool has_value = false;
};

/// RFC 3261 §25.1:
///   generic-param = token [ EQUAL gen-value ]
///   gen-value     = token / host / quoted-string
/// `host` adds the IPv6reference `[...]` to what `token` already covers
/// (hostname, IPv4address). After `=`, a missing value throws `failure`.
struct generic_param_parser : x3::parser<generic_param_parser> {
  using attribute_type = param_view;
  static bool const has_attribute = true;

  template <class Context, class RContext, class Attr>
  auto parse(char const*& first, char const* last, Context const& ctx, RContext& rctx,
             Attr& attr) const -> bool {
    param_view param;
    char const* p = first;
    if (!span_parser<token_chars>{}.parse(p, last, ctx, rctx, param.name)) return false;
    char const* q = skip_lws(p, last);
    if (q != last && *q == '=') {
      q = skip_lws(q + 1, last);
      char const* v = q;
      std::string_view ignored;
      if (q != last && *q == '"') {
        quoted_string_parser{}.parse(q, last, ctx, rctx, ignored);
      } else if (q != last && *q == '[') {
        while (q != last && *q != ']' && (alnum_set(*q) || *q == ':' || *q == '.' || *q == '['))
          ++q;
        if (q == last || *q != ']') throw failure{errc::bad_parameter, q};
        ++q;
      } else if (!span_parser<token_chars>{}.parse(q, last, ctx, rctx, ignored)) {
        throw failure{errc::bad_parameter, q};
      }
      param.value = std::string_view(v, static_cast<std::size_t>(q - v));
      param.has_value = true;
      p = q;
    }
    if constexpr (std::is_same<Attr, param_view>::value) attr = param;
    first = p;
    return true;
  }
};

/// `expect<errc::X>(p)`: `p` must match here, else `failure{X}` at this point.
/// Unlike X3's `>`, it names the error by code, not by a rule's string name.
template <errc Code, class Subject>
struct expect_parser : x3::unary_parser<Subject, expect_parser<Code, Subject>> {
  using base_type = x3::unary_parser<Subject, expect_parser<Code, Subject>>;
  static bool const is_pass_through_unary = true;

  constexpr explicit expect_parser(Subject const& s) : base_type(s) {}

  template <class It, class Context, class RContext, class Attr>
  auto parse(It& first, It const& last, Context const& ctx, RContext& rctx, Attr& attr) const
      -> bool {
    if (!this->subject.parse(first, last, ctx, rctx, attr)) throw failure{Code, first};
    return true;
  }
};

}  // namespace detail

using detail::param_view;

template <errc Code, class Subject>
constexpr auto expect(Subject const& s) {
  using parser_type = typename x3::extension::as_parser<Subject>::value_type;
  return detail::expect_parser<Code, parser_type>(x3::as_parser(s));
}

// clang-format off
/// token  = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
inline constexpr detail::span_parser<detail::token_chars> token{};
/// LWS    = [*WSP CRLF] 1*WSP          ; linear whitespace, with line folding
inline constexpr detail::lws_parser lws{false};
/// SWS    = [LWS]                      ; sep whitespace
inline constexpr detail::lws_parser sws{true};
/// HCOLON = *( SP / HTAB ) ":" SWS
inline auto const hcolon = *(x3::lit(' ') | x3::lit('\t')) >> x3::lit(':') >> sws;
/// COMMA  = SWS "," SWS
inline auto const comma  = sws >> x3::lit(',') >> sws;
/// SEMI   = SWS ";" SWS
inline auto const semi   = sws >> x3::lit(';') >> sws;
/// EQUAL  = SWS "=" SWS
inline auto const equal  = sws >> x3::lit('=') >> sws;
/// SLASH  = SWS "/" SWS
inline auto const slash  = sws >> x3::lit('/') >> sws;
/// quoted-string (the attribute is the escaped content between the quotes)
inline constexpr detail::quoted_string_parser quoted_string{};
/// generic-param = token [ EQUAL gen-value ]; gen-value = token / host / quoted-string
inline constexpr detail::generic_param_parser generic_param{};
// clang-format on

/// Parses all of `in` with `p` into `attr`. A `failure` thrown inside the
/// rules becomes a `parse_error` at its position; a mismatch becomes
/// `on_mismatch` where the parser stopped; unparsed bytes become
/// `on_leftover` at the first of them.
template <class Parser, class Attr>
auto parse(std::string_view in, Parser const& p, Attr& attr, errc on_mismatch, errc on_leftover)
    -> result<void> {
  char const* const begin = in.data();
  char const* first = begin;
  char const* const last = begin + in.size();
  try {
    if (!x3::parse(first, last, p, attr))
      return parse_error{on_mismatch, static_cast<std::size_t>(first - begin)};
  } catch (failure const& f) {
    return parse_error{f.code, static_cast<std::size_t>(f.where - begin)};
  }
  if (first != last) return parse_error{on_leftover, static_cast<std::size_t>(first - begin)};
  return {};
}

/// As above, for parsers without an attribute.
template <class Parser>
auto parse(std::string_view in, Parser const& p, errc on_mismatch, errc on_leftover)
    -> result<void> {
  x3::unused_type unused;
  return parse(in, p, unused, on_mismatch, on_leftover);
}

}  // namespace rules
}  // namespace grammar
SIPSAF_END_NAMESPACE

#endif  // SIPSAF_GRAMMAR_X3_CORE_HPP
