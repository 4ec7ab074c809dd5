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

inline auto to_string(delivery_status s) noexcept -> char const* {
  switch (s) {
    case delivery_status::stored:
      return "stored";
    case delivery_status::delivered:
      return "delivered";
    case delivery_status::failed:
      return "failed";
    case delivery_status::expired:
      return "expired";
    case delivery_status::processed:
      return "processed";
  }
  return "?";
}

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
inline auto imdn_request_id(std::string_view content_type, std::string_view body) -> std::string {
  auto ct = parse_media_type(content_type);
  if (!ct || !ct->is("message", "cpim")) return {};
  auto c = parse_cpim(body);
  if (!c || !c->imdn_disposition_notification()) return {};
  return std::string(c->imdn_message_id().value_or(""));
}

namespace detail {

// XML 1.0 §2.4: `<` and `&` must be escaped in character data; `>` too, to
// be safe in any context, and the quotes for attribute values.
inline void append_xml_escaped(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
}

}  // namespace detail

/// The IMDN document (RFC 5438 §7.2.1) for `status`.
///
/// *stored* and *processed* are a `processing-notification` with
/// `<stored/>` or `<processed/>` (RFC 5438 §7.2.1.3); *delivered* a `delivery-notification` with
/// `<delivered/>`; *failed* and *expired* a `delivery-notification` with `<failed/>` (§7.2.1.1).
/// Elements in the schema's order: message-id, datetime, recipient-uri, original-recipient-uri,
/// then the notification.
inline auto make_imdn_body(delivery_status status, notification_facts const& f) -> std::string {
  std::string s;
  s.reserve(400);
  s += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n";
  s += "<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\">\r\n";
  s += "  <message-id>";
  detail::append_xml_escaped(s, f.call_id);
  s += "</message-id>\r\n  <datetime>";
  s += format_rfc3339(f.sent);
  s += "</datetime>\r\n";
  if (!f.recipient.empty()) {
    s += "  <recipient-uri>";
    detail::append_xml_escaped(s, f.recipient);
    s += "</recipient-uri>\r\n";
  }
  if (!f.original_recipient.empty()) {
    s += "  <original-recipient-uri>";
    detail::append_xml_escaped(s, f.original_recipient);
    s += "</original-recipient-uri>\r\n";
  }
  switch (status) {
    case delivery_status::stored:
      s += "  <processing-notification>\r\n    <status>\r\n      <stored/>\r\n";
      s += "    </status>\r\n  </processing-notification>\r\n";
      break;
    case delivery_status::processed:
      s += "  <processing-notification>\r\n    <status>\r\n      <processed/>\r\n";
      s += "    </status>\r\n  </processing-notification>\r\n";
      break;
    case delivery_status::delivered:
      s += "  <delivery-notification>\r\n    <status>\r\n      <delivered/>\r\n";
      s += "    </status>\r\n  </delivery-notification>\r\n";
      break;
    case delivery_status::failed:
    case delivery_status::expired:
      s += "  <delivery-notification>\r\n    <status>\r\n      <failed/>\r\n";
      s += "    </status>\r\n  </delivery-notification>\r\n";
      break;
  }
  if (!f.adapted.empty()) {
    // An extension element in a namespace of its own (the schema of RFC 5438
    // §10 allows them after the notification): readers that do not know it
    // skip it.
    s += "  <adaptation xmlns=\"urn:x-sipsaf:adaptation\">";
    detail::append_xml_escaped(s, f.adapted);
    s += "</adaptation>\r\n";
  }
  s += "</imdn>\r\n";
  return s;
}

/// The IMDN of `make_imdn_body` in `message/cpim` (RFC 5438 §7.1.1), for a
/// sender that asked in CPIM: From the recipient, To the original sender,
/// the IMDN's own `imdn.Message-ID` (`own_id`, unique), its DateTime, then
/// the encapsulated `message/imdn+xml` with `Content-Disposition:
/// notification`. `f.call_id` is the original message's imdn.Message-ID.
inline auto make_cpim_imdn_body(delivery_status status, notification_facts const& f,
                                std::string_view sender, std::string_view own_id, timestamp now)
    -> std::string {
  std::string const doc = make_imdn_body(status, f);
  auto one_line = [](std::string& out, std::string_view v) {
    for (char c : v)
      if (c != '\r' && c != '\n') out += c;
  };
  std::string s;
  s.reserve(doc.size() + 300);
  s += "From: <";
  one_line(s, f.recipient);
  s += ">\r\nTo: <";
  one_line(s, sender);
  s += ">\r\nNS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: ";
  one_line(s, own_id);
  s += "\r\nDateTime: ";
  s += format_rfc3339(now);
  s += "\r\n\r\nContent-Type: message/imdn+xml\r\nContent-Disposition: notification\r\n";
  s += "Content-Length: " + std::to_string(doc.size()) + "\r\n\r\n";
  s += doc;
  return s;
}

/// The text of the opt-in NOTIFY: its first line says what happened
/// ("message has been delivered" is the patent's wording), the next lines
/// name the message.
inline auto make_notify_body(delivery_status status, notification_facts const& f) -> std::string {
  std::string s;
  switch (status) {
    case delivery_status::stored:
      s += "message has been stored";
      break;
    case delivery_status::delivered:
      s += "message has been delivered";
      break;
    case delivery_status::failed:
      s += "message has not been delivered: refused";
      break;
    case delivery_status::expired:
      s += "message has not been delivered: expired";
      break;
    case delivery_status::processed:
      s += "message has been handed to a gateway";
      break;
  }
  s += "\r\nCall-ID: ";
  s.append(f.call_id.data(), f.call_id.size());
  s += "\r\nCSeq: ";
  s += std::to_string(f.cseq);
  s += "\r\nTo: ";
  s.append(f.original_recipient.data(), f.original_recipient.size());
  s += "\r\nDate: ";
  s += format_sip_date(f.sent);
  s += "\r\n";
  if (!f.adapted.empty()) {
    s += "Adaptation: ";
    for (char c : f.adapted)
      if (c != '\r' && c != '\n') s += c;
    s += "\r\n";
  }
  return s;
}

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_MESSAGE_NOTIFICATION_BODY_HPP
