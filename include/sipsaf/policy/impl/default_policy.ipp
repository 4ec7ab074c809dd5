// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_POLICY_IMPL_DEFAULT_POLICY_IPP
#define SIPSAF_POLICY_IMPL_DEFAULT_POLICY_IPP

#include <sipsaf/policy/default_policy.hpp>

SIPSAF_BEGIN_NAMESPACE

SIPSAF_DECL auto default_policy::decide(decision_input const& in) const -> decision {
  decision d;
  decide(in, d);
  return d;
}

SIPSAF_DECL void default_policy::decide(decision_input const& in, decision& d) const {
  trace& t = d.trace;
  request_facts const& q = *in.request;
  recipient const& who = *in.who;
  request_disposition const& rd = *q.disposition;
  t.method = q.method;
  t.recipient = who.key;
  t.reach = who.reach;
  t.contacts = who.contacts.size();
  t.sender_store = rd.store();
  t.sender_notify = rd.notify();
  t.disposition = q.disposition_text;
  t.content_type = q.content_type_text;
  t.profile = resolve(who.profile, defaults);
  t.usage = in.usage;
  t.size = q.size;
  t.date_malformed = q.date_malformed;
  t.expires_malformed = q.expires_malformed;

  if (!carries_payload(q)) {
    t.fired = rule::not_payload;
    return;
  }
  bool const typing =
      q.content_type != nullptr && q.content_type->is("application", "im-iscomposing+xml");
  if (who.reach == reachability::reachable) {
    if (typing || t.sender_store == store_command::do_not_store || in.usage.push_messages == 0) {
      d.what = verdict::deliver;
      t.fired = rule::reachable;
      return;
    }
    decision& held = d;
    decide_unreached(in, held, typing);
    if (held.what == verdict::store && held.mode == delivery_mode::push) {
      held.trace.fired = rule::queued_behind;
      return;
    }
    // It cannot wait in line (the limits or the profile forbid keeping it):
    // better delivered out of order than refused while the recipient is there.
    held.what = verdict::deliver;
    held.code = 0;
    held.reason = {};
    held.notify = false;
    held.accept = nullptr;
    held.target = nullptr;
    held.trace.fired = rule::reachable;
    held.trace.detail = "earlier messages wait, but this one cannot be kept: delivered now";
    return;
  }
  decide_unreached(in, d, typing);
}

SIPSAF_DECL void default_policy::discard(decision& d, rule r, int code, std::string_view reason) {
  d.what = verdict::discard;
  d.trace.fired = r;
  d.code = code;
  d.reason = reason;
}

SIPSAF_DECL auto default_policy::covered(media_ranges const& accepts, media_type const& t) -> bool {
  for (media_type const& r : accepts.ranges())
    if (t.matches(r)) return true;
  return false;
}

SIPSAF_DECL auto default_policy::parts_accepted(media_ranges const& accepts, part_list parts,
                                                bool alternative, trace& t, std::size_t depth)
    -> bool {
  std::uint16_t n = 0;
  bool named = false;
  std::array<std::uint16_t, 8> path{};
  std::uint8_t path_depth = 0;
  std::string_view type, subtype;
  bool no_alternative = false;
  for (part_view part : parts) {
    t.part_path[depth] = ++n;
    if (part_accepted(accepts, part, t, depth)) {
      if (alternative) return true;
      continue;
    }
    if (!alternative) return false;
    if (!named) {
      named = true;
      path = t.part_path;
      path_depth = t.part_depth;
      type = t.part_type;
      subtype = t.part_subtype;
      no_alternative = t.no_alternative;
    }
  }
  if (!alternative) return true;
  t.part_path = path;
  t.part_depth = path_depth;
  t.part_type = type;
  t.part_subtype = subtype;
  t.no_alternative = named || no_alternative;
  return false;
}

SIPSAF_DECL auto default_policy::part_accepted(media_ranges const& accepts, part_view part,
                                               trace& t, std::size_t depth) -> bool {
  media_type const& ct = part.content_type();
  if (accepts.accepts(ct)) return true;
  if (part.is_multipart() && !covered(accepts, ct) && depth + 1 < t.part_path.size())
    return parts_accepted(accepts, part.parts(), ct.is("multipart", "alternative"), t, depth + 1);
  t.part_depth = static_cast<std::uint8_t>(depth + 1);
  t.part_type = ct.type;
  t.part_subtype = ct.subtype;
  t.no_alternative = false;
  return false;
}

