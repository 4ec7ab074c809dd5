// Test that the header is self-contained.
#include <sipsaf/grammar/media_type.hpp>

#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>

BOOST_AUTO_TEST_SUITE(grammar_scanners)

namespace g = sipsaf::grammar::detail;
using sipsaf::errc;

namespace {
auto end_of(std::string_view s) -> char const* {
  return s.data() + s.size();
}
// The error a scanner returned and where it left the cursor.
struct outcome {
  errc code;
  std::size_t at;
};
auto quoted(std::string_view in, std::string_view& content) -> outcome {
  char const* p = in.data();
  errc const ec = g::scan_quoted_string(p, end_of(in), content);
  return {ec, static_cast<std::size_t>(p - in.data())};
}
auto param(std::string_view in, bool optional_value, g::mime_param_view& out) -> outcome {
  char const* p = in.data();
  errc const ec = g::scan_mime_param(p, end_of(in), optional_value, out);
  return {ec, static_cast<std::size_t>(p - in.data())};
}
}  // namespace

BOOST_AUTO_TEST_CASE(token_span_takes_every_token_char_and_nothing_else) {
  std::string const all_chars =
      "abcxyzABCXYZ0189-.!%*_+`'~";  // RFC 3261 §25.1 token alphabet, sampled
  BOOST_TEST(g::span(all_chars.data(), end_of(all_chars), g::token_chars) == end_of(all_chars));
  for (char c : std::string(" \t\"(),/:;<=>?@[\\]{}\r\n")) {
    std::string const in = std::string("abcdef") + c + "gh";
    BOOST_TEST_CONTEXT("byte " << int(c)) {
      BOOST_TEST(g::span(in.data(), end_of(in), g::token_chars) == in.data() + 6);
    }
  }
  std::string_view const none = "";
  BOOST_TEST(g::span(none.data(), none.data(), g::token_chars) == none.data());
}

BOOST_AUTO_TEST_CASE(lws_with_and_without_line_folding) {
  auto skipped = [](std::string_view in) {
    return static_cast<std::size_t>(g::skip_lws(in.data(), end_of(in)) - in.data());
  };
  BOOST_TEST(skipped(" ") == 1u);
  BOOST_TEST(skipped(" \t x") == 3u);
  BOOST_TEST(skipped("\r\n x") == 3u);       // fold: CRLF then WSP
  BOOST_TEST(skipped("  \r\n\t\tx") == 6u);  // WSP, fold, WSP
  BOOST_TEST(skipped("") == 0u);
  BOOST_TEST(skipped("\r\n") == 0u);  // a CRLF alone is no fold
  // CRLF not followed by WSP ends the header line: not LWS.
  BOOST_TEST(skipped(" \r\nX") == 1u);
}

BOOST_AUTO_TEST_CASE(quoted_string_with_quoted_pairs) {
  std::string_view v;
  auto ok = [&](std::string_view in) {
    outcome const o = quoted(in, v);
    return o.code == errc{} && o.at == in.size();
  };
  BOOST_TEST(ok(R"("")"));
  BOOST_TEST(v.empty());
  BOOST_TEST(ok(R"("a \"b\" \\ c")"));
  BOOST_TEST(v == R"(a \"b\" \\ c)");
  BOOST_TEST(g::unescape_quoted(v) == R"(a "b" \ c)");
  BOOST_TEST(ok("\"caf\xc3\xa9\""));  // UTF8-NONASCII
  BOOST_TEST(ok("\"a\r\n b\""));      // LWS inside
  BOOST_TEST(v == "a\r\n b");
  // Errors point at the offending byte.
  auto bad_at = [&](std::string_view in) {
    outcome const o = quoted(in, v);
    BOOST_TEST((o.code == errc::bad_quoted_string));
    return o.at;
  };
  BOOST_TEST(bad_at("\"abc") == 4u);
  BOOST_TEST(bad_at("\"a\rb\"") == 2u);
  BOOST_TEST(bad_at("\"a\\\r\"") == 3u);
  BOOST_TEST(bad_at(std::string_view("\"a\0\"", 4)) == 2u);
  BOOST_TEST(bad_at("\"a\\") == 3u);
  BOOST_TEST(bad_at("\"a\x7f\"") == 2u);
}

BOOST_AUTO_TEST_CASE(mime_parameter_forms) {
  g::mime_param_view p;
  outcome o = param("charset=utf-8;x", false, p);
  BOOST_TEST((o.code == errc{}));
  BOOST_TEST(o.at == 13u);
  BOOST_TEST(p.name == "charset");
  BOOST_TEST(p.value == "utf-8");
  BOOST_TEST(!p.quoted);
  p = {};
  o = param("name = \"a;b\" ", false, p);
  BOOST_TEST((o.code == errc{}));
  BOOST_TEST(o.at == 12u);
  BOOST_TEST(p.value == "a;b");
  BOOST_TEST(p.quoted);
  // A bare name only where values are optional; the cursor stays after it.
  p = {};
  o = param("handling ;", true, p);
  BOOST_TEST((o.code == errc{}));
  BOOST_TEST(o.at == 8u);
  BOOST_TEST(!p.has_value);
  o = param("handling ;", false, p);
  BOOST_TEST((o.code == errc::expected_equal));
  BOOST_TEST(o.at == 9u);
  o = param("x=", false, p);
  BOOST_TEST((o.code == errc::bad_parameter));
  BOOST_TEST(o.at == 2u);
  o = param("=1", true, p);
  BOOST_TEST((o.code == errc::bad_parameter));
  BOOST_TEST(o.at == 0u);
  o = param("x=\"open", false, p);
  BOOST_TEST((o.code == errc::bad_quoted_string));
  BOOST_TEST(o.at == 7u);
}

BOOST_AUTO_TEST_SUITE_END()
