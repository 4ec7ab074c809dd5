// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_POLICY_DECISION_HPP
#define SIPSAF_POLICY_DECISION_HPP

/// @file
/// What a policy decides about one request, and why: the inputs it sees
/// (`decision_input`), the result (`decision`) and the trace that explains
/// the result in words a log can show (`to_string(decision)`).
///
/// Everything here is a view: the strings and pointers in a `decision_input`
/// and in a `decision` point into the request, the recipient and the
/// profile they were made from. Ownership is not transferred; use
/// `to_string` to keep the explanation.

#include <sipsaf/config.hpp>
#include <sipsaf/mime/media_type.hpp>
#include <sipsaf/policy/profile.hpp>
#include <sipsaf/result.hpp>
#include <sipsaf/rfc3841/request_disposition.hpp>
#include <sipsaf/store/message.hpp>
#include <sipsaf/time.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

SIPSAF_BEGIN_NAMESPACE

/// What the directory knows of whether a recipient can take a request now.
enum class reachability : std::uint8_t {
  unreachable,  ///< no live contact (not registered, or every contact failed)
  reachable,    ///< at least one contact to try
  busy,         ///< registered, but answered busy (486/600) or is marked busy
};

inline auto to_string(reachability r) noexcept -> char const* {
  switch (r) {
    case reachability::unreachable:
      return "unreachable";
    case reachability::reachable:
      return "reachable";
    case reachability::busy:
      return "busy";
  }
  return "?";
}

/// A recipient as the directory sees it now.
struct recipient {
  /// The key the store files messages under: the address-of-record,
  /// e.g. `sip:bob@example.com`.
  std::string key;
  reachability reach = reachability::unreachable;
  std::vector<std::string> contacts;  ///< where to deliver, best first
  recipient_profile profile;          ///< what the recipient's profile says
};

/// What the engine read from a request, for the policy.
struct request_facts {
  std::string_view method;
  std::string_view from_uri;
  std::string_view to_uri;
  std::string_view content_type_text;                ///< empty when absent
  media_type const* content_type = nullptr;          ///< parsed; null when absent
  request_disposition const* disposition = nullptr;  ///< parsed; never null
  std::string_view disposition_text;                 ///< the first row as written, for the trace
  std::uint64_t size = 0;                            ///< the whole request, in bytes
  std::uint64_t body_size = 0;
  std::string_view body;  ///< the body as received (a multipart one is checked part by part)
  std::optional<timestamp> date;                ///< a valid Date header
  bool date_malformed = false;                  ///< a Date header that did not parse
  std::optional<std::chrono::seconds> expires;  ///< a valid Expires header
  bool expires_malformed = false;               ///< read as 3600 s (RFC 3261 §20.19)
};

/// Everything a policy looks at to decide.
struct decision_input {
  request_facts const* request = nullptr;
  recipient const* who = nullptr;
  store_usage usage;  ///< what the recipient has stored now
  timestamp now{};
  std::uint8_t forward_kinds = 0;  ///< bit `1 << forward_kind`: a gateway can take that kind now
};

/// The outcome class of a decision.
enum class verdict : std::uint8_t {
  not_handled,  ///< not a payload-carrying request: proxy it as usual
  deliver,      ///< deliver it now to the recipient's contacts
  store,        ///< keep it for the recipient (push or pull)
  forward,      ///< hand it to another target (SIP address or gateway)
  discard,      ///< refuse it; `code` says why
  duplicate,    ///< already handled (stored, delivered, or being delivered)
};

inline auto to_string(verdict v) noexcept -> char const* {
  switch (v) {
    case verdict::not_handled:
      return "not handled";
    case verdict::deliver:
      return "deliver";
    case verdict::store:
      return "store";
    case verdict::forward:
      return "forward";
    case verdict::discard:
      return "discard";
    case verdict::duplicate:
      return "duplicate";
  }
  return "?";
}

/// Which rule fired. The numbered ones are `default_policy`'s decision order for
/// a recipient that is not reachable; the others frame it.
enum class rule : std::uint8_t {
  not_payload,            ///< no payload: not the service's business
  bad_request,            ///< a header the service needs is missing or does not parse (400)
  unknown_recipient,      ///< the directory does not know the recipient (404)
  duplicate_stored,       ///< same (Call-ID, CSeq, From-tag) is stored already
  duplicate_delivered,    ///< same key was delivered a moment ago
  duplicate_in_progress,  ///< same key is being delivered now
  reachable,              ///< the recipient is reachable: deliver now
  queued_behind,          ///< reachable, but earlier messages wait: keep the order
  do_not_store,           ///< 1: the sender said do-not-store
  typing_indicator,       ///< 1: an RFC 3994 typing indicator is never stored
  media_type,             ///< 2: the recipient does not accept the payload type
  profile_no_store,       ///< 3: the profile says no storing
  class_no_store,         ///< 3: the subscriber class has no storing
  forward,                ///< 4: the profile redirects
  store_sender,           ///< 5: the sender asked to store
  store_profile,          ///< 5: the sender said nothing, the profile stores
  no_store_requested,     ///< 5: nobody asked to store
  expired,                ///< 6: the message's lifetime is over already
  too_large,              ///< 6: larger than one message may be
  quota_messages,         ///< 6: the recipient's message quota is full
  quota_bytes,            ///< 6: the recipient's byte quota would be exceeded
};

