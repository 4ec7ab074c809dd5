// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_POLICY_ENGINE_HPP
#define SIPSAF_POLICY_ENGINE_HPP

/// @file
/// `store_forward_engine`: the store-and-forward service as a sans-I/O state
/// machine. Events go in, actions come out (<sipsaf/policy/action.hpp>).
///
/// @par Events
/// - `on_request(r)` / `on_request(r, who)`: a payload-carrying request
///   arrived, with what the directory knows of its recipient;
/// - `on_delivery_result(id, code)`: a delivery attempt ended with a final
///   response (0: timeout or transport failure);
/// - `on_reachable(key)`: the recipient registered or came online;
/// - `on_fetch(key)`: the recipient asks for its pull (`store`) messages;
/// - `on_timer()`: time passed (arm a timer as `schedule_action`s say).
///
/// @par What the engine does itself
/// It calls the *MessageStore* (synchronously; a stored message is durable
/// before the 202 that announces it is produced), the *Gateways* (a
/// forwarded message is handed over before its 202), the *Directory*, the
/// *Clock* and the *DispositionPolicy*. It opens no socket, starts no
/// thread, sets no timer: every other effect is an action for the caller.
///
/// @par Batching writes
/// A store that groups writes into one commit (`sqlite_store::batch`) makes
/// them durable only when the batch commits. A caller that opens a batch
/// around several events must hold back every `respond_action` of an
/// outcome that also holds a `store_action` until the commit returns, and
/// answer 500 instead if it fails: "202" promises a durable message.
///
/// @par Delivery semantics
/// - **Order per recipient**: push messages are delivered one at a time per
///   recipient, oldest first; a new request for a recipient with waiting
///   push messages queues behind them (see `default_policy`).
/// - **At least once**: a stored message is erased only after a 2xx from
///   the recipient; a crash between delivery and erase delivers it again.
///   The recipient's side suppresses such duplicates by (Call-ID, CSeq,
///   From-tag), as the engine does for requests it receives: a request whose
///   key is stored is answered 202 again, one whose key was delivered within
///   `duplicate_window` is answered 200, one being delivered gets no answer
///   of its own (the delivery's answer follows).
/// - **Retries**: after a failed attempt (408, 480, 486, 500, 503, 504, 600,
///   or no response) the message waits `retry.initial`, then twice as long
///   each time, at most `retry.cap`, and never past its expiry. When the
///   recipient is not reachable at retry time the engine waits for
///   `on_reachable`. Any other final response refuses the message: it is
///   removed and the sender is told (if it asked).
/// - **Expiry**: `on_timer` removes messages whose lifetime is over
///   (Date + Expires, RFC 3428, or the profile's lifetime) and tells the
///   sender if it asked.
/// - **Exact bytes**: the store keeps the request as received; delivery hands
///   those bytes back.
///
/// @par Parameters
/// `Store` (*MessageStore*), `Directory`, `Clock`, `Gateways` and `Policy`
/// (*DispositionPolicy*), each checked at compile time with a message that
/// names what is missing. Each may be a reference type (`memory_store&`) to
/// use an object the caller owns.
///
/// @par Thread safety
/// None: one thread at a time (the store and the directory are called from it).

#include <sipsaf/config.hpp>
#include <sipsaf/error.hpp>
#include <sipsaf/message/header_values.hpp>
#include <sipsaf/message/message_view.hpp>
#include <sipsaf/mime/media_type.hpp>
#include <sipsaf/policy/action.hpp>
#include <sipsaf/policy/decision.hpp>
#include <sipsaf/policy/default_policy.hpp>
#include <sipsaf/policy/notification.hpp>
#include <sipsaf/policy/request.hpp>
#include <sipsaf/policy/requirements.hpp>
#include <sipsaf/result.hpp>
#include <sipsaf/rfc3841/request_disposition.hpp>
#include <sipsaf/store/message.hpp>
#include <sipsaf/store/requirements.hpp>
#include <sipsaf/time.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

SIPSAF_BEGIN_NAMESPACE

/// When to try a failed delivery again.
struct retry_policy {
  std::chrono::milliseconds initial{std::chrono::seconds(30)};  ///< after the first failure
  unsigned factor = 2;                                          ///< growth per failure
  std::chrono::milliseconds cap{std::chrono::hours(1)};         ///< the longest wait

  /// The wait after the `failures`-th failed attempt (1-based).
  auto delay(std::uint32_t failures) const noexcept -> std::chrono::milliseconds {
    auto d = initial;
    for (std::uint32_t i = 1; i < failures && d < cap; ++i) d *= factor == 0 ? 1 : factor;
    return d < cap ? d : cap;
  }
};

/// The engine's settings.
struct engine_options {
  retry_policy retry;
  /// How senders are notified (IMDN by default).
  notification_mode notifications = notification_mode::imdn;
  /// Also notify "stored" (an IMDN processing notification) when a sender
  /// that asked for notification has its message stored.
  bool notify_stored = false;
  /// The Event header value of NOTIFY-mode notifications.
  std::string notify_event = "message-delivery";
  /// How long a delivered request's key is remembered as a duplicate.
  std::chrono::milliseconds duplicate_window{std::chrono::minutes(5)};
  /// At most this many keys are remembered (the oldest go first).
  std::size_t duplicate_capacity = 65536;
  /// At most this many expiries and retries per `on_timer` (it reschedules
  /// itself at once when there are more).
  std::size_t batch = 64;
  /// How the Request-Disposition is parsed (extended by default: store tokens).
  request_disposition_options disposition;
  /// Write each decision's trace into `outcome::log`.
  bool render_trace = true;
};

namespace detail {

/// A request copied out of the caller's message: a *Request* model that
/// owns its text. Kept while a live delivery is in progress, so that a
/// failed attempt can be decided again.
struct captured_request {
  std::string method, from_uri, from_tag, to_uri, call_id;
  std::uint32_t cseq = 0;
  std::string content_type, date, expires, request_disposition, body, bytes;
};

/// The SIP responses after which a delivery counts as "not reached" and is
/// tried again (or the live request is decided as for an unreachable
/// recipient): no response, 408, 480, 486, 500, 503, 504, 600.
inline auto not_reached(int code) noexcept -> bool {
  switch (code) {
    case 0:
    case 408:
    case 480:
    case 486:
    case 500:
    case 503:
    case 504:
    case 600:
      return true;
    default:
      return code >= 700 || code < 100;
  }
}

inline auto busy_code(int code) noexcept -> bool {
  return code == 486 || code == 600;
}

}  // namespace detail

