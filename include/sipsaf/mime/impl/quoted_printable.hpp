// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MIME_IMPL_QUOTED_PRINTABLE_HPP
#define SIPSAF_MIME_IMPL_QUOTED_PRINTABLE_HPP

#include <sipsaf/mime/quoted_printable.hpp>

SIPSAF_BEGIN_NAMESPACE
namespace detail {

constexpr auto hex_value(char c) noexcept -> int {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

template <class Out>
auto quoted_printable_decode(std::string_view in, Out& out) -> result<void> {
  std::size_t const n = in.size();
  std::size_t i = 0;
  auto is_line_end = [&](std::size_t k) {
    return k == n || in[k] == '\n' || (in[k] == '\r' && k + 1 < n && in[k + 1] == '\n');
  };
  while (i < n) {
    char const c = in[i];
    if (c == '=') {
      if (n - i >= 3) {
        int const hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
        if (hi >= 0 && lo >= 0) {
          *out++ = static_cast<char>(hi * 16 + lo);
          i += 3;
          continue;
        }
      }
      // A soft line break: "=" transport-padding CRLF (RFC 2045 §6.7 (5)).
      std::size_t k = i + 1;
      while (k < n && (in[k] == ' ' || in[k] == '\t')) ++k;
      if (!is_line_end(k)) return parse_error{errc::bad_quoted_printable, i};
      i = k == n ? n : k + (in[k] == '\r' ? 2 : 1);
    } else if (c == ' ' || c == '\t') {
      std::size_t k = i;
      while (k < n && (in[k] == ' ' || in[k] == '\t')) ++k;
      // RFC 2045 §6.7 (3): trailing white space on a line is deleted.
      if (!is_line_end(k))
        for (; i < k; ++i) *out++ = in[i];
      i = k;
    } else {
      *out++ = c;
      ++i;
    }
  }
  return {};
}

}  // namespace detail

template <class OutputIt>
auto decode_quoted_printable(std::string_view in, OutputIt out) -> result<OutputIt> {
  auto r = detail::quoted_printable_decode(in, out);
  if (!r) return r.error();
  return out;
}

SIPSAF_END_NAMESPACE

#endif
