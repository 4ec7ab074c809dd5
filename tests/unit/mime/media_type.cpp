// Test that the header is self-contained.
#include <sipsaf/mime/media_type.hpp>

#include <boost/test/unit_test.hpp>

#include <sstream>
#include <string>
#include <vector>

BOOST_AUTO_TEST_SUITE(media_type)

using sipsaf::errc;
using sipsaf::parse_media_ranges;
using sipsaf::parse_media_type;

BOOST_AUTO_TEST_CASE(type_subtype_and_parameters_are_views_into_the_input) {
  std::string const in = "Multipart/Mixed; Boundary=\"simple boundary\"; charset=UTF-8";
  auto r = parse_media_type(in);
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST(r->type == "Multipart");
  BOOST_TEST(r->subtype == "Mixed");
  BOOST_TEST(r->type.data() == in.data());
  BOOST_TEST_REQUIRE(r->parameters.size() == 2u);
  BOOST_TEST(r->parameters[0].name == "Boundary");
  BOOST_TEST(r->parameters[0].value == "simple boundary");
  BOOST_TEST(r->parameters[0].quoted);
  BOOST_TEST(!r->parameters[1].quoted);
  BOOST_TEST(r->is("multipart", "MIXED"));
  BOOST_TEST(r->is_multipart());
  BOOST_TEST(!r->is("multipart", "alternative"));
  BOOST_TEST(r->param("boundary").value() == "simple boundary");
  BOOST_TEST(r->param("CHARSET").value() == "UTF-8");
  BOOST_TEST(!r->param("q").has_value());
  BOOST_TEST(r->find_param("charset") == &r->parameters[1]);
}

BOOST_AUTO_TEST_CASE(whitespace_and_folding_around_separators) {
  // RFC 3261 §25.1: SLASH, SEMI and EQUAL allow SWS, which includes a folded line.
  auto r = parse_media_type("  text / html ;\r\n charset = ISO-8859-4  ");
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST(r->is("text", "html"));
  BOOST_TEST(r->param("charset").value() == "ISO-8859-4");
}

BOOST_AUTO_TEST_CASE(quoted_values_are_unescaped_on_request) {
  auto r = parse_media_type(R"(application/x-test; name="a \"quoted\" \\ word")");
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST(r->param("name").value() == R"(a \"quoted\" \\ word)");
  BOOST_TEST(r->parameters[0].unescaped() == R"(a "quoted" \ word)");
  sipsaf::mime_parameter plain{"x", "a\\b", false};
  BOOST_TEST(plain.unescaped() == "a\\b");
}

BOOST_AUTO_TEST_CASE(rfc2045_token_bytes_are_accepted) {
  // RFC 2045 §5.1 tokens admit # $ & ^ { | } beyond the RFC 3261 token set.
  auto r = parse_media_type("application/vnd.a#b$c&d^e{f|g}~h+xml");
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST(r->subtype == "vnd.a#b$c&d^e{f|g}~h+xml");
}

struct bad_case {
  char const* input;
  errc code;
  std::size_t offset;
};

BOOST_AUTO_TEST_CASE(malformed_values_report_code_and_offset) {
  std::vector<bad_case> const cases = {
      {"", errc::empty_value, 0},
      {"  \t ", errc::empty_value, 0},
      {"/plain", errc::bad_media_type, 0},
      {"text", errc::expected_slash, 4},
      {"text plain", errc::expected_slash, 4},
      {"text/", errc::expected_token, 5},
      {"text/;a=b", errc::expected_token, 5},
      {"text/plain;", errc::bad_parameter, 11},
      {"text/plain; ", errc::bad_parameter, 12},
      {"text/plain;a", errc::expected_equal, 12},
      {"text/plain;a b", errc::expected_equal, 13},
      {"text/plain;a=", errc::bad_parameter, 13},
      {"text/plain;a=\"open", errc::bad_quoted_string, 18},
      {"text/plain;a=(c)", errc::bad_parameter, 13},
      {"text/plain x", errc::expected_semicolon, 11},
      {"text/plain, text/html", errc::expected_semicolon, 10},
      {"text/plain;a=1;b=2;A=3", errc::bad_parameter, 19},
      {"te\x01xt/plain", errc::expected_slash, 2},
      {"text/pl\xc3\xa4in", errc::expected_semicolon, 7},
  };
  for (auto const& c : cases) {
    BOOST_TEST_CONTEXT("input: " << c.input) {
      auto r = parse_media_type(c.input);
      BOOST_TEST_REQUIRE(!r.has_value());
      BOOST_TEST(sipsaf::to_string(r.error().code) == sipsaf::to_string(c.code));
      BOOST_TEST(r.error().offset == c.offset);
    }
  }
}

