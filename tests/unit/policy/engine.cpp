// The engine over a simulated clock: push and pull delivery, order,
// retries with backoff, expiry (with and without Date and Expires),
// duplicate suppression, live delivery that fails over to storing, and
// both notification modes.
#include <sipsaf/policy/engine.hpp>

#include "fixtures.hpp"

#include <boost/test/unit_test.hpp>

#include <boost/mpl/list.hpp>

#include <algorithm>
#include <chrono>
#include <deque>
#include <string>
#include <type_traits>
#include <vector>

using namespace sipsaf;
using namespace std::chrono_literals;
using sipsaf_test::message;
using sipsaf_test::tiny_request;
using sipsaf_test::world;

namespace {

auto deliveries(outcome const& o) -> std::vector<deliver_action> {
  std::vector<deliver_action> v;
  for (auto const& a : o.actions)
    if (auto const* d = std::get_if<deliver_action>(&a)) v.push_back(*d);
  return v;
}

auto schedule_of(outcome const& o) -> std::optional<timestamp> {
  if (auto const* s = o.find<schedule_action>()) return s->at;
  return std::nullopt;
}

// Stores `n` messages for Bob while he is offline; returns their requests.
auto store_some(world& w, int n, std::string disposition = "store-and-forward-if-not-reached")
    -> std::vector<tiny_request> {
  std::vector<tiny_request> rs;
  for (int i = 0; i < n; ++i) {
    rs.push_back(message("m" + std::to_string(i), disposition, "body " + std::to_string(i)));
    auto o = w.engine.on_request(rs.back());
    BOOST_REQUIRE(o.find<store_action>() != nullptr);
    BOOST_REQUIRE(o.find<respond_action>()->code == 202);
  }
  return rs;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(engine)

BOOST_AUTO_TEST_CASE(push_delivery_in_arrival_order_with_exact_bytes) {
  world w;
  auto rs = store_some(w, 3);
  // A multipart body with a boundary, a Date and the disposition must come
  // back byte for byte.
  tiny_request mp = message("mp", "store-and-forward-if-not-reached, no-fork",
                            "--b1\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b1--\r\n");
  mp.content_type = "multipart/mixed; boundary=\"b1\"";
  mp.date = "Tue, 14 Nov 2023 22:13:20 GMT";
  mp.wire();
  w.engine.on_request(mp);
  rs.push_back(mp);
  BOOST_TEST(w.store.size() == 4u);

  w.online();
  auto o = w.engine.on_reachable("sip:bob@example.com");
  for (std::size_t i = 0; i < rs.size(); ++i) {
    auto ds = deliveries(o);
    BOOST_REQUIRE_MESSAGE(ds.size() == 1u, "one at a time, message " << i);
    BOOST_TEST(!ds[0].live);
    BOOST_TEST(ds[0].bytes == rs[i].bytes);  // oldest first, exact bytes
    BOOST_TEST(ds[0].contacts == std::vector<std::string>{"sip:bob@192.0.2.7:5060"});
    BOOST_TEST(ds[0].attempt == 1u);
    // Nothing else goes out while it is in flight.
    BOOST_TEST(deliveries(w.engine.on_reachable("sip:bob@example.com")).empty());
    o = w.engine.on_delivery_result(ds[0].id, 200);
  }
  BOOST_TEST(deliveries(o).empty());
  BOOST_TEST(w.store.size() == 0u);
  BOOST_TEST(w.engine.deliveries_in_progress() == 0u);
}

BOOST_AUTO_TEST_CASE(retries_back_off_exponentially_up_to_the_cap) {
  engine_options opt;
  opt.retry.initial = 10s;
  opt.retry.cap = 40s;
  world w({}, opt);
  store_some(w, 1);
  w.online();
  auto o = w.engine.on_reachable("sip:bob@example.com");
  std::vector<long long> waits;  // seconds
  for (int attempt = 1; attempt <= 5; ++attempt) {
    auto ds = deliveries(o);
    BOOST_REQUIRE_MESSAGE(ds.size() == 1u, "attempt " << attempt);
    BOOST_TEST(ds[0].attempt == static_cast<std::uint32_t>(attempt));
    timestamp const failed_at = w.clock.now();
    o = w.engine.on_delivery_result(ds[0].id, 408);
    auto when = schedule_of(o);
    BOOST_REQUIRE(when.has_value());
    waits.push_back(std::chrono::duration_cast<std::chrono::seconds>(*when - failed_at).count());
    // Not a moment early...
    w.clock.set(*when - 1ms);
    BOOST_TEST(deliveries(w.engine.on_timer()).empty());
    // ...and on time.
    w.clock.set(*when);
    o = w.engine.on_timer();
  }
  std::vector<long long> const want = {10, 20, 40, 40, 40};
  BOOST_TEST(waits == want, boost::test_tools::per_element());
  BOOST_TEST(w.store.size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_recipient_gone_at_retry_time_is_waited_for) {
  world w;
  store_some(w, 1);
  w.online();
  auto ds = deliveries(w.engine.on_reachable("sip:bob@example.com"));
  BOOST_REQUIRE(ds.size() == 1u);
  auto o = w.engine.on_delivery_result(ds[0].id, 0);  // no answer at all
  auto when = schedule_of(o);
  BOOST_REQUIRE(when.has_value());
  w.offline();
  w.clock.set(*when);
  BOOST_TEST(deliveries(w.engine.on_timer()).empty());
  w.clock.advance(1h);
  BOOST_TEST(deliveries(w.engine.on_timer()).empty());
  w.online();
  ds = deliveries(w.engine.on_reachable("sip:bob@example.com"));
  BOOST_REQUIRE(ds.size() == 1u);
  BOOST_TEST(ds[0].attempt == 2u);
}

BOOST_AUTO_TEST_CASE(expiry_by_profile_lifetime_notifies_a_sender_who_asked) {
  world w;
  w.profile().max_lifetime = 100s;
  auto o = w.engine.on_request(message("e1", "store-and-forward-if-not-reached, notify"));
  auto when = schedule_of(o);
  BOOST_REQUIRE(when.has_value());
  BOOST_TEST((*when == w.clock.now() + 100s));
  w.engine.on_request(message("e2", "store-and-forward-if-not-reached"));  // did not ask
  w.clock.advance(99s);
  BOOST_TEST(w.engine.on_timer().find<expire_action>() == nullptr);
  w.clock.advance(1s);
  o = w.engine.on_timer();
  BOOST_TEST(o.count<expire_action>() == 2u);
  BOOST_TEST(o.count<notify_action>() == 1u);
  auto const* n = o.find<notify_action>();
  BOOST_TEST(n->to == "sip:alice@example.com");
  BOOST_TEST((n->status == delivery_status::expired));
  BOOST_TEST(n->body.find("<failed/>") != std::string::npos);
  BOOST_TEST(w.store.size() == 0u);
}

BOOST_AUTO_TEST_CASE(expiry_from_expires_without_date_counts_from_arrival) {
  world w;
  auto r = message("x1", "store");
  r.expires = "60";
  r.wire();
  auto o = w.engine.on_request(r);
  BOOST_TEST((o.find<store_action>()->expires_at == w.clock.now() + 60s));
  BOOST_TEST((o.decided->trace.lifetime == lifetime_source::arrival_expires));
}

BOOST_AUTO_TEST_CASE(expiry_from_date_plus_expires) {
  world w;
  // Date 50 s before the arrival, Expires 60: 10 s are left (RFC 3428).
  w.clock.set(*parse_sip_timestamp("Tue, 14 Nov 2023 22:14:10 GMT"));
  auto r = message("x2", "store-and-forward-if-not-reached");
  r.date = "Tue, 14 Nov 2023 22:13:20 GMT";
  r.expires = "60";
  r.wire();
  auto o = w.engine.on_request(r);
  BOOST_REQUIRE(o.find<store_action>() != nullptr);
  BOOST_TEST((o.find<store_action>()->expires_at == w.clock.now() + 10s));
  BOOST_TEST((o.decided->trace.lifetime == lifetime_source::date_expires));
  w.clock.advance(10s);
  BOOST_TEST(w.engine.on_timer().count<expire_action>() == 1u);

  // Already past its Date + Expires on arrival: refused at once.
  r.call_id = "x3";
  r.expires = "30";
  r.wire();
  o = w.engine.on_request(r);
  BOOST_TEST(o.decided->code == 480);
  BOOST_TEST(o.decided->reason == "Message Expired");
  BOOST_TEST(o.decided->trace.fired == rule::expired);

  // A profile lifetime shorter than Date + Expires wins.
  w.profile().max_lifetime = 5s;
  r.call_id = "x4";
  r.expires = "3600";
  r.wire();
  o = w.engine.on_request(r);
  BOOST_TEST((o.find<store_action>()->expires_at == w.clock.now() + 5s));

  // A malformed Expires reads as 3600 s (RFC 3261 §20.19); a bad Date is ignored.
  w.profile().max_lifetime.reset();
  r.call_id = "x5";
  r.expires = "soon";
  r.date = "yesterday";
  r.wire();
  o = w.engine.on_request(r);
  BOOST_TEST((o.find<store_action>()->expires_at == w.clock.now() + 3600s));
  BOOST_TEST(o.decided->trace.expires_malformed);
  BOOST_TEST(o.decided->trace.date_malformed);
  BOOST_TEST(o.log.find("read as 3600 s") != std::string::npos, o.log);
}

BOOST_AUTO_TEST_CASE(duplicates_are_suppressed_by_call_id_cseq_and_from_tag) {
  engine_options opt;
  opt.duplicate_window = 60s;
  world w({}, opt);
  auto r = message("dup", "store-and-forward-if-not-reached");
  BOOST_TEST(w.engine.on_request(r).find<store_action>() != nullptr);
  auto o = w.engine.on_request(r);  // re-sent while stored
  BOOST_TEST(to_string(o.decided->what) == "duplicate");
  BOOST_TEST(o.find<respond_action>()->code == 202);
  BOOST_TEST(o.find<store_action>() == nullptr);
  BOOST_TEST(w.store.size() == 1u);

  // Another CSeq or From tag is another request.
  auto r2 = r;
  r2.cseq = 2;
  r2.wire();
  BOOST_TEST(w.engine.on_request(r2).find<store_action>() != nullptr);
  auto r3 = r;
  r3.from_tag = "other";
  r3.wire();
  BOOST_TEST(w.engine.on_request(r3).find<store_action>() != nullptr);

  // Delivered: a re-send within the window is answered 200, not delivered again.
  w.online();
  auto o2 = w.engine.on_reachable("sip:bob@example.com");
  while (!deliveries(o2).empty()) o2 = w.engine.on_delivery_result(deliveries(o2)[0].id, 200);
  o = w.engine.on_request(r);
  BOOST_TEST(o.decided->trace.fired == rule::duplicate_delivered);
  BOOST_TEST(o.find<respond_action>()->code == 200);
  BOOST_TEST(deliveries(o).empty());
  // After the window it is a new request again.
  w.clock.advance(61s);
  o = w.engine.on_request(r);
  BOOST_TEST(deliveries(o).size() == 1u);
  BOOST_TEST(deliveries(o)[0].live);

  // While that live delivery is in flight, a re-send gets no answer of its own.
  o = w.engine.on_request(r);
  BOOST_TEST(o.decided->trace.fired == rule::duplicate_in_progress);
  BOOST_TEST(o.actions.empty());
}

BOOST_AUTO_TEST_CASE(pull_messages_wait_for_the_recipient_to_ask) {
  world w;
  auto rs = store_some(w, 2, "store, notify");
  w.online();
  BOOST_TEST(deliveries(w.engine.on_reachable("sip:bob@example.com")).empty());
  auto o = w.engine.on_fetch("sip:bob@example.com", 10);
  auto ds = deliveries(o);
  BOOST_REQUIRE(ds.size() == 2u);
  BOOST_TEST((ds[0].mode == delivery_mode::pull));
  BOOST_TEST(ds[0].bytes == rs[0].bytes);
  BOOST_TEST(ds[1].bytes == rs[1].bytes);
  // Asking again while they are in flight gives nothing twice.
  BOOST_TEST(deliveries(w.engine.on_fetch("sip:bob@example.com", 10)).empty());
  o = w.engine.on_delivery_result(ds[0].id, 200);
  BOOST_TEST(o.count<notify_action>() == 1u);
  o = w.engine.on_delivery_result(ds[1].id, 480);  // not taken: stays for the next fetch
  BOOST_TEST(w.store.size() == 1u);
  ds = deliveries(w.engine.on_fetch("sip:bob@example.com", 10));
  BOOST_REQUIRE(ds.size() == 1u);
  BOOST_TEST(ds[0].bytes == rs[1].bytes);
  BOOST_TEST(ds[0].attempt == 2u);
}

BOOST_AUTO_TEST_CASE(imdn_notification_after_delivery) {
  world w;
  auto r = message("n1@example.com", "store-and-forward-if-not-reached, notify");
  w.engine.on_request(r);
  w.online();
  auto ds = deliveries(w.engine.on_reachable("sip:bob@example.com"));
  BOOST_REQUIRE(ds.size() == 1u);
  auto o = w.engine.on_delivery_result(ds[0].id, 200);
  auto const* n = o.find<notify_action>();
  BOOST_REQUIRE(n != nullptr);
  BOOST_TEST(n->method == "MESSAGE");
  BOOST_TEST(n->to == "sip:alice@example.com");
  BOOST_TEST(n->content_type == "message/imdn+xml");
  BOOST_TEST(n->content_disposition == "notification");
  BOOST_TEST(n->body.find("<message-id>n1@example.com</message-id>") != std::string::npos);
  BOOST_TEST(n->body.find("<delivered/>") != std::string::npos);
  BOOST_TEST(n->body.find("urn:ietf:params:xml:ns:imdn") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_gateway_recipient_reports_processed_not_delivered) {
  // A program queues what it hands to a gateway under the target's key.
  world w;
  sipsaf::recipient mail;
  mail.key = "email:carol@example.com";
  mail.profile.store.setting = sipsaf::store_setting::notify;
  w.directory.set(mail);
  auto r = message("g1@example.com");
  w.engine.on_request(r, mail);
  w.directory.set_contacts(mail.key, {mail.key});
  auto ds = deliveries(w.engine.on_reachable(mail.key));
  BOOST_REQUIRE(ds.size() == 1u);
  auto o = w.engine.on_delivery_result(ds[0].id, 200);
  auto const* n = o.find<notify_action>();
  BOOST_REQUIRE(n != nullptr);
  BOOST_TEST((n->status == sipsaf::delivery_status::processed));
  BOOST_TEST(n->body.find("<processing-notification>") != std::string::npos);
  BOOST_TEST(n->body.find("<processed/>") != std::string::npos);
  BOOST_TEST(sipsaf::is_gateway_key("sms:+15551234567"));
  BOOST_TEST(!sipsaf::is_gateway_key("sip:bob@example.com"));
  BOOST_TEST(!sipsaf::is_gateway_key("email:"));
}

BOOST_AUTO_TEST_CASE(profile_notify_and_notify_mode) {
  engine_options opt;
  opt.notifications = notification_mode::notify;
  opt.notify_stored = true;
  world w({}, opt);
  w.profile().store = parse_store_and_forward("notify").value();
  auto o = w.engine.on_request(message("n2", ""));  // the sender said nothing
  auto const* stored = o.find<notify_action>();
  BOOST_REQUIRE(stored != nullptr);  // notify_stored
  BOOST_TEST(stored->body.find("message has been stored") == 0u);
  w.online();
  auto ds = deliveries(w.engine.on_reachable("sip:bob@example.com"));
  o = w.engine.on_delivery_result(ds.at(0).id, 202);
  auto const* n = o.find<notify_action>();
  BOOST_REQUIRE(n != nullptr);
  BOOST_TEST(n->method == "NOTIFY");
  BOOST_TEST(n->event == "message-delivery");
  BOOST_TEST(n->content_type == "text/plain;charset=utf-8");
  BOOST_TEST(n->body.find("message has been delivered\r\n") == 0u);
  BOOST_TEST(n->body.find("Call-ID: n2") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(no_notification_unless_asked_or_when_disabled) {
  engine_options opt;
  opt.notifications = notification_mode::none;
  world w({}, opt);
  w.engine.on_request(message("q1", "store-and-forward-if-not-reached, notify"));
  w.online();
  auto ds = deliveries(w.engine.on_reachable("sip:bob@example.com"));
  BOOST_TEST(w.engine.on_delivery_result(ds.at(0).id, 200).find<notify_action>() == nullptr);
  world v;
  v.engine.on_request(message("q2", "store-and-forward-if-not-reached"));
  v.online();
  ds = deliveries(v.engine.on_reachable("sip:bob@example.com"));
  BOOST_TEST(v.engine.on_delivery_result(ds.at(0).id, 200).find<notify_action>() == nullptr);
}

BOOST_AUTO_TEST_CASE(live_delivery_that_fails_is_decided_again_as_unreachable) {
  world w;
  w.online();
  auto r = message("live1", "store-and-forward-if-not-reached");
  auto o = w.engine.on_request(r);
  auto ds = deliveries(o);
  BOOST_REQUIRE(ds.size() == 1u);
  BOOST_TEST(ds[0].live);
  BOOST_TEST(o.find<respond_action>() == nullptr);  // the recipient's answer decides
  o = w.engine.on_delivery_result(ds[0].id, 480);
  BOOST_REQUIRE(o.decided.has_value());
  BOOST_TEST(to_string(o.decided->what) == "store");
  BOOST_TEST(o.find<respond_action>()->code == 202);
  BOOST_TEST(o.log.find("unreachable") != std::string::npos, o.log);
  BOOST_TEST(schedule_of(o).has_value());  // contacts exist: it is retried
  BOOST_TEST(w.store.size() == 1u);
  auto stored = w.store.get(1).value();
  BOOST_REQUIRE(stored.has_value());
  BOOST_TEST(stored->bytes == r.bytes);

  // An instant message to a busy recipient: 486.
  o = w.engine.on_request(message("live2", "do-not-store"));
  ds = deliveries(o);
  BOOST_REQUIRE(ds.size() == 1u);  // do-not-store never queues
  o = w.engine.on_delivery_result(ds[0].id, 486);
  BOOST_TEST(o.find<respond_action>()->code == 486);
  BOOST_TEST(o.decided->trace.fired == rule::do_not_store);

  // A final refusal by the recipient is relayed as it is.
  o = w.engine.on_request(message("live3", "do-not-store"));
  o = w.engine.on_delivery_result(deliveries(o).at(0).id, 415);
  BOOST_TEST(o.find<respond_action>()->code == 415);
  BOOST_TEST(o.find<respond_action>()->relay);
}

BOOST_AUTO_TEST_CASE(live_delivery_success_is_relayed) {
  world w;
  w.online();
  auto o = w.engine.on_request(message("ok1", ""));
  o = w.engine.on_delivery_result(deliveries(o).at(0).id, 200);
  auto const* resp = o.find<respond_action>();
  BOOST_REQUIRE(resp != nullptr);
  BOOST_TEST(resp->relay);
  BOOST_TEST(resp->code == 200);
  BOOST_TEST(w.store.size() == 0u);
}

BOOST_AUTO_TEST_CASE(a_refused_stored_message_is_dropped_and_the_next_follows) {
  world w;
  auto rs = store_some(w, 2, "store-and-forward-if-not-reached, notify");
  w.online();
  auto ds = deliveries(w.engine.on_reachable("sip:bob@example.com"));
  auto o = w.engine.on_delivery_result(ds.at(0).id, 415);
  auto const* ex = o.find<expire_action>();
  BOOST_REQUIRE(ex != nullptr);
  BOOST_TEST((ex->status == delivery_status::failed));
  BOOST_TEST(o.find<notify_action>()->body.find("<failed/>") != std::string::npos);
  ds = deliveries(o);
  BOOST_REQUIRE(ds.size() == 1u);
  BOOST_TEST(ds[0].bytes == rs[1].bytes);
}

BOOST_AUTO_TEST_CASE(a_new_message_queues_behind_waiting_ones) {
  world w;
  auto rs = store_some(w, 1);
  w.online();  // registered, but no on_reachable yet (say, right after a restart)
  auto late = message("late", "");
  auto o = w.engine.on_request(late);
  BOOST_TEST(o.decided->trace.fired == rule::queued_behind);
  BOOST_TEST(o.find<respond_action>()->code == 202);
  auto ds = deliveries(o);
  BOOST_REQUIRE(ds.size() == 1u);  // the oldest goes first
  BOOST_TEST(ds[0].bytes == rs[0].bytes);
  ds = deliveries(w.engine.on_delivery_result(ds[0].id, 200));
  BOOST_REQUIRE(ds.size() == 1u);
  BOOST_TEST(ds[0].bytes == late.bytes);
}

BOOST_AUTO_TEST_CASE(a_new_engine_over_the_same_store_delivers_what_was_stored) {
  world w;
  auto rs = store_some(w, 2);
  {
    sipsaf_test::test_engine second(w.store, w.directory, w.clock, w.gateways);
    w.online();
    auto ds = deliveries(second.on_reachable("sip:bob@example.com"));
    BOOST_REQUIRE(ds.size() == 1u);
    BOOST_TEST(ds[0].bytes == rs[0].bytes);
  }
}

BOOST_AUTO_TEST_CASE(timer_batches_and_schedules_itself) {
  engine_options opt;
  opt.batch = 2;
  world w({}, opt);
  w.profile().max_lifetime = 10s;
  store_some(w, 5);
  w.clock.advance(10s);
  auto o = w.engine.on_timer();
  BOOST_TEST(o.count<expire_action>() == 2u);
  BOOST_TEST((schedule_of(o) == std::optional<timestamp>(w.clock.now())));  // more to do
  o = w.engine.on_timer();
  o = w.engine.on_timer();
  BOOST_TEST(o.count<expire_action>() == 1u);
  BOOST_TEST(!schedule_of(o).has_value());  // nothing left
  BOOST_TEST(w.store.size() == 0u);
}

BOOST_AUTO_TEST_CASE(messages_in_flight_at_expiry_wait_for_their_result) {
  engine_options opt;
  opt.batch = 1;
  world w({}, opt);
  w.profile().max_lifetime = 10s;
  store_some(w, 1, "store-and-forward-if-not-reached, notify");
  w.online();
  auto ds = deliveries(w.engine.on_reachable("sip:bob@example.com"));
  BOOST_REQUIRE(ds.size() == 1u);
  w.clock.advance(10s);
  auto o = w.engine.on_timer();
  BOOST_TEST(o.find<expire_action>() == nullptr);  // in flight: its result decides
  auto when = schedule_of(o);
  BOOST_REQUIRE(when.has_value());
  BOOST_TEST((*when > w.clock.now()));  // not a busy loop
  o = w.engine.on_delivery_result(ds[0].id, 408);
  w.clock.set(*when);
  o = w.engine.on_timer();
  BOOST_TEST(o.count<expire_action>() == 1u);
  BOOST_TEST(o.count<notify_action>() == 1u);
  BOOST_TEST(w.store.size() == 0u);
}

BOOST_AUTO_TEST_CASE(unknown_delivery_ids_are_reported) {
  world w;
  auto o = w.engine.on_delivery_result(12345, 200);
  BOOST_TEST(o.find<fault_action>() != nullptr);
}

namespace {
// A store whose writes fail: the sender must get 500, not 202.
struct failing_store : memory_store {
  auto put(stored_message const&) -> result<message_id, std::error_code> {
    return std::make_error_code(std::errc::no_space_on_device);
  }
};
}  // namespace

BOOST_AUTO_TEST_CASE(a_store_failure_is_answered_500) {
  failing_store store;
  static_directory dir;
  recipient bob;
  bob.key = "sip:bob@example.com";
  dir.set(bob);
  manual_clock clock;
  store_forward_engine<failing_store&, static_directory&, manual_clock&> e(store, dir, clock);
  auto o = e.on_request(message("f1", "store-and-forward-if-not-reached"));
  BOOST_TEST(o.find<respond_action>()->code == 500);
  BOOST_TEST(o.find<store_action>() == nullptr);
  BOOST_TEST(o.find<fault_action>() != nullptr);
  BOOST_TEST(o.log.find("the store failed") != std::string::npos, o.log);
}

namespace {
// A store that cannot be read for expiry: the timer must not go silent.
struct unreadable_store : memory_store {
  auto expired(timestamp, std::size_t) -> result<std::vector<envelope>, std::error_code> {
    return std::make_error_code(std::errc::io_error);
  }
};
}  // namespace

BOOST_AUTO_TEST_CASE(a_store_failure_in_the_timer_schedules_a_retry) {
  unreadable_store store;
  static_directory dir;
  manual_clock clock;
  store_forward_engine<unreadable_store&, static_directory&, manual_clock&> e(store, dir, clock);
  auto o = e.on_timer();
  BOOST_TEST(o.find<fault_action>() != nullptr);
  BOOST_TEST((schedule_of(o) == std::optional<timestamp>(clock.now() + 1s)));
}

BOOST_AUTO_TEST_CASE(header_values_that_change_from_request_to_request) {
  // The engine keeps the last Content-Type and Request-Disposition parsed;
  // every change of text must be seen.
  world w;
  w.profile().accepts = media_ranges::parse("text/plain").value();
  struct step {
    char const* disposition;
    char const* content_type;
    int code;
    char const* mode;
  } const steps[] = {
      {"store", "text/plain", 202, "pull"},
      {"store", "text/plain", 202, "pull"},
      {"do-not-store", "text/plain", 480, ""},
      {"store-and-forward-if-not-reached, x-ext", "text/plain", 202, "push"},
      {"store-and-forward-if-not-reached, x-ext", "image/png", 415, ""},
      {"store", "image/png", 415, ""},
      {"store", "text/plain;charset=utf-8", 202, "pull"},
      {"", "text/plain;charset=utf-8", 202, "push"},
      {"store, do-not-store", "text/plain", 400, ""},
      {"store", "text/plain", 202, "pull"},
  };
  int i = 0;
  for (auto const& st : steps) {
    auto r = message("chg-" + std::to_string(i++), st.disposition);
    r.content_type = st.content_type;
    r.wire();
    auto o = w.engine.on_request(r);
    BOOST_TEST_CONTEXT(st.disposition << " | " << st.content_type << " | " << o.log) {
      BOOST_TEST(o.decided->code == st.code);
      if (auto const* s = o.find<store_action>()) BOOST_TEST(to_string(s->mode) == st.mode);
      if (*st.disposition != '\0' && st.code == 202)
        BOOST_TEST(o.log.find(std::string("(Request-Disposition: ") + st.disposition) !=
                   std::string::npos);
    }
  }
}

namespace {
// A directory that hands out copies (std::optional), as a registrar over a
// database would.
struct copying_directory {
  static_directory inner;
  auto lookup(std::string_view uri) const -> std::optional<recipient> {
    if (auto const* r = inner.lookup(uri)) return *r;
    return std::nullopt;
  }
};
}  // namespace

BOOST_AUTO_TEST_CASE(a_directory_that_returns_copies) {
  memory_store store;
  copying_directory dir;
  recipient bob;
  bob.key = "sip:bob@example.com";
  dir.inner.set(bob);
  manual_clock clock;
  store_forward_engine<memory_store&, copying_directory&, manual_clock&> e(store, dir, clock);
  auto o = e.on_request(message("copy-1", "store-and-forward-if-not-reached"));
  BOOST_TEST(o.decided->code == 202);
  BOOST_TEST(o.decided->trace.recipient == "sip:bob@example.com");  // still valid here
  BOOST_TEST(o.log.find("sip:bob@example.com is unreachable") != std::string::npos, o.log);
  dir.inner.set_contacts("sip:bob@example.com", {"sip:bob@192.0.2.7"});
  auto ds = deliveries(e.on_reachable("sip:bob@example.com"));
  BOOST_REQUIRE(ds.size() == 1u);
  BOOST_TEST(ds[0].contacts.at(0) == "sip:bob@192.0.2.7");
}

namespace {
// Text that owns its characters and overwrites them with '#' when it is
// destroyed; the memory stays allocated (in `graveyard`), so a view kept
// past its end reads '#' with or without a sanitizer, never freed memory.
class fleeting_text {
 public:
  explicit fleeting_text(std::string s) : s_(&graveyard().emplace_back(std::move(s))) {}
  fleeting_text(fleeting_text const& o) : fleeting_text(*o.s_) {}
  auto operator=(fleeting_text const&) -> fleeting_text& = delete;
  ~fleeting_text() { std::fill(s_->begin(), s_->end(), '#'); }
  operator std::string_view() const noexcept { return *s_; }

 private:
  static auto graveyard() -> std::deque<std::string>& {
    static std::deque<std::string> g;
    return g;
  }
  std::string* s_;
};

// A request whose accessors return text by value (`Text`), as a stack that
// renders its parsed fields does; the Request-Disposition as one text, or
// (`Rows`) as a vector of rows by value ('|' separates the rows).
template <class Text, bool Rows>
struct by_value_request {
  tiny_request r;
  auto method() const -> Text { return Text(r.method); }
  auto from_uri() const -> Text { return Text(r.from_uri); }
  auto from_tag() const -> Text { return Text(r.from_tag); }
  auto to_uri() const -> Text { return Text(r.to_uri); }
  auto call_id() const -> Text { return Text(r.call_id); }
  auto cseq() const -> Text { return Text(std::to_string(r.cseq) + " " + r.method); }
  auto content_type() const -> Text { return Text(r.content_type); }
  auto date() const -> Text { return Text(r.date); }
  auto expires() const -> Text { return Text(r.expires); }
  auto request_disposition() const -> std::conditional_t<Rows, std::vector<Text>, Text> {
    std::string const& d = r.request_disposition;
    if constexpr (Rows) {
      std::vector<Text> rows;
      for (std::size_t at = 0; at < d.size();) {
        std::size_t bar = d.find('|', at);
        if (bar == std::string::npos) bar = d.size();
        rows.emplace_back(d.substr(at, bar - at));
        at = bar + 1;
      }
      return rows;
    } else {
      std::string joined = d;
      for (std::size_t bar; (bar = joined.find('|')) != std::string::npos;)
        joined.replace(bar, 1, ", ");
      return Text(joined);
    }
  }
  auto body() const -> Text { return Text(r.body); }
  auto bytes() const -> Text { return Text(r.bytes); }
};

// A policy that points the trace at the request's From URI, as the
// DispositionPolicy contract allows (views into the decision's inputs).
struct echoing_policy {
  default_policy inner;
  auto decide(decision_input const& in) const -> decision {
    decision d = inner.decide(in);
    if (d.trace.detail.empty()) d.trace.detail = in.request->from_uri;
    return d;
  }
};

using by_value_models =
    boost::mpl::list<by_value_request<std::string, false>, by_value_request<std::string, true>,
                     by_value_request<fleeting_text, false>, by_value_request<fleeting_text, true>>;
}  // namespace

BOOST_AUTO_TEST_CASE_TEMPLATE(decision_views_outlive_text_returned_by_value, R, by_value_models) {
  memory_store store;
  static_directory dir;
  recipient bob;
  bob.key = "sip:bob@example.com";
  bob.profile.accepts = media_ranges::parse("text/plain, message/cpim").value();
  dir.set(bob);
  manual_clock clock;
  store_forward_engine<memory_store&, static_directory&, manual_clock&, no_gateways, echoing_policy>
      e(store, dir, clock);
  struct step {
    char const* method;
    char const* disposition;  // '|' separates rows
    char const* shown;        // the trace's Request-Disposition
    char const* content_type;
    char const* body;
    int code;
    rule fired;
  } const steps[] = {
      {"MESSAGE", "store-and-forward-if-not-reached|notify",
       "store-and-forward-if-not-reached, notify", "text/plain;charset=utf-8", "hello Bob", 202,
       rule::store_sender},
      // The same header texts again: the engine's parsed copies are reused.
      {"MESSAGE", "store-and-forward-if-not-reached|notify",
       "store-and-forward-if-not-reached, notify", "text/plain;charset=utf-8", "hello again", 202,
       rule::store_sender},
      {"MESSAGE", "store-and-forward-if-not-reached", "store-and-forward-if-not-reached",
       "text/plain;charset=utf-8", "once more", 202, rule::store_sender},
      {"MESSAGE", "store", "store", "image/png;name=\"a-rather-long-file-name.png\"", "PNG", 415,
       rule::media_type},
      {"MESSAGE", "store|do-not-store", "", "text/plain;charset=utf-8", "conflict", 400,
       rule::bad_request},
      {"MESSAGE", "do-not-store, no-fork", "do-not-store, no-fork", "text/plain;charset=utf-8",
       "instant", 480, rule::do_not_store},
      {"OPTIONS", "", "", "", "", 0, rule::not_payload},
  };
  int i = 0;
  for (auto const& st : steps) {
    R req;
    req.r.method = st.method;
    req.r.call_id = "by-value-" + std::to_string(i++) + "@a-host-name-long-enough.example.com";
    req.r.request_disposition = st.disposition;
    req.r.content_type = st.content_type;
    req.r.body = st.body;
    req.r.wire();
    outcome o = e.on_request(req);
    // Every view of the decision is read after on_request returned, while
    // the request is alive (action.hpp's promise).
    BOOST_REQUIRE(o.decided.has_value());
    decision const& d = *o.decided;
    BOOST_TEST_CONTEXT(st.method << " | " << st.disposition << " | " << st.content_type) {
      BOOST_TEST(d.code == st.code);
      BOOST_TEST(d.trace.fired == st.fired);
      BOOST_TEST(d.trace.method == st.method);
      BOOST_TEST(d.trace.recipient == "sip:bob@example.com");
      if (st.fired == rule::bad_request) {
        BOOST_TEST(d.trace.detail.find("Request-Disposition") != std::string_view::npos,
                   d.trace.detail);
      } else {
        BOOST_TEST(d.trace.content_type == st.content_type);
        BOOST_TEST(d.trace.disposition == st.shown);
        BOOST_TEST(d.trace.detail == "sip:alice@example.com");
      }
      if (st.code == 202) BOOST_TEST(d.reason == "Accepted");
      if (st.code == 415) BOOST_TEST(d.accept_header() == "text/plain, message/cpim");
      BOOST_TEST(to_string(d) == o.log);  // rendered again from the views: the same words
    }
  }
}

namespace {
// A request that hands over its CSeq as text, as a stack that keeps header
// values as text does.
struct text_cseq_request {
  std::string method = "MESSAGE", from_uri = "sip:alice@example.com", from_tag = "a1",
              to_uri = "sip:bob@example.com", call_id = "mandatory@example.com", cseq = "1 MESSAGE",
              content_type = "text/plain", date, expires,
              request_disposition = "store-and-forward-if-not-reached", body = "hello Bob",
              bytes = "MESSAGE sip:bob@example.com SIP/2.0\r\n...";
};
}  // namespace

BOOST_AUTO_TEST_CASE(a_payload_request_without_to_from_call_id_or_cseq_is_refused_400) {
  // RFC 3261 §8.1.1: To, From, Call-ID and CSeq are mandatory; the engine
  // files and recognises a message by them.
  struct step {
    char const* header;
    void (*spoil)(text_cseq_request&);
  } const steps[] = {
      {"To", [](text_cseq_request& r) { r.to_uri.clear(); }},
      {"From", [](text_cseq_request& r) { r.from_uri.clear(); }},
      {"Call-ID", [](text_cseq_request& r) { r.call_id.clear(); }},
      {"CSeq", [](text_cseq_request& r) { r.cseq.clear(); }},
      {"CSeq", [](text_cseq_request& r) { r.cseq = "MESSAGE"; }},
      {"CSeq", [](text_cseq_request& r) { r.cseq = "12x MESSAGE"; }},
      {"CSeq", [](text_cseq_request& r) { r.cseq = "4294967296 MESSAGE"; }},  // over 32 bits
  };
  for (auto const& st : steps) {
    text_cseq_request r;
    st.spoil(r);
    BOOST_TEST_CONTEXT(st.header << " | To '" << r.to_uri << "' | CSeq '" << r.cseq << "'") {
      world w;
      // Through the directory (on_request(r)) and with the recipient given.
      for (int given = 0; given < 2; ++given) {
        outcome o = given != 0 ? w.engine.on_request(r, w.bob()) : w.engine.on_request(r);
        BOOST_REQUIRE(o.decided.has_value());
        BOOST_TEST(o.decided->code == 400);
        BOOST_TEST(to_string(o.decided->what) == "discard");
        BOOST_TEST(o.decided->trace.fired == rule::bad_request);
        std::string const named = std::string("the ") + st.header + " header";
        BOOST_TEST(o.decided->trace.detail.find(named) != std::string_view::npos,
                   o.decided->trace.detail);
        BOOST_TEST(o.log.find(named) != std::string::npos, o.log);
        BOOST_REQUIRE(o.find<respond_action>() != nullptr);
        BOOST_TEST(o.find<respond_action>()->code == 400);
        BOOST_TEST(o.find<respond_action>()->reason.find(st.header) != std::string::npos);
        BOOST_TEST(o.find<store_action>() == nullptr);
      }
      BOOST_TEST(w.store.size() == 0u);
    }
  }

  // The same request intact is stored; a CSeq number of 32 bits is read.
  world w;
  text_cseq_request r;
  r.cseq = " 4294967295 MESSAGE";
  auto o = w.engine.on_request(r);
  BOOST_TEST(o.decided->code == 202, o.log);
  BOOST_TEST(w.store.size() == 1u);

  // A request without a payload is not the service's business: no 400 here.
  text_cseq_request options;
  options.method = "OPTIONS";
  options.body.clear();
  options.call_id.clear();
  options.cseq.clear();
  o = w.engine.on_request(options);
  BOOST_TEST(to_string(o.decided->what) == "not handled", o.log);
  BOOST_TEST(o.actions.empty());
  options.to_uri.clear();
  o = w.engine.on_request(options);  // nobody the directory knows
  BOOST_TEST(o.decided->code == 404, o.log);
}

BOOST_AUTO_TEST_CASE(decide_is_a_dry_run) {
  world w;
  outcome o;
  w.engine.decide(message("dry", "store"), w.bob(), o);
  BOOST_TEST(to_string(o.decided->what) == "store");
  BOOST_TEST(o.actions.empty());
  BOOST_TEST(w.store.size() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