/// A short name for logs, e.g. "rule 2 (media type)".
inline auto to_string(rule r) noexcept -> char const* {
  switch (r) {
    case rule::not_payload:
      return "not a payload";
    case rule::bad_request:
      return "bad request";
    case rule::unknown_recipient:
      return "unknown recipient";
    case rule::duplicate_stored:
      return "duplicate (stored)";
    case rule::duplicate_delivered:
      return "duplicate (delivered)";
    case rule::duplicate_in_progress:
      return "duplicate (in progress)";
    case rule::reachable:
      return "reachable";
    case rule::queued_behind:
      return "order";
    case rule::do_not_store:
      return "rule 1 (do-not-store)";
    case rule::typing_indicator:
      return "rule 1 (typing indicator)";
    case rule::media_type:
      return "rule 2 (media type)";
    case rule::profile_no_store:
      return "rule 3 (profile)";
    case rule::class_no_store:
      return "rule 3 (subscriber class)";
    case rule::forward:
      return "rule 4 (forward)";
    case rule::store_sender:
      return "rule 5 (sender asked to store)";
    case rule::store_profile:
      return "rule 5 (profile stores)";
    case rule::no_store_requested:
      return "rule 5 (nobody asked to store)";
    case rule::expired:
      return "rule 6 (expired)";
    case rule::too_large:
      return "rule 6 (size limit)";
    case rule::quota_messages:
      return "rule 6 (message quota)";
    case rule::quota_bytes:
      return "rule 6 (byte quota)";
  }
  return "?";
}

/// How a stored message's expiry time was computed.
enum class lifetime_source : std::uint8_t {
  none,              ///< not stored
  profile_lifetime,  ///< arrival + the profile's (or operator's) lifetime
  date_expires,      ///< Date + Expires (RFC 3428)
  arrival_expires,   ///< arrival + Expires (no usable Date)
};

/// The values a rule looked at. Filled as far as the policy got; views
/// into the decision's inputs.
struct trace {
  rule fired = rule::not_payload;
  std::string_view method;
  std::string_view recipient;  ///< the recipient's key
  reachability reach = reachability::unreachable;
  std::size_t contacts = 0;
  store_command sender_store = store_command::none;
  bool sender_notify = false;
  std::string_view disposition;      ///< the Request-Disposition as written
  std::string_view content_type;     ///< the Content-Type as written
  effective_profile profile;         ///< the resolved profile
  bool forward_unavailable = false;  ///< the profile forwards, but no gateway can take it now
  store_usage usage;
  std::uint64_t size = 0;
  timestamp expires_at{};
  lifetime_source lifetime = lifetime_source::none;
  std::chrono::seconds expires_header{0};
  bool date_malformed = false;
  bool expires_malformed = false;
  /// Rule 2 for a multipart payload: the refused body part, as its position
  /// at each level (1-based; `part_depth` levels used), and its type.
  std::array<std::uint16_t, 8> part_path{};
  std::uint8_t part_depth = 0;
  std::string_view part_type, part_subtype;
  bool no_alternative = false;  ///< the refused part was the first of a multipart/alternative
  /// A multipart payload that does not parse (400); offset into the body.
  std::optional<parse_error> body_error;
  std::string_view detail;  ///< extra words (e.g. the parse error of a bad header)
  std::size_t detail_offset = 0;
};

/// A policy's answer for one request.
struct decision {
  verdict what = verdict::not_handled;
  /// The final response to send to the sender now (202, 480, 415, ...); 0
  /// when the answer comes later (`deliver`: the recipient's own response)
  /// or not at all.
  int code = 0;
  std::string_view reason;                   ///< the reason phrase for `code`
  delivery_mode mode = delivery_mode::push;  ///< for `store`
  bool notify = false;     ///< tell the sender after delivery (sender's `notify` or the profile's)
  timestamp expires_at{};  ///< for `store`: when it is removed undelivered
  forward_target const* target = nullptr;  ///< for `forward`
  media_ranges const* accept = nullptr;    ///< for 415: what the recipient accepts
  struct trace trace;

  /// The Accept header value for a 415 (RFC 3261 §21.4.13); empty otherwise.
  auto accept_header() const -> std::string_view {
    return accept != nullptr ? std::string_view(accept->text()) : std::string_view();
  }
};

