// Tests for <sipsaf/message/header_values.hpp>.
#include <sipsaf/message/header_values.hpp>

#include <boost/test/unit_test.hpp>

#include <string_view>

using sipsaf::errc;

BOOST_AUTO_TEST_SUITE(header_values)

BOOST_AUTO_TEST_CASE(name_addr_forms) {
  auto a = sipsaf::parse_name_addr("\"A. G. Bell\" <sip:agb@bell-telephone.com> ;tag=a48s");
  BOOST_TEST_REQUIRE(a.has_value());
  BOOST_TEST(a->display_name == "A. G. Bell");
  BOOST_TEST(a->quoted_display_name);
  BOOST_TEST(a->angle_brackets);
  BOOST_TEST(a->uri.host == "bell-telephone.com");
  BOOST_TEST(a->tag == "a48s");
  BOOST_TEST(a->params == ";tag=a48s");

  auto b = sipsaf::parse_name_addr("sip:+12125551212@server.phone2net.com;tag=887s");
  BOOST_TEST_REQUIRE(b.has_value());
  BOOST_TEST(!b->angle_brackets);
  BOOST_TEST(b->uri.text == "sip:+12125551212@server.phone2net.com");
  BOOST_TEST(b->tag == "887s");

  auto c = sipsaf::parse_name_addr("Anonymous  Caller\t<sip:c8oqz84zk7z@privacy.org>;x=\"y;z\"");
  BOOST_TEST_REQUIRE(c.has_value());
  BOOST_TEST(c->display_name == "Anonymous  Caller");
  BOOST_TEST(c->display_text() == "Anonymous Caller");
  BOOST_TEST(c->param("X").value() == "\"y;z\"");

  auto d = sipsaf::parse_name_addr("caller<sip:caller@example.com>;tag=323");  // RFC 4475 §3.1.1.6
  BOOST_TEST_REQUIRE(d.has_value());
  BOOST_TEST(d->display_name == "caller");

  auto e = sipsaf::parse_name_addr("\"esc \\\"q\\\" \\\\\" <tel:+1>");
  BOOST_TEST_REQUIRE(e.has_value());
  BOOST_TEST(e->display_text() == "esc \"q\" \\");
  BOOST_TEST(e->uri.scheme == "tel");
}

BOOST_AUTO_TEST_CASE(name_addr_errors) {
  auto check = [](std::string_view in, errc code, std::size_t at) {
    auto r = sipsaf::parse_name_addr(in);
    BOOST_TEST_CONTEXT(in) {
      BOOST_TEST_REQUIRE(!r);
      BOOST_TEST(r.error().code == code);
      BOOST_TEST(r.error().offset == at);
    }
  };
  check("\"open <sip:a@b>", errc::bad_quoted_string, 15);
  check("< sip:a@b>", errc::bad_uri, 1);
  check("<sip:a@b >", errc::bad_uri, 8);
  check("<sip:a@b", errc::bad_uri, 8);
  check("Bell, Alexander <sip:a@b>", errc::bad_uri, 4);
  check("sip:a@b?x=y", errc::bad_uri, 7);
  check("<sip:a@b>;tag", errc::bad_parameter, 10);
  check("<sip:a@b>;", errc::bad_parameter, 10);
  check("<sip:a@b> junk", errc::bad_header_value, 10);
  check("   ", errc::empty_value, 3);
  // Found by fuzzing: a value of folds only, as a list element.
  BOOST_TEST(sipsaf::parse_contact("\r\n \r\n ").error().code == errc::empty_value);
  BOOST_TEST(sipsaf::parse_contact("<sip:a@b>,\r\n ").error().code == errc::empty_value);
  // Found by fuzzing: whitespace after the URI without parameters.
  auto ws = sipsaf::parse_contact("x.y:a@b:a@b  ");
  BOOST_TEST_REQUIRE(ws.has_value());
  BOOST_TEST(ws->entries[0].address.params.empty());
  BOOST_TEST(sipsaf::parse_name_addr("<sip:a@b>  ")->params.empty());
  BOOST_TEST(sipsaf::parse_via("SIP/2.0/UDP h  ")->at(0).params.empty());
}

BOOST_AUTO_TEST_CASE(via_entries) {
  auto v = sipsaf::parse_via(
      "SIP  /   2.0\r\n /UDP\r\n    192.0.2.2;branch=390skdjuw , SIP/2.0/TCP [2001:db8::9:1]:5070"
      ";received=2001:db8::9:255;branch=z9hG4bK1");
  BOOST_TEST_REQUIRE(v.has_value());
  BOOST_TEST_REQUIRE(v->size() == 2u);
  BOOST_TEST((*v)[0].protocol == "SIP");
  BOOST_TEST((*v)[0].transport == "UDP");
  BOOST_TEST((*v)[0].host == "192.0.2.2");
  BOOST_TEST((*v)[0].branch == "390skdjuw");
  BOOST_TEST(!(*v)[0].has_rfc3261_branch());
  BOOST_TEST((*v)[1].host == "[2001:db8::9:1]");
  BOOST_TEST(*(*v)[1].port == 5070);
  BOOST_TEST((*v)[1].received == "2001:db8::9:255");
  BOOST_TEST((*v)[1].has_rfc3261_branch());
  auto bad = sipsaf::parse_via("SIP/2.0/UDP 192.0.2.15;;,;,,");
  BOOST_TEST(bad.error().code == errc::bad_parameter);
  BOOST_TEST(bad.error().offset == 23u);
  BOOST_TEST(sipsaf::parse_via("SIP/2.0/UDP h,").error().code == errc::empty_value);
  BOOST_TEST(sipsaf::parse_via("SIP/2.0/UDP h:x").error().code == errc::bad_header_value);
}

