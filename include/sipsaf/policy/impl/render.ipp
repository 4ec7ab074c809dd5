// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_POLICY_IMPL_RENDER_IPP
#define SIPSAF_POLICY_IMPL_RENDER_IPP

#include <sipsaf/ascii.hpp>
#include <sipsaf/policy/render.hpp>

SIPSAF_BEGIN_NAMESPACE

namespace detail {

// A folded value on one line: each fold (`*WSP CRLF 1*WSP`) one SP, which
// RFC 3261 §7.3.1 says it means. Unchanged (a view) when there is none.
inline auto unfolded(std::string_view v, std::string& buf) -> std::string_view {
  if (v.find_first_of("\r\n") == std::string_view::npos) return v;
  buf.clear();
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] != '\r' && v[i] != '\n') {
      buf += v[i];
      continue;
    }
    while (!buf.empty() && (buf.back() == ' ' || buf.back() == '\t')) buf.pop_back();
    buf += ' ';
    while (i + 1 < v.size() &&
           (v[i + 1] == '\r' || v[i + 1] == '\n' || v[i + 1] == ' ' || v[i + 1] == '\t'))
      ++i;
  }
  return buf;
}

}  // namespace detail

SIPSAF_DECL auto make_response(message_view const& request, respond_action const& a,
                               std::string_view to_tag) -> result<std::string> {
  response_builder b(request, a.code, a.reason.empty() ? reason_phrase(a.code) : a.reason);
  if (!to_tag.empty()) b.to_tag(to_tag);
  if (!a.accept.empty()) b.header("Accept", a.accept);
  return b.build();
}

SIPSAF_DECL auto make_proxied_request(message_view const& request, std::string_view target,
                                      std::string_view via) -> result<std::string> {
  request_builder b(request.method(), target);
  if (!via.empty()) b.header("Via", via);
  std::string buf, ct_buf;
  auto const hops = request.max_forwards();
  b.max_forwards(!hops ? 70u : *hops > 0 ? static_cast<unsigned>(*hops - 1) : 0u);
  std::string_view content_type;
  for (auto const& h : request.headers()) {
    switch (h.id) {
      case field::max_forwards:
      case field::content_length:
        break;  // written anew
      case field::content_type:
        content_type = detail::unfolded(h.value, ct_buf);
        break;  // written with the body
      default:
        b.header(h.id == field::unknown ? h.name : field_name(h.id),
                 detail::unfolded(h.value, buf));
    }
  }
  b.body(content_type, request.body());
  return b.build();
}

SIPSAF_DECL auto make_stored_delivery(message_view const& stored, std::string_view target,
                                      stored_delivery_options const& o) -> result<std::string> {
  request_builder b("MESSAGE", target);
  if (!o.via.empty()) b.header("Via", o.via);
  b.max_forwards(70);
  if (!o.route.empty()) b.header("Route", o.route);
  auto const named = [&o](std::string_view name) {
    for (auto n : o.also_keep)
      if (iequals(n, name)) return true;
    return false;
  };
  std::string_view content_type;
  std::string buf, ct_buf;
  bool dated = false;
  for (auto const& h : stored.headers()) {
    if (h.id == field::content_type) {
      content_type = detail::unfolded(h.value, ct_buf);  // written with the body
    } else if (stored_delivery_keeps(h.id) || (h.id == field::unknown && named(h.name))) {
      if (o.payload && (h.id == field::content_disposition || h.id == field::content_encoding))
        continue;  // of the stored body, not the one sent
      b.header(h.id == field::unknown ? h.name : field_name(h.id), detail::unfolded(h.value, buf));
      dated = dated || h.id == field::date;
    }
  }
  if (!dated && o.arrived) b.header("Date", format_sip_date(*o.arrived));
  auto const cseq = stored.cseq();
  b.cseq(cseq ? cseq->number : 1);
  if (o.payload)
    b.body(o.payload->content_type, o.payload->body);
  else
    b.body(content_type, stored.body());
  return b.build();
}

SIPSAF_DECL auto make_stored_delivery(std::string_view stored, std::string_view target,
                                      std::string_view via, std::optional<timestamp> arrived)
    -> result<std::string> {
  auto m = parse_message(stored);
  if (!m) return m.error();
  stored_delivery_options o;
  o.via = via;
  o.arrived = arrived;
  return make_stored_delivery(*m, target, o);
}

SIPSAF_DECL auto make_stored_delivery(deliver_action const& a, std::string_view target,
                                      std::string_view via) -> result<std::string> {
  std::optional<timestamp> arrived;
  if (a.arrived != timestamp{}) arrived = a.arrived;
  return make_stored_delivery(a.bytes, target, via, arrived);
}

SIPSAF_DECL auto make_notification(notify_action const& n, std::string_view via,
                                   std::string_view from_tag, std::string_view call_id,
                                   std::optional<timestamp> date) -> result<std::string> {
  request_builder b(n.method, n.to);
  if (!via.empty()) b.header("Via", via);
  b.max_forwards(70).from(n.about, from_tag).to(n.to).call_id(call_id).cseq(1);
  if (date) b.header("Date", format_sip_date(*date));
  if (!n.event.empty())
    b.header("Event", n.event).header("Subscription-State", notification_subscription_state);
  if (!n.content_disposition.empty()) b.header("Content-Disposition", n.content_disposition);
  b.body(n.content_type, n.body);
  return b.build();
}

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_POLICY_IMPL_RENDER_IPP
