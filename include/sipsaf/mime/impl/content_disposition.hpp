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

template <class OutputIt>
auto serialize(OutputIt out, content_disposition const& d) -> OutputIt {
  out = detail::put_lower(out, d.type);
  // A bare name (generic-param without a value) has an empty, unquoted value.
  for (auto const& p : d.parameters)
    out = detail::put_parameter(out, p, p.quoted || !p.value.empty());
  return out;
}

SIPSAF_END_NAMESPACE

#endif
