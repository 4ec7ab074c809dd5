// The engine's actions written as SIP messages (<sipsaf/policy/render.hpp>),
// read back with sipsaf's own parser.
#include <sipsaf/policy/render.hpp>

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using namespace sipsaf;

namespace {

std::string const stored =
    "MESSAGE sip:bob@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1\r\n"
    "Max-Forwards: 69\r\n"
    "Route: <sip:edge.example.com;lr>\r\n"
    "From: \"Alice\" <sip:alice@example.com>;tag=a1\r\n"
    "To: <sip:bob@example.com>\r\n"
    "Call-ID: c1@example.com\r\n"
    "CSeq: 42 MESSAGE\r\n"
    "Contact: <sip:alice@192.0.2.1>\r\n"
    "Proxy-Authorization: Digest username=\"alice\", response=\"secret\"\r\n"
    "P-Asserted-Identity: <sip:admin@example.com>\r\n"
    "X-Client: test\r\n"
    "Subject: lunch\r\n  at noon\r\n"
    "Request-Disposition: store-and-forward-if-not-reached\r\n"
    "d: notify\r\n"
    "Expires: 3600\r\n"
    "Content-Type: multipart/mixed;boundary=\"b 1\"\r\n"
    "Content-Length: 20\r\n"
    "\r\n"
    "--b 1\r\n\r\nhi\r\n--b 1--";

auto values(message_view const& m, std::string_view name) -> std::vector<std::string> {
  std::vector<std::string> v;
  for (auto x : m.values(name)) v.emplace_back(x);
  return v;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(render)

BOOST_AUTO_TEST_CASE(a_stored_delivery_keeps_the_documented_fields_only) {
  static_assert(stored_delivery_keeps(field::content_type));
  static_assert(stored_delivery_keeps(field::request_disposition));
  static_assert(!stored_delivery_keeps(field::proxy_authorization));
  static_assert(!stored_delivery_keeps(field::unknown));
  auto wire = make_stored_delivery(stored, "sip:bob@192.0.2.7:5060",
                                   "SIP/2.0/UDP 198.51.100.1;branch=z9hG4bK-d1",
                                   from_unix_ms(1'289'690'940'000));
  BOOST_REQUIRE(wire);
  auto m = parse_message(*wire);
  BOOST_REQUIRE(m);
  BOOST_TEST(m->start_line() == "MESSAGE sip:bob@192.0.2.7:5060 SIP/2.0");
  BOOST_TEST(values(*m, "Via") ==
             std::vector<std::string>{"SIP/2.0/UDP 198.51.100.1;branch=z9hG4bK-d1"});
  BOOST_TEST(*m->max_forwards() == 70u);
  BOOST_TEST(values(*m, "From").at(0) == "\"Alice\" <sip:alice@example.com>;tag=a1");
  BOOST_TEST(m->cseq()->number == 42u);
  BOOST_TEST(m->cseq()->method == "MESSAGE");
  // Both rows of the store command, each as written.
  BOOST_TEST(values(*m, "Request-Disposition") ==
             (std::vector<std::string>{"store-and-forward-if-not-reached", "notify"}));
  BOOST_TEST(values(*m, "Subject").at(0) == "lunch at noon");  // unfolded (RFC 3261 §7.3.1)
  BOOST_TEST(values(*m, "Expires").at(0) == "3600");
  BOOST_TEST(values(*m, "Content-Type").at(0) == "multipart/mixed;boundary=\"b 1\"");
  BOOST_TEST(m->body() == "--b 1\r\n\r\nhi\r\n--b 1--");
  // The stored request had no Date: the time it arrived.
  BOOST_TEST(values(*m, "Date").at(0) == "Sat, 13 Nov 2010 23:29:00 GMT");
  for (auto name : {"Route", "Contact", "Proxy-Authorization", "P-Asserted-Identity", "X-Client"})
    BOOST_TEST_CONTEXT(name) {
      BOOST_TEST(values(*m, name).empty());
    }
}

BOOST_AUTO_TEST_CASE(a_stored_date_is_kept_and_bad_bytes_are_an_error) {
  std::string dated = stored;
  dated.insert(dated.find("Subject:"), "Date: Tue, 14 Nov 2023 22:13:20 GMT\r\n");
  auto wire = make_stored_delivery(dated, "sip:bob@192.0.2.7", "", from_unix_ms(0));
  BOOST_REQUIRE(wire);
  auto m = parse_message(*wire);
  BOOST_REQUIRE(m);
  BOOST_TEST(values(*m, "Date") == std::vector<std::string>{"Tue, 14 Nov 2023 22:13:20 GMT"});
  BOOST_TEST(values(*m, "Via").empty());
  BOOST_TEST(!make_stored_delivery("not a SIP message", "sip:bob@192.0.2.7", ""));

  deliver_action a;
  a.bytes = stored;
  a.arrived = from_unix_ms(1'700'000'000'000);
  wire = make_stored_delivery(a, "sip:bob@192.0.2.7", "SIP/2.0/TCP 198.51.100.1;branch=z9hG4bK-2");
  BOOST_REQUIRE(wire);
  BOOST_TEST(values(*parse_message(*wire), "Date").at(0) == "Tue, 14 Nov 2023 22:13:20 GMT");
}

// After a 415 with Accept (RFC 3261 §21.4.16) a stack sends the parts the
// recipient takes: the stored fields that describe the stored body go, the
// replacement's Content-Type comes; an outbound Route and the fields the
// stack vouches for come as asked.
BOOST_AUTO_TEST_CASE(a_stored_delivery_with_a_replacement_payload_and_options) {
  std::string described = stored;
  described.insert(described.find("Content-Type:"),
                   "Content-Disposition: render\r\nContent-Language: en\r\n");
  auto req = parse_message(described);
  BOOST_REQUIRE(req);
  stored_delivery_options o;
  o.via = "SIP/2.0/UDP 198.51.100.1;branch=z9hG4bK-a1";
  o.route = "<sip:outbound.example.net;lr>";
  o.payload = delivery_payload{"text/plain;charset=UTF-8", "hi [photo left out]"};
  o.also_keep = {"p-asserted-identity"};
  auto wire = make_stored_delivery(*req, "sip:bob@192.0.2.7", o);
  BOOST_REQUIRE(wire);
  auto m = parse_message(*wire);
  BOOST_REQUIRE(m);
  BOOST_TEST(values(*m, "Content-Type") == std::vector<std::string>{"text/plain;charset=UTF-8"});
  BOOST_TEST(m->body() == "hi [photo left out]");
  BOOST_TEST(values(*m, "Content-Disposition").empty());
  BOOST_TEST(values(*m, "Content-Language") == std::vector<std::string>{"en"});
  BOOST_TEST(values(*m, "Route") == std::vector<std::string>{"<sip:outbound.example.net;lr>"});
  BOOST_TEST(values(*m, "P-Asserted-Identity") ==
             std::vector<std::string>{"<sip:admin@example.com>"});
  BOOST_TEST(values(*m, "X-Client").empty());
  BOOST_TEST(m->cseq()->number == 42u);
  BOOST_TEST(values(*m, "Date").empty());  // no arrival time given

  o.payload.reset();  // the stored body and its description, as without options
  wire = make_stored_delivery(*req, "sip:bob@192.0.2.7", o);
  BOOST_REQUIRE(wire);
  m = parse_message(*wire);
  BOOST_REQUIRE(m);
  BOOST_TEST(values(*m, "Content-Disposition") == std::vector<std::string>{"render"});
  BOOST_TEST(m->body() == "--b 1\r\n\r\nhi\r\n--b 1--");
}

BOOST_AUTO_TEST_CASE(a_live_delivery_is_the_request_proxied) {
  auto req = parse_message(stored);
  BOOST_REQUIRE(req);
  auto wire = make_proxied_request(*req, "sip:bob@192.0.2.7:5060",
                                   "SIP/2.0/UDP 198.51.100.1;branch=z9hG4bK-p1");
  BOOST_REQUIRE(wire);
  auto m = parse_message(*wire);
  BOOST_REQUIRE(m);
  BOOST_TEST(m->start_line() == "MESSAGE sip:bob@192.0.2.7:5060 SIP/2.0");
  BOOST_TEST(values(*m, "Via") ==
             (std::vector<std::string>{"SIP/2.0/UDP 198.51.100.1;branch=z9hG4bK-p1",
                                       "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1"}));
  BOOST_TEST(*m->max_forwards() == 68u);
  BOOST_TEST(values(*m, "X-Client").at(0) == "test");  // a proxy passes on what it does not know
  BOOST_TEST(values(*m, "Content-Type").at(0) == "multipart/mixed;boundary=\"b 1\"");
  BOOST_TEST(m->body() == req->body());

  std::string no_hops = stored;
  no_hops.erase(no_hops.find("Max-Forwards: 69\r\n"), 18);
  auto bare = parse_message(no_hops);
  BOOST_REQUIRE(bare);
  wire = make_proxied_request(*bare, "sip:bob@192.0.2.7", "SIP/2.0/UDP h;branch=z9hG4bK-p2");
  BOOST_REQUIRE(wire);
  BOOST_TEST(*parse_message(*wire)->max_forwards() == 70u);  // RFC 3261 §16.6 step 3
}

BOOST_AUTO_TEST_CASE(responses_carry_accept_only_when_asked) {
  auto req = parse_message(stored);
  BOOST_REQUIRE(req);
  auto wire =
      make_response(*req, respond_action{415, "Unsupported Media Type", "text/plain", false}, "t1");
  BOOST_REQUIRE(wire);
  auto m = parse_message(*wire);
  BOOST_REQUIRE(m);
  BOOST_TEST(m->start_line() == "SIP/2.0 415 Unsupported Media Type");
  BOOST_TEST(values(*m, "Accept").at(0) == "text/plain");
  BOOST_TEST(m->to()->tag == "t1");
  BOOST_TEST(m->cseq()->number == 42u);

  wire = make_response(*req, respond_action{480, "", "", false});
  BOOST_REQUIRE(wire);
  m = parse_message(*wire);
  BOOST_TEST(m->start_line() == "SIP/2.0 480 Temporarily Unavailable");
  BOOST_TEST(values(*m, "Accept").empty());
}

BOOST_AUTO_TEST_CASE(notifications_imdn_and_notify) {
  notify_action n;
  n.mode = notification_mode::notify;
  n.method = "NOTIFY";
  n.to = "sip:alice@example.com";
  n.about = "sip:bob@example.com";
  n.event = "message-delivery";
  n.content_type = "text/plain;charset=utf-8";
  n.body = "message has been delivered\r\n";
  auto wire = make_notification(n, "", "n1", "n-call@example.com", from_unix_ms(0));
  BOOST_REQUIRE(wire);
  auto m = parse_message(*wire);
  BOOST_REQUIRE(m);
  BOOST_TEST(m->start_line() == "NOTIFY sip:alice@example.com SIP/2.0");
  BOOST_TEST(values(*m, "Event").at(0) == "message-delivery");
  BOOST_TEST(values(*m, "Subscription-State").at(0) == "terminated;reason=noresource");
  BOOST_TEST(values(*m, "Date").at(0) == "Thu, 01 Jan 1970 00:00:00 GMT");
  BOOST_TEST(m->from()->tag == "n1");
  BOOST_TEST(*m->call_id() == "n-call@example.com");

  n.mode = notification_mode::imdn;
  n.method = "MESSAGE";
  n.event.clear();
  n.content_type = "message/imdn+xml";
  n.content_disposition = "notification";
  n.body = "<imdn/>";
  wire = make_notification(n, "SIP/2.0/UDP 198.51.100.1;branch=z9hG4bK-n", "n2", "n2@example.com");
  BOOST_REQUIRE(wire);
  m = parse_message(*wire);
  BOOST_REQUIRE(m);
  BOOST_TEST(values(*m, "Content-Disposition").at(0) == "notification");
  BOOST_TEST(values(*m, "Subscription-State").empty());
  BOOST_TEST(values(*m, "Date").empty());
  BOOST_TEST(m->body() == "<imdn/>");
}

BOOST_AUTO_TEST_SUITE_END()
