// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_POLICY_RENDER_HPP
#define SIPSAF_POLICY_RENDER_HPP

/// @file
/// The engine's actions written as SIP messages, for a stack that holds its
/// requests as `message_view`s (<sipsaf/policy/message_view_request.hpp>
/// reads them for the engine; this header writes what the engine asks for):
///
/// - `make_response` (of a `respond_action`): the answer to the sender;
/// - `make_proxied_request`: a live delivery, the request sent on to a contact;
/// - `make_stored_delivery`: a stored request delivered as a new MESSAGE,
///   keeping the header fields `stored_delivery_fields` lists;
/// - `make_notification`: the IMDN or NOTIFY a `notify_action` asks for.
///
/// Each returns the message's bytes, or the builder's error when a value
/// cannot be written (a control byte in it, say). Transactions, Route
/// handling and where the bytes go stay with the stack.

#include <sipsaf/ascii.hpp>
#include <sipsaf/config.hpp>
#include <sipsaf/message/builder.hpp>
#include <sipsaf/message/fields.hpp>
#include <sipsaf/message/message_view.hpp>
#include <sipsaf/policy/action.hpp>
#include <sipsaf/reason_phrase.hpp>
#include <sipsaf/result.hpp>
#include <sipsaf/time.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

SIPSAF_BEGIN_NAMESPACE

/// The header fields a stored delivery keeps from the stored request, every
/// row in the order received and each value as received (a folded one on
/// one line, RFC 3261 §7.3.1): who sent it to whom, its identity (the
/// recipient drops a duplicate by Call-ID, CSeq number and From tag,
/// RFC 3261 §8.2.2.2), when it was sent and for how long it matters
/// (RFC 3428 §8), the sender's store command, and the fields that describe
/// the payload (RFC 3261 §20: Content-*, MIME-Version, Subject, Priority,
/// In-Reply-To, Reply-To, Organization).
///
/// Not kept: the hop-by-hop fields (Via, Route, Record-Route, Max-Forwards:
/// the delivery is a new request), credentials (Authorization,
/// Proxy-Authorization), Contact, and extension fields sipsaf does not
/// know, since a store cannot tell which of them are end to end, and some
/// must not leave the network that added them (P-Asserted-Identity,
/// RFC 3325 §5; a stack that wrote one itself may keep it with
/// `stored_delivery_options::also_keep`). The CSeq method becomes MESSAGE;
/// Content-Length is written anew. A stored request without Date gets one
/// saying when it arrived.
inline constexpr field stored_delivery_fields[] = {
    field::from,
    field::to,
    field::call_id,
    field::date,
    field::expires,
    field::request_disposition,
    field::subject,
    field::priority,
    field::in_reply_to,
    field::reply_to,
    field::organization,
    field::mime_version,
    field::content_disposition,
    field::content_encoding,
    field::content_language,
};
// Content-Type is kept too: it is written with the body.

/// Whether a stored delivery keeps header field `f` (Content-Type included).
constexpr auto stored_delivery_keeps(field f) noexcept -> bool {
  if (f == field::content_type) return true;
  for (field k : stored_delivery_fields)
    if (k == f) return true;
  return false;
}

/// The answer a `respond_action` asks for (RFC 3261 §8.2.6): Via, From, To
/// (with `to_tag`), Call-ID and CSeq of `request` copied; an empty reason
/// reads as the code's usual phrase; with 415, the Accept list the sender
/// needs (RFC 3261 §21.4.16). Not for `a.relay`: then the recipient's own
/// response goes back (RFC 3261 §16.7). A plain answer with no action
/// behind it is `make_response(request, code, reason, to_tag)` of
/// <sipsaf/message/builder.hpp>.
SIPSAF_DECL auto make_response(message_view const& request, respond_action const& a,
                               std::string_view to_tag = {}) -> result<std::string>;

/// A live delivery: `request` sent on to `target` as a proxy does
/// (RFC 3261 §16.6): the Request-URI replaced, `via` (a Via value, e.g.
/// `SIP/2.0/UDP host;branch=z9hG4bK...`) on top, Max-Forwards one less (70
/// when there was none), every other header field and the body as they were.
/// A request whose Max-Forwards is 0 is the caller's to refuse (483) first.
SIPSAF_DECL auto make_proxied_request(message_view const& request, std::string_view target,
                                      std::string_view via) -> result<std::string>;

/// A payload a stored delivery carries in place of the stored one: the
/// parts a recipient's Accept list takes after a 415 (RFC 3261 §21.4.16),
/// as `adapt_payload` (<sipsaf/mime/adapt.hpp>) cuts them, say.
struct delivery_payload {
  std::string_view content_type;
  std::string_view body;
};

/// What a stack adds to a stored delivery besides the kept fields.
struct stored_delivery_options {
  std::string_view via;              ///< a Via value on top (empty: none, the stack adds its own)
  std::string_view route;            ///< a Route value after it (empty: none), an outbound proxy's
  std::optional<timestamp> arrived;  ///< a Date, when the stored request has none
  /// A body sent instead of the stored one. The stored Content-Type,
  /// Content-Disposition and Content-Encoding describe the stored body and
  /// are left out; the payload's own Content-Type is written.
  std::optional<delivery_payload> payload;
  /// Extension fields kept too, by name: ones the stack wrote itself and
  /// vouches for, as a proxy's own P-Asserted-Identity inside its trust
  /// domain (RFC 3325 §5).
  std::vector<std::string_view> also_keep;
};

/// A stored request delivered to `target` as a new MESSAGE: `o.via` on top,
/// Max-Forwards 70, `o.route`, the fields `stored_delivery_fields` lists,
/// CSeq with the stored number, and the body with its Content-Type exactly
/// (or `o.payload`). Without a Date in the stored request, `o.arrived`
/// gives one (when the service took it). Errors: the builder's.
SIPSAF_DECL auto make_stored_delivery(message_view const& stored, std::string_view target,
                                      stored_delivery_options const& o) -> result<std::string>;

/// The same from the stored bytes. Errors: their parse error, or the
/// builder's.
SIPSAF_DECL auto make_stored_delivery(std::string_view stored, std::string_view target,
                                      std::string_view via, std::optional<timestamp> arrived = {})
    -> result<std::string>;

/// The stored delivery a `deliver_action` (not `live`) asks for, to one of
/// its contacts.
SIPSAF_DECL auto make_stored_delivery(deliver_action const& a, std::string_view target,
                                      std::string_view via) -> result<std::string>;

/// The Subscription-State of a notification that belongs to no
/// subscription: over at once, its resource (the stored message) gone
/// (RFC 6665 §4.1.3).
inline constexpr std::string_view notification_subscription_state = "terminated;reason=noresource";

/// The notification a `notify_action` asks for, from the recipient
/// (`n.about`, tag `from_tag`) to the sender (`n.to`), with its own
/// `call_id` and CSeq 1: an IMDN (a MESSAGE with `message/imdn+xml` and
/// `Content-Disposition: notification`, RFC 5438 §7.1.1) or the opt-in
/// NOTIFY (with Event and `notification_subscription_state`). `via` may be
/// empty (the stack adds its own); `date`, when given, is sent as Date.
SIPSAF_DECL auto make_notification(notify_action const& n, std::string_view via,
                                   std::string_view from_tag, std::string_view call_id,
                                   std::optional<timestamp> date = {}) -> result<std::string>;

SIPSAF_END_NAMESPACE

#ifdef SIPSAF_HEADER_ONLY
#include <sipsaf/policy/impl/render.ipp>
#endif

#endif  // SIPSAF_POLICY_RENDER_HPP
