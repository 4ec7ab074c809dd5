// Test that the header is self-contained.
#include <sipsaf/mime/content_disposition.hpp>

#include <boost/test/unit_test.hpp>

#include <sstream>
#include <string>

BOOST_AUTO_TEST_SUITE(content_disposition)

using sipsaf::disposition_handling;
using sipsaf::errc;
using sipsaf::parse_content_disposition;

BOOST_AUTO_TEST_CASE(session_with_optional_handling) {
  // The form RFC 3261 §20.11 shows for an SDP body.
  auto r = parse_content_disposition("session;handling=optional");
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST(r->type == "session");
  BOOST_TEST(r->is("SESSION"));
  BOOST_TEST((r->handling() == disposition_handling::optional));
}

BOOST_AUTO_TEST_CASE(handling_defaults_to_required) {
  BOOST_TEST(
      (parse_content_disposition("render").value().handling() == disposition_handling::required));
  BOOST_TEST((parse_content_disposition("icon; HANDLING = Required").value().handling() ==
              disposition_handling::required));
  BOOST_TEST((parse_content_disposition("alert;handling=OPTIONAL").value().handling() ==
              disposition_handling::optional));
  // other-handling = token: unknown values are read as required (the safe side).
  BOOST_TEST((parse_content_disposition("render;handling=maybe").value().handling() ==
              disposition_handling::required));
}

BOOST_AUTO_TEST_CASE(rfc5621_and_rfc2183_forms) {
  auto r = parse_content_disposition("by-reference ;handling=optional");
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST(r->is("by-reference"));
  auto a = parse_content_disposition("attachment; filename=\"photo 1.jpg\"; size=4096; x-flag");
  BOOST_TEST_REQUIRE(a.has_value());
  BOOST_TEST(a->is("attachment"));
  BOOST_TEST(a->param("FILENAME").value() == "photo 1.jpg");
  BOOST_TEST(a->param("size").value() == "4096");
  BOOST_TEST(a->param("x-flag").value() == "");
  BOOST_TEST(!a->param("creation-date").has_value());
  BOOST_TEST(sipsaf::to_string(*a) == "attachment;filename=\"photo 1.jpg\";size=4096;x-flag");
}

BOOST_AUTO_TEST_CASE(round_trip_is_canonical) {
  std::string const in = "  Render ;\r\n Handling = optional ; Note=\"a;b\"";
  auto r = parse_content_disposition(in);
  BOOST_TEST_REQUIRE(r.has_value());
  std::string const s = sipsaf::to_string(*r);
  BOOST_TEST(s == "render;handling=optional;note=\"a;b\"");
  auto again = parse_content_disposition(s);
  BOOST_TEST_REQUIRE(again.has_value());
  BOOST_TEST(sipsaf::to_string(*again) == s);
  std::ostringstream os;
  os << *again;
  BOOST_TEST(os.str() == s);
}

BOOST_AUTO_TEST_CASE(malformed_values) {
  struct bad_case {
    char const* input;
    errc code;
    std::size_t offset;
  };
  for (auto c : {bad_case{"", errc::empty_value, 0},
                 bad_case{";handling=optional", errc::bad_disposition, 0},
                 bad_case{"render;", errc::bad_parameter, 7},
                 bad_case{"render;handling=", errc::bad_parameter, 16},
                 bad_case{"render x", errc::expected_semicolon, 7},
                 bad_case{"render;a=1;A=2", errc::bad_parameter, 11},
                 bad_case{"render;a=\"x", errc::bad_quoted_string, 11}}) {
    BOOST_TEST_CONTEXT("input: " << c.input) {
      auto r = parse_content_disposition(c.input);
      BOOST_TEST_REQUIRE(!r.has_value());
      BOOST_TEST(sipsaf::to_string(r.error().code) == sipsaf::to_string(c.code));
      BOOST_TEST(r.error().offset == c.offset);
    }
  }
}

BOOST_AUTO_TEST_CASE(default_type_follows_the_content_type) {
  // RFC 5621 §3.2: SDP defaults to session, everything else to render.
  BOOST_TEST(sipsaf::default_disposition_type(sipsaf::media_type{"application", "SDP", {}}) ==
             "session");
  BOOST_TEST(sipsaf::default_disposition_type(sipsaf::media_type{"image", "jpeg", {}}) == "render");
}

BOOST_AUTO_TEST_SUITE_END()
