// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_POLICY_DEFAULT_POLICY_HPP
#define SIPSAF_POLICY_DEFAULT_POLICY_HPP

// The requirements table keeps one row per line, as Markdown needs.
// clang-format off
/// @file
/// `default_policy`: the store-command service's decision order, and the
/// *DispositionPolicy* requirements it meets.
///
/// @par DispositionPolicy
/// In this table `P` is a policy type, `p` a `P const&`, `in` a
/// `decision_input const&`, `q` a `request_facts const&`.
///
/// | Expression | Type | Semantics |
/// |---|---|---|
/// | `p.decide(in)` | `decision` | Decides what to do with `*in.request` for `*in.who`. Deterministic: the same input gives the same decision. No side effects: it stores, sends and logs nothing. Never `verdict::store` when the sender said `do-not-store`, and never `verdict::store` for a typing indicator (the engine turns such an answer into 480 and says so in the trace). For `store` it sets `mode`, `notify` and `expires_at` (after `in.now`); for `forward` it sets `target` to one of the kinds in `in.forward_kinds`; for a discard it sets `code` and `reason`, and for 415 `accept`. The decision's views may point into `in`, into `p`, and into what they point to. |
/// | `p.carries_payload(q)` | `bool` | Optional. Whether the request is the service's business (its headers are then checked, and a payload request without To, From, Call-ID or CSeq is refused). Reads `q.method` and `q.body_size` only. Without it the engine asks `default_policy::carries_payload`. |
/// | `p.decide(in, d)` | | Optional. The same decision as `p.decide(in)`, written into `d`, a `decision` the caller has just default-constructed (the engine's outcome holds it: a decision is a few hundred bytes, not worth building elsewhere and copying). Without it the engine calls `p.decide(in)`. |
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

  SIPSAF_DECL auto decide(decision_input const& in) const -> decision;
  /// The same, written into `d` (default-constructed by the caller).
  SIPSAF_DECL void decide(decision_input const& in, decision& d) const;

  /// MESSAGE always carries a payload (RFC 3428); INVITE and INFO when they
  /// have a body (the patent's extension of the service to those methods).
  static auto carries_payload(request_facts const& q) noexcept -> bool {
    if (detail::is_method(q.method, "MESSAGE")) return true;
    return (detail::is_method(q.method, "INVITE") || detail::is_method(q.method, "INFO")) &&
           q.body_size > 0;
  }

 private:
  static SIPSAF_DECL void discard(decision& d, rule r, int code, std::string_view reason);

  // True when some range names `t` (even with q=0): then `t` itself is
  // judged, not its parts.
  static SIPSAF_DECL auto covered(media_ranges const& accepts, media_type const& t) -> bool;

  // Every part accepted (multipart/alternative: at least one, RFC 2046
  // §5.1.4, since the recipient shows one of them). On refusal the trace
  // names the first refused part (of the first alternative).
  static SIPSAF_DECL auto parts_accepted(media_ranges const& accepts, part_list parts,
                                         bool alternative, trace& t, std::size_t depth) -> bool;

  // A nested multipart counts as one part when a range names it, else its
  // own parts decide.
  static SIPSAF_DECL auto part_accepted(media_ranges const& accepts, part_view part, trace& t,
                                        std::size_t depth) -> bool;

  // Decides in place (a decision is a few hundred bytes: not copied around).
  SIPSAF_DECL void decide_unreached(decision_input const& in, decision& d, bool typing) const;

  // 202 Accepted (RFC 3428: accepted, not necessarily delivered yet).
  // Not for INVITE: a 2xx would start a session that nobody answers
  // (RFC 3261 §13.2.2.4), so a stored or forwarded INVITE payload is
  // answered 480 with a reason phrase that says what happened.
  static SIPSAF_DECL void accepted(decision& d, request_facts const& q,
                                   std::string_view invite_reason);
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

// The optional member: `p.decide(in, d)`.
template <class P, class = void>
struct policy_decides_in_place : std::false_type {};
template <class P>
struct policy_decides_in_place<
    P, std::void_t<decltype(std::declval<P const&>().decide(
           std::declval<decision_input const&>(), std::declval<decision&>()))>> : std::true_type {};

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

#ifdef SIPSAF_HEADER_ONLY
#include <sipsaf/policy/impl/default_policy.ipp>
#endif

#endif  // SIPSAF_POLICY_DEFAULT_POLICY_HPP
