// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_GATEWAY_INTERNET_MESSAGE_HPP
#define SIPSAF_GATEWAY_INTERNET_MESSAGE_HPP

/// @file
/// A SIP request's payload as an Internet message (RFC 5322, MIME RFC
/// 2045-2049), for forwarding to an e-mail address through an MTA.
///
/// @par What is written
/// @code
///   From: <display name> <mailbox of the SIP From>      (RFC 5322 §3.6.2)
///   To: <display name> <the target mailbox>             (§3.6.3)
///   Subject: <SIP Subject, else the first words>        (§3.6.5)
///   Date: <SIP Date, else the time of conversion>       (§3.3, §3.6.1)
///   Message-ID: <sip.CSEQ.CALL-ID@DOMAIN>               (§3.6.4)
///   MIME-Version: 1.0                                   (RFC 2045 §4)
///   Auto-Submitted: auto-forwarded                      (RFC 3834 §5)
///   Content-Type, Content-Transfer-Encoding, ...        (the payload)
/// @endcode
/// Text parts are `text/plain` with their charset (7bit when every line is
/// short ASCII, else base64, so the bytes survive exactly); every other
/// leaf is an attachment, base64 in 76-character lines (RFC 2045 §6.8),
/// `Content-Disposition: attachment` with its file name (RFC 2183; RFC
/// 2231 §4 for a non-ASCII one); multiparts keep their subtype, their
/// parameters and their nesting, under a fresh boundary. Non-ASCII display
/// names and subjects are RFC 2047 encoded-words. Reading the result with
/// `parse_multipart` gives the same parts, whose decoded bodies are the
/// bytes of the SIP payload.

#include <sipsaf/config.hpp>
#include <sipsaf/error.hpp>
#include <sipsaf/gateway/encoded_word.hpp>
#include <sipsaf/gateway/payload.hpp>
#include <sipsaf/message/message_view.hpp>
#include <sipsaf/mime/base64.hpp>
#include <sipsaf/mime/media_type.hpp>
#include <sipsaf/mime/multipart.hpp>
#include <sipsaf/result.hpp>

#include <cctype>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

SIPSAF_BEGIN_NAMESPACE

/// How `to_internet_message` writes a message.
struct mail_options {
  /// Maps a SIP identity to a mailbox (an addr-spec), or nothing when it
  /// has none. Empty: `default_mail_address`.
  std::function<std::optional<std::string>(uri_view const&)> map_address;
  /// The recipient's mailbox, e.g. the profile's `email:` target. Empty:
  /// the SIP To mapped as above.
  std::string to;
  /// The right side of the Message-ID. Empty: the domain of the From mailbox.
  std::string message_id_domain;
  /// Seconds since 1970 for the Date when the request has none. Nothing:
  /// the system clock at the time of conversion.
  std::optional<std::int64_t> date;
  /// The most words a Subject taken from the text has.
  std::size_t subject_words = 8;
  /// Limits for reading a multipart payload.
  multipart_options limits;
  /// More header fields, written after Auto-Submitted as given (a value's
  /// line ends removed): the fields of a mail-based protocol such as MM4.
  std::vector<std::pair<std::string, std::string>> extra_headers;
};

/// A converted message: the envelope addresses and the message itself.
struct internet_message {
  std::string from;  ///< the From mailbox, for SMTP `MAIL FROM`
  std::string to;    ///< the To mailbox, for SMTP `RCPT TO`
  std::string text;  ///< header section, blank line, body; CRLF line ends
};

/// True when `address` is a mailbox sipsaf writes into a header and hands
/// to SMTP: a dot-atom or quoted local part, `@`, and a dot-atom domain or
/// a domain-literal (RFC 5322 §3.4.1); nothing that could end a line.
SIPSAF_DECL auto is_mail_address(std::string_view address) noexcept -> bool;

/// The default mapping of a SIP identity to a mailbox: `sip:` or `sips:`
/// with a user part gives `user@host` (escapes undone, the user part quoted
/// when it is not a dot-atom, an IPv6 host as `[IPv6:...]`, RFC 5321
/// §4.1.3); anything else (a `tel:` URI, no user part, a user part with
/// controls) has no mailbox. `sip:alice@example.test` gives
/// `alice@example.test`.
SIPSAF_DECL auto default_mail_address(uri_view const& u) -> std::optional<std::string>;

/// Converts the payload of the SIP request `m` into an Internet message
/// (see the file comment for what is written).
///
/// Lifetime: the result owns its bytes.
///
/// Errors: `missing_header` (offset 0) without From, Call-ID or CSeq, or
/// without To when `options.to` is empty; `bad_uri` (offset 0) when an
/// identity has no mailbox; `bad_header_value` (offset 0) when
/// `options.to`, a mapped address or `options.message_id_domain` is not
/// a valid addr-spec or domain; the errors of `read_payload`.
///
/// @par Specification RFC 5322 §3.3, §3.6; RFC 2045 §6.8; RFC 2046 §5.1;
/// RFC 2047; RFC 2183; RFC 2231 §4; RFC 3834 §5.
/// @par Complexity Linear in the message size.
SIPSAF_DECL auto to_internet_message(message_view const& m, mail_options const& options = {})
    -> result<internet_message>;

SIPSAF_END_NAMESPACE

#ifdef SIPSAF_HEADER_ONLY
#include <sipsaf/gateway/impl/internet_message.ipp>
#endif

#endif  // SIPSAF_GATEWAY_INTERNET_MESSAGE_HPP
