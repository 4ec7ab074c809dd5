// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_GRAMMAR_DETAIL_RUN_HPP
#define SIPSAF_GRAMMAR_DETAIL_RUN_HPP

#include <sipsaf/grammar/detail/failure.hpp>
#include <sipsaf/result.hpp>

#include <boost/spirit/home/x3.hpp>

#include <string_view>

SIPSAF_BEGIN_NAMESPACE
namespace grammar {
namespace detail {

/// The one place where an X3 parser meets the public API.
///
/// Parses all of `in` with `p` into `attr`. A `failure` thrown inside the
/// grammar becomes a `parse_error` at its position; a plain mismatch becomes
/// `on_mismatch` where the parser stopped; unparsed bytes become `on_leftover`
/// at the first of them. No exception escapes.
template <class Parser, class Attr>
auto run(std::string_view in, Parser const& p, Attr& attr, errc on_mismatch, errc on_leftover)
    -> result<void> {
  char const* const begin = in.data();
  char const* first = begin;
  char const* const last = begin + in.size();
  try {
    if (!boost::spirit::x3::parse(first, last, p, attr)) {
      return parse_error{on_mismatch, static_cast<std::size_t>(first - begin)};
    }
  } catch (failure const& f) {
    return parse_error{f.code, static_cast<std::size_t>(f.where - begin)};
  }
  if (first != last) return parse_error{on_leftover, static_cast<std::size_t>(first - begin)};
  return {};
}

/// As above, for parsers without an attribute.
template <class Parser>
auto run(std::string_view in, Parser const& p, errc on_mismatch, errc on_leftover) -> result<void> {
  boost::spirit::x3::unused_type unused;
  return run(in, p, unused, on_mismatch, on_leftover);
}

}  // namespace detail
}  // namespace grammar
SIPSAF_END_NAMESPACE

#endif