/// The store-and-forward engine (see the file notes).
template <class Store, class Directory, class Clock, class Gateways = no_gateways,
          class Policy = default_policy>
class store_forward_engine {
  using store_t = std::remove_reference_t<Store>;
  using directory_t = std::remove_reference_t<Directory>;
  using clock_t = std::remove_reference_t<Clock>;
  using gateways_t = std::remove_reference_t<Gateways>;
  using policy_t = std::remove_reference_t<Policy>;
  static_assert(detail::message_store_static_asserts<store_t>::value);
  static_assert(detail::directory_static_asserts<directory_t>::value);
  static_assert(detail::clock_static_asserts<clock_t>::value);
  static_assert(detail::gateways_static_asserts<gateways_t>::value);
  static_assert(detail::disposition_policy_static_asserts<policy_t>::value);

 public:
  store_forward_engine(Store store, Directory directory, Clock clock,
                       Gateways gateways = Gateways(), Policy policy = Policy(),
                       engine_options options = {})
      : store_(std::forward<Store>(store)),
        directory_(std::forward<Directory>(directory)),
        clock_(std::forward<Clock>(clock)),
        gateways_(std::forward<Gateways>(gateways)),
        policy_(std::forward<Policy>(policy)),
        opt_(std::move(options)) {}

  store_forward_engine(store_forward_engine const&) = delete;
  auto operator=(store_forward_engine const&) -> store_forward_engine& = delete;

  // --- events -------------------------------------------------------------

  /// A request arrived; the engine asks the directory about its To URI. A
  /// payload-carrying request without To, From, Call-ID or a readable CSeq
  /// is answered 400 (RFC 3261 §8.1.1; <sipsaf/policy/request.hpp>). The
  /// decision's views stay valid until the next call while `r` is alive,
  /// also for text `r`'s traits return by value (the engine copies it).
  template <class Request>
  void on_request(Request const& r, outcome& out) {
    static_assert(detail::request_static_asserts<Request>::value);
    begin(out);
    auto&& to = request_traits<Request>::to_uri(r);
    std::string_view const to_text(to);
    if (to_text.empty() && carries_payload(r)) {
      // Nobody to ask the directory about: refused for the missing To.
      held_ = recipient{};
      handle(r, *held_, out, true);
      return;
    }
    auto found = directory_.lookup(to_text);
    if (!static_cast<bool>(found)) {
      unknown_recipient(r, out);
      return;
    }
    handle(r, hold(found), out, true);
  }

  /// A request arrived for `who` (what the directory knows, given by the caller).
  template <class Request>
  void on_request(Request const& r, recipient const& who, outcome& out) {
    static_assert(detail::request_static_asserts<Request>::value);
    begin(out);
    handle(r, who, out, true);
  }

  /// Decides without acting: the same decision `on_request` would make
  /// (duplicate checks included), but nothing is stored, forwarded or
  /// delivered, and no action is produced.
  template <class Request>
  void decide(Request const& r, recipient const& who, outcome& out) {
    static_assert(detail::request_static_asserts<Request>::value);
    begin(out);
    handle(r, who, out, false);
  }

  /// A delivery attempt ended: `code` is the final response (0 when none came).
  /// `adapted` says what was delivered and what was left out when the caller
  /// cut the payload down to what the recipient accepts (RFC 3261 §21.4.16,
  /// `adapt_payload`): the sender's notification says it too.
  void on_delivery_result(delivery_id id, int code, outcome& out, std::string_view adapted = {}) {
    begin(out);
    auto it = inflight_.find(id);
    if (it == inflight_.end()) {
      out.actions.push_back(
          fault_action{make_error_code(errc::unsupported),
                       "delivery result for unknown delivery id " + std::to_string(id)});
      return;
    }
    attempt a = std::move(it->second);
    inflight_.erase(it);
    if (a.live) {
      live_finished(std::move(a), code, out);
    } else {
      stored_finished(std::move(a), code, out, adapted);
    }
  }

  /// The recipient `key` became reachable (REGISTER, presence): its oldest
  /// push message is delivered now, the rest follow one by one.
  void on_reachable(std::string_view key, outcome& out) {
    begin(out);
    auto found = directory_.lookup(key);
    if (!static_cast<bool>(found)) return;
    recipient const& who = *found;
    push_next(who, out);
  }

  /// The recipient asks for its pull (`store`) messages: up to `limit` are
  /// delivered now, oldest first.
  void on_fetch(std::string_view key, std::size_t limit, outcome& out) {
    begin(out);
    auto found = directory_.lookup(key);
    if (!static_cast<bool>(found)) return;
    recipient const& who = *found;
    auto listed = store_.list(who.key, delivery_mode::pull, limit);
    if (!listed) return store_fault(listed.error(), "listing pull messages", out);
    for (envelope const& e : *listed) {
      if (by_message_.count(e.id) != 0) continue;
      start_stored_delivery(who, e, out);
    }
  }

