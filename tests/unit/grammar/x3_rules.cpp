// sipsaf's scanners against the X3 rules of <sipsaf/grammar/x3.hpp>: for
// every input, the same value, or the same error code at the same offset.
#include "x3_agreement.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

BOOST_AUTO_TEST_SUITE(grammar_x3_rules)

namespace {

// Inputs that reach each branch of the grammars: folding, quoted-pairs,
// IPv6 references, empty list elements, stray bytes, limits.
std::vector<std::string> const cases = {
    "store-and-forward-if-not-reached, notify",
    "  proxy ,\r\n  no-fork  ",
    "STORE, No-Cancel, sequential",
    "store, do-not-store",
    "proxy,,redirect",
    "proxy,",
    ",proxy",
    "fork no-fork",
    "x-private, store",
    "store\r\n",
    "store\r\n\tnotify",
    "store,\r\n notify",
    "",
    "   ",
    "ring, no-queue, queue",
    "text/plain",
    "text/plain;charset=utf-8",
    "text/plain ; charset = \"utf-8\" ; format=flowed",
    "multipart/mixed;boundary=\"a\\\"b\"",
    "multipart/mixed;boundary=\"unterminated",
    "text/",
    "text",
    "/plain",
    "text/plain;",
    "text/plain;charset",
    "text/plain;charset=",
    "text/plain;a=1;A=2",
    "text/plain;a=[::1]",
    "text/plain (comment)",
    "text/plain\r\n ;x=y",
    "*/*",
    "*/html",
    "text/*;q=0.5, application/sdp;q=1, */*;q=0",
    "text/plain;q=1.5",
    "text/plain;q=\"1\"",
    "text/plain;q",
    "text/plain, ",
    "text/plain,,text/html",
    "application/sdp;level=1;x",
    "render",
    "session;handling=optional",
    "attachment; filename=\"photo.jpg\"; handling=required",
    "icon;handling",
    "alert;=x",
    "render;a;A",
    "te\x01"
    "xt/plain",
    "text/pl\x80"
    "ain",
    "\"quoted\"",
};

auto seeds(char const* name) -> std::vector<std::string> {
  std::vector<std::string> out;
  std::filesystem::path const dir =
      std::filesystem::path(SIPSAF_SOURCE_DIR) / "tests" / "fuzz" / "seeds" / name;
  for (auto const& e : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(e.path(), std::ios::binary);
    out.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(scanners_agree_with_the_rules_on_every_case) {
  for (auto const& in : cases) BOOST_TEST(x3_agreement::check_all(in) == "", "input: " << in);
}

BOOST_AUTO_TEST_CASE(scanners_agree_with_the_rules_on_the_fuzz_seeds) {
  std::size_t n = 0;
  for (char const* name : {"request_disposition", "media_type", "x3_agreement"}) {
    for (auto const& in : seeds(name)) {
      BOOST_TEST(x3_agreement::check_all(in) == "", name << " seed: " << in);
      ++n;
    }
  }
  BOOST_TEST(n > 20u);
}

BOOST_AUTO_TEST_CASE(every_prefix_of_every_case_agrees) {
  // Cuts land inside tokens, quoted strings and folds: where a scanner is
  // most likely to stop at a different byte than the grammar.
  for (auto const& in : cases)
    for (std::size_t i = 0; i <= in.size(); ++i) {
      auto const cut = in.substr(0, i);
      BOOST_TEST(x3_agreement::check_all(cut) == "", "input: " << cut);
    }
}

BOOST_AUTO_TEST_CASE(a_disagreement_is_reported) {
  // The check itself can fail: a scanner result that differs from the rules.
  sipsaf::result<sipsaf::media_type> const wrong =
      sipsaf::parse_error{sipsaf::errc::bad_media_type, 3};
  BOOST_TEST(x3_agreement::compare(wrong, x3_agreement::media_type("text/plain")) != "");
  BOOST_TEST(x3_agreement::compare(sipsaf::parse_media_type("text/"),
                                   x3_agreement::media_type("text/x")) != "");
}

BOOST_AUTO_TEST_CASE(rules_compose_into_a_parser_of_ones_own) {
  // What a stack does with the rules: a header of its own, here
  // `Foo: token;param=value` with the values taken as views.
  namespace rules = sipsaf::grammar::rules;
  namespace x3 = boost::spirit::x3;
  std::string_view name;
  std::vector<sipsaf::grammar::detail::mime_param_view> params;
  auto const on_name = [&](auto& ctx) { name = x3::_attr(ctx); };
  auto const on_param = [&](auto& ctx) { params.push_back(x3::_attr(ctx)); };
  auto const foo = rules::sws >> rules::token[on_name] >>
                   *(rules::semi >> rules::m_parameter[on_param]) >> rules::sws;
  auto r = rules::parse("value ; a=1;b=\"two\"", foo, sipsaf::errc::expected_token,
                        sipsaf::errc::expected_semicolon);
  BOOST_TEST(r.has_value());
  BOOST_TEST(name == "value");
  BOOST_REQUIRE(params.size() == 2u);
  BOOST_TEST(params[1].value == "two");
  BOOST_TEST(params[1].quoted);
  auto bad =
      rules::parse("value;a", foo, sipsaf::errc::expected_token, sipsaf::errc::expected_semicolon);
  BOOST_REQUIRE(!bad.has_value());
  BOOST_TEST(bad.error().code == sipsaf::errc::expected_equal);
  BOOST_TEST(bad.error().offset == 7u);
}

BOOST_AUTO_TEST_SUITE_END()