BOOST_AUTO_TEST_CASE(cseq_call_id_numbers_dates) {
  BOOST_TEST(sipsaf::parse_cseq("4294967295 INVITE")->number == 4294967295u);
  BOOST_TEST(sipsaf::parse_cseq("0009\r\n  INVITE")->method == "INVITE");
  BOOST_TEST(sipsaf::parse_cseq("4294967296 INVITE").error().code == errc::bad_header_value);
  BOOST_TEST(sipsaf::parse_cseq("1INVITE").error().offset == 1u);
  BOOST_TEST(sipsaf::parse_call_id(" f81d4fae-7dec-11d0-a765-00a0c91e6bf6@foo.bar.com ").value() ==
             "f81d4fae-7dec-11d0-a765-00a0c91e6bf6@foo.bar.com");
  BOOST_TEST(sipsaf::parse_call_id("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{").has_value());
  BOOST_TEST(sipsaf::parse_call_id("a@").error().offset == 2u);
  BOOST_TEST(sipsaf::parse_delta_seconds("4294967295").value() == 4294967295u);
  BOOST_TEST(sipsaf::parse_delta_seconds("10000000000000000000000").error().code ==
             errc::bad_header_value);
  auto d = sipsaf::parse_sip_date("Thu, 21 Feb 2002 13:02:03 GMT");
  BOOST_TEST_REQUIRE(d.has_value());
  BOOST_TEST(d->year == 2002);
  BOOST_TEST(d->month == 2);
  BOOST_TEST(d->day == 21);
  BOOST_TEST(d->weekday == 4);
  BOOST_TEST(d->epoch_seconds() == 1014296523);
  BOOST_TEST(sipsaf::parse_sip_date("Thu, 29 Feb 2001 13:02:03 GMT").error().code ==
             errc::bad_date);
  BOOST_TEST(sipsaf::parse_sip_date("Tue, 29 Feb 2000 13:02:03 GMT").has_value());
  BOOST_TEST(sipsaf::parse_sip_date("Thu, 21 Feb 2002 13:02:03 EST").error().offset == 26u);
  BOOST_TEST(sipsaf::parse_sip_date("Thu, 21 Feb 2002 24:02:03 GMT").error().code ==
             errc::bad_date);
  BOOST_TEST(sipsaf::parse_sip_date("21 Feb 2002 13:02:03 GMT").error().offset == 0u);
  // RFC 5234 §2.3: the names are ABNF literals, so any case is accepted.
  auto lower = sipsaf::parse_sip_date("thu, 21 FEB 2002 13:02:03 gmt");
  BOOST_TEST_REQUIRE(lower.has_value());
  BOOST_TEST(lower->epoch_seconds() == 1014296523);
  BOOST_TEST(sipsaf::parse_sip_date("Thx, 21 Feb 2002 13:02:03 GMT").error().offset == 0u);
  BOOST_TEST(sipsaf::parse_sip_date("Thu, 21 Fe@ 2002 13:02:03 GMT").error().offset == 8u);
}

BOOST_AUTO_TEST_CASE(contacts) {
  auto c = sipsaf::parse_contact(
      "\"Mr. Watson\" <sip:watson@worcester.bell-telephone.com>;q=0.7; expires=3600,"
      " \"Mr. Watson\" <mailto:watson@bell-telephone.com> ;q=0.1, sip:x@y;q=1.000");
  BOOST_TEST_REQUIRE(c.has_value());
  BOOST_TEST(!c->star);
  BOOST_TEST_REQUIRE(c->entries.size() == 3u);
  BOOST_TEST(*c->entries[0].q == 700u);
  BOOST_TEST(*c->entries[0].expires == 3600u);
  BOOST_TEST(*c->entries[1].q == 100u);
  BOOST_TEST(c->entries[1].address.uri.scheme == "mailto");
  BOOST_TEST(*c->entries[2].q == 1000u);
  BOOST_TEST(sipsaf::parse_contact(" * ")->star);
  BOOST_TEST(sipsaf::parse_contact("<sip:a@b>;q=1.001").error().code == errc::bad_parameter);
  BOOST_TEST(sipsaf::parse_contact("<sip:a@b>;q=0.1234").error().code == errc::bad_parameter);
  BOOST_TEST(sipsaf::parse_contact("<sip:a@b>;expires=x").error().code == errc::bad_parameter);
  BOOST_TEST(sipsaf::parse_contact("<sip:a@b>, ").error().code == errc::empty_value);
}

BOOST_AUTO_TEST_CASE(list_splitting) {
  auto v = sipsaf::split_list(" a, \"b, c\" <sip:d,e>;x=\"f,g\" ,, h\\,i ,");
  BOOST_TEST_REQUIRE(v.size() == 4u);
  BOOST_TEST(v[0] == "a");
  BOOST_TEST(v[1] == "\"b, c\" <sip:d,e>;x=\"f,g\"");
  BOOST_TEST(v[2] == "h\\");
  BOOST_TEST(v[3] == "i");
  BOOST_TEST(sipsaf::split_list("").empty());
  BOOST_TEST(sipsaf::split_list("\"unterminated, x").size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
