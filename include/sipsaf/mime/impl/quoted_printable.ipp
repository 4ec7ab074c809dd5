// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MIME_IMPL_QUOTED_PRINTABLE_IPP
#define SIPSAF_MIME_IMPL_QUOTED_PRINTABLE_IPP

#include <sipsaf/mime/quoted_printable.hpp>

SIPSAF_BEGIN_NAMESPACE

SIPSAF_DECL auto decode_quoted_printable(std::string_view in) -> result<std::string> {
  std::string s;
  s.resize(in.size());
  char* p = &s[0];
  auto r = detail::quoted_printable_decode(in, p);
  if (!r) return r.error();
  s.resize(static_cast<std::size_t>(p - s.data()));
  return s;
}

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_MIME_IMPL_QUOTED_PRINTABLE_IPP
