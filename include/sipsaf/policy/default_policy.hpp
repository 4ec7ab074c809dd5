// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_POLICY_DEFAULT_POLICY_HPP
#define SIPSAF_POLICY_DEFAULT_POLICY_HPP

// clang-format off (the requirements tables: one row per line)
/// @file
/// `default_policy`: the store-command service's decision order, and the
/// *DispositionPolicy* requirements it meets.
///
/// @par DispositionPolicy
/// In this table `P` is a policy type, `p` a `P const&`, `in` a
/// `decision_input const&`, `q` a `request_facts const&`.
///
/// | Expression            | Type       | Semantics |
/// |-----------------------|------------|-----------|
/// | `p.decide(in)`        | `decision` | Decides what to do with `*in.request` for `*in.who`.
/// Deterministic: the same input gives the same decision. No side effects: it stores, sends and
/// logs nothing. Never `verdict::store` when the sender said `do-not-store`, and never
/// `verdict::store` for a typing indicator (the engine turns such an answer into 480 and says so in
/// the trace). For `store` it sets `mode`, `notify` and `expires_at` (after `in.now`); for
/// `forward` it sets `target` to one of the kinds in `in.forward_kinds`; for a discard it sets
/// `code` and `reason`, and for 415 `accept`. The decision's views may point into `in`, into `p`,
/// and into what they point to. | | `p.carries_payload(q)` | `bool`    | Optional. Whether the
/// request is the service's business (its headers are then checked, and a payload request without
/// To, From, Call-ID or CSeq is refused). Reads `q.method` and `q.body_size` only. Without it the
/// engine asks `default_policy::carries_payload`. |
///
/// @par Models
/// `default_policy`.
// clang-format on

#include <sipsaf/config.hpp>
#include <sipsaf/mime/media_type.hpp>
#include <sipsaf/mime/multipart.hpp>
#include <sipsaf/policy/decision.hpp>
#include <sipsaf/policy/profile.hpp>
#include <sipsaf/time.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <type_traits>
#include <utility>

SIPSAF_BEGIN_NAMESPACE

/// The decision order of the store-command service (listed below), for a
/// payload-carrying request: MESSAGE (RFC 3428), or INVITE/INFO with a body.
///
/// When the recipient is **reachable**, the request is delivered now, unless
/// earlier messages for the recipient wait for push delivery: then it queues
/// behind them (stored as in rule 5) so that order per recipient holds. A
/// `do-not-store` request and a typing indicator never queue: they go now.
///
/// When the recipient is **not reachable** (or busy), the first rule that
/// applies decides (480 below becomes 486 Busy Here when the recipient is busy):
/// 1. the sender said `do-not-store` → discard, 480; so is a typing indicator
///    (`application/im-iscomposing+xml`, RFC 3994), which is never stored;
/// 2. the payload type is not among the recipient's accepted media ranges
///    → discard, 415 with an Accept list (RFC 3261 §21.4.13);
/// 3. the profile says `store-and-forward = no`, or the subscriber class is
///    not among the operator's store classes → discard, 480;
/// 4. the profile forwards (SIP address, e-mail, MMS, SMS) and a gateway can
///    take that kind now → forward, 202 Accepted. If none can, the message
///    is kept instead (as in rule 5), and the trace says so;
/// 5. the sender asked to store (`store`: pull, `store-and-forward-if-not-
///    reached`: push), or said nothing and the profile stores (push) → store,
///    202 Accepted, after the limits of rule 6; notify the sender after
///    delivery when the sender (`notify`) or the profile (`notify`) asks;
/// 6. limits, checked before storing: the lifetime is already over → 480
///    Message Expired; the request is larger than the operator's
///    `max_message_bytes` or than the whole byte quota → 413 Request Entity
///    Too Large; the recipient holds `quota_messages` already, or this one
///    would take it past `quota_bytes` → 480 Mailbox Full.
///
/// An INVITE is never answered 2xx here (that would start a session nobody
/// answers, RFC 3261 §13.2.2.4): where a MESSAGE gets 202, an INVITE whose
/// payload was stored or forwarded gets 480 "Payload Stored" / "Payload
/// Forwarded".
///
/// A stored message expires at the earlier of arrival + the profile's
/// lifetime and Date + Expires (RFC 3428; arrival + Expires without a usable
/// Date; a malformed Expires reads as 3600 s, RFC 3261 §20.19).
struct default_policy {
  /// The operator's defaults for what a profile leaves unsaid, and the limits.
  operator_defaults defaults;