  /// Time passed: expire what is over, retry what is due, and say when to
  /// call again (a `schedule_action`).
  void on_timer(outcome& out) {
    begin(out);
    timestamp const t = now();
    bool more = false;
    auto expired = store_.expired(t, opt_.batch);
    if (!expired) {
      store_fault(expired.error(), "listing expired messages", out);
      return retry_timer(t, out);
    }
    std::size_t removed = 0;
    for (envelope const& e : *expired) {
      if (by_message_.count(e.id) != 0) continue;  // its attempt's result decides
      std::string const imdn_id = e.notify ? stored_imdn_id(e.id) : std::string();
      auto erased = store_.erase(e.id);
      if (!erased) {
        store_fault(erased.error(), "removing an expired message", out);
        continue;
      }
      // Gone already: another process sharing the store expired it (and
      // told its sender); once is enough.
      if (!*erased) continue;
      ++removed;
      out.actions.push_back(expire_action{e.id, e.recipient, delivery_status::expired,
                                          "lifetime over at " + format_rfc3339(e.expires_at)});
      if (e.notify) notify(e, delivery_status::expired, out, imdn_id);
    }
    // A full batch may hide more; but one made only of messages in flight
    // would come back unchanged, so it does not call for another run now.
    more = expired->size() >= opt_.batch && removed > 0;
    auto due = store_.due(t, opt_.batch);
    if (!due) {
      store_fault(due.error(), "listing due messages", out);
      return retry_timer(t, out);
    }
    more = more || due->size() >= opt_.batch;
    std::set<std::string> recipients;
    for (envelope const& e : *due) {
      // Clear the schedule: the delivery below (or the recipient's next
      // registration) takes over; a failed attempt schedules again.
      auto r = store_.reschedule(e.id, std::nullopt, e.attempts);
      if (!r) store_fault(r.error(), "clearing a retry time", out);
      if (by_message_.count(e.id) == 0) recipients.insert(e.recipient);
    }
    for (std::string const& key : recipients) {
      auto found = directory_.lookup(key);
      if (!static_cast<bool>(found)) continue;
      recipient const& who = *found;
      push_next(who, out);
    }
    announce(t, more, out);
  }

  // Conveniences that return a fresh outcome.
  template <class Request>
  auto on_request(Request const& r) -> outcome {
    outcome o;
    on_request(r, o);
    return o;
  }
  template <class Request>
  auto on_request(Request const& r, recipient const& who) -> outcome {
    outcome o;
    on_request(r, who, o);
    return o;
  }
  auto on_delivery_result(delivery_id id, int code) -> outcome {
    outcome o;
    on_delivery_result(id, code, o);
    return o;
  }
  auto on_reachable(std::string_view key) -> outcome {
    outcome o;
    on_reachable(key, o);
    return o;
  }
  auto on_fetch(std::string_view key, std::size_t limit = 16) -> outcome {
    outcome o;
    on_fetch(key, limit, o);
    return o;
  }
  auto on_timer() -> outcome {
    outcome o;
    on_timer(o);
    return o;
  }

  // --- access -------------------------------------------------------------

  auto store() noexcept -> store_t& { return store_; }
  auto directory() noexcept -> directory_t& { return directory_; }
  auto clock() noexcept -> clock_t& { return clock_; }
  auto gateways() noexcept -> gateways_t& { return gateways_; }
  auto policy() const noexcept -> policy_t const& { return policy_; }
  auto options() const noexcept -> engine_options const& { return opt_; }
  /// Delivery attempts started and not yet reported.
  auto deliveries_in_progress() const noexcept -> std::size_t { return inflight_.size(); }

 private:
  struct live_state {
    detail::captured_request request;
    recipient who;
  };

  struct attempt {
    bool live = false;
    std::string recipient;
    std::string key;                    // the duplicate key text
    std::unique_ptr<live_state> state;  // live
    envelope env;                       // stored
    std::string imdn_id;                // stored: the sender's CPIM imdn.Message-ID, if any
  };

  auto now() -> timestamp {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(clock_.now());
  }

  void begin(outcome& out) {
    out.clear();
    retired_.reset();  // views into it were valid until this call
    detail_.clear();
  }

  // The recipient a directory lookup gave: used in place when the directory
  // hands out a pointer, else copied here so that the decision's views stay
  // valid until the next call.
  template <class L>
  auto hold(L& found) -> recipient const& {
    if constexpr (std::is_pointer<L>::value) {
      return *found;
    } else {
      held_ = recipient(*found);
      return *held_;
    }
  }

  // The text form of a duplicate key, in a reused buffer.
  static void key_text(std::string& buf, std::string_view call_id, std::uint32_t cseq,
                       std::string_view from_tag) {
    buf.clear();
    buf.append(call_id.data(), call_id.size());
    buf += '\n';
    char digits[10];
    int n = 0;
    do {
      digits[n++] = static_cast<char>('0' + cseq % 10);
      cseq /= 10;
    } while (cseq != 0);
    while (n > 0) buf += digits[--n];
    buf += '\n';
    buf.append(from_tag.data(), from_tag.size());
  }

  // Whether the request carries a payload, as the policy sees it (a policy
  // without `carries_payload` takes default_policy's answer).
  auto carries_payload(request_facts const& f) const -> bool {
    if constexpr (detail::policy_has_carries_payload<policy_t>::value)
      return policy_.carries_payload(f);
    else
      return default_policy::carries_payload(f);
  }
  template <class Request>
  auto carries_payload(Request const& r) const -> bool {
    using T = request_traits<Request>;
    auto&& method = T::method(r);
    auto&& body = T::body(r);
    request_facts f;
    f.method = std::string_view(method);
    f.body_size = std::string_view(body).size();
    return carries_payload(f);
  }

  // The text of a trait's result `v`, declared `V` (`auto&& v = ...`): a view
  // into the request as it is, or text returned by value copied into `buf`
  // (request.hpp), so that a decision may point to it until the next call.
  template <class V>
  static auto keep(std::remove_reference_t<V> const& v, std::string& buf) -> std::string_view {
    std::string_view const s(v);
    if constexpr (detail::owns_text<V>::value) {
      buf.assign(s.data(), s.size());
      return buf;
    } else {
      return s;
    }
  }

  // The duplicate key of the request being handled, as text; built when
  // first needed (most requests never need it).
  auto key() -> std::string const& {
    if (!key_built_) key_text(key_buf_, key_.call_id, key_.cseq, key_.from_tag);
    key_built_ = true;
    return key_buf_;
  }

  auto recently_delivered(std::string const& key, timestamp t) -> bool {
    if (recent_.empty()) return false;
    forget_old(t);
    return recent_.count(key) != 0;
  }

