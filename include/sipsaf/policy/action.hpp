// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_POLICY_ACTION_HPP
#define SIPSAF_POLICY_ACTION_HPP

/// @file
/// What the engine asks its caller to do. Every event handler of
/// `store_forward_engine` fills an `outcome`: the decision (for a request)
/// and a list of actions, to be carried out in order. The engine has done
/// its store and gateway calls already; the actions are the I/O that
/// remains: answer the sender, send a request to the recipient, send a
/// notification, arm a timer, write a log line.
///
/// Actions own their data (strings are copies), so an outcome can be kept,
/// queued or moved to another thread.

#include <sipsaf/config.hpp>
#include <sipsaf/policy/decision.hpp>
#include <sipsaf/policy/notification.hpp>
#include <sipsaf/policy/profile.hpp>
#include <sipsaf/store/message.hpp>
#include <sipsaf/time.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <variant>
#include <vector>

SIPSAF_BEGIN_NAMESPACE

/// Names one delivery attempt; report its end with `on_delivery_result`.
using delivery_id = std::uint64_t;

/// Answer the request being handled (the one passed to `on_request`, or the
/// live request whose delivery just ended) with a final response.
struct respond_action {
  int code = 0;
  std::string reason;
  /// For 415: the Accept header value (RFC 3261 §21.4.13); empty otherwise.
  std::string accept;
  /// True: pass on the recipient's own final response (with `code`), as a
  /// proxy does (RFC 3261 §16.7); false: answer with `code` and `reason`.
  bool relay = false;
};

/// Send a request to the recipient's contacts, then report the final
/// response with `on_delivery_result(id, code)` (0 for a timeout or a
/// transport failure). Every attempt must be reported exactly once.
struct deliver_action {
  delivery_id id = 0;
  std::string recipient;              ///< the recipient's key
  std::vector<std::string> contacts;  ///< where to send it, best first
  /// True: proxy the request being handled now (the caller has it). False:
  /// send the stored request in `bytes` as a new MESSAGE
  /// (`make_stored_delivery`, <sipsaf/policy/render.hpp>, says what it keeps).
  bool live = false;
  message_id message = 0;  ///< the stored message (0 when live)
  delivery_mode mode = delivery_mode::push;
  std::string bytes;          ///< the stored request exactly as received (empty when live)
  std::uint32_t attempt = 1;  ///< 1 for the first try of this message
  /// When the stored message arrived (zero when live): the Date a delivery
  /// carries when the request had none.
  timestamp arrived{};
};

/// A message was stored (durably, before this action was produced).
struct store_action {
  message_id id = 0;
  std::string recipient;
  delivery_mode mode = delivery_mode::push;
  timestamp expires_at{};
  bool notify = false;
};

/// The request was handed to a gateway for this target.
struct forward_action {
  forward_target target;
};

/// Send a notification to the sender of a stored message.
struct notify_action {
  notification_mode mode = notification_mode::imdn;
  delivery_status status = delivery_status::delivered;
  std::string method;               ///< "MESSAGE" (IMDN) or "NOTIFY"
  std::string to;                   ///< the original sender's URI: the request goes there
  std::string about;                ///< the recipient's key (a natural From)
  std::string content_type;         ///< "message/imdn+xml" or "text/plain;charset=utf-8"
  std::string content_disposition;  ///< "notification" for an IMDN (RFC 5438 §7.1.1)
  std::string event;                ///< for NOTIFY: the Event header value
  std::string body;
  std::string call_id;  ///< the original request's Call-ID
  message_id message = 0;
};

/// The engine's next wake-up: (re)arm the caller's one timer so that
/// `on_timer()` runs at `at` (or as soon after as it can).
struct schedule_action {
  timestamp at{};
};

/// A stored message was removed without being delivered.
struct expire_action {
  message_id id = 0;
  std::string recipient;
  delivery_status status = delivery_status::expired;  ///< expired, or failed (refused)
  std::string reason;                                 ///< for the log
};

/// Something failed in the store or a gateway; for the log (the engine has
/// already answered the sender accordingly).
struct fault_action {
  std::error_code ec;
  std::string what;
};

/// One thing to do; visit it with `std::visit`.
using action = std::variant<respond_action, deliver_action, store_action, forward_action,
                            notify_action, schedule_action, expire_action, fault_action>;

/// What an event produced.
struct outcome {
  /// For a request event: the decision. Its views (the trace's method,
  /// Content-Type, Request-Disposition, recipient and detail, the reason,
  /// ...) point into the request passed in, where its traits handed text over
  /// as views, and into the engine: its copies of text the traits returned
  /// by value (<sipsaf/policy/request.hpp>), the recipient and its own words.
  /// They stay valid until the next call into the engine while the request
  /// is alive. `log` keeps the words.
  std::optional<decision> decided;
  /// The decision's trace as one log line (when the engine renders traces).
  std::string log;
  /// To carry out in order.
  std::vector<action> actions;

  void clear() noexcept {
    decided.reset();
    log.clear();
    actions.clear();
  }

  /// The first action of type `A`, or null.
  template <class A>
  auto find() const noexcept -> A const* {
    for (auto const& a : actions)
      if (auto const* p = std::get_if<A>(&a)) return p;
    return nullptr;
  }
  /// How many actions of type `A` there are.
  template <class A>
  auto count() const noexcept -> std::size_t {
    std::size_t n = 0;
    for (auto const& a : actions) n += std::holds_alternative<A>(a) ? 1 : 0;
    return n;
  }
};

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_POLICY_ACTION_HPP
