// Test that the header is self-contained.
#include <sipsaf/mime/cpim.hpp>

#include <boost/test/unit_test.hpp>

#include "test_helpers.hpp"

#include <string>

BOOST_AUTO_TEST_SUITE(cpim)

using sipsaf::errc;
using sipsaf::parse_cpim;
using sipsaf_test::crlf;

// RFC 5438 §6: a message asking for delivery notifications.
BOOST_AUTO_TEST_CASE(imdn_request) {
  std::string const body = crlf(
      "From: Alice <im:alice@example.com>\nTo: Bob <im:bob@example.com>\n"
      "NS: imdn <urn:ietf:params:imdn>\nimdn.Message-ID: 34jk324j\n"
      "DateTime: 2006-04-04T12:16:49-05:00\n"
      "imdn.Disposition-Notification: positive-delivery, display\n\n"
      "Content-Type: text/plain\nContent-Length: 12\n\nHello World\n");
  auto m = parse_cpim(body);
  BOOST_TEST_REQUIRE(m.has_value());
  BOOST_TEST(m->headers.size() == 6u);
  BOOST_TEST(m->imdn_message_id().value_or("") == "34jk324j");
  BOOST_TEST(m->imdn_disposition_notification().value_or("") == "positive-delivery, display");
  BOOST_TEST(m->header("", "From").value_or("") == "Alice <im:alice@example.com>");
  BOOST_TEST(m->header("", "Message-ID").has_value() == false);
  BOOST_TEST(m->content_type.is("text", "plain"));
  BOOST_TEST(m->field("content-length").value_or("") == "12");
  BOOST_TEST(m->content == "Hello World\r\n");
}

// A prefix is bound by the NS line, not by its spelling.
BOOST_AUTO_TEST_CASE(namespaces) {
  auto m = parse_cpim(
      std::string_view("NS: x <urn:ietf:params:imdn>\nx.Message-ID: abc\nimdn.Message-ID: nope\n\n"
                       "Content-Type: message/imdn+xml\n\n<imdn/>"));
  BOOST_TEST_REQUIRE(m.has_value());
  BOOST_TEST(m->imdn_message_id().value_or("") == "abc");
  BOOST_TEST(m->headers[2].namespace_uri.empty());
  BOOST_TEST(m->content_type.is("message", "imdn+xml"));
  BOOST_TEST(m->content == "<imdn/>");
}

BOOST_AUTO_TEST_CASE(defaults_and_errors) {
  auto m = parse_cpim(std::string_view("From: <sip:a@b>\n\n\nhi"));
  BOOST_TEST_REQUIRE(m.has_value());
  BOOST_TEST(m->content_type.is("text", "plain"));
  BOOST_TEST(m->content == "hi");

  auto e = parse_cpim(std::string_view("From: <sip:a@b>\n"));
  BOOST_TEST_REQUIRE(!e.has_value());
  BOOST_TEST(e.error().code == errc::need_more);
  e = parse_cpim(std::string_view("From: a\nno colon here\n\n"));
  BOOST_TEST_REQUIRE(!e.has_value());
  BOOST_TEST(e.error().code == errc::bad_header_field);
  BOOST_TEST(e.error().offset == 8u);
  e = parse_cpim(std::string_view("NS: imdn urn-without-brackets\n\n"));
  BOOST_TEST_REQUIRE(!e.has_value());
  BOOST_TEST(e.error().code == errc::bad_header_value);
  e = parse_cpim(std::string_view("A: b\n\nContent-Type: text/\n\nx"));
  BOOST_TEST_REQUIRE(!e.has_value());
  BOOST_TEST(e.error().offset >= 20u);
  std::string many;
  for (int i = 0; i < 70; ++i) many += "X-" + std::to_string(i) + ": v\n";
  many += "\n";
  e = parse_cpim(many);
  BOOST_TEST_REQUIRE(!e.has_value());
  BOOST_TEST(e.error().code == errc::too_many_headers);
}

// RFC 3862 §3.2: a prefix is followed by a name; `imdn.` alone names nothing.
BOOST_AUTO_TEST_CASE(prefix_without_name) {
  auto e = parse_cpim(std::string_view("From: <sip:a@b>\nimdn.: x\n\n\nhi"));
  BOOST_TEST_REQUIRE(!e.has_value());
  BOOST_TEST(e.error().code == errc::bad_header_field);
  BOOST_TEST(e.error().offset == 16u);
}

BOOST_AUTO_TEST_SUITE_END()