  auto decide(decision_input const& in) const -> decision {
    decision d;
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
      return d;
    }
    bool const typing =
        q.content_type != nullptr && q.content_type->is("application", "im-iscomposing+xml");
    if (who.reach == reachability::reachable) {
      if (typing || t.sender_store == store_command::do_not_store || in.usage.push_messages == 0) {
        d.what = verdict::deliver;
        t.fired = rule::reachable;
        return d;
      }
      decision& held = d;
      decide_unreached(in, held, typing);
      if (held.what == verdict::store && held.mode == delivery_mode::push) {
        held.trace.fired = rule::queued_behind;
        return d;
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
      return d;
    }
    decide_unreached(in, d, typing);
    return d;
  }

  /// MESSAGE always carries a payload (RFC 3428); INVITE and INFO when they
  /// have a body (the patent's extension of the service to those methods).
  static auto carries_payload(request_facts const& q) noexcept -> bool {
    if (detail::is_method(q.method, "MESSAGE")) return true;
    return (detail::is_method(q.method, "INVITE") || detail::is_method(q.method, "INFO")) &&
           q.body_size > 0;
  }

 private:
  static void discard(decision& d, rule r, int code, std::string_view reason) {
    d.what = verdict::discard;
    d.trace.fired = r;
    d.code = code;
    d.reason = reason;
  }

  // True when some range names `t` (even with q=0): then `t` itself is
  // judged, not its parts.
  static auto covered(media_ranges const& accepts, media_type const& t) -> bool {
    for (media_type const& r : accepts.ranges())
      if (t.matches(r)) return true;
    return false;
  }

  // Every part accepted (multipart/alternative: at least one, RFC 2046
  // §5.1.4, since the recipient shows one of them). On refusal the trace
  // names the first refused part (of the first alternative).
  static auto parts_accepted(media_ranges const& accepts, part_list parts, bool alternative,
                             trace& t, std::size_t depth) -> bool {
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

  // A nested multipart counts as one part when a range names it, else its
  // own parts decide.
  static auto part_accepted(media_ranges const& accepts, part_view part, trace& t,
                            std::size_t depth) -> bool {
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

  // Decides in place (a decision is a few hundred bytes: not copied around).
  void decide_unreached(decision_input const& in, decision& d, bool typing) const {
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
      timestamp const by_header =
          base + std::chrono::duration_cast<std::chrono::milliseconds>(secs);
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

  // 202 Accepted (RFC 3428: accepted, not necessarily delivered yet).
  // Not for INVITE: a 2xx would start a session that nobody answers
  // (RFC 3261 §13.2.2.4), so a stored or forwarded INVITE payload is
  // answered 480 with a reason phrase that says what happened.
  static void accepted(decision& d, request_facts const& q, std::string_view invite_reason) {
    if (detail::is_method(q.method, "INVITE")) {
      d.code = 480;
      d.reason = invite_reason;
    } else {
      d.code = 202;
      d.reason = "Accepted";
    }
  }
};

namespace detail {

template <class P, class = void>
struct policy_has_decide : std::false_type {};
template <class P>
struct policy_has_decide<P, std::void_t<decltype(std::declval<P const&>().decide(
                                std::declval<decision_input const&>()))>>
    : std::is_convertible<decltype(std::declval<P const&>().decide(
                              std::declval<decision_input const&>())),
                          decision> {};

// The optional member: `p.carries_payload(q)`.
template <class P, class = void>
struct policy_has_carries_payload : std::false_type {};
template <class P>
struct policy_has_carries_payload<P, std::void_t<decltype(std::declval<P const&>().carries_payload(
                                         std::declval<request_facts const&>()))>>
    : std::is_convertible<decltype(std::declval<P const&>().carries_payload(
                              std::declval<request_facts const&>())),
                          bool> {};

}  // namespace detail

/// True when `P` meets the *DispositionPolicy* requirements.
template <class P>
struct is_disposition_policy : detail::policy_has_decide<P> {};

namespace detail {
template <class P>
struct disposition_policy_static_asserts {
  static_assert(policy_has_decide<P>::value,
                "DispositionPolicy: missing or invalid member: "
                "decide(decision_input const&) const -> decision");
  static constexpr bool value = true;
};
}  // namespace detail

static_assert(is_disposition_policy<default_policy>::value, "default_policy is a policy");

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_POLICY_DEFAULT_POLICY_HPP