  void remember_delivered(std::string const& key) {
    timestamp const t = now();
    forget_old(t);
    if (opt_.duplicate_capacity == 0) return;
    while (recent_order_.size() >= opt_.duplicate_capacity) {
      recent_.erase(recent_order_.front().second);
      recent_order_.pop_front();
    }
    auto ins = recent_.insert_or_assign(key, t);
    if (ins.second) recent_order_.emplace_back(t, key);
  }

  void forget_old(timestamp t) {
    while (!recent_order_.empty() && recent_order_.front().first + opt_.duplicate_window <= t) {
      auto it = recent_.find(recent_order_.front().second);
      if (it != recent_.end() && it->second == recent_order_.front().first) recent_.erase(it);
      recent_order_.pop_front();
    }
  }

  // A decision the engine makes itself (not the policy's), answered when
  // the engine acts.
  void own_decision(outcome& out, verdict v, rule r, int code, std::string_view reason,
                    std::string_view recipient_key, std::string_view method, bool act) {
    decision& d = out.decided.emplace();
    d.what = v;
    d.code = code;
    d.reason = reason;
    d.trace.fired = r;
    d.trace.recipient = recipient_key;
    d.trace.method = method;
    d.trace.detail = detail_;
    if (act && code != 0) respond(d, out);
  }

  // The one place a decision becomes the sender's answer: its code and
  // reason, and with 415 the Accept list the sender needs to try again
  // (RFC 3261 §21.4.16).
  static void respond(decision const& d, outcome& out) {
    out.actions.push_back(
        respond_action{d.code, std::string(d.reason),
                       d.code == 415 ? std::string(d.accept_header()) : std::string(), false});
  }

  void finish(outcome& out) {
    if (opt_.render_trace && out.decided) out.log = to_string(*out.decided);
  }

  template <class Request>
  void unknown_recipient(Request const& r, outcome& out) {
    auto&& to = request_traits<Request>::to_uri(r);
    scratch_to_ = std::string_view(to);
    own_decision(out, verdict::discard, rule::unknown_recipient, 404, "Not Found", scratch_to_, {},
                 true);
    finish(out);
  }

  // The text of the request being decided: views into the request, or into
  // copies kept here of text its traits returned by value.
  struct request_text {
    std::string_view method, from, to, tag, call_id, content_type, date, expires, body, bytes;
    std::optional<std::uint32_t> cseq;
  };

  // A request, in decision order: each step either settles the outcome
  // (returns true) or fills in what the steps after it read. The policy's
  // own order (rules 1-6) is default_policy's.
  template <class Request>
  void handle(Request const& r, recipient const& who, outcome& out, bool act) {
    using T = request_traits<Request>;
    // The traits' results live until this call returns; a decision may point
    // to method, From, To and Content-Type, so text returned by value is
    // copied for them (keep).
    auto&& method_v = T::method(r);
    auto&& from_v = T::from_uri(r);
    auto&& tag_v = T::from_tag(r);
    auto&& to_v = T::to_uri(r);
    auto&& call_id_v = T::call_id(r);
    auto&& cseq_v = T::cseq(r);
    auto&& ct_v = T::content_type(r);
    auto&& date_v = T::date(r);
    auto&& expires_v = T::expires(r);
    auto&& rd_v = T::request_disposition(r);
    auto&& body_v = T::body(r);
    auto&& bytes_v = T::bytes(r);
    request_text const q{keep<decltype(method_v)>(method_v, kept_.method),
                         keep<decltype(from_v)>(from_v, kept_.from_uri),
                         keep<decltype(to_v)>(to_v, kept_.to_uri),
                         std::string_view(tag_v),
                         std::string_view(call_id_v),
                         keep<decltype(ct_v)>(ct_v, kept_.content_type),
                         std::string_view(date_v),
                         std::string_view(expires_v),
                         std::string_view(body_v),
                         std::string_view(bytes_v),
                         detail::read_cseq(cseq_v)};
    request_facts& f = start_facts(q);
    decision_input in;
    in.request = &f;
    in.who = &who;
    in.now = now();
    bool const payload = carries_payload(f);

    if (payload && refused_for_missing_header(q, who, out, act)) return;  // 400
    if (!read_content_type(q, payload, who, out, act)) return;            // 400
    if (f.content_type != nullptr && f.content_type->is_multipart())
      f.body = keep<decltype(body_v)>(body_v, kept_.body);  // rule 2 may name a part
    if (!read_disposition<decltype(rd_v)>(rd_v, payload, who, out, act)) return;  // 400
    read_lifetime(q);                                                             // Date, Expires
    if (payload && answered_as_duplicate(q, who, in.now, out, act)) return;
    if (payload && !read_usage(who, in, out, act)) return;  // 500 when the store fails
    decision& d = decide(in, out);
    if (act) carry_out(r, d, in, q, who, out);
    finish(out);
  }

  auto start_facts(request_text const& q) -> request_facts& {
    detail_.clear();
    key_ = message_key{q.call_id, q.cseq.value_or(0), q.tag};
    key_built_ = false;
    request_facts& f = facts_;
    f = request_facts{};
    f.method = q.method;
    f.from_uri = q.from;
    f.to_uri = q.to;
    f.size = q.bytes.size();
    f.body_size = q.body.size();
    f.body = q.body;
    f.content_type_text = q.content_type;
    return f;
  }

  // RFC 3261 §8.1.1: every request has To, From, Call-ID and CSeq. The
  // service files a message by them and recognises it again by them (the
  // duplicate key), so a payload request that lacks one is refused with 400
  // and a reason phrase that says what is wrong (RFC 3261 §21.4.1).
  auto refused_for_missing_header(request_text const& q, recipient const& who, outcome& out,
                                  bool act) -> bool {
    struct missing {
      char const* header;
      char const* reason;
    };
    missing const m = q.to.empty()     ? missing{"To", "Missing or bad To header field"}
                      : q.from.empty() ? missing{"From", "Missing or bad From header field"}
                      : q.call_id.empty()
                          ? missing{"Call-ID", "Missing or bad Call-ID header field"}
                      : !q.cseq ? missing{"CSeq", "Missing or bad CSeq header field"}
                                : missing{nullptr, nullptr};
    if (m.header == nullptr) return false;
    detail_ = std::string("the ") + m.header +
              " header is missing or cannot be read (RFC 3261 8.1.1: To, From, Call-ID and CSeq "
              "are mandatory)";
    own_decision(out, verdict::discard, rule::bad_request, 400, m.reason, who.key, q.method, act);
    finish(out);
    return true;
  }

