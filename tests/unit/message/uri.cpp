// Tests for <sipsaf/message/uri.hpp>.
#include <sipsaf/message/uri.hpp>

#include <boost/test/unit_test.hpp>

#include <string_view>

BOOST_AUTO_TEST_SUITE(uri)

BOOST_AUTO_TEST_CASE(sip_uri_parts) {
  auto u = sipsaf::parse_uri("sips:alice:secret@atlanta.com:5061;transport=tcp;lr?subject=x&a=b");
  BOOST_TEST_REQUIRE(u.has_value());
  BOOST_TEST(u->scheme == "sips");
  BOOST_TEST(u->is_sip());
  BOOST_TEST(u->user == "alice");
  BOOST_TEST(u->password == "secret");
  BOOST_TEST(u->host == "atlanta.com");
  BOOST_TEST(*u->port == 5061);
  BOOST_TEST(u->params == "transport=tcp;lr");
  BOOST_TEST(u->param("TRANSPORT").value() == "tcp");
  BOOST_TEST(u->param("lr").value() == "");
  BOOST_TEST(!u->param("maddr"));
  BOOST_TEST(u->headers == "subject=x&a=b");

  auto v6 = sipsaf::parse_uri("sip:[2001:db8::10]:5070");
  BOOST_TEST_REQUIRE(v6.has_value());
  BOOST_TEST(v6->host == "[2001:db8::10]");
  BOOST_TEST(*v6->port == 5070);
  // RFC 5118 §4.3: the port-looking group is part of the address.
  BOOST_TEST(!sipsaf::parse_uri("sip:[2001:db8::10:5070]")->port);
  // RFC 4475 §3.1.1.2: the user part may hold ; ? / , and the password & = + $.
  auto odd = sipsaf::parse_uri(
      "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too."
      "(doesn't-it)@example.com");
  BOOST_TEST_REQUIRE(odd.has_value());
  BOOST_TEST(odd->user == "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
  BOOST_TEST(odd->host == "example.com");
  BOOST_TEST(sipsaf::parse_uri("sip:user;par=u%40example.net@example.com")->user ==
             "user;par=u%40example.net");
  BOOST_TEST(sipsaf::parse_uri("sip:example.com")->user.empty());
}

BOOST_AUTO_TEST_CASE(other_schemes_are_opaque) {
  auto tel = sipsaf::parse_uri("tel:+1-201-555-0123");
  BOOST_TEST_REQUIRE(tel.has_value());
  BOOST_TEST(!tel->is_sip());
  BOOST_TEST(tel->opaque == "+1-201-555-0123");
  BOOST_TEST(sipsaf::parse_uri("soap.beep://192.0.2.103:3002").has_value());
  BOOST_TEST(sipsaf::parse_uri("nobodyKnowsThisScheme:totallyopaquecontent").has_value());
}

BOOST_AUTO_TEST_CASE(errors_with_offsets) {
  using sipsaf::errc;
  auto check = [](std::string_view in, std::size_t at) {
    auto u = sipsaf::parse_uri(in, sipsaf::uri_context::request_line);
    BOOST_TEST_CONTEXT(in) {
      BOOST_TEST_REQUIRE(!u);
      BOOST_TEST(u.error().code == errc::bad_uri);
      BOOST_TEST(u.error().offset == at);
    }
  };
  check("sip:2001:db8::10", 9);           // RFC 5118 §4.2: not a port
  check("sip:user@example.com?a=b", 20);  // no headers in a Request-URI
  check("sip:a@b:65536", 8);
  check("sip:%zz@b", 4);
  check("sip:a@b;", 8);
  check("sip:a@b;x=", 10);
  check("sip:a@", 6);
  check("sip:a@b c", 7);
  check("<sip:a@b>", 0);
  check("sip", 3);
  check("tel:", 4);
  check("sip:[::1", 8);
  BOOST_TEST(sipsaf::parse_uri("sip:user@example.com?a=b").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