namespace detail {

/// `m == lit` with the length known at compile time, so the compare is
/// inlined (methods are case-sensitive, RFC 3261 §7.1).
template <std::size_t N>
constexpr auto is_method(std::string_view m, char const (&lit)[N]) noexcept -> bool {
  if (m.size() != N - 1) return false;
  for (std::size_t i = 0; i + 1 < N; ++i)
    if (m[i] != lit[i]) return false;
  return true;
}

inline void append_uint(std::string& s, std::uint64_t v) {
  s += std::to_string(v);
}

inline auto quoted(std::string_view v) -> std::string {
  std::string s;
  s.reserve(v.size() + 2);
  s += '\'';
  s.append(v.data(), v.size());
  s += '\'';
  return s;
}

inline auto sender_store_words(store_command c) -> char const* {
  switch (c) {
    case store_command::none:
      return "said nothing about storing";
    case store_command::do_not_store:
      return "said do-not-store";
    case store_command::store:
      return "asked to store, for pull";
    case store_command::store_and_forward_if_not_reached:
      return "asked store-and-forward-if-not-reached, for push";
  }
  return "?";
}

}  // namespace detail

/// One line that explains the decision: which rule fired, the values it
/// looked at, and the result. For example:
///
///     rule 2 (media type): sip:bob@example.com is unreachable; payload
///     image/png is not among the accepted types 'text/plain, image/jpeg'
///     (profile) -> discard, 415 Unsupported Media Type
inline auto to_string(decision const& d) -> std::string {
  trace const& t = d.trace;
  std::string s = to_string(t.fired);
  s += ": ";
  auto who = [&] {
    s.append(t.recipient.data(), t.recipient.size());
    s += " is ";
    s += to_string(t.reach);
    if (t.reach != reachability::unreachable || t.contacts != 0) {
      s += " (";
      detail::append_uint(s, t.contacts);
      s += t.contacts == 1 ? " contact)" : " contacts)";
    }
  };
  auto sender = [&] {
    s += "the sender ";
    s += detail::sender_store_words(t.sender_store);
    if (t.sender_notify) s += " and asked to be notified";
    if (!t.disposition.empty()) {
      s += " (Request-Disposition: ";
      s.append(t.disposition.data(), t.disposition.size());
      s += ')';
    }
  };
  auto setting = [&] {
    s += "store-and-forward = ";
    if (t.profile.forward != nullptr)
      s += to_string(*t.profile.forward);
    else
      s += to_string(t.profile.store);
    s += " (";
    s += to_string(t.profile.store_from);
    s += ')';
  };
  auto quota = [&] {
    detail::append_uint(s, t.usage.messages);
    s += " of ";
    detail::append_uint(s, t.profile.quota_messages);
    s += " messages and ";
    detail::append_uint(s, t.usage.bytes);
    s += " of ";
    detail::append_uint(s, t.profile.quota_bytes);
    s += " bytes used";
  };
  switch (t.fired) {
    case rule::not_payload:
      s += t.method.empty() ? std::string("request") : std::string(t.method);
      s += " without a body carries no payload";
      break;
    case rule::bad_request:
      if (t.body_error) {
        s += "the multipart body does not parse: ";
        s += t.body_error->message();
      } else {
        s += t.detail;
      }
      break;
    case rule::unknown_recipient:
      s += "the directory does not know ";
      s += t.recipient;
      break;
    case rule::duplicate_stored:
      s += "a request with this Call-ID, CSeq and From tag is stored already";
      break;
    case rule::duplicate_delivered:
      s += "a request with this Call-ID, CSeq and From tag was delivered already";
      break;
    case rule::duplicate_in_progress:
      s += "a request with this Call-ID, CSeq and From tag is being delivered";
      break;
    case rule::reachable:
      who();
      if (!t.detail.empty()) {
        s += "; ";
        s += t.detail;
      }
      break;
    case rule::queued_behind:
      who();
      s += ", but ";
      detail::append_uint(s, t.usage.push_messages);
      s += t.usage.push_messages == 1 ? " earlier message waits" : " earlier messages wait";
      s += "; this one queues behind to keep the order; ";
      sender();
      break;
    case rule::do_not_store:
      who();
      s += "; ";
      sender();
      break;
    case rule::typing_indicator:
      who();
      s += "; typing indicators (application/im-iscomposing+xml, RFC 3994) are never stored";
      break;
    case rule::media_type:
      who();
      s += "; payload ";
      s += t.content_type.empty() ? std::string("of no declared type")
                                  : detail::quoted(t.content_type);
      if (t.part_depth > 0) {
        // RFC 2046 §5.1: the payload types of a multipart are its parts'.
        s += t.no_alternative ? ": no alternative is accepted, part " : ": part ";
        for (std::uint8_t i = 0; i < t.part_depth; ++i) {
          if (i > 0) s += '.';
          detail::append_uint(s, t.part_path[i]);
        }
        s += " '";
        s.append(t.part_type.data(), t.part_type.size());
        s += '/';
        s.append(t.part_subtype.data(), t.part_subtype.size());
        s += '\'';
      }
      s += " is not among the accepted types ";
      s += t.profile.accepts != nullptr ? detail::quoted(t.profile.accepts->text())
                                        : std::string("(everything)");
      s += " (";
      s += to_string(t.profile.accepts_from);
      s += ')';
      break;
    case rule::profile_no_store:
      who();
      s += "; the profile says ";
      setting();
      break;
    case rule::class_no_store:
      who();
      s += "; subscriber class ";
      s += t.profile.subscriber_class.empty() ? std::string("(none)")
                                              : detail::quoted(t.profile.subscriber_class);
      s += " is not offered storing";
      break;
    case rule::forward:
      who();
      s += "; the profile says ";
      setting();
      break;
    case rule::store_sender:
    case rule::store_profile:
    case rule::no_store_requested:
    case rule::expired:
    case rule::too_large:
    case rule::quota_messages:
    case rule::quota_bytes:
      who();
      s += "; ";
      sender();
      s += "; ";
      setting();
      if (t.forward_unavailable) s += ", but no gateway can take that target now, so it is kept";
      if (t.fired == rule::too_large) {
        s += "; the request has ";
        detail::append_uint(s, t.size);
        s += " bytes, the limit is ";
        detail::append_uint(s, t.profile.max_message_bytes < t.profile.quota_bytes
                                   ? t.profile.max_message_bytes
                                   : t.profile.quota_bytes);
      } else if (t.fired != rule::no_store_requested) {
        s += "; ";
        quota();
        if (t.fired == rule::quota_bytes) {
          s += ", this one has ";
          detail::append_uint(s, t.size);
        }
      }
      if (t.lifetime != lifetime_source::none) {
        s += t.fired == rule::expired ? "; it expired at " : "; kept until ";
        s += format_rfc3339(t.expires_at);
        switch (t.lifetime) {
          case lifetime_source::profile_lifetime:
            s += " (lifetime ";
            detail::append_uint(s, static_cast<std::uint64_t>(t.profile.max_lifetime.count()));
            s += " s, ";
            s += to_string(t.profile.lifetime_from);
            s += ')';
            break;
          case lifetime_source::date_expires:
            s += " (Date + Expires ";
            detail::append_uint(s, static_cast<std::uint64_t>(t.expires_header.count()));
            s += " s)";
            break;
          case lifetime_source::arrival_expires:
            s += " (arrival + Expires ";
            detail::append_uint(s, static_cast<std::uint64_t>(t.expires_header.count()));
            s += " s)";
            break;
          case lifetime_source::none:
            break;
        }
      }
      if (t.date_malformed) s += "; the Date header did not parse and was ignored";
      if (t.expires_malformed)
        s += "; the Expires header did not parse and was read as 3600 s (RFC 3261 20.19)";
      break;
  }
  if (!t.detail.empty() && t.fired != rule::bad_request && t.fired != rule::reachable) {
    s += "; ";
    s.append(t.detail.data(), t.detail.size());
  }
  s += " -> ";
  s += to_string(d.what);
  if (d.what == verdict::store) {
    s += ' ';
    s += to_string(d.mode);
  }
  if (d.what == verdict::forward && d.target != nullptr) {
    switch (d.target->kind) {
      case forward_kind::sip:
        s += " to ";
        break;
      case forward_kind::email:
        s += " by e-mail to ";
        break;
      case forward_kind::mms:
        s += " by MMS to ";
        break;
      case forward_kind::sms:
        s += " by SMS to ";
        break;
    }
    s += d.target->address;
  }
  if (d.code != 0) {
    s += ", ";
    detail::append_uint(s, static_cast<std::uint64_t>(d.code));
    s += ' ';
    s.append(d.reason.data(), d.reason.size());
  }
  if (d.code == 415 && d.accept != nullptr) {
    s += " (Accept: ";
    s += d.accept->text();
    s += ')';
  }
  if (d.notify && (d.what == verdict::store || d.what == verdict::deliver))
    s += "; the sender will be notified after delivery";
  return s;
}

inline auto operator<<(std::ostream& os, decision const& d) -> std::ostream& {
  return os << to_string(d);
}
inline auto operator<<(std::ostream& os, verdict v) -> std::ostream& {
  return os << to_string(v);
}
inline auto operator<<(std::ostream& os, rule r) -> std::ostream& {
  return os << to_string(r);
}
inline auto operator<<(std::ostream& os, reachability r) -> std::ostream& {
  return os << to_string(r);
}

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_POLICY_DECISION_HPP