  // Content-Type. Most senders write the same one on every request: the last
  // value is kept parsed (over a copy of its text) and reused while the text
  // is the same. One that does not parse refuses a payload request (400).
  auto read_content_type(request_text const& q, bool payload, recipient const& who, outcome& out,
                         bool act) -> bool {
    if (q.content_type.empty()) return true;
    if (content_type_ && detail::same_bytes(q.content_type, content_type_text_)) {
      facts_.content_type = &*content_type_;
      return true;
    }
    auto ct = parse_media_type(q.content_type);
    if (!ct) {
      content_type_.reset();
      if (!payload) return true;
      bad_request(out, "Content-Type", ct.error(), q.content_type, who, q.method, act);
      return false;
    }
    content_type_text_.assign(q.content_type.data(), q.content_type.size());
    content_type_ = rebased(*ct, q.content_type, content_type_text_);
    facts_.content_type = &*content_type_;
    return true;
  }

  // Request-Disposition: its rows are one list (RFC 3261 §7.3.1). The last
  // single row is kept parsed, as Content-Type is. One that does not parse
  // refuses a payload request (400).
  // `V` is the declared type of the trait's result (`auto&& rd_v = ...`): it
  // says whether the rows are views or text that goes with `rd_v` (keep).
  template <class V>
  auto read_disposition(std::remove_reference_t<V> const& rd_v, bool payload, recipient const& who,
                        outcome& out, bool act) -> bool {
    request_facts& f = facts_;
    // The rows, over copies when they are not views.
    using rd_t = V;
    std::string_view rd_text;  // when it is one text
    std::size_t rd_kept = 0;   // when it is a range of rows kept here
    if constexpr (detail::is_text<rd_t>::value) {
      rd_text = keep<rd_t>(rd_v, kept_.disposition);
    } else if constexpr (detail::owns_rows<rd_t>::value) {
      for (auto&& row : rd_v) {
        std::string_view const v(row);
        if (rd_kept == kept_.rows.size()) kept_.rows.emplace_back();
        kept_.rows[rd_kept++].assign(v.data(), v.size());
      }
    }
    auto each_row = [&](auto&& fn) {
      if constexpr (detail::is_text<rd_t>::value) {
        if (!rd_text.empty()) fn(rd_text);
      } else if constexpr (detail::owns_rows<rd_t>::value) {
        for (std::size_t i = 0; i < rd_kept; ++i) fn(std::string_view(kept_.rows[i]));
      } else {
        detail::for_each_disposition_row(rd_v, fn);
      }
    };
    std::size_t rows = 0;
    std::string_view first;
    each_row([&](std::string_view row) {
      if (++rows == 1) first = row;
    });
    if (rows == 1 && disposition_cached_ && detail::same_bytes(first, disposition_text_)) {
      f.disposition = &disposition_cache_;
      f.disposition_text = first;
      return true;
    }
    disposition_ = request_disposition{};
    f.disposition = &disposition_;
    std::optional<parse_error> err;
    std::string_view bad_row;
    std::size_t n = 0;
    each_row([&](std::string_view row) {
      if (err) return;
      // One row is shown as written; several are joined for the trace.
      if (++n == 1) {
        f.disposition_text = row;
      } else {
        if (n == 2) disposition_rows_.assign(f.disposition_text);
        disposition_rows_ += ", ";
        disposition_rows_.append(row.data(), row.size());
        f.disposition_text = disposition_rows_;
      }
      auto res = append_request_disposition(disposition_, row, opt_.disposition);
      if (!res) err = res.error(), bad_row = row;
    });
    if (err && payload) {
      bad_request(out, "Request-Disposition", *err, bad_row, who, f.method, act);
      return false;
    }
    if (!err && rows == 1) {
      disposition_text_.assign(first.data(), first.size());
      disposition_cache_ = rebased(disposition_, first, disposition_text_);
      disposition_cached_ = true;
      f.disposition = &disposition_cache_;
    }
    return true;
  }

  // Expires, and Date only with it: the lifetime counts from Date (RFC 3428
  // §8). A malformed Expires reads as 3600 (RFC 3261 §20.19; the policy
  // says so). Senders write the same Expires on every request, and within
  // one second the same Date: the last text of each is kept with what it
  // read as.
  void read_lifetime(request_text const& q) {
    if (q.expires.empty()) return;
    request_facts& f = facts_;
    if (!expires_read_ || !detail::same_bytes(q.expires, expires_text_)) {
      expires_text_.assign(q.expires.data(), q.expires.size());
      auto e = parse_expires_seconds(q.expires);
      expires_value_ = e ? std::optional<std::chrono::seconds>(*e) : std::nullopt;
      expires_read_ = true;
    }
    if (expires_value_)
      f.expires = *expires_value_;
    else
      f.expires_malformed = true;
    if (q.date.empty()) return;
    if (!date_read_ || !detail::same_bytes(q.date, date_text_)) {
      date_text_.assign(q.date.data(), q.date.size());
      auto d = parse_sip_timestamp(q.date);
      date_value_ = d ? std::optional<timestamp>(*d) : std::nullopt;
      date_read_ = true;
    }
    if (date_value_)
      f.date = *date_value_;
    else
      f.date_malformed = true;
  }

