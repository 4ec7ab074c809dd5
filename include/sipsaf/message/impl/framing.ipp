// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MESSAGE_IMPL_FRAMING_IPP
#define SIPSAF_MESSAGE_IMPL_FRAMING_IPP

#include <sipsaf/message/framing.hpp>
#include <sipsaf/message/impl/message_parser.hpp>

#include <algorithm>
#include <cstring>

SIPSAF_BEGIN_NAMESPACE

SIPSAF_DECL auto frame_message(std::string_view received, message_options const& opts,
                               std::size_t resume) -> result<message_frame> {
  message_frame f;
  char const* const b = received.data();
  char const* const e = b + received.size();
  char const* p = b;
  while (e - p >= 2 && p[0] == '\r' && p[1] == '\n') p += 2;
  f.skip = static_cast<std::size_t>(p - b);
  if (p == e || (e - p == 1 && *p == '\r')) {
    f.need = 1;  // keep-alives so far, or the start of one
    f.scanned = f.skip;
    return f;
  }
  // The end of the header section: the first CRLF CRLF after the start.
  std::size_t const from = std::max(f.skip, std::min(resume, received.size()));
  std::size_t const end = received.find("\r\n\r\n", from);
  if (end == std::string_view::npos) {
    // RFC 3261 §7: every line of the header section ends in CRLF. A bare LF
    // (a message with LF-only line ends) would otherwise leave the peer
    // waiting for an empty line that never comes: refuse it at once.
    for (std::size_t i = from; i < received.size(); ++i) {
      char const* const lf =
          static_cast<char const*>(std::memchr(b + i, '\n', received.size() - i));
      if (lf == nullptr) break;
      i = static_cast<std::size_t>(lf - b);
      if (i == f.skip || b[i - 1] != '\r') return parse_error{errc::bad_line_end, i};
    }
    if (received.size() - f.skip > opts.max_header_bytes)
      return parse_error{errc::header_too_long, f.skip + opts.max_header_bytes};
    // At least the rest of an empty line: the longest suffix that could
    // begin CRLF CRLF tells how much.
    std::size_t k = 0;
    for (std::size_t n = 3; n > 0; --n)
      if (received.size() - f.skip >= n &&
          std::string_view("\r\n\r\n", 4).substr(0, n) == received.substr(received.size() - n)) {
        k = n;
        break;
      }
    f.need = 4 - k;
    f.scanned = received.size() >= 3 ? std::max(f.skip, received.size() - 3) : f.skip;
    return f;
  }
  message_options o = opts;
  o.require_content_length = true;
  o.validate_known_fields = false;
  message_view scratch;
  detail::msg::message_parser ps{p, e, o, scratch, {}};
  ps.framing = true;
  if (!ps.run()) return ps.err.rebased(f.skip);
  f.scanned = end;
  if (ps.need != 0) {
    f.need = ps.need;
    return f;
  }
  f.complete = true;
  f.size = ps.m.wire().size();
  return f;
}

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_MESSAGE_IMPL_FRAMING_IPP
