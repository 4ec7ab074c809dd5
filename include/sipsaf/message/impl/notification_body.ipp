// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MESSAGE_IMPL_NOTIFICATION_BODY_IPP
#define SIPSAF_MESSAGE_IMPL_NOTIFICATION_BODY_IPP

#include <sipsaf/message/notification_body.hpp>

SIPSAF_BEGIN_NAMESPACE

SIPSAF_DECL auto to_string(delivery_status s) noexcept -> char const* {
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

SIPSAF_DECL auto imdn_request_id(std::string_view content_type, std::string_view body)
    -> std::string {
  auto ct = parse_media_type(content_type);
  if (!ct || !ct->is("message", "cpim")) return {};
  auto c = parse_cpim(body);
  if (!c || !c->imdn_disposition_notification()) return {};
  return std::string(c->imdn_message_id().value_or(""));
}

namespace detail {

SIPSAF_DECL void append_xml_escaped(std::string& out, std::string_view s) {
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

SIPSAF_DECL auto make_imdn_body(delivery_status status, notification_facts const& f)
    -> std::string {
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

SIPSAF_DECL auto make_cpim_imdn_body(delivery_status status, notification_facts const& f,
                                     std::string_view sender, std::string_view own_id,
                                     timestamp now) -> std::string {
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

SIPSAF_DECL auto make_notify_body(delivery_status status, notification_facts const& f)
    -> std::string {
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

#endif  // SIPSAF_MESSAGE_IMPL_NOTIFICATION_BODY_IPP
