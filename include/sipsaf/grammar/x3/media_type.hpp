// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_GRAMMAR_X3_MEDIA_TYPE_HPP
#define SIPSAF_GRAMMAR_X3_MEDIA_TYPE_HPP

/// @file
/// The X3 grammar of a media type (RFC 2045 §5.1, RFC 3261 §20.15) and of a
/// list of media ranges (RFC 3261 §20.1 Accept).
///
/// The grammar only splits the value; each piece goes to a sink found in the
/// parser context under `media_sink_tag`. The sink has
/// `on_type(std::string_view)`, `on_subtype(std::string_view)` and
/// `on_param(mime_param_view const&)`; `on_type` starts a new element.
///
/// Tokens are RFC 2045 tokens: every RFC 3261 token is one, and MIME part
/// headers may use the few more bytes RFC 2045 allows (`#$&^{|}`).
/// RFC 822 comments are not supported: `(` is a syntax error.

#include <sipsaf/grammar/media_type.hpp>
#include <sipsaf/grammar/x3/core.hpp>

#include <string_view>

SIPSAF_BEGIN_NAMESPACE
namespace grammar {
namespace rules {

/// Context tag under which the sink is passed (see x3::with).
struct media_sink_tag;

namespace detail {

using grammar::detail::mime_token_chars;

/// One or more RFC 2045 token bytes, as a view.
using mime_token_parser = span_parser<mime_token_chars>;

using grammar::detail::mime_param_view;

/// RFC 3261 §25.1 / RFC 2045 §5.1:
///   m-parameter = m-attribute EQUAL m-value
///   m-attribute = token
///   m-value     = token / quoted-string
/// With `optional_value`, `EQUAL m-value` may be absent (RFC 3261
/// generic-param as used by disp-param). Once a name is read, a missing `=`
/// or value throws `failure` at that byte.
struct mime_param_parser : x3::parser<mime_param_parser> {
  using attribute_type = mime_param_view;
  static bool const has_attribute = true;

  constexpr explicit mime_param_parser(bool value_is_optional)
      : optional_value(value_is_optional) {}

  template <class Context, class RContext, class Attr>
  auto parse(char const*& first, char const* last, Context const& ctx, RContext& rctx,
             Attr& attr) const -> bool {
    mime_param_view param;
    char const* p = first;
    if (!mime_token_parser{}.parse(p, last, ctx, rctx, param.name)) return false;
    char const* q = skip_lws(p, last);
    if (q != last && *q == '=') {
      q = skip_lws(q + 1, last);
      if (q != last && *q == '"') {
        quoted_string_parser{}.parse(q, last, ctx, rctx, param.value);
        param.quoted = true;
      } else if (!mime_token_parser{}.parse(q, last, ctx, rctx, param.value)) {
        throw failure{errc::bad_parameter, q};
      }
      param.has_value = true;
      p = q;
    } else if (!optional_value) {
      throw failure{errc::expected_equal, q};
    }
    if constexpr (std::is_same<Attr, mime_param_view>::value) attr = param;
    first = p;
    return true;
  }
  bool optional_value;
};

inline auto const on_type = [](auto& ctx) {
  x3::get<media_sink_tag>(ctx).get().on_type(x3::_attr(ctx));
};
inline auto const on_subtype = [](auto& ctx) {
  x3::get<media_sink_tag>(ctx).get().on_subtype(x3::_attr(ctx));
};
inline auto const on_param = [](auto& ctx) {
  x3::get<media_sink_tag>(ctx).get().on_param(x3::_attr(ctx));
};

}  // namespace detail

using grammar::detail::mime_param_view;

// clang-format off
/// token (RFC 2045 §5.1)
inline constexpr detail::mime_token_parser mime_token{};
/// m-parameter = m-attribute EQUAL m-value
inline constexpr detail::mime_param_parser m_parameter{false};

/// media-type = m-type SLASH m-subtype *(SEMI m-parameter)   (RFC 3261 §25.1)
/// m-type, m-subtype: token (`*` is a token byte, so media ranges parse too)
inline auto const media_type =
    mime_token[detail::on_type]
    >> expect<errc::expected_slash>(slash)
    >> expect<errc::expected_token>(mime_token[detail::on_subtype])
    >> *(semi >> expect<errc::bad_parameter>(m_parameter[detail::on_param]));

/// A whole header value holding one media type, with optional whitespace around it.
inline auto const media_type_value = sws >> media_type >> sws;

/// accept-param = ("q" EQUAL qvalue) / generic-param: a value may be absent.
inline constexpr detail::mime_param_parser accept_param{true};

/// accept-range = media-range *(SEMI accept-param)   (RFC 3261 §20.1)
/// The accept-params (q and the rest) are reported like the m-parameters.
inline auto const accept_range =
    mime_token[detail::on_type]
    >> expect<errc::expected_slash>(slash)
    >> expect<errc::expected_token>(mime_token[detail::on_subtype])
    >> *(semi >> expect<errc::bad_parameter>(accept_param[detail::on_param]));

/// Accept = "Accept" HCOLON [ accept-range *(COMMA accept-range) ]  (RFC 3261 §20.1)
inline auto const accept_range_list =
    sws
    >> -(accept_range >> *(comma >> expect<errc::bad_media_type>(accept_range)))
    >> sws;
// clang-format on

}  // namespace rules
}  // namespace grammar
SIPSAF_END_NAMESPACE

#endif
