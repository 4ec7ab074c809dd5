// The engine's actions written with sipsaf's own builders, for requests
// held as sipsaf's own message_view: the reference the sofia-sip and osip2
// adapters are compared with.
//
// The engine reads a message_view through the library's own model of
// *Request* (<sipsaf/policy/message_view_request.hpp>): every value a view
// into the message, the Request-Disposition rows handed over one by one.
// What is left for a stack to do is to turn the engine's actions into
// messages; with sipsaf as the stack, that is the message builders.
#ifndef SIPSAF_EXAMPLES_EMBED_MESSAGE_VIEW_ADAPTER_HPP
#define SIPSAF_EXAMPLES_EMBED_MESSAGE_VIEW_ADAPTER_HPP

#include <sipsaf/message/builder.hpp>
#include <sipsaf/message/message_view.hpp>
#include <sipsaf/policy/action.hpp>
#include <sipsaf/policy/message_view_request.hpp>

#include <string>
#include <string_view>

namespace sipsaf_view {

inline auto header_or_empty(sipsaf::message_view const& m, sipsaf::field f) -> std::string_view {
  auto const* h = m.find(f);
  return h != nullptr ? h->value : std::string_view();
}

}  // namespace sipsaf_view

namespace sipsaf_view {

/// The response to `request` that a `respond_action` asks for (RFC 3261
/// §8.2.6), with an Accept header for 415 (RFC 3261 §21.4.13).
inline auto make_response(sipsaf::message_view const& request, int code, std::string_view reason,
                          std::string_view accept, std::string_view to_tag)
    -> sipsaf::result<std::string> {
  sipsaf::response_builder b(request, code, reason);
  b.to_tag(to_tag);
  if (!accept.empty()) b.header("Accept", accept);
  return b.build();
}

/// A live delivery: `request` proxied to `target` (RFC 3261 §16.6): the
/// Request-URI replaced, our Via on top, Max-Forwards one less, every
/// other header field and the body as they were.
inline auto make_proxied(sipsaf::message_view const& request, std::string_view target,
                         std::string_view via_host, std::string_view branch)
    -> sipsaf::result<std::string> {
  using sipsaf::field;
  sipsaf::request_builder b(request.method(), target);
  b.via("UDP", via_host, branch);
  for (auto const& h : request.headers()) {
    switch (h.id) {
      case field::max_forwards: {
        auto mf = request.max_forwards();
        b.max_forwards(mf && *mf > 0 ? *mf - 1 : 69);
        break;
      }
      case field::content_type:
      case field::content_length:
        break;  // written by body()
      default:
        b.header(h.name, h.value);
    }
  }
  b.body(header_or_empty(request, field::content_type), request.body());
  return b.build();
}

/// A stored request delivered as a new MESSAGE to `target`: From, To,
/// Call-ID and the CSeq number kept (the recipient suppresses duplicates by
/// them), Date and Request-Disposition kept, the body with its Content-Type
/// (parameters included) kept.
inline auto make_delivery(std::string_view stored, std::string_view target,
                          std::string_view via_host, std::string_view branch)
    -> sipsaf::result<std::string> {
  using sipsaf::field;
  auto m = sipsaf::parse_message(stored);
  if (!m) return m.error();
  sipsaf::request_builder b("MESSAGE", target);
  b.via("UDP", via_host, branch).max_forwards(70);
  if (auto const* h = m->find(field::from)) b.header("From", h->value);
  if (auto const* h = m->find(field::to)) b.header("To", h->value);
  if (auto const* h = m->find(field::call_id)) b.header("Call-ID", h->value);
  auto cseq = m->cseq();
  b.cseq(cseq ? cseq->number : 1);
  if (auto const* h = m->find(field::date)) b.header("Date", h->value);
  for (auto const& h : m->headers())
    if (h.id == field::request_disposition && !h.value.empty())
      b.header("Request-Disposition", h.value);
  b.body(header_or_empty(*m, field::content_type), m->body());
  return b.build();
}

/// The notification a `notify_action` asks for: an IMDN (a MESSAGE with
/// message/imdn+xml and Content-Disposition: notification, RFC 5438 §7.1.1)
/// or the opt-in NOTIFY, from the recipient to the original sender.
inline auto make_notification(sipsaf::notify_action const& n, std::string_view via_host,
                              std::string_view branch, std::string_view from_tag,
                              std::string_view call_id) -> sipsaf::result<std::string> {
  sipsaf::request_builder b(n.method, n.to);
  b.via("UDP", via_host, branch)
      .max_forwards(70)
      .from(n.about, from_tag)
      .to(n.to)
      .call_id(call_id)
      .cseq(1);
  if (!n.event.empty()) b.header("Event", n.event).header("Subscription-State", "terminated");
  if (!n.content_disposition.empty()) b.header("Content-Disposition", n.content_disposition);
  b.body(n.content_type, n.body);
  return b.build();
}

}  // namespace sipsaf_view

#endif  // SIPSAF_EXAMPLES_EMBED_MESSAGE_VIEW_ADAPTER_HPP