  // The same request again (RFC 3261 §17.2.3 identity): one being delivered
  // gets no answer of its own, one stored 202 again, one delivered 200.
  auto answered_as_duplicate(request_text const& q, recipient const& who, timestamp t, outcome& out,
                             bool act) -> bool {
    if (!live_keys_.empty() && live_keys_.count(key()) != 0) {
      own_decision(out, verdict::duplicate, rule::duplicate_in_progress, 0, {}, who.key, q.method,
                   act);
    } else if (auto stored = store_.find(key_); !stored) {
      store_failed(out, stored.error(), "looking up a duplicate", who, q.method, act);
      return true;
    } else if (*stored) {
      own_decision(out, verdict::duplicate, rule::duplicate_stored, 202, "Accepted", who.key,
                   q.method, act);
    } else if (!recent_.empty() && recently_delivered(key(), t)) {
      own_decision(out, verdict::duplicate, rule::duplicate_delivered, 200, "OK", who.key, q.method,
                   act);
    } else {
      return false;
    }
    finish(out);
    return true;
  }

  // What the quota rule and the forwarding rule read: the recipient's usage
  // and the gateways that can take a message now.
  auto read_usage(recipient const& who, decision_input& in, outcome& out, bool act) -> bool {
    auto use = store_.usage(who.key);
    if (!use) {
      store_failed(out, use.error(), "reading the recipient's usage", who, facts_.method, act);
      return false;
    }
    in.usage = *use;
    for (unsigned k = 0; k < 4; ++k)
      if (gateways_.can_forward(static_cast<forward_kind>(k)))
        in.forward_kinds = static_cast<std::uint8_t>(in.forward_kinds | (1u << k));
    return true;
  }

  // The policy's decision, held to its contract: never store against the
  // sender's do-not-store or a typing indicator (RFC 3994: transient).
  auto decide(decision_input const& in, outcome& out) -> decision& {
    if constexpr (detail::policy_decides_in_place<policy_t>::value)
      policy_.decide(in, out.decided.emplace());
    else
      out.decided = policy_.decide(in);
    decision& d = *out.decided;
    request_facts const& f = *in.request;
    bool const typing =
        f.content_type != nullptr && f.content_type->is("application", "im-iscomposing+xml");
    if (d.what == verdict::store &&
        (f.disposition->store() == store_command::do_not_store || typing)) {
      detail_ = "the policy chose to store against do-not-store or a typing indicator; refused";
      d.what = verdict::discard;
      d.code = 480;
      d.reason = "Temporarily Unavailable";
      d.trace.detail = detail_;
    }
    return d;
  }

  // The actions a decision calls for.
  template <class Request>
  void carry_out(Request const& r, decision& d, decision_input& in, request_text const& q,
                 recipient const& who, outcome& out) {
    switch (d.what) {
      case verdict::not_handled:
      case verdict::duplicate:
        return;
      case verdict::discard:
        return respond(d, out);
      case verdict::deliver:
        return start_live_delivery(r, who, out);
      case verdict::store:
        return store_request(d, q, who, in.now, out);
      case verdict::forward:
        if (d.target == nullptr) return;
        if (auto ec = gateways_.forward(r, *d.target)) {
          out.actions.push_back(fault_action{ec, "forwarding to " + to_string(*d.target)});
          // Keep it instead: decide again as if no gateway could take it.
          in.forward_kinds = static_cast<std::uint8_t>(
              in.forward_kinds & ~(1u << static_cast<unsigned>(d.target->kind)));
          decision& again = decide(in, out);
          if (again.what == verdict::store) return store_request(again, q, who, in.now, out);
          if (again.what == verdict::discard) return respond(again, out);
          return;
        }
        remember_delivered(key());
        out.actions.push_back(forward_action{*d.target});
        return respond(d, out);
    }
  }

  // The same parsed value over another copy of its text.
  static auto rebase_view(std::string_view v, std::string_view from, std::string_view to)
      -> std::string_view {
    if (v.empty()) return {};
    return to.substr(static_cast<std::size_t>(v.data() - from.data()), v.size());
  }
  static auto rebased(media_type const& m, std::string_view from, std::string_view to)
      -> media_type {
    media_type r;
    r.type = rebase_view(m.type, from, to);
    r.subtype = rebase_view(m.subtype, from, to);
    r.parameters.reserve(m.parameters.size());
    for (mime_parameter const& p : m.parameters)
      r.parameters.push_back(
          mime_parameter{rebase_view(p.name, from, to), rebase_view(p.value, from, to), p.quoted});
    return r;
  }
  static auto rebased(request_disposition const& d, std::string_view from, std::string_view to)
      -> request_disposition {
    request_disposition r;
    d.for_each([&](directive_entry e) {
      if (e.kind == directive::extension)
        r.add_extension(rebase_view(e.text, from, to));
      else
        r.add(e.kind);
    });
    return r;
  }

  void bad_request(outcome& out, char const* header, parse_error const& e, std::string_view value,
                   recipient const& who, std::string_view method, bool act) {
    detail_ = std::string(header) + " does not parse: " + e.message() + " in '" +
              std::string(value) + "'";
    own_decision(out, verdict::discard, rule::bad_request, 400, "Bad Request", who.key, method,
                 act);
    finish(out);
  }

  void store_failed(outcome& out, std::error_code ec, char const* what, recipient const& who,
                    std::string_view method, bool act) {
    detail_ = std::string("the store failed ") + what + ": " + ec.message();
    if (act) out.actions.push_back(fault_action{ec, detail_});
    own_decision(out, verdict::discard, rule::bad_request, 500, "Server Internal Error", who.key,
                 method, act);
    finish(out);
  }

  void store_fault(std::error_code ec, char const* what, outcome& out) {
    out.actions.push_back(
        fault_action{ec, std::string("the store failed ") + what + ": " + ec.message()});
  }

