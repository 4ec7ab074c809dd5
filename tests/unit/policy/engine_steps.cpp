// The engine's request steps seen from outside: it asks its policy which
// requests carry a payload, and every refusal it answers goes out the same
// way (a 415 with its Accept list, any other code without one).
#include <sipsaf/policy/engine.hpp>

#include "fixtures.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using namespace sipsaf;
using sipsaf_test::message;
using sipsaf_test::tiny_request;
using sipsaf_test::world;

namespace {

// A policy for which no request carries a payload: the stack proxies
// everything as usual.
struct nothing_is_payload {
  auto decide(decision_input const&) const -> decision {
    decision d;
    d.trace.fired = rule::not_payload;
    return d;
  }
  static auto carries_payload(request_facts const&) noexcept -> bool { return false; }
};

using engine_over = store_forward_engine<memory_store&, static_directory&, manual_clock&,
                                         no_gateways, nothing_is_payload>;

// default_policy's decisions, handed back by value only (no `decide(in, d)`).
struct by_value_policy {
  default_policy inner;
  auto decide(decision_input const& in) const -> decision { return inner.decide(in); }
};

// The trace of the engine's decision on a MESSAGE to bob with this Date
// and Expires: the engine keeps the last of each it read, and the next
// request must still be read for itself.
auto trace_of(world& w, std::string call_id, std::string date, std::string expires) -> trace {
  tiny_request r = message(std::move(call_id), "store");
  r.date = std::move(date);
  r.expires = std::move(expires);
  r.wire();
  outcome o;
  w.engine.decide(r, w.bob(), o);
  BOOST_REQUIRE(o.decided);
  return o.decided->trace;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(engine_steps)

BOOST_AUTO_TEST_CASE(the_policy_says_which_requests_carry_a_payload) {
  static_assert(detail::policy_has_carries_payload<default_policy>::value);
  static_assert(detail::policy_has_carries_payload<nothing_is_payload>::value);
  tiny_request r = message("");  // a MESSAGE without Call-ID
  r.wire();

  world w;  // default_policy: a MESSAGE is a payload, so the missing Call-ID is refused
  auto o = w.engine.on_request(r);
  BOOST_TEST(o.decided->code == 400);
  BOOST_TEST(o.decided->reason == "Missing or bad Call-ID header field");
  BOOST_TEST(o.find<respond_action>()->code == 400);

  memory_store store;
  static_directory directory;
  manual_clock clock;
  recipient bob;
  bob.key = "sip:bob@example.com";
  directory.set(bob);
  engine_over e(store, directory, clock);
  o = e.on_request(r);
  BOOST_TEST((o.decided->what == verdict::not_handled));
  BOOST_TEST(o.find<respond_action>() == nullptr);
  // Not the service's business: without a To it is not refused as a
  // payload without mandatory headers (400); the directory knows nobody
  // there (404).
  r.to_uri.clear();
  r.wire();
  o = e.on_request(r);
  BOOST_REQUIRE(o.find<respond_action>() != nullptr);
  BOOST_TEST(o.find<respond_action>()->code == 404);
}

BOOST_AUTO_TEST_CASE(a_415_names_what_is_accepted_and_nothing_else_does) {
  world w;
  w.profile().accepts = media_ranges::parse("text/plain, message/cpim").value();
  tiny_request png = message("png-1", "store");
  png.content_type = "image/png";
  png.wire();
  auto o = w.engine.on_request(png);
  auto const* answer = o.find<respond_action>();
  BOOST_REQUIRE(answer != nullptr);
  BOOST_TEST(answer->code == 415);
  BOOST_TEST(answer->reason == "Unsupported Media Type");
  BOOST_TEST(answer->accept == "text/plain, message/cpim");

  tiny_request text = message("txt-1", "do-not-store");
  o = w.engine.on_request(text);
  answer = o.find<respond_action>();
  BOOST_REQUIRE(answer != nullptr);
  BOOST_TEST(answer->code == 480);
  BOOST_TEST(answer->accept.empty());

  tiny_request stored = message("txt-2", "store");
  o = w.engine.on_request(stored);
  BOOST_TEST(o.find<respond_action>()->code == 202);
  BOOST_TEST(o.find<respond_action>()->accept.empty());
  // The same request again: 202 again, answered the same way.
  o = w.engine.on_request(stored);
  BOOST_TEST((o.decided->what == verdict::duplicate));
  BOOST_TEST(o.find<respond_action>()->code == 202);
}

BOOST_AUTO_TEST_CASE(each_request_is_dated_by_its_own_date) {
  // The engine keeps the last Date read; the next one must still count.
  world w;
  w.clock.set(from_unix_ms(1'700'000'100'000));
  auto lifetime_of = [&](std::string date, std::string call_id) {
    return trace_of(w, std::move(call_id), std::move(date), "3600");
  };
  auto a = lifetime_of("Tue, 14 Nov 2023 22:13:20 GMT", "d1");
  BOOST_TEST(to_unix_ms(a.expires_at) == 1'700'003'600'000);
  auto b = lifetime_of("Tue, 14 Nov 2023 22:13:50 GMT", "d2");
  BOOST_TEST(to_unix_ms(b.expires_at) == 1'700'003'630'000);
  auto c = lifetime_of("Tue, 14 Nov 2023 22:13:50 XYZ", "d3");
  BOOST_TEST(c.date_malformed);
  auto again = lifetime_of("Tue, 14 Nov 2023 22:13:50 GMT", "d4");
  BOOST_TEST(!again.date_malformed);
  BOOST_TEST(to_unix_ms(again.expires_at) == 1'700'003'630'000);
}

BOOST_AUTO_TEST_CASE(each_request_lives_by_its_own_expires) {
  // The engine keeps the last Expires read; the next one must still count.
  world w;
  w.clock.set(from_unix_ms(1'700'000'100'000));
  auto lifetime_of = [&](std::string expires, std::string call_id) {
    return trace_of(w, std::move(call_id), "Tue, 14 Nov 2023 22:13:20 GMT", std::move(expires));
  };
  auto a = lifetime_of("3600", "e1");
  BOOST_TEST(to_unix_ms(a.expires_at) == 1'700'003'600'000);
  auto b = lifetime_of("360", "e2");
  BOOST_TEST(to_unix_ms(b.expires_at) == 1'700'000'360'000);
  auto c = lifetime_of("36x0", "e3");  // malformed: read as 3600 (RFC 3261 20.19)
  BOOST_TEST(c.expires_malformed);
  BOOST_TEST(to_unix_ms(c.expires_at) == 1'700'003'600'000);
  auto again = lifetime_of("360", "e4");
  BOOST_TEST(!again.expires_malformed);
  BOOST_TEST(to_unix_ms(again.expires_at) == 1'700'000'360'000);
}

BOOST_AUTO_TEST_CASE(a_decision_made_in_place_is_the_one_returned_by_value) {
  static_assert(detail::policy_decides_in_place<default_policy>::value);
  static_assert(!detail::policy_decides_in_place<by_value_policy>::value);
  using by_value_engine = store_forward_engine<memory_store&, static_directory&, manual_clock&,
                                               no_gateways, by_value_policy>;
  world w;
  w.profile().accepts = media_ranges::parse("text/plain").value();
  memory_store store;
  by_value_engine e(store, w.directory, w.clock);
  auto check = [&](tiny_request r) {
    r.wire();
    auto const a = w.engine.on_request(r);
    auto const b = e.on_request(r);
    BOOST_REQUIRE(a.decided);
    BOOST_REQUIRE(b.decided);
    BOOST_TEST((a.decided->what == b.decided->what));
    BOOST_TEST((a.decided->trace.fired == b.decided->trace.fired));
    BOOST_TEST(a.decided->code == b.decided->code);
    BOOST_TEST(a.decided->reason == b.decided->reason);
    BOOST_TEST(a.decided->accept_header() == b.decided->accept_header());
    BOOST_TEST(to_string(*a.decided) == to_string(*b.decided));
    BOOST_TEST(a.actions.size() == b.actions.size());
    return a.decided->code;
  };
  BOOST_TEST(check(message("v-1", "store")) == 202);
  BOOST_TEST(check(message("v-1", "store")) == 202);  // the duplicate
  BOOST_TEST(check(message("v-2", "do-not-store")) == 480);
  tiny_request png = message("v-3", "store");
  png.content_type = "image/png";
  BOOST_TEST(check(png) == 415);
}

BOOST_AUTO_TEST_SUITE_END()
