// The sender's notification in the form the sender wrote: RFC 5438 CPIM
// about the CPIM imdn.Message-ID, or today's plain IMDN about the Call-ID;
// and what a delivery cut down to the recipient's Accept list left out.
#include <sipsaf/mime/cpim.hpp>
#include <sipsaf/policy/engine.hpp>
#include <sipsaf/policy/notification.hpp>

#include "fixtures.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using namespace sipsaf;
using namespace std::chrono_literals;
using sipsaf_test::message;
using sipsaf_test::tiny_request;
using sipsaf_test::world;

namespace {

std::string const cpim_text =
    "From: <sip:alice@example.com>\r\nTo: <sip:bob@example.com>\r\n"
    "NS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: Ab12Cd\r\n"
    "DateTime: 2026-12-07T00:00:00Z\r\n"
    "imdn.Disposition-Notification: positive-delivery, negative-delivery\r\n\r\n"
    "Content-Type: text/plain;charset=UTF-8\r\n\r\nhello Bob";

auto cpim_request(std::string const& call_id, std::string body = cpim_text) -> tiny_request {
  tiny_request r = message(call_id, "store-and-forward-if-not-reached, notify", std::move(body));
  r.content_type = "message/cpim";
  r.wire();
  return r;
}

auto first_delivery(outcome const& o) -> std::optional<deliver_action> {
  for (auto const& a : o.actions)
    if (auto const* d = std::get_if<deliver_action>(&a)) return *d;
  return std::nullopt;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(imdn_forms)

BOOST_AUTO_TEST_CASE(request_id) {
  BOOST_TEST(imdn_request_id("message/cpim", cpim_text) == "Ab12Cd");
  BOOST_TEST(imdn_request_id("Message/CPIM;x=1", cpim_text) == "Ab12Cd");
  BOOST_TEST(imdn_request_id("text/plain", cpim_text).empty());
  // An id without a request for notifications asks for nothing.
  std::string no_request = cpim_text;
  no_request.erase(no_request.find("imdn.Disposition"),
                   no_request.find("\r\n\r\n") - no_request.find("imdn.Disposition") + 2);
  BOOST_TEST(imdn_request_id("message/cpim", no_request).empty());
  BOOST_TEST(imdn_request_id("message/cpim", "garbage").empty());
}

BOOST_AUTO_TEST_CASE(cpim_sender_gets_cpim_imdn) {
  world w;
  w.engine.on_request(cpim_request("c1-example"));
  w.online();
  auto const d = first_delivery(w.engine.on_reachable("sip:bob@example.com"));
  BOOST_TEST_REQUIRE(d.has_value());
  auto o = w.engine.on_delivery_result(d->id, 200);
  auto const* n = o.find<notify_action>();
  BOOST_TEST_REQUIRE(n != nullptr);
  BOOST_TEST(n->method == "MESSAGE");
  BOOST_TEST(n->content_type == "message/cpim");
  BOOST_TEST(n->content_disposition.empty());  // it is inside, RFC 5438 §7.1.1
  auto c = parse_cpim(n->body);
  BOOST_TEST_REQUIRE(c.has_value());
  BOOST_TEST(c->header("", "From").value_or("") == "<sip:bob@example.com>");
  BOOST_TEST(c->header("", "To").value_or("") == "<sip:alice@example.com>");
  auto own = c->imdn_message_id();
  BOOST_TEST_REQUIRE(own.has_value());
  BOOST_TEST(*own != "Ab12Cd");  // the IMDN has an id of its own
  BOOST_TEST(c->content_type.is("message", "imdn+xml"));
  BOOST_TEST(c->field("Content-Disposition").value_or("") == "notification");
  BOOST_TEST(c->content.find("<message-id>Ab12Cd</message-id>") != std::string::npos);
  BOOST_TEST(c->content.find("<delivered/>") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(cpim_sender_told_of_failure_and_expiry) {
  world w;
  w.engine.on_request(cpim_request("c2-example"));
  w.online();
  auto const d = first_delivery(w.engine.on_reachable("sip:bob@example.com"));
  BOOST_TEST_REQUIRE(d.has_value());
  auto o = w.engine.on_delivery_result(d->id, 603);
  auto const* n = o.find<notify_action>();
  BOOST_TEST_REQUIRE(n != nullptr);
  BOOST_TEST(n->content_type == "message/cpim");
  BOOST_TEST(n->body.find("<message-id>Ab12Cd</message-id>") != std::string::npos);
  BOOST_TEST(n->body.find("<failed/>") != std::string::npos);

  world x;
  x.engine.on_request(cpim_request("c3-example"));
  x.clock.advance(24h * 400);
  auto e = x.engine.on_timer();
  auto const* gone = e.find<notify_action>();
  BOOST_TEST_REQUIRE(gone != nullptr);
  BOOST_TEST(gone->content_type == "message/cpim");
  BOOST_TEST(gone->body.find("<message-id>Ab12Cd</message-id>") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(plain_sender_keeps_todays_form) {
  world w;
  w.engine.on_request(message("p1@example.com", "store-and-forward-if-not-reached, notify"));
  w.online();
  auto const d = first_delivery(w.engine.on_reachable("sip:bob@example.com"));
  BOOST_TEST_REQUIRE(d.has_value());
  auto o = w.engine.on_delivery_result(d->id, 200);
  auto const* n = o.find<notify_action>();
  BOOST_TEST_REQUIRE(n != nullptr);
  BOOST_TEST(n->content_type == "message/imdn+xml");
  BOOST_TEST(n->content_disposition == "notification");
  BOOST_TEST(n->body.find("<message-id>p1@example.com</message-id>") != std::string::npos);
  BOOST_TEST(n->body.find("adaptation") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(adapted_delivery_says_what_was_left_out) {
  world w;
  w.engine.on_request(message("a1@example.com", "store-and-forward-if-not-reached, notify"));
  w.online();
  auto const d = first_delivery(w.engine.on_reachable("sip:bob@example.com"));
  BOOST_TEST_REQUIRE(d.has_value());
  outcome o;
  w.engine.on_delivery_result(d->id, 200, o, "delivered text/plain; left out image/png <x>");
  auto const* n = o.find<notify_action>();
  BOOST_TEST_REQUIRE(n != nullptr);
  BOOST_TEST(n->body.find("<delivered/>") != std::string::npos);
  BOOST_TEST(n->body.find("<adaptation xmlns=\"urn:x-sipsaf:adaptation\">delivered text/plain; "
                          "left out image/png &lt;x&gt;</adaptation>") != std::string::npos);

  notification_facts f;
  f.call_id = "x";
  f.adapted = "delivered text/plain; left out image/png\r\nInjected: yes";
  std::string const text = make_notify_body(delivery_status::delivered, f);
  BOOST_TEST(
      text.find("\r\nAdaptation: delivered text/plain; left out image/pngInjected: yes\r\n") !=
      std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
