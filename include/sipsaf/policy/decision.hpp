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

SIPSAF_DECL auto to_string(reachability r) noexcept -> char const*;

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
  request_facts() noexcept {}  // as `decision`'s: no block clear first

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

SIPSAF_DECL auto to_string(verdict v) noexcept -> char const*;

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
SIPSAF_DECL auto to_string(rule r) noexcept -> char const*;

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
  // Every member has its initializer. A constructor of one's own keeps
  // value-initialisation (`optional::emplace()`, `T{}`) from clearing the
  // whole object first: compilers clear a few hundred bytes as one block
  // (`rep stos`), which takes longer to start than a decision takes to make.
  decision() noexcept {}

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

}  // namespace detail

/// One line that explains the decision: which rule fired, the values it
/// looked at, and the result. For example:
///
///     rule 2 (media type): sip:bob@example.com is unreachable; payload
///     image/png is not among the accepted types 'text/plain, image/jpeg'
///     (profile) -> discard, 415 Unsupported Media Type
SIPSAF_DECL auto to_string(decision const& d) -> std::string;

SIPSAF_DECL auto operator<<(std::ostream& os, decision const& d) -> std::ostream&;
SIPSAF_DECL auto operator<<(std::ostream& os, verdict v) -> std::ostream&;
SIPSAF_DECL auto operator<<(std::ostream& os, rule r) -> std::ostream&;
SIPSAF_DECL auto operator<<(std::ostream& os, reachability r) -> std::ostream&;

SIPSAF_END_NAMESPACE

#ifdef SIPSAF_HEADER_ONLY
#include <sipsaf/policy/impl/decision.ipp>
#endif

#endif  // SIPSAF_POLICY_DECISION_HPP
