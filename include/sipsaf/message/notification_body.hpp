// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MESSAGE_NOTIFICATION_BODY_HPP
#define SIPSAF_MESSAGE_NOTIFICATION_BODY_HPP

/// @file
/// The bodies of the requests that tell a sender what became of its
/// message: an IMDN document (RFC 5438 §7.2.1, `message/imdn+xml`) and the
/// short `text/plain` of the opt-in NOTIFY. A sender that wrote its message
/// in CPIM with `imdn.Message-ID` and `imdn.Disposition-Notification` gets
/// the IMDN in CPIM about that id (`make_cpim_imdn_body`, RFC 5438 §7.1).

#include <sipsaf/config.hpp>
#include <sipsaf/mime/cpim.hpp>
#include <sipsaf/mime/media_type.hpp>
#include <sipsaf/time.hpp>

#include <cstdint>
#include <string>
#include <string_view>

SIPSAF_BEGIN_NAMESPACE

/// What happened to the message.
enum class delivery_status : std::uint8_t {
  stored,     ///< kept for the recipient
  delivered,  ///< the recipient answered 2xx
  failed,     ///< the recipient refused it
  expired,    ///< its lifetime ended before it could be delivered
  processed,  ///< a gateway (e-mail, SMS, MMS) took it on (RFC 5438 §7.2.1.3)
};

SIPSAF_DECL auto to_string(delivery_status s) noexcept -> char const*;

/// The facts a notification reports.
struct notification_facts {
  std::string_view call_id;             ///< the original request's Call-ID (IMDN message-id)
  std::uint32_t cseq = 0;               ///< its CSeq number
  std::string_view recipient;           ///< who it was for (the recipient's key)
  std::string_view original_recipient;  ///< the To URI as the sender wrote it
  timestamp sent{};                     ///< when it arrived (IMDN datetime)
  /// What a delivery cut down to the recipient's Accept list delivered and
  /// left out (`adapted_payload::summary`); empty when nothing was cut.
  std::string_view adapted;
};

/// The `imdn.Message-ID` of a payload written in CPIM that asks for
/// notifications (RFC 5438 §6: both `imdn.Message-ID` and
/// `imdn.Disposition-Notification`), or empty.
SIPSAF_DECL auto imdn_request_id(std::string_view content_type, std::string_view body)
    -> std::string;

namespace detail {

// XML 1.0 §2.4: `<` and `&` must be escaped in character data; `>` too, to
// be safe in any context, and the quotes for attribute values.
SIPSAF_DECL void append_xml_escaped(std::string& out, std::string_view s);

}  // namespace detail

/// The IMDN document (RFC 5438 §7.2.1) for `status`.
///
/// *stored* and *processed* are a `processing-notification` with
/// `<stored/>` or `<processed/>` (RFC 5438 §7.2.1.3); *delivered* a `delivery-notification` with
/// `<delivered/>`; *failed* and *expired* a `delivery-notification` with `<failed/>` (§7.2.1.1).
/// Elements in the schema's order: message-id, datetime, recipient-uri, original-recipient-uri,
/// then the notification.
SIPSAF_DECL auto make_imdn_body(delivery_status status, notification_facts const& f) -> std::string;

/// The IMDN of `make_imdn_body` in `message/cpim` (RFC 5438 §7.1.1), for a
/// sender that asked in CPIM: From the recipient, To the original sender,
/// the IMDN's own `imdn.Message-ID` (`own_id`, unique), its DateTime, then
/// the encapsulated `message/imdn+xml` with `Content-Disposition:
/// notification`. `f.call_id` is the original message's imdn.Message-ID.
SIPSAF_DECL auto make_cpim_imdn_body(delivery_status status, notification_facts const& f,
                                     std::string_view sender, std::string_view own_id,
                                     timestamp now) -> std::string;

/// The text of the opt-in NOTIFY: its first line says what happened
/// ("message has been delivered" is the patent's wording), the next lines
/// name the message.
SIPSAF_DECL auto make_notify_body(delivery_status status, notification_facts const& f)
    -> std::string;

SIPSAF_END_NAMESPACE

#ifdef SIPSAF_HEADER_ONLY
#include <sipsaf/message/impl/notification_body.ipp>
#endif

#endif  // SIPSAF_MESSAGE_NOTIFICATION_BODY_HPP
