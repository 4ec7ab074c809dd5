#include <sipsaf/ascii.hpp>
#include <sipsaf/reason_phrase.hpp>

#include <boost/test/unit_test.hpp>

using namespace sipsaf;

BOOST_AUTO_TEST_SUITE(core_ascii)

BOOST_AUTO_TEST_CASE(iequals_folds_ascii_letters_only) {
  static_assert(iequals("Request-Disposition", "request-DISPOSITION"));
  BOOST_TEST(iequals("", ""));
  BOOST_TEST(iequals("SIPS", "sips"));
  BOOST_TEST(!iequals("sip", "sips"));
  BOOST_TEST(!iequals("a-b", "a_b"));
  // '@' (0x40) and '`' (0x60) differ by the case bit but are not letters.
  BOOST_TEST(!iequals("@", "`"));
  BOOST_TEST(!iequals("[", "{"));
  // Bytes above 127 are compared as they are (no locale).
  BOOST_TEST(!iequals("\xC4", "\xE4"));
  BOOST_TEST(ascii_lower('Z') == 'z');
  BOOST_TEST(ascii_lower('\xC4') == '\xC4');
  BOOST_TEST(ascii_lower("Text/PLAIN;Charset=UTF-8") == "text/plain;charset=utf-8");
}

BOOST_AUTO_TEST_CASE(reason_phrases_follow_rfc_3261) {
  static_assert(reason_phrase(200) == "OK");
  BOOST_TEST(reason_phrase(202) == "Accepted");
  BOOST_TEST(reason_phrase(415) == "Unsupported Media Type");
  BOOST_TEST(reason_phrase(480) == "Temporarily Unavailable");
  BOOST_TEST(reason_phrase(486) == "Busy Here");
  BOOST_TEST(reason_phrase(500) == "Server Internal Error");
  BOOST_TEST(reason_phrase(603) == "Decline");
  // An unknown code reads as the x00 of its class (RFC 3261 §8.1.3.2).
  BOOST_TEST(reason_phrase(299) == "OK");
  BOOST_TEST(reason_phrase(499) == "Bad Request");
  BOOST_TEST(reason_phrase(99).empty());
  BOOST_TEST(reason_phrase(700).empty());
  BOOST_TEST(reason_phrase(-1).empty());
}

BOOST_AUTO_TEST_SUITE_END()
