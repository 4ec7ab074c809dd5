// The sender's notification in the form the sender wrote: RFC 5438 CPIM
// about the CPIM imdn.Message-ID, or today's plain IMDN about the Call-ID;
// and what a delivery cut down to the recipient's Accept list left out.
#include <sipsaf/mime/cpim.hpp>
#include <sipsaf/policy/engine.hpp>
#include <sipsaf/policy/notification.hpp>

#include "fixtures.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>
#include <vector>

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

/// The notification the sender of `request` gets when Bob, offline when it
/// was stored, comes online and his phone answers the delivery `status`
/// (`adapted`: what a delivery cut down to his Accept list left out).
auto notice_after_delivery(tiny_request const& request, int status, std::string_view adapted = {})
    -> notify_action {
  world w;
  w.engine.on_request(request);
  w.online();
  auto const reached = w.engine.on_reachable("sip:bob@example.com");
  auto const* d = reached.find<deliver_action>();
  BOOST_TEST_REQUIRE(d != nullptr);
  outcome o;
  w.engine.on_delivery_result(d->id, status, o, adapted);
  auto const* n = o.find<notify_action>();
  BOOST_TEST_REQUIRE(n != nullptr);
  return *n;
}

struct notice_case {
  char const* name;
  tiny_request request;
  int status;
  char const* adapted;
  char const* content_type;
  char const* content_disposition;  // "" in CPIM: it is inside, RFC 5438 §7.1.1
  std::vector<std::string> in_body;
  std::vector<std::string> not_in_body;
};

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

// The sender's form decides the notification's form; its body says what
// happened to which message.
BOOST_AUTO_TEST_CASE(notice_in_the_senders_form) {
  std::vector<notice_case> const cases = {
      {"CPIM sender, delivered",
       cpim_request("c1-example"),
       200,
       "",
       "message/cpim",
       "",
       {"<message-id>Ab12Cd</message-id>", "<delivered/>"},
       {}},
      {"CPIM sender, refused",
       cpim_request("c2-example"),
       603,
       "",
       "message/cpim",
       "",
       {"<message-id>Ab12Cd</message-id>", "<failed/>"},
       {}},
      {"plain sender keeps today's form",
       message("p1@example.com", "store-and-forward-if-not-reached, notify"),
       200,
       "",
       "message/imdn+xml",
       "notification",
       {"<message-id>p1@example.com</message-id>"},
       {"adaptation"}},
      {"adapted delivery says what was left out",
       message("a1@example.com", "store-and-forward-if-not-reached, notify"),
       200,
       "delivered text/plain; left out image/png <x>",
       "message/imdn+xml",
       "notification",
       {"<delivered/>",
        "<adaptation xmlns=\"urn:x-sipsaf:adaptation\">delivered text/plain; "
        "left out image/png &lt;x&gt;</adaptation>"},
       {}},
  };
  for (auto const& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      auto const n = notice_after_delivery(c.request, c.status, c.adapted);
      BOOST_TEST(n.method == "MESSAGE");
      BOOST_TEST(n.content_type == c.content_type);
      BOOST_TEST(n.content_disposition == c.content_disposition);
      for (auto const& s : c.in_body) BOOST_TEST(n.body.find(s) != std::string::npos, s);
      for (auto const& s : c.not_in_body) BOOST_TEST(n.body.find(s) == std::string::npos, s);
    }
  }
}

BOOST_AUTO_TEST_CASE(cpim_imdn_is_well_formed) {
  auto const n = notice_after_delivery(cpim_request("c1-example"), 200);
  auto c = parse_cpim(n.body);
  BOOST_TEST_REQUIRE(c.has_value());
  BOOST_TEST(c->header("", "From").value_or("") == "<sip:bob@example.com>");
  BOOST_TEST(c->header("", "To").value_or("") == "<sip:alice@example.com>");
  auto own = c->imdn_message_id();
  BOOST_TEST_REQUIRE(own.has_value());
  BOOST_TEST(*own != "Ab12Cd");  // the IMDN has an id of its own
  BOOST_TEST(c->content_type.is("message", "imdn+xml"));
  BOOST_TEST(c->field("Content-Disposition").value_or("") == "notification");
  BOOST_TEST(c->content.find("<message-id>Ab12Cd</message-id>") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(cpim_sender_told_of_expiry) {
  world x;
  x.engine.on_request(cpim_request("c3-example"));
  x.clock.advance(24h * 400);
  auto e = x.engine.on_timer();
  auto const* gone = e.find<notify_action>();
  BOOST_TEST_REQUIRE(gone != nullptr);
  BOOST_TEST(gone->content_type == "message/cpim");
  BOOST_TEST(gone->body.find("<message-id>Ab12Cd</message-id>") != std::string::npos);
}

// A note that carries a line break must not add a header of its own.
BOOST_AUTO_TEST_CASE(adaptation_note_stays_one_header) {
  notification_facts f;
  f.call_id = "x";
  f.adapted = "delivered text/plain; left out image/png\r\nInjected: yes";
  std::string const text = make_notify_body(delivery_status::delivered, f);
  BOOST_TEST(
      text.find("\r\nAdaptation: delivered text/plain; left out image/pngInjected: yes\r\n") !=
      std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