  void store_request(decision& d, request_text const& q, recipient const& who, timestamp t,
                     outcome& out) {
    stored_message m;
    envelope& e = m.env;
    e.recipient = who.key;
    e.sender = std::string(q.from);
    e.to = std::string(q.to);
    e.call_id = std::string(q.call_id);
    e.cseq = q.cseq.value_or(0);
    e.from_tag = std::string(q.tag);
    e.mode = d.mode;
    e.notify = d.notify;
    e.arrived = t;
    e.expires_at = d.expires_at;
    // A recipient with contacts (busy, or reachable behind earlier messages)
    // gets a retry; one without waits for on_reachable.
    if (d.mode == delivery_mode::push && !who.contacts.empty() &&
        who.reach != reachability::reachable) {
      timestamp const next = t + opt_.retry.delay(1);
      if (next < e.expires_at) e.next_attempt = next;
    }
    m.bytes = std::string(q.bytes);
    auto id = store_.put(m);
    if (!id) {
      detail_ = "the store failed: " + id.error().message();
      d.what = verdict::discard;
      d.code = 500;
      d.reason = "Server Internal Error";
      d.trace.detail = detail_;
      out.actions.push_back(fault_action{id.error(), detail_});
      return respond(d, out);
    }
    e.id = *id;
    out.actions.push_back(store_action{*id, who.key, d.mode, d.expires_at, d.notify});
    respond(d, out);
    if (d.notify && opt_.notify_stored)
      notify(e, delivery_status::stored, out, cpim_imdn_request(m.bytes));
    if (e.next_attempt) maybe_announce(*e.next_attempt, out);
    maybe_announce(e.expires_at, out);
    if (d.mode == delivery_mode::push && who.reach == reachability::reachable) push_next(who, out);
  }

  template <class Request>
  void start_live_delivery(Request const& r, recipient const& who, outcome& out) {
    using T = request_traits<Request>;
    auto st = std::make_unique<live_state>();
    detail::captured_request& c = st->request;
    auto copy = [](auto&& v) { return std::string(std::string_view(v)); };
    c.method = copy(T::method(r));
    c.from_uri = copy(T::from_uri(r));
    c.from_tag = copy(T::from_tag(r));
    c.to_uri = copy(T::to_uri(r));
    c.call_id = copy(T::call_id(r));
    c.cseq = detail::cseq_number(T::cseq(r));
    c.content_type = copy(T::content_type(r));
    c.date = copy(T::date(r));
    c.expires = copy(T::expires(r));
    detail::for_each_disposition_row(T::request_disposition(r), [&](std::string_view row) {
      if (!c.request_disposition.empty()) c.request_disposition += ", ";
      c.request_disposition.append(row.data(), row.size());
    });
    c.body = copy(T::body(r));
    c.bytes = copy(T::bytes(r));
    st->who = who;
    delivery_id const id = ++last_delivery_;
    attempt a;
    a.live = true;
    a.recipient = who.key;
    a.key = key();
    a.state = std::move(st);
    live_keys_.emplace(key(), id);
    out.actions.push_back(
        deliver_action{id, who.key, who.contacts, true, 0, delivery_mode::push, {}, 1});
    inflight_.emplace(id, std::move(a));
  }

  void live_finished(attempt a, int code, outcome& out) {
    live_keys_.erase(a.key);
    if (code >= 200 && code < 300) {
      remember_delivered(a.key);
      out.actions.push_back(respond_action{code, {}, {}, true});
      return;
    }
    if (!detail::not_reached(code)) {
      out.actions.push_back(respond_action{code, {}, {}, true});
      return;
    }
    // Not reached after all: decide as for an unreachable (or busy) recipient.
    live_state& st = *a.state;
    st.who.reach = detail::busy_code(code) ? reachability::busy : reachability::unreachable;
    retired_ = std::move(a.state);  // the decision's views point into it
    handle(retired_->request, retired_->who, out, true);
  }

  void stored_finished(attempt a, int code, outcome& out, std::string_view adapted) {
    envelope const& e = a.env;
    by_message_.erase(e.id);
    bool const push = e.mode == delivery_mode::push;
    if (push) {
      auto p = pushing_.find(e.recipient);
      if (p != pushing_.end()) pushing_.erase(p);
    }
    if (code >= 200 && code < 300) {
      auto erased = store_.erase(e.id);
      if (!erased) store_fault(erased.error(), "removing a delivered message", out);
      remember_delivered(a.key);
      if (e.notify)
        notify(
            e,
            is_gateway_key(e.recipient) ? delivery_status::processed : delivery_status::delivered,
            out, a.imdn_id, adapted);
    } else if (detail::not_reached(code)) {
      std::uint32_t const failures = e.attempts + 1;
      std::optional<timestamp> next;
      timestamp const t = now() + opt_.retry.delay(failures);
      if (push && t < e.expires_at) next = t;
      auto r = store_.reschedule(e.id, next, failures);
      if (!r) store_fault(r.error(), "scheduling a retry", out);
      if (next) maybe_announce(*next, out);
      return;  // the order holds: nothing behind it goes first
    } else {
      auto erased = store_.erase(e.id);
      if (!erased) store_fault(erased.error(), "removing a refused message", out);
      out.actions.push_back(expire_action{e.id, e.recipient, delivery_status::failed,
                                          "refused by the recipient with " + std::to_string(code)});
      if (e.notify) notify(e, delivery_status::failed, out, a.imdn_id);
    }
    if (push) {
      auto found = directory_.lookup(e.recipient);
      if (static_cast<bool>(found)) {
        recipient const& who = *found;
        push_next(who, out);
      }
    }
  }

  // Delivers the recipient's oldest push message, unless one is in flight
  // or the recipient has no contact.
  void push_next(recipient const& who, outcome& out) {
    if (who.contacts.empty() || who.reach == reachability::unreachable) return;
    if (pushing_.count(who.key) != 0) return;
    auto listed = store_.list(who.key, delivery_mode::push, 1);
    if (!listed) return store_fault(listed.error(), "listing push messages", out);
    if (listed->empty()) return;
    envelope const& e = listed->front();
    if (by_message_.count(e.id) != 0) return;
    if (e.next_attempt) {
      auto r = store_.reschedule(e.id, std::nullopt, e.attempts);
      if (!r) store_fault(r.error(), "clearing a retry time", out);
    }
    start_stored_delivery(who, e, out);
  }