BOOST_AUTO_TEST_CASE(parameter_count_is_bounded) {
  std::string in = "text/plain";
  for (std::size_t i = 0; i < sipsaf::max_mime_parameters; ++i)
    in += ";p" + std::to_string(i) + "=1";
  BOOST_TEST(parse_media_type(in).has_value());
  std::size_t const extra = in.size() + 1;
  in += ";px=1";
  auto r = parse_media_type(in);
  BOOST_TEST_REQUIRE(!r.has_value());
  BOOST_TEST(r.error().code == errc::too_many_parameters);
  BOOST_TEST(r.error().offset == extra);
  std::string const range = "*/*;" + in.substr(11);
  auto ranges = parse_media_ranges(range);
  BOOST_TEST_REQUIRE(!ranges.has_value());
  BOOST_TEST(ranges.error().code == errc::too_many_parameters);
}

BOOST_AUTO_TEST_CASE(every_prefix_fails_or_parses_without_reading_past_it) {
  std::string const in = "multipart/related; type=\"application/sdp\"; boundary=b1";
  for (std::size_t n = 0; n <= in.size(); ++n) {
    // A heap copy of exactly n bytes, so that a sanitizer sees overreads.
    std::vector<char> bytes(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(n));
    auto r = parse_media_type(std::string_view(bytes.data(), n));
    if (!r) BOOST_TEST(r.error().offset <= n);
  }
}

BOOST_AUTO_TEST_CASE(serialization_is_canonical_and_round_trips) {
  std::string const in = " Text/HTML ; Charset = \"iso-8859-4\" ;Level=1";
  auto r = parse_media_type(in);
  BOOST_TEST_REQUIRE(r.has_value());
  std::string const s = sipsaf::to_string(*r);
  BOOST_TEST(s == "text/html;charset=\"iso-8859-4\";level=1");
  auto again = parse_media_type(s);
  BOOST_TEST_REQUIRE(again.has_value());
  BOOST_TEST((*again == *r));
  std::ostringstream os;
  os << *r;
  BOOST_TEST(os.str() == s);
}

BOOST_AUTO_TEST_CASE(hand_built_values_are_quoted_when_needed) {
  sipsaf::media_type t{"multipart", "mixed", {{"boundary", "a b\"c\\", false}}};
  std::string const s = sipsaf::to_string(t);
  BOOST_TEST(s == R"(multipart/mixed;boundary="a b\"c\\")");
  auto back = parse_media_type(s);
  BOOST_TEST_REQUIRE(back.has_value());
  BOOST_TEST(back->parameters[0].unescaped() == "a b\"c\\");
  BOOST_TEST((*back == t));
}

BOOST_AUTO_TEST_CASE(equality_ignores_case_of_names_not_of_values) {
  auto a = parse_media_type("text/plain;charset=utf-8").value();
  auto b = parse_media_type("TEXT/Plain;CHARSET=\"utf-8\"").value();
  auto c = parse_media_type("text/plain;charset=UTF-8").value();
  BOOST_TEST((a == b));
  BOOST_TEST((a != c));
  BOOST_TEST((a != parse_media_type("text/plain").value()));
}

BOOST_AUTO_TEST_CASE(matching_against_ranges) {
  auto const png = parse_media_type("image/png").value();
  auto const text = parse_media_type("text/plain; charset=utf-8").value();
  BOOST_TEST(png.matches(parse_media_type("*/*").value()));
  BOOST_TEST(png.matches(parse_media_type("IMAGE/*").value()));
  BOOST_TEST(png.matches(parse_media_type("image/PNG").value()));
  BOOST_TEST(!png.matches(parse_media_type("image/jpeg").value()));
  BOOST_TEST(!png.matches(parse_media_type("text/*").value()));
  // A parameter of the range restricts it; q and what follows do not.
  BOOST_TEST(text.matches(parse_media_type("text/plain;charset=UTF-8").value()));
  BOOST_TEST(!text.matches(parse_media_type("text/plain;charset=latin1").value()));
  BOOST_TEST(!png.matches(parse_media_type("image/png;level=1").value()));
  auto ranges = parse_media_ranges("image/png;q=0.5;level=1").value();
  BOOST_TEST(png.matches(ranges[0]));
}

