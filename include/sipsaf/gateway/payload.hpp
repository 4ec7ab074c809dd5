// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_GATEWAY_PAYLOAD_HPP
#define SIPSAF_GATEWAY_PAYLOAD_HPP

/// @file
/// The payload of a SIP request as the gateways see it: a tree of parts
/// with their transfer encoding undone, each leaf either text to show or an
/// attachment with a file name. The e-mail and SMS conversions both read it,
/// so they agree on what is text and what an attachment is called.

#include <sipsaf/config.hpp>
#include <sipsaf/error.hpp>
#include <sipsaf/gateway/detail/utf8.hpp>
#include <sipsaf/message/message_view.hpp>
#include <sipsaf/mime/content_disposition.hpp>
#include <sipsaf/mime/media_type.hpp>
#include <sipsaf/mime/multipart.hpp>
#include <sipsaf/result.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

SIPSAF_BEGIN_NAMESPACE

/// One node of a payload tree.
///
/// Lifetime: `type` and `content_id` point into the message that was read
/// (or static storage); the message must outlive the tree.
struct payload_part {
  media_type type;                  ///< declared, or the default
  std::string data;                 ///< a leaf's bytes, transfer encoding undone
  std::string filename;             ///< a leaf attachment's name (never empty for one)
  std::string_view content_id;      ///< without angle brackets, or empty
  bool text = false;                ///< a `text/plain` leaf shown as text
  std::vector<payload_part> parts;  ///< a multipart's parts, in order

  auto is_multipart() const noexcept -> bool { return type.is_multipart(); }
  auto is_attachment() const noexcept -> bool { return !is_multipart() && !text; }
  /// The text as UTF-8 (see `detail::gw::charset_to_utf8`), or nothing when
  /// its charset is not one sipsaf converts.
  auto text_utf8() const -> std::optional<std::string> {
    return detail::gw::charset_to_utf8(type.param("charset").value_or(""), data);
  }
};

/// Reads the payload of `m` into a tree.
///
/// The body's Content-Type (none: `application/octet-stream`, as RFC 3261
/// §7.4.1 requires one; an empty body: empty `text/plain`) decides: a
/// multipart is split (`options` bound it) and each part read in turn,
/// nested multiparts kept as nodes; a leaf has its Content-Transfer-
/// Encoding undone. A `text/plain` leaf is text unless its
/// Content-Disposition says `attachment`; every other leaf is an attachment
/// named by its Content-Disposition `filename` (directories and controls
/// removed) or, without one, `attachment-N.EXT` (N counts the
/// attachments from 1 in document order, EXT from the subtype).
///
/// Errors: those of `content_type()`, `parse_multipart` and the transfer
/// decoders; offsets into the body for parts (0 for the top level).
///
/// @par Complexity Linear in the body size (times the nesting depth).
SIPSAF_DECL auto read_payload(message_view const& m, multipart_options const& options = {})
    -> result<payload_part>;

SIPSAF_END_NAMESPACE

#ifdef SIPSAF_HEADER_ONLY
#include <sipsaf/gateway/impl/payload.ipp>
#endif

#endif  // SIPSAF_GATEWAY_PAYLOAD_HPP