  void start_stored_delivery(recipient const& who, envelope const& e, outcome& out) {
    auto got = store_.get(e.id);
    if (!got) return store_fault(got.error(), "reading a stored message", out);
    if (!*got) return;
    delivery_id const id = ++last_delivery_;
    attempt a;
    a.live = false;
    a.recipient = e.recipient;
    key_text(a.key, e.call_id, e.cseq, e.from_tag);
    a.env = (*got)->env;
    a.env.next_attempt.reset();
    if (e.notify) a.imdn_id = cpim_imdn_request((*got)->bytes);
    if (e.mode == delivery_mode::push) pushing_[e.recipient] = id;
    by_message_[e.id] = id;
    out.actions.push_back(deliver_action{id, who.key, who.contacts, false, e.id, e.mode,
                                         std::move((*got)->bytes), e.attempts + 1,
                                         (*got)->env.arrived});
    inflight_.emplace(id, std::move(a));
  }

  // The imdn.Message-ID of a stored request written in CPIM that asks for
  // notifications (RFC 5438 §6), or empty; read only in IMDN mode.
  auto cpim_imdn_request(std::string_view bytes) const -> std::string {
    if (opt_.notifications != notification_mode::imdn) return {};
    auto m = parse_message(bytes);
    if (!m) return {};
    return imdn_request_id(m->header("Content-Type").value_or(""), m->body());
  }
  auto stored_imdn_id(message_id id) -> std::string {
    if (opt_.notifications != notification_mode::imdn) return {};
    auto got = store_.get(id);
    return got && *got ? cpim_imdn_request((*got)->bytes) : std::string();
  }

  // `imdn_id`: the sender asked in CPIM (RFC 5438 §7.1), so the IMDN goes in
  // CPIM about that id. `adapted`: what a cut-down delivery left out.
  void notify(envelope const& e, delivery_status status, outcome& out,
              std::string_view imdn_id = {}, std::string_view adapted = {}) {
    if (opt_.notifications == notification_mode::none) return;
    notification_facts facts;
    facts.call_id = imdn_id.empty() ? std::string_view(e.call_id) : imdn_id;
    facts.cseq = e.cseq;
    facts.recipient = e.recipient;
    facts.original_recipient = e.to;
    facts.sent = e.arrived;
    facts.adapted = adapted;
    notify_action n;
    n.mode = opt_.notifications;
    n.status = status;
    n.to = e.sender;
    n.about = e.recipient;
    n.call_id = e.call_id;
    n.message = e.id;
    if (opt_.notifications == notification_mode::imdn && !imdn_id.empty()) {
      n.method = "MESSAGE";
      n.content_type = "message/cpim";
      // The IMDN's own id (RFC 5438 §7.1.1.1): unique per message and status.
      std::string const own_id = "sipsaf-" + std::to_string(e.id) + "-" + to_string(status) + "-" +
                                 std::to_string(now().time_since_epoch().count());
      n.body = make_cpim_imdn_body(status, facts, e.sender, own_id, now());
    } else if (opt_.notifications == notification_mode::imdn) {
      n.method = "MESSAGE";
      n.content_type = "message/imdn+xml";
      n.content_disposition = "notification";
      n.body = make_imdn_body(status, facts);
    } else {
      n.method = "NOTIFY";
      n.content_type = "text/plain;charset=utf-8";
      n.event = opt_.notify_event;
      n.body = make_notify_body(status, facts);
    }
    out.actions.push_back(std::move(n));
  }

  void maybe_announce(timestamp at, outcome& out) {
    if (announced_ && *announced_ <= at) return;
    announced_ = at;
    for (auto& a : out.actions) {
      if (auto* s = std::get_if<schedule_action>(&a)) {
        s->at = at;
        return;
      }
    }
    out.actions.push_back(schedule_action{at});
  }

  // The store failed while the timer ran: try again in a second rather
  // than never.
  void retry_timer(timestamp t, outcome& out) {
    announced_ = t + std::chrono::seconds(1);
    out.actions.push_back(schedule_action{*announced_});
  }

  void announce(timestamp t, bool more, outcome& out) {
    announced_.reset();
    if (more) {
      announced_ = t;
      out.actions.push_back(schedule_action{t});
      return;
    }
    auto next = store_.next_due();
    if (!next) {
      store_fault(next.error(), "reading the next due time", out);
      return retry_timer(t, out);
    }
    if (!*next) return;
    // A due time in the past belongs to a message whose attempt is in
    // flight; its result will act, so look again a little later.
    timestamp at = **next;
    if (at <= t) at = t + std::chrono::seconds(1);
    announced_ = at;
    out.actions.push_back(schedule_action{at});
  }

  Store store_;
  Directory directory_;
  Clock clock_;
  Gateways gateways_;
  Policy policy_;
  engine_options opt_;

  delivery_id last_delivery_ = 0;
  std::unordered_map<delivery_id, attempt> inflight_;
  std::unordered_map<std::string, delivery_id> pushing_;    // recipient → its push attempt
  std::unordered_map<message_id, delivery_id> by_message_;  // stored message → its attempt
  std::unordered_map<std::string, delivery_id> live_keys_;  // key text → live attempt
  std::unordered_map<std::string, timestamp> recent_;       // delivered keys
  std::deque<std::pair<timestamp, std::string>> recent_order_;
  std::optional<timestamp> announced_;
  std::unique_ptr<live_state> retired_;
  std::optional<recipient> held_;

  // Scratch reused from call to call; decisions point into it.
  request_facts facts_;
  struct {
    std::string method, from_uri, to_uri, content_type, disposition, body;
    std::vector<std::string> rows;
  } kept_;                                  // copies of text the request's traits returned by value
  std::optional<media_type> content_type_;  // views into content_type_text_
  std::string content_type_text_;
  request_disposition disposition_;        // several rows, or one that failed
  request_disposition disposition_cache_;  // views into disposition_text_
  std::string disposition_text_;
  bool disposition_cached_ = false;
  std::string expires_text_;  // the last Expires, and what it reads as
  std::optional<std::chrono::seconds> expires_value_;
  bool expires_read_ = false;
  std::string date_text_;  // the last Date, and what it reads as
  std::optional<timestamp> date_value_;
  bool date_read_ = false;
  std::string key_buf_;
  message_key key_;  // views into the request being handled
  bool key_built_ = false;
  std::string detail_;
  std::string scratch_to_;
  std::string disposition_rows_;
};

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_POLICY_ENGINE_HPP
