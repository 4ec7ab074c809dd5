#include <sipsaf/message/header_values.hpp>
#include <sipsaf/time.hpp>

#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>
#include <vector>

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

BOOST_AUTO_TEST_CASE(the_usual_date_layout_reads_as_the_full_grammar_does) {
  // parse_sip_timestamp reads the 29-byte layout in place and leaves the
  // rest to parse_sip_date: both must give the same answer for every text.
  std::vector<std::string> texts = {
      "Sat, 13 Nov 2010 23:29:00 GMT",    "sat, 13 nov 2010 23:29:00 gmt",
      "SAT, 13 NOV 2010 23:29:60 GMT",    "Thu, 29 Feb 2024 12:00:00 GMT",
      "Wed, 29 Feb 2023 12:00:00 GMT",    "Tue, 29 Feb 2000 00:00:00 GMT",
      "Mon, 29 Feb 1900 00:00:00 GMT",    "Sun, 31 Apr 2024 00:00:00 GMT",
      "Sun, 00 Jan 2024 00:00:00 GMT",    "Sun, 01 Jan 2024 24:00:00 GMT",
      "Sun, 01 Jan 2024 23:60:00 GMT",    "Sun, 01 Jan 2024 23:59:61 GMT",
      "Xyz, 01 Jan 2024 00:00:00 GMT",    "Sun, 01 Jab 2024 00:00:00 GMT",
      "Sun, 01 Jan 2024 00:00:00 UTC",    "Sun; 01 Jan 2024 00:00:00 GMT",
      "Sun, 1a Jan 2024 00:00:00 GMT",    "Sun, 01 Jan 20x4 00:00:00 GMT",
      "Sun,  1 Jan 2024 00:00:00 GMT",    " Sun, 01 Jan 2024 00:00:00 GMT",
      "Sun, 01 Jan 2024 00:00:00 GMT ",   "Sun, 01 Jan 2024 00:00:00 GM",
      "S\xf5n, 01 Jan 2024 00:00:00 GMT", "Sun, 01 Jan 2024 00-00:00 GMT",
      "Sun, 01 Jan 0000 00:00:00 GMT",    "Fri, 31 Dec 9999 23:59:59 GMT",
      "Sun, 01 Jan 2024 00:00:00 G\x0dT"};
  for (std::string const& t : texts) {
    BOOST_TEST_CONTEXT(t) {
      auto fast = parse_sip_timestamp(t);
      auto full = parse_sip_date(t);
      BOOST_REQUIRE(fast.has_value() == full.has_value());
      if (full) {
        BOOST_TEST(to_unix_ms(*fast) == full->epoch_seconds() * 1000);
      } else {
        BOOST_TEST((fast.error().code == full.error().code));
        BOOST_TEST(fast.error().offset == full.error().offset);
      }
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
