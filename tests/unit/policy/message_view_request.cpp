#include <sipsaf/policy/message_view_request.hpp>

#include "fixtures.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using namespace sipsaf;

namespace {

std::string const wire =
    "MESSAGE sip:bob@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776sgdkse\r\n"
    "Max-Forwards: 70\r\n"
    "f: \"Alice\" <sip:alice@example.com>;tag=49583\r\n"
    "t: <sip:bob@example.com>\r\n"
    "i: asd88asd77a@192.0.2.1\r\n"
    "CSeq: 7 MESSAGE\r\n"
    "Date: Tue, 14 Nov 2023 22:13:20 GMT\r\n"
    "Expires: 600\r\n"
    "d: store-and-forward-if-not-reached\r\n"
    "Request-Disposition: no-fork,\r\n notify\r\n"
    "c: text/plain;charset=utf-8\r\n"
    "l: 11\r\n"
    "\r\n"
    "hello there";

}  // namespace

BOOST_AUTO_TEST_SUITE(policy_message_view_request)

BOOST_AUTO_TEST_CASE(fields_are_read_from_the_view) {
  auto m = parse_message(wire);
  BOOST_REQUIRE(m);
  using T = request_traits<message_view>;
  BOOST_TEST(T::method(*m) == "MESSAGE");
  BOOST_TEST(T::from_uri(*m) == "sip:alice@example.com");
  BOOST_TEST(T::from_tag(*m) == "49583");
  BOOST_TEST(T::to_uri(*m) == "sip:bob@example.com");
  BOOST_TEST(T::call_id(*m) == "asd88asd77a@192.0.2.1");
  BOOST_TEST(T::cseq(*m).value_or(0) == 7u);
  BOOST_TEST(T::content_type(*m) == "text/plain;charset=utf-8");
  BOOST_TEST(T::date(*m) == "Tue, 14 Nov 2023 22:13:20 GMT");
  BOOST_TEST(T::expires(*m) == "600");
  BOOST_TEST(T::body(*m) == "hello there");
  BOOST_TEST(T::bytes(*m) == wire);
  std::vector<std::string> rows;
  for (std::string_view r : T::request_disposition(*m)) rows.emplace_back(r);
  BOOST_REQUIRE(rows.size() == 2u);  // the compact row and the folded full row
  BOOST_TEST(rows[0] == "store-and-forward-if-not-reached");
  BOOST_TEST(rows[1].find("notify") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_engine_decides_the_same_as_for_a_plain_struct) {
  auto m = parse_message(wire);
  BOOST_REQUIRE(m);
  sipsaf_test::world a, b;
  a.clock.set(*parse_sip_timestamp("Tue, 14 Nov 2023 22:14:20 GMT"));
  b.clock.set(a.clock.now());
  outcome from_view = a.engine.on_request(*m);

  sipsaf_test::tiny_request r;
  r.from_uri = "sip:alice@example.com";
  r.from_tag = "49583";
  r.to_uri = "sip:bob@example.com";
  r.call_id = "asd88asd77a@192.0.2.1";
  r.cseq = 7;
  r.date = "Tue, 14 Nov 2023 22:13:20 GMT";
  r.expires = "600";
  r.request_disposition = "store-and-forward-if-not-reached, no-fork, notify";
  r.body = "hello there";
  r.bytes = wire;
  outcome from_struct = b.engine.on_request(r);

  BOOST_REQUIRE(from_view.decided.has_value());
  BOOST_TEST(from_view.log == from_struct.log);
  BOOST_TEST(from_view.decided->code == 202);
  BOOST_TEST(from_view.decided->notify);
  auto const* st = from_view.find<store_action>();
  BOOST_REQUIRE(st != nullptr);
  // Date + Expires: 600 s after 22:13:20, i.e. 540 s after the arrival.
  BOOST_TEST((st->expires_at == a.clock.now() + std::chrono::seconds(540)));
  auto stored = a.store.get(st->id).value();
  BOOST_REQUIRE(stored.has_value());
  BOOST_TEST(stored->bytes == wire);  // exactly as received
  BOOST_TEST(stored->env.from_tag == "49583");
}

BOOST_AUTO_TEST_CASE(a_view_without_a_mandatory_header_is_refused) {
  // parse_message checks the syntax of the fields present; one that is
  // absent reads as nothing, and the engine answers 400 naming it.
  struct step {
    char const* row;     // removed from the request
    char const* header;  // named in the trace
  } const steps[] = {
      {"t: <sip:bob@example.com>\r\n", "To"},
      {"f: \"Alice\" <sip:alice@example.com>;tag=49583\r\n", "From"},
      {"i: asd88asd77a@192.0.2.1\r\n", "Call-ID"},
      {"CSeq: 7 MESSAGE\r\n", "CSeq"},
  };
  for (auto const& st : steps) {
    std::string w = wire;
    w.erase(w.find(st.row), std::string(st.row).size());
    auto m = parse_message(w);
    BOOST_REQUIRE(m);
    sipsaf_test::world world;
    outcome o = world.engine.on_request(*m, world.bob());
    BOOST_TEST_CONTEXT(st.header << ": " << o.log) {
      BOOST_TEST(o.decided->code == 400);
      BOOST_TEST(o.decided->trace.detail.find(std::string("the ") + st.header + " header") !=
                 std::string_view::npos);
      BOOST_TEST(world.store.size() == 0u);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
