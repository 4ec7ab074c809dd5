#include <sipsaf/message/header_values.hpp>
#include <sipsaf/time.hpp>

#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>

using namespace sipsaf;

BOOST_AUTO_TEST_SUITE(core_time)

BOOST_AUTO_TEST_CASE(sip_date_reads_as_a_timestamp) {
  auto t = parse_sip_timestamp("Tue, 14 Nov 2023 22:13:20 GMT");
  BOOST_REQUIRE(t);
  BOOST_TEST(to_unix_ms(*t) == 1'700'000'000'000);
  // RFC 3261 §20.17's own example.
  auto e = parse_sip_timestamp("Sat, 13 Nov 2010 23:29:00 GMT");
  BOOST_REQUIRE(e);
  BOOST_TEST(to_unix_ms(*e) == 1'289'690'940'000);
  BOOST_TEST(to_unix_ms(*parse_sip_timestamp("Thu, 01 Jan 1970 00:00:00 GMT")) == 0);
  BOOST_TEST(to_unix_ms(*parse_sip_timestamp("Thu, 29 Feb 2024 12:00:00 GMT")) ==
             1'709'208'000'000);
}

BOOST_AUTO_TEST_CASE(sip_date_errors_pass_through) {
  for (char const* bad : {"", "   ", "yesterday", "Sat, 13 Foo 2010 23:29:00 GMT",
                          "Sat, 13 Nov 2010 23:29:00 UTC", "Sat, 13 Nov 2010 23:29"}) {
    auto r = parse_sip_timestamp(bad);
    BOOST_TEST(!r, bad);
    if (!r) BOOST_TEST(r.error().offset <= std::string_view(bad).size(), bad);
  }
}

BOOST_AUTO_TEST_CASE(formats_round_trip) {
  for (std::int64_t ms : {0LL, 1'289'690'940'000LL, 1'709'208'000'000LL, 4'102'444'800'000LL}) {
    timestamp const t = from_unix_ms(ms);
    auto back = parse_sip_timestamp(format_sip_date(t));
    BOOST_REQUIRE(back);
    BOOST_TEST(to_unix_ms(*back) == ms);
  }
  BOOST_TEST(format_sip_date(from_unix_ms(1'289'690'940'000)) == "Sat, 13 Nov 2010 23:29:00 GMT");
  BOOST_TEST(format_sip_date(from_unix_ms(1'700'000'000'999)) == "Tue, 14 Nov 2023 22:13:20 GMT");
  BOOST_TEST(format_rfc3339(from_unix_ms(1'289'690'940'000)) == "2010-11-13T23:29:00Z");
  BOOST_TEST(format_rfc3339(from_unix_ms(1'289'690'940'250)) == "2010-11-13T23:29:00.250Z");
  BOOST_TEST(format_rfc3339(from_unix_ms(-1)) == "1969-12-31T23:59:59.999Z");
}

BOOST_AUTO_TEST_CASE(expires_seconds) {
  BOOST_TEST(parse_expires_seconds("3600")->count() == 3600);
  BOOST_TEST(parse_expires_seconds(" 0 ")->count() == 0);
  BOOST_TEST(parse_expires_seconds("99999999999999999999")->count() == 4294967295LL);  // clamped
  BOOST_TEST((parse_expires_seconds("").error().code == errc::empty_value));
  auto bad = parse_expires_seconds("12a");
  BOOST_REQUIRE(!bad);
  BOOST_TEST((bad.error().code == errc::bad_header_value));
  BOOST_TEST(bad.error().offset == 2u);
  BOOST_TEST(parse_expires_seconds("-5").error().offset == 0u);
  BOOST_TEST(parse_expires_seconds("5 6").error().offset == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
