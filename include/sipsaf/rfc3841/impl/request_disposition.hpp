// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_RFC3841_IMPL_REQUEST_DISPOSITION_HPP
#define SIPSAF_RFC3841_IMPL_REQUEST_DISPOSITION_HPP

#include <algorithm>

SIPSAF_BEGIN_NAMESPACE

template <class OutputIt>
auto serialize(OutputIt out, request_disposition const& rd) -> OutputIt {
  bool first = true;
  rd.for_each([&](directive_entry e) {
    if (!first) {
      *out++ = ',';
      *out++ = ' ';
    }
    first = false;
    out = std::copy(e.text.begin(), e.text.end(), out);
  });
  return out;
}

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_RFC3841_IMPL_REQUEST_DISPOSITION_HPP
