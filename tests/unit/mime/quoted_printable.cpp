// Test that the header is self-contained.
#include <sipsaf/mime/quoted_printable.hpp>

#include <boost/test/unit_test.hpp>

#include <iterator>
#include <string>

BOOST_AUTO_TEST_SUITE(quoted_printable)

using sipsaf::decode_quoted_printable;
using sipsaf::errc;

BOOST_AUTO_TEST_CASE(hex_octets_and_literal_bytes) {
  BOOST_TEST(decode_quoted_printable("caf=C3=A9 au lait").value() == "caf\xc3\xa9 au lait");
  BOOST_TEST(decode_quoted_printable("a=3Db").value() == "a=b");
  BOOST_TEST(decode_quoted_printable("lower=c3=a9").value() == "lower\xc3\xa9");
  BOOST_TEST(decode_quoted_printable("").value() == "");
}

BOOST_AUTO_TEST_CASE(soft_line_breaks_vanish) {
  BOOST_TEST(decode_quoted_printable("long =\r\nline").value() == "long line");
  BOOST_TEST(decode_quoted_printable("long =  \t\r\nline").value() == "long line");
  BOOST_TEST(decode_quoted_printable("bare=\nlf").value() == "barelf");
  BOOST_TEST(decode_quoted_printable("end=").value() == "end");
  BOOST_TEST(decode_quoted_printable("end= ").value() == "end");
}

BOOST_AUTO_TEST_CASE(trailing_whitespace_is_deleted_hard_breaks_kept) {
  BOOST_TEST(decode_quoted_printable("a  \r\nb\t\nc ").value() == "a\r\nb\nc");
  BOOST_TEST(decode_quoted_printable("a b\tc").value() == "a b\tc");
  BOOST_TEST(decode_quoted_printable("a=20\r\n").value() == "a \r\n");
}

BOOST_AUTO_TEST_CASE(bad_escapes_point_at_the_equal_sign) {
  for (auto const& [in, at] : {std::pair<char const*, std::size_t>{"=G0", 0},
                               {"ab=4", 2},
                               {"x=\r", 1},
                               {"x= y", 1},
                               {"=\rx", 0}}) {
    auto r = decode_quoted_printable(in);
    BOOST_TEST_REQUIRE(!r.has_value(), in);
    BOOST_TEST(r.error().code == errc::bad_quoted_printable);
    BOOST_TEST(r.error().offset == at, in);
  }
}

BOOST_AUTO_TEST_CASE(iterator_form) {
  std::string out;
  auto r = decode_quoted_printable("x=41=\r\ny", std::back_inserter(out));
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST(out == "xAy");
}

BOOST_AUTO_TEST_SUITE_END()
