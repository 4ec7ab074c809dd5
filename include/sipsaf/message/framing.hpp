// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MESSAGE_FRAMING_HPP
#define SIPSAF_MESSAGE_FRAMING_HPP

/// @file
/// Framing SIP messages on a stream transport (TCP, TLS): where does the
/// next message end? RFC 3261 §18.3: the header section ends at the first
/// empty line, and Content-Length, mandatory on streams, gives the body
/// size. CRLFs between messages are keep-alives (RFC 3261 §7.5, RFC 5626
/// §3.5.1) and are skipped.

#include <sipsaf/config.hpp>
#include <sipsaf/error.hpp>
#include <sipsaf/message/message_view.hpp>
#include <sipsaf/result.hpp>

#include <cstddef>
#include <string_view>

SIPSAF_BEGIN_NAMESPACE

/// What `frame_message` found at the start of the bytes received so far.
struct message_frame {
  /// True when a whole message is there.
  bool complete = false;
  /// CRLF keep-alive bytes before the message (to be dropped).
  std::size_t skip = 0;
  /// Complete: the message's size, header section and body.
  std::size_t size = 0;
  /// Not complete: at least this many more bytes are needed (the true
  /// number may be larger while the header section is unfinished).
  std::size_t need = 0;
  /// Not complete: how far `received` is known to hold no end of the header
  /// section. Pass it back as `resume` once more bytes were appended (and
  /// nothing was dropped from the front), so that no byte is searched twice.
  std::size_t scanned = 0;

  /// Bytes to drop from the front of the buffer once the message is handled.
  auto consumed() const noexcept -> std::size_t { return skip + size; }
  /// The message within `received` (empty when not complete).
  auto message(std::string_view received) const noexcept -> std::string_view {
    return complete ? received.substr(skip, size) : std::string_view();
  }
};

/// Tells from the bytes received so far on a stream whether a whole SIP
/// message is there and how long it is, or how many more bytes are needed
/// at least. Content-Length is required (RFC 3261 §18.3); the fields are not
/// checked beyond what framing needs (pass the message to `parse_message`).
///
/// Until the empty line that ends the header section has arrived, only that
/// line is searched for (from `resume`, see `message_frame::scanned`), so a
/// peer that sends one byte at a time costs linear time in total; the header
/// section is checked once it is complete, or refused as soon as it is
/// longer than `opts.max_header_bytes` without its end.
///
/// Errors (offset from the start of `received`): `bad_line_end` (also as
/// soon as a bare LF arrives before the end of the header section),
/// `bad_start_line`, `bad_version`, `bad_status_code`, `bad_uri`,
/// `bad_header_field`, `bad_content_length`, `missing_content_length`,
/// `conflicting_headers` (Content-Length rows that differ), and the limits of
/// `opts`. After an error the stream cannot be resynchronised: close it.
///
/// @par Example
/// @code
///   buffer.append(bytes_read);
///   for (;;) {
///     auto f = sipsaf::frame_message(buffer, {}, resume);
///     if (!f) { close_connection(); break; }
///     if (!f->complete) { resume = f->scanned; break; }   // read more
///     auto m = sipsaf::parse_message(f->message(buffer));
///     handle(m);
///     buffer.erase(0, f->consumed());
///     resume = 0;
///   }
/// @endcode
/// @par Complexity Linear in the bytes searched since `resume`, plus the
/// header section once it is complete.
SIPSAF_DECL auto frame_message(std::string_view received, message_options const& opts = {},
                               std::size_t resume = 0) -> result<message_frame>;

SIPSAF_END_NAMESPACE

#ifdef SIPSAF_HEADER_ONLY
#include <sipsaf/message/impl/framing.ipp>
#endif

#endif  // SIPSAF_MESSAGE_FRAMING_HPP