SIPSAF_DECL void default_policy::decide_unreached(decision_input const& in, decision& d,
                                                  bool typing) const {
  trace& t = d.trace;
  request_facts const& q = *in.request;
  effective_profile const& p = t.profile;
  bool const busy = in.who->reach == reachability::busy;
  int const gone_code = busy ? 486 : 480;
  std::string_view const gone_reason = busy ? "Busy Here" : "Temporarily Unavailable";

  // 1. The sender's do-not-store wins over everything.
  if (t.sender_store == store_command::do_not_store)
    return discard(d, rule::do_not_store, gone_code, gone_reason);
  if (typing) return discard(d, rule::typing_indicator, gone_code, gone_reason);

  // 2. A payload type the recipient does not take. A body without a
  //    Content-Type is application/octet-stream (RFC 2045 §5.2 default for
  //    unlabelled data; RFC 3261 §20.15 requires the header anyway).
  if (p.accepts != nullptr && q.body_size > 0) {
    static media_type const octets{"application", "octet-stream", {}};
    media_type const& ct = q.content_type != nullptr ? *q.content_type : octets;
    if (!p.accepts->accepts(ct)) {
      // RFC 2046 §5.1, RFC 5621: the payload types of a multipart not
      // listed itself are its parts' types.
      if (ct.is_multipart() && !covered(*p.accepts, ct)) {
        auto body = parse_multipart(q.body, ct.param("boundary").value_or(""));
        if (!body) {
          t.body_error = body.error();
          return discard(d, rule::bad_request, 400, "Bad Request");
        }
        if (!parts_accepted(*p.accepts, body->parts(), ct.is("multipart", "alternative"), t, 0)) {
          d.accept = p.accepts;
          return discard(d, rule::media_type, 415, "Unsupported Media Type");
        }
      } else {
        d.accept = p.accepts;
        return discard(d, rule::media_type, 415, "Unsupported Media Type");
      }
    }
  }

  // 3. The recipient's profile, or the operator for the recipient's class.
  if (p.store == store_setting::no)
    return discard(d, rule::profile_no_store, gone_code, gone_reason);
  if (!p.class_may_store) return discard(d, rule::class_no_store, gone_code, gone_reason);

  // 4. A redirecting profile, when a gateway can take the target now.
  if (p.store == store_setting::forward && p.forward != nullptr) {
    if ((in.forward_kinds & (1u << static_cast<unsigned>(p.forward->kind))) != 0) {
      d.what = verdict::forward;
      d.target = p.forward;
      accepted(d, q, "Payload Forwarded");
      t.fired = rule::forward;
      return;
    }
    t.forward_unavailable = true;
  }

  // 5. Who asked to store, and how it will reach the recipient.
  switch (t.sender_store) {
    case store_command::store:
      d.mode = delivery_mode::pull;
      t.fired = rule::store_sender;
      break;
    case store_command::store_and_forward_if_not_reached:
      d.mode = delivery_mode::push;
      t.fired = rule::store_sender;
      break;
    case store_command::none:
    case store_command::do_not_store:
      if (p.store == store_setting::yes || p.store == store_setting::notify ||
          p.store == store_setting::forward) {
        d.mode = delivery_mode::push;
        t.fired = rule::store_profile;
      } else {
        return discard(d, rule::no_store_requested, gone_code, gone_reason);
      }
      break;
  }
  d.notify = t.sender_notify || p.store == store_setting::notify;

  // 6. Lifetime, size and quota.
  timestamp const by_profile =
      in.now + std::chrono::duration_cast<std::chrono::milliseconds>(p.max_lifetime);
  d.expires_at = by_profile;
  t.lifetime = lifetime_source::profile_lifetime;
  if (q.expires || q.expires_malformed) {
    std::chrono::seconds const secs = q.expires ? *q.expires : std::chrono::seconds(3600);
    t.expires_header = secs;
    timestamp const base = q.date ? *q.date : in.now;
    timestamp const by_header = base + std::chrono::duration_cast<std::chrono::milliseconds>(secs);
    if (by_header < by_profile) {
      d.expires_at = by_header;
      t.lifetime = q.date ? lifetime_source::date_expires : lifetime_source::arrival_expires;
    }
  }
  t.expires_at = d.expires_at;
  if (d.expires_at <= in.now) {
    d.notify = false;
    return discard(d, rule::expired, 480, "Message Expired");
  }
  if (q.size > p.max_message_bytes || q.size > p.quota_bytes) {
    d.notify = false;
    return discard(d, rule::too_large, 413, "Request Entity Too Large");
  }
  if (in.usage.messages >= p.quota_messages) {
    d.notify = false;
    return discard(d, rule::quota_messages, 480, "Mailbox Full");
  }
  if (in.usage.bytes + q.size > p.quota_bytes) {
    d.notify = false;
    return discard(d, rule::quota_bytes, 480, "Mailbox Full");
  }
  d.what = verdict::store;
  accepted(d, q, "Payload Stored");
}

SIPSAF_DECL void default_policy::accepted(decision& d, request_facts const& q,
                                          std::string_view invite_reason) {
  if (detail::is_method(q.method, "INVITE")) {
    d.code = 480;
    d.reason = invite_reason;
  } else {
    d.code = 202;
    d.reason = "Accepted";
  }
}

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_POLICY_IMPL_DEFAULT_POLICY_IPP
