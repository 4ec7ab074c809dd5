// Test that the header is self-contained.
#include <sipsaf/grammar/core.hpp>

#include <sipsaf/grammar/detail/run.hpp>

#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>

BOOST_AUTO_TEST_SUITE(grammar_core)

namespace g = sipsaf::grammar;
using sipsaf::errc;
using sipsaf::parse_error;

namespace {
// Parses all of `in` with `p`; mismatch and leftover get distinct codes so
// that the tests can tell them apart.
template <class P, class A>
auto all(std::string_view in, P const& p, A& attr) -> sipsaf::result<void> {
  return g::detail::run(in, p, attr, errc::need_more, errc::leftover);
}
template <class P>
auto all(std::string_view in, P const& p) -> sipsaf::result<void> {
  return g::detail::run(in, p, errc::need_more, errc::leftover);
}
}  // namespace

BOOST_AUTO_TEST_CASE(token_takes_every_token_char_and_nothing_else) {
  std::string_view v;
  std::string const all_chars =
      "abcxyzABCXYZ0189-.!%*_+`'~";  // RFC 3261 §25.1 token alphabet, sampled
  BOOST_TEST(all(all_chars, g::token, v).has_value());
  BOOST_TEST(v == all_chars);
  BOOST_TEST(v.data() == all_chars.data());  // a view, not a copy
  for (char c : std::string(" \t\"(),/:;<=>?@[\\]{}\r\n")) {
    std::string const in = std::string("ab") + c;
    auto r = all(in, g::token, v);
    BOOST_TEST_CONTEXT("byte " << int(c)) {
      BOOST_TEST(!r);
      BOOST_TEST(r.error().offset == 2u);
    }
  }
  BOOST_TEST((all("", g::token, v).error() == parse_error{errc::need_more, 0}));
}

BOOST_AUTO_TEST_CASE(lws_with_and_without_line_folding) {
  BOOST_TEST(all(" ", g::lws).has_value());
  BOOST_TEST(all(" \t ", g::lws).has_value());
  BOOST_TEST(all("\r\n ", g::lws).has_value());       // fold: CRLF then WSP
  BOOST_TEST(all("  \r\n\t\t", g::lws).has_value());  // WSP, fold, WSP
  BOOST_TEST(!all("", g::lws));                       // LWS needs one WSP at least
  BOOST_TEST((all("\r\n", g::lws).error() == parse_error{errc::need_more, 0}));
  // CRLF not followed by WSP ends the header line: not LWS.
  BOOST_TEST((all(" \r\nX", g::lws).error() == parse_error{errc::leftover, 1}));
  BOOST_TEST(all("", g::sws).has_value());
  BOOST_TEST(all("\r\n ", g::sws).has_value());
}

BOOST_AUTO_TEST_CASE(separators_allow_whitespace_around) {
  BOOST_TEST(all(",", g::comma).has_value());
  BOOST_TEST(all(" ,\r\n  ", g::comma).has_value());
  BOOST_TEST(all(" ; ", g::semi).has_value());
  BOOST_TEST(all("\t=\t", g::equal).has_value());
  BOOST_TEST(all(" / ", g::slash).has_value());
  BOOST_TEST(all(" \t: ", g::hcolon).has_value());
  BOOST_TEST(all(":\r\n ", g::hcolon).has_value());
  BOOST_TEST(!all(" ;", g::comma));
  // HCOLON allows no fold before the colon.
  BOOST_TEST(!all("\r\n :", g::hcolon));
}

BOOST_AUTO_TEST_CASE(quoted_string_with_quoted_pairs) {
  std::string_view v;
  BOOST_TEST(all(R"("")", g::quoted_string, v).has_value());
  BOOST_TEST(v.empty());
  BOOST_TEST(all(R"( "a \"b\" \\ c")", g::quoted_string, v).has_value());
  BOOST_TEST(v == R"(a \"b\" \\ c)");
  BOOST_TEST(g::detail::unescape_quoted(v) == R"(a "b" \ c)");
  BOOST_TEST(all("\"caf\xc3\xa9\"", g::quoted_string, v).has_value());  // UTF8-NONASCII
  BOOST_TEST(all("\"a\r\n b\"", g::quoted_string, v).has_value());      // LWS inside
  // Errors point at the offending byte.
  BOOST_TEST(
      (all("\"abc", g::quoted_string, v).error() == parse_error{errc::bad_quoted_string, 4}));
  BOOST_TEST(
      (all("\"a\rb\"", g::quoted_string, v).error() == parse_error{errc::bad_quoted_string, 2}));
  BOOST_TEST(
      (all("\"a\\\r\"", g::quoted_string, v).error() == parse_error{errc::bad_quoted_string, 3}));
  BOOST_TEST((all(std::string_view("\"a\0\"", 4), g::quoted_string, v).error() ==
              parse_error{errc::bad_quoted_string, 2}));
  BOOST_TEST(
      (all("\"a\\", g::quoted_string, v).error() == parse_error{errc::bad_quoted_string, 3}));
  BOOST_TEST((all("abc", g::quoted_string, v).error() == parse_error{errc::need_more, 0}));
}

BOOST_AUTO_TEST_CASE(generic_param_forms) {
  g::param_view p;
  BOOST_TEST(all("lr", g::generic_param, p).has_value());
  BOOST_TEST(p.name == "lr");
  BOOST_TEST(!p.has_value);
  BOOST_TEST(all("ttl = 16", g::generic_param, p).has_value());
  BOOST_TEST(p.name == "ttl");
  BOOST_TEST(p.value == "16");
  BOOST_TEST(all("maddr=[2001:db8::1]", g::generic_param, p).has_value());
  BOOST_TEST(p.value == "[2001:db8::1]");
  BOOST_TEST(all(R"(x="a;b")", g::generic_param, p).has_value());
  BOOST_TEST(p.value == R"("a;b")");
  BOOST_TEST((all("x=", g::generic_param, p).error() == parse_error{errc::bad_parameter, 2}));
  BOOST_TEST((all("x=[::1", g::generic_param, p).error() == parse_error{errc::bad_parameter, 6}));
  BOOST_TEST((all("x=\"open", g::generic_param, p).error().code == errc::bad_quoted_string));
}

BOOST_AUTO_TEST_CASE(expect_reports_its_code_where_it_failed) {
  auto const list = g::token >> *(g::comma >> g::expect<errc::expected_token>(g::token));
  BOOST_TEST(all("a, b ,c", list).has_value());
  BOOST_TEST((all("a, b ,", list).error() == parse_error{errc::expected_token, 6}));
  BOOST_TEST((all("a,,b", list).error() == parse_error{errc::expected_token, 2}));
}

BOOST_AUTO_TEST_SUITE_END()
