// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_GRAMMAR_X3_REQUEST_DISPOSITION_HPP
#define SIPSAF_GRAMMAR_X3_REQUEST_DISPOSITION_HPP

/// @file
/// The X3 grammar of a Request-Disposition value (RFC 3841 §10).
///
/// The grammar only splits the list; each token goes to a sink found in the
/// parser context under `directive_sink_tag` (a `std::reference_wrapper` to
/// something callable with a `std::string_view`), which classifies it and records it. Conflicts and
/// strict mode are checked there, so the error points at the offending token.

#include <sipsaf/grammar/x3/core.hpp>

#include <functional>
#include <string_view>

SIPSAF_BEGIN_NAMESPACE
namespace grammar {
namespace rules {

/// Context tag under which the directive sink is passed (see x3::with).
struct directive_sink_tag;

namespace detail {
inline auto const on_directive = [](auto& ctx) {
  x3::get<directive_sink_tag>(ctx).get()(x3::_attr(ctx));
};
}  // namespace detail

// clang-format off
/// directive *(COMMA directive), with optional whitespace around the list.
/// A comma must be followed by a directive (no empty list elements: RFC 3841
/// §10 has no `#rule` here).
inline auto const request_disposition_value =
    sws
    >> expect<errc::expected_directive>(token[detail::on_directive])
    >> *(comma >> expect<errc::expected_directive>(token[detail::on_directive]))
    >> sws;
// clang-format on

}  // namespace rules
}  // namespace grammar
SIPSAF_END_NAMESPACE

#endif