BOOST_AUTO_TEST_CASE(accept_lists_parse) {
  auto r = parse_media_ranges(" text/plain, image/*;q=0.5 ,\r\n */*;q=0 ");
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST_REQUIRE(r->size() == 3u);
  BOOST_TEST((*r)[0].is("text", "plain"));
  BOOST_TEST((*r)[1].type == "image");
  BOOST_TEST((*r)[1].subtype == "*");
  BOOST_TEST((*r)[1].quality() == 500);
  BOOST_TEST((*r)[2].quality() == 0);
  BOOST_TEST((*r)[0].quality() == 1000);
  auto empty = parse_media_ranges("   ");
  BOOST_TEST_REQUIRE(empty.has_value());
  BOOST_TEST(empty->empty());
  // accept-param = generic-param may have no value.
  auto bare = parse_media_ranges("text/plain;q=1;flag");
  BOOST_TEST_REQUIRE(bare.has_value());
  BOOST_TEST((*bare)[0].parameters.size() == 2u);
}

BOOST_AUTO_TEST_CASE(qvalues) {
  struct q_case {
    char const* q;
    int thousandths;  // -1: rejected
  };
  for (auto c : std::vector<q_case>{{"0", 0},
                                    {"1", 1000},
                                    {"0.", 0},
                                    {"0.8", 800},
                                    {"0.75", 750},
                                    {"0.125", 125},
                                    {"1.000", 1000},
                                    {"1.001", -1},
                                    {"0.1234", -1},
                                    {"2", -1},
                                    {".5", -1},
                                    {"0.x", -1}}) {
    BOOST_TEST_CONTEXT("q=" << c.q) {
      std::string const in = std::string("audio/*;q=") + c.q;
      auto r = parse_media_ranges(in);
      if (c.thousandths < 0) {
        BOOST_TEST_REQUIRE(!r.has_value());
        BOOST_TEST(r.error().code == errc::bad_parameter);
        BOOST_TEST(r.error().offset == 10u);
      } else {
        BOOST_TEST_REQUIRE(r.has_value());
        BOOST_TEST((*r)[0].quality() == c.thousandths);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(bad_accept_lists) {
  auto a = parse_media_ranges("*/plain");
  BOOST_TEST_REQUIRE(!a.has_value());
  BOOST_TEST(a.error().code == errc::bad_media_type);
  BOOST_TEST(a.error().offset == 0u);
  auto b = parse_media_ranges("text/plain, ");
  BOOST_TEST_REQUIRE(!b.has_value());
  BOOST_TEST(b.error().code == errc::bad_media_type);
  BOOST_TEST(b.error().offset == 12u);
  auto c = parse_media_ranges("text/plain image/png");
  BOOST_TEST_REQUIRE(!c.has_value());
  BOOST_TEST(c.error().code == errc::expected_comma);
  BOOST_TEST(c.error().offset == 11u);
  // A bare q has no qvalue: the error points just after its name.
  auto bare_q = parse_media_ranges("text/plain, */*;q");
  BOOST_TEST_REQUIRE(!bare_q.has_value());
  BOOST_TEST(bare_q.error().code == errc::bad_parameter);
  BOOST_TEST(bare_q.error().offset == 17u);
  auto d = parse_media_ranges("text/plain;q=0.5;Q=1");
  BOOST_TEST_REQUIRE(!d.has_value());
  BOOST_TEST(d.error().code == errc::bad_parameter);
}

BOOST_AUTO_TEST_CASE(the_most_specific_range_decides) {
  auto const ranges =
      parse_media_ranges("image/*;q=0.5, image/gif;q=0, text/plain, */*;q=0").value();
  auto yes = [&](char const* t) { return sipsaf::accepts(ranges, parse_media_type(t).value()); };
  BOOST_TEST(yes("image/png"));
  BOOST_TEST(!yes("image/gif"));
  BOOST_TEST(yes("text/plain"));
  BOOST_TEST(yes("TEXT/PLAIN;charset=utf-8"));
  BOOST_TEST(!yes("text/html"));
  BOOST_TEST(!yes("application/sdp"));
  BOOST_TEST(!sipsaf::accepts({}, parse_media_type("text/plain").value()));
  auto const all = parse_media_ranges("*/*").value();
  BOOST_TEST(sipsaf::accepts(all, parse_media_type("audio/midi").value()));
  auto const with_param = parse_media_ranges("text/plain;charset=utf-8;q=0, text/*").value();
  BOOST_TEST(!sipsaf::accepts(with_param, parse_media_type("text/plain;charset=UTF-8").value()));
  BOOST_TEST(sipsaf::accepts(with_param, parse_media_type("text/plain;charset=latin1").value()));
}

BOOST_AUTO_TEST_SUITE_END()
