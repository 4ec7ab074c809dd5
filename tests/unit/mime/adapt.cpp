// Test that the header is self-contained.
#include <sipsaf/mime/adapt.hpp>

#include <sipsaf/mime/base64.hpp>

#include <boost/test/unit_test.hpp>

#include "test_helpers.hpp"

#include <string>

BOOST_AUTO_TEST_SUITE(adapt)

using sipsaf::adapt_payload;
using sipsaf::errc;
using sipsaf_test::crlf;

namespace {

// A text and a photo, as sipsaf-ua sends them (binary body).
std::string const photo_bytes("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
std::string const text_and_photo =
    crlf(
        "--b1\nContent-Type: text/plain;charset=UTF-8\n\nThe photo from yesterday\n--b1\n"
        "Content-Type: image/png\nContent-Disposition: attachment;filename=\"photo.png\"\n\n") +
    photo_bytes + crlf("\n--b1--\n");
std::string const mixed_type = "multipart/mixed;boundary=b1";

}  // namespace

BOOST_AUTO_TEST_CASE(text_kept_photo_named) {
  auto r = adapt_payload(mixed_type, text_and_photo, "text/plain");
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST(r->changed);
  BOOST_TEST(r->content_type == "text/plain;charset=UTF-8");
  BOOST_TEST(r->body ==
             "The photo from yesterday\r\n[Not delivered: image/png \"photo.png\" (16 bytes). "
             "The recipient accepts text/plain.]");
  BOOST_TEST_REQUIRE(r->kept.size() == 1u);
  BOOST_TEST(r->kept[0] == "text/plain (24 bytes)");
  BOOST_TEST_REQUIRE(r->left_out.size() == 1u);
  BOOST_TEST(r->left_out[0] == "image/png \"photo.png\" (16 bytes)");
  BOOST_TEST(r->summary() ==
             "delivered text/plain (24 bytes); left out image/png \"photo.png\" (16 bytes)");
}

BOOST_AUTO_TEST_CASE(accepted_as_it_is) {
  auto r = adapt_payload(mixed_type, text_and_photo, "multipart/mixed, text/plain, image/*");
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST(!r->changed);
  BOOST_TEST(r->body == text_and_photo);
  BOOST_TEST(r->content_type == mixed_type);
  auto t = adapt_payload("text/plain", "hello", "text/*");
  BOOST_TEST_REQUIRE(t.has_value());
  BOOST_TEST(!t->changed);
  BOOST_TEST(t->body == "hello");
}

BOOST_AUTO_TEST_CASE(nothing_acceptable) {
  auto r = adapt_payload(mixed_type, text_and_photo, "application/sdp");
  BOOST_TEST_REQUIRE(!r.has_value());
  BOOST_TEST(r.error().code == errc::unsupported);
  // An empty Accept accepts nothing (RFC 3261 §20.1).
  BOOST_TEST(!adapt_payload(mixed_type, text_and_photo, "").has_value());
  // A single part that is not accepted cannot be cut.
  auto s = adapt_payload("image/png", photo_bytes, "text/plain");
  BOOST_TEST_REQUIRE(!s.has_value());
  BOOST_TEST(s.error().code == errc::unsupported);
  // q=0 refuses.
  BOOST_TEST(!adapt_payload(mixed_type, text_and_photo, "text/plain;q=0").has_value());
}

BOOST_AUTO_TEST_CASE(multipart_accepted_keeps_a_multipart) {
  // The recipient takes multipart/mixed and text, not images (RFC 5621 §3.1):
  // a multipart of the text and a note part.
  auto r = adapt_payload(mixed_type, text_and_photo, "multipart/mixed, text/plain");
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST(r->changed);
  auto ct = sipsaf::parse_media_type(r->content_type);
  BOOST_TEST_REQUIRE(ct.has_value());
  BOOST_TEST(ct->is("multipart", "mixed"));
  auto mp = sipsaf::parse_multipart(r->body, *ct);
  BOOST_TEST_REQUIRE(mp.has_value());
  BOOST_TEST_REQUIRE(mp->size() == 2u);
  BOOST_TEST((*mp)[0].body() == "The photo from yesterday");
  BOOST_TEST((*mp)[1].body().find("[Not delivered: image/png") == 0u);
}

BOOST_AUTO_TEST_CASE(base64_part_is_decoded_when_sent_alone) {
  std::string const body = crlf(
      "--b\nContent-Type: image/png\nContent-Transfer-Encoding: base64\n\n" +
      sipsaf::encode_base64(photo_bytes) + "\n--b\nContent-Type: text/html\n\n<p>hi</p>\n--b--\n");
  auto r = adapt_payload("multipart/mixed;boundary=b", body, "image/png");
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST(r->content_type == "image/png");
  BOOST_TEST(r->body == photo_bytes);  // no note: it cannot be written into a picture
  BOOST_TEST(r->note.find("text/html (9 bytes)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(one_part_only_without_multipart) {
  std::string const body =
      crlf("--b\nContent-Type: image/png\n\nPNG\n--b\nContent-Type: text/plain\n\nhi\n--b--\n");
  auto r = adapt_payload("multipart/mixed;boundary=b", body, "text/plain, image/png");
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST(r->content_type == "text/plain");
  BOOST_TEST(r->body.rfind("hi\r\n[Not delivered: image/png (3 bytes), as the recipient takes "
                           "one part only.",
                           0) == 0u);
}

BOOST_AUTO_TEST_CASE(alternative_keeps_the_richest_acceptable) {
  std::string const body = crlf(
      "--a\nContent-Type: text/plain\n\nplain\n--a\nContent-Type: text/html\n\n<b>rich</b>\n"
      "--a\nContent-Type: application/x-special\n\nxx\n--a--\n");
  auto r = adapt_payload("multipart/alternative;boundary=a", body, "text/*");
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST(r->content_type == "text/html");
  BOOST_TEST(r->body == "<b>rich</b>");
  // The alternatives not chosen were never meant to be all shown.
  BOOST_TEST(r->changed);
  BOOST_TEST(r->left_out.empty());
}

BOOST_AUTO_TEST_CASE(hostile_file_names_are_cleaned) {
  std::string const body = crlf(
      "--b\nContent-Type: text/plain\n\nhi\n--b\nContent-Type: image/png\n"
      "Content-Disposition: attachment;filename=\"a\\\"b" +
      std::string(100, 'x') + "\"\n\nPNG\n--b--\n");
  auto r = adapt_payload("multipart/mixed;boundary=b", body, "text/plain");
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST(r->left_out[0].find("a\\\"b") == std::string::npos);  // no quote from the sender
  BOOST_TEST(r->left_out[0].find("...\"") != std::string::npos);
  BOOST_TEST(r->left_out[0].size() < 100u);
}

BOOST_AUTO_TEST_CASE(bad_input_is_an_error) {
  BOOST_TEST(!adapt_payload(mixed_type, text_and_photo, "text/").has_value());
  BOOST_TEST(
      !adapt_payload("multipart/mixed;boundary=zz", text_and_photo, "text/plain").has_value());
  BOOST_TEST(!adapt_payload("not a type", "x", "text/plain").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
