// Test that the header is self-contained.
#include <sipsaf/mime/multipart.hpp>

#include <boost/test/unit_test.hpp>

#include "test_helpers.hpp"

#include <random>
#include <string>
#include <vector>

BOOST_AUTO_TEST_SUITE(multipart)

using sipsaf::errc;
using sipsaf::multipart_options;
using sipsaf::parse_multipart;
using sipsaf_test::crlf;

namespace {

auto within(std::string_view part, std::string_view whole) -> bool {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

void check_error(sipsaf::result<sipsaf::multipart_view> const& r, errc code, std::size_t offset) {
  BOOST_TEST_REQUIRE(!r.has_value());
  BOOST_TEST(sipsaf::to_string(r.error().code) == sipsaf::to_string(code));
  BOOST_TEST(r.error().offset == offset);
}

// The structure of RFC 2046 §5.1.1's example: a boundary with a space, a
// preamble, an implicitly typed part without a final line break, a typed
// part that ends with one, and an epilogue.
std::string const simple = crlf(
    "Preamble text, for readers without MIME.\n"
    "\n"
    "--simple boundary\n"
    "\n"
    "Implicitly typed text.\n"
    "No line break at the end.\n"
    "--simple boundary\n"
    "Content-type: text/plain; charset=us-ascii\n"
    "\n"
    "Explicitly typed text.\n"
    "With a line break at the end.\n"
    "\n"
    "--simple boundary--\n"
    "\n"
    "Epilogue text.\n");

}  // namespace

BOOST_AUTO_TEST_CASE(rfc2046_structure) {
  auto r = parse_multipart(simple, "simple boundary");
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST_REQUIRE(r->size() == 2u);
  BOOST_TEST(r->preamble() == crlf("Preamble text, for readers without MIME.\n"));
  BOOST_TEST(r->epilogue() == crlf("\nEpilogue text.\n"));
  BOOST_TEST(r->boundary() == "simple boundary");
  auto const first = (*r)[0];
  BOOST_TEST(first.header_fields().empty());
  BOOST_TEST(!first.has_content_type());
  BOOST_TEST(first.content_type().is("text", "plain"));
  BOOST_TEST(first.content_type().param("charset").value() == "us-ascii");
  BOOST_TEST(first.body() == crlf("Implicitly typed text.\nNo line break at the end."));
  auto const second = (*r)[1];
  BOOST_TEST(second.has_content_type());
  BOOST_TEST(second.header("CONTENT-TYPE").value() == "text/plain; charset=us-ascii");
  BOOST_TEST(second.body() == crlf("Explicitly typed text.\nWith a line break at the end.\n"));
  BOOST_TEST(second.depth() == 1u);
  BOOST_TEST(!second.is_multipart());
  BOOST_TEST(second.parts().empty());
  for (auto p : *r) {
    BOOST_TEST(within(p.body(), simple));
    BOOST_TEST(within(p.content(), simple));
    for (auto const& f : p.header_fields()) BOOST_TEST(within(f.value, simple));
  }
  std::size_t n = 0;
  for (auto it = r->begin(); it != r->end(); ++it) ++n;
  BOOST_TEST(n == 2u);
}

// RFC 5621's shape: SDP beside a nested multipart/alternative, with
// Content-Disposition and Content-ID, as a SIP MESSAGE with a picture carries.
std::string const sip_body = crlf(
    "--outer\n"
    "Content-Type: application/sdp\n"
    "Content-Disposition: session;handling=optional\n"
    "\n"
    "v=0\n"
    "o=alice 2890844526 2890844526 IN IP4 host.example.com\n"
    "--outer\n"
    "Content-Type: multipart/alternative;\n"
    " boundary=\"inner 1\"\n"
    "Content-ID: <alt@example.com>\n"
    "\n"
    "--inner 1\n"
    "Content-Type: text/plain\n"
    "\n"
    "A picture.\n"
    "--inner 1\n"
    "Content-Type: image/jpeg\n"
    "Content-Transfer-Encoding: base64\n"
    "Content-ID: <pic.1@example.com>\n"
    "\n"
    "/9j/4AAQSkZJRg==\n"
    "--inner 1--\n"
    "--outer--\n");

BOOST_AUTO_TEST_CASE(rfc5621_nested_body) {
  auto r = parse_multipart(sip_body, "outer");
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST_REQUIRE(r->size() == 2u);
  auto const sdp = (*r)[0];
  BOOST_TEST(sdp.content_type().is("application", "sdp"));
  auto const d = sdp.disposition();
  BOOST_TEST_REQUIRE(d.has_value());
  BOOST_TEST((d->handling() == sipsaf::disposition_handling::optional));
  auto const alt = (*r)[1];
  BOOST_TEST(alt.is_multipart());
  BOOST_TEST(alt.boundary() == "inner 1");
  BOOST_TEST(alt.disposition().value().type == "render");
  BOOST_TEST_REQUIRE(alt.parts().size() == 2u);
  auto const pic = alt.parts()[1];
  BOOST_TEST(pic.depth() == 2u);
  BOOST_TEST(pic.content_type().is("image", "jpeg"));
  BOOST_TEST(pic.transfer_encoding() == "base64");
  auto const bytes = pic.decoded_body();
  BOOST_TEST_REQUIRE(bytes.has_value());
  BOOST_TEST(*bytes == std::string("\xff\xd8\xff\xe0\x00\x10JFIF", 10));
  BOOST_TEST(alt.parts()[0].decoded_body().value() == "A picture.");
  BOOST_TEST(r->all_parts().size() == 4u);
}

BOOST_AUTO_TEST_CASE(content_id_lookup_reaches_nested_parts) {
  auto r = parse_multipart(sip_body, "outer");
  BOOST_TEST_REQUIRE(r.has_value());
  auto const a = r->find_content_id("<pic.1@example.com>");
  BOOST_TEST_REQUIRE(a.has_value());
  BOOST_TEST(a->content_type().is("image", "jpeg"));
  BOOST_TEST((r->find_content_id("pic.1@example.com") == a));
  BOOST_TEST((r->find_content_id("cid:pic.1%40example.com") == a));
  BOOST_TEST((r->find_content_id("CID:pic.1@example.com") == a));
  BOOST_TEST(r->find_content_id("alt@example.com").value().is_multipart());
  BOOST_TEST(!r->find_content_id("nope@example.com").has_value());
  BOOST_TEST(!r->find_content_id("").has_value());
  BOOST_TEST(a->content_id() == "pic.1@example.com");
  // Whitespace inside the angle brackets is not part of the id.
  std::string const spaced = crlf("--b\nContent-ID: < x@y >\n\nbody\n--b--");
  auto s = parse_multipart(spaced, "b");
  BOOST_TEST_REQUIRE(s.has_value());
  BOOST_TEST((*s)[0].content_id() == "x@y");
  BOOST_TEST(s->find_content_id("<x@y>").has_value());
  BOOST_TEST(s->find_content_id("cid:%20x@y").has_value());
}

BOOST_AUTO_TEST_CASE(three_levels_deep) {
  std::string const body = crlf(
      "--a\n"
      "Content-Type: multipart/mixed; boundary=b\n"
      "\n"
      "--b\n"
      "Content-Type: multipart/mixed; boundary=c\n"
      "\n"
      "--c\n"
      "\n"
      "deepest\n"
      "--c--\n"
      "--b\n"
      "\n"
      "middle\n"
      "--b--\n"
      "--a\n"
      "\n"
      "top\n"
      "--a--");
  auto r = parse_multipart(body, "a");
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST_REQUIRE(r->size() == 2u);
  auto const level2 = (*r)[0].parts();
  BOOST_TEST_REQUIRE(level2.size() == 2u);
  auto const level3 = level2[0].parts();
  BOOST_TEST_REQUIRE(level3.size() == 1u);
  BOOST_TEST(level3[0].body() == "deepest");
  BOOST_TEST(level3[0].depth() == 3u);
  BOOST_TEST(level2[1].body() == "middle");
  BOOST_TEST((*r)[1].body() == "top");
  BOOST_TEST(r->epilogue().empty());

  multipart_options two;
  two.max_depth = 2;
  auto const nested_start = body.find("--c\r\n");
  check_error(parse_multipart(body, "a", two), errc::nesting_too_deep, nested_start);
  multipart_options flat;
  flat.parse_nested = false;
  auto f = parse_multipart(body, "a", flat);
  BOOST_TEST_REQUIRE(f.has_value());
  BOOST_TEST(!(*f)[0].is_multipart());
  BOOST_TEST(f->all_parts().size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_line_that_only_begins_with_the_boundary_is_content) {
  std::string const body = crlf(
      "--b\n"
      "\n"
      "--bb is another boundary\n"
      "--b junk after padding\n"
      "--b--x\n"
      " --b\n"
      "x--b\n"
      "--b\n"
      "\n"
      "second\n"
      "--b--\n");
  auto r = parse_multipart(body, "b");
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST_REQUIRE(r->size() == 2u);
  BOOST_TEST((*r)[0].body() ==
             crlf("--bb is another boundary\n--b junk after padding\n--b--x\n --b\nx--b"));
  BOOST_TEST((*r)[1].body() == "second");
}

BOOST_AUTO_TEST_CASE(transport_padding_after_delimiters) {
  std::string const body = crlf(
      "--b \t \n"
      "\n"
      "one\n"
      "--b\t\n"
      "\n"
      "two\n"
      "--b--  \t\n"
      "tail");
  auto r = parse_multipart(body, "b");
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST_REQUIRE(r->size() == 2u);
  BOOST_TEST((*r)[0].body() == "one");
  BOOST_TEST((*r)[1].body() == "two");
  BOOST_TEST(r->epilogue() == "tail");
}

BOOST_AUTO_TEST_CASE(bare_lf_is_an_error_unless_allowed) {
  std::string const body =
      "--b\n"
      "Content-Type: text/plain\n"
      "\n"
      "lf only\n"
      "--b--\n";
  check_error(parse_multipart(body, "b"), errc::bad_line_end, 3);
  // A bare LF before an otherwise valid delimiter, in a CRLF body.
  std::string const mixed = crlf("--b\n\nx") + "\n--b--\r\n";
  check_error(parse_multipart(mixed, "b"), errc::bad_line_end, mixed.find("\n--b--"));
  // A bare LF in a part header.
  std::string const header = "--b\r\nA: 1\nB: 2\r\n\r\nx\r\n--b--";
  check_error(parse_multipart(header, "b"), errc::bad_line_end, 9);

  multipart_options lf;
  lf.accept_bare_lf = true;
  auto r = parse_multipart(body, "b", lf);
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST_REQUIRE(r->size() == 1u);
  BOOST_TEST((*r)[0].content_type().is("text", "plain"));
  BOOST_TEST((*r)[0].body() == "lf only");
  auto m = parse_multipart(mixed, "b", lf);
  BOOST_TEST_REQUIRE(m.has_value());
  BOOST_TEST((*m)[0].body() == "x");
}

BOOST_AUTO_TEST_CASE(missing_close_delimiter) {
  std::string const body = crlf("--b\n\none\n--b\n\ntwo\n");
  check_error(parse_multipart(body, "b"), errc::no_closing_delimiter, body.size());
  multipart_options lenient;
  lenient.accept_missing_close = true;
  auto r = parse_multipart(body, "b", lenient);
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST_REQUIRE(r->size() == 2u);
  BOOST_TEST((*r)[0].body() == "one");
  BOOST_TEST((*r)[1].body() == crlf("two\n"));
  BOOST_TEST(r->epilogue().empty());
}

BOOST_AUTO_TEST_CASE(no_opening_delimiter) {
  check_error(parse_multipart("just text\r\n", "b"), errc::no_opening_delimiter, 0);
  check_error(parse_multipart("", "b"), errc::no_opening_delimiter, 0);
  // RFC 2046 §5.1.1: at least one body part.
  check_error(parse_multipart("pre\r\n--b--\r\n", "b"), errc::no_opening_delimiter, 3);
}

BOOST_AUTO_TEST_CASE(boundaries_of_every_valid_length) {
  std::string const b70(70, 'x');
  BOOST_TEST(sipsaf::is_valid_boundary(b70));
  std::string const body = "--" + b70 + "\r\n\r\nbody\r\n--" + b70 + "--";
  auto r = parse_multipart(body, b70);
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST((*r)[0].body() == "body");
  std::string const b71(71, 'x');
  std::string const body71 = "--" + b71 + "\r\n\r\n--" + b71 + "--";
  check_error(parse_multipart(body71, b71), errc::bad_boundary, 0);
  check_error(parse_multipart(body, ""), errc::bad_boundary, 0);
  check_error(parse_multipart(body, "ends with space "), errc::bad_boundary, 0);
  check_error(parse_multipart(body, "bad\"char"), errc::bad_boundary, 0);
  auto one = parse_multipart("--'\r\n\r\nx\r\n--'--", "'");
  BOOST_TEST_REQUIRE(one.has_value());
  BOOST_TEST((*one)[0].body() == "x");
}

BOOST_AUTO_TEST_CASE(empty_parts) {
  std::string const body = crlf(
      "--b\n"
      "--b\n"
      "\n"
      "--b\n"
      "X-Only: header\n"
      "--b\n"
      "X-Blank: then empty body\n"
      "\n"
      "--b--");
  auto r = parse_multipart(body, "b");
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST_REQUIRE(r->size() == 4u);
  BOOST_TEST((*r)[0].content().empty());
  BOOST_TEST((*r)[1].body().empty());
  BOOST_TEST((*r)[1].header_fields().empty());
  BOOST_TEST((*r)[2].header("x-only").value() == "header");
  BOOST_TEST((*r)[2].body().empty());
  BOOST_TEST((*r)[3].header_fields().size() == 1u);
  BOOST_TEST((*r)[3].body().empty());
}

BOOST_AUTO_TEST_CASE(every_prefix_fails_cleanly) {
  std::size_t const close_end = sip_body.size() - 2;  // after "--outer--"
  for (std::size_t n = 0; n <= sip_body.size(); ++n) {
    std::vector<char> bytes(sip_body.begin(), sip_body.begin() + static_cast<std::ptrdiff_t>(n));
    std::string_view const in(bytes.data(), n);
    auto r = parse_multipart(in, "outer");
    BOOST_TEST_CONTEXT("prefix of " << n << " bytes") {
      if (n < close_end || n == close_end + 1) {
        BOOST_TEST_REQUIRE(!r.has_value());
        BOOST_TEST(r.error().offset <= n);
      } else {
        BOOST_TEST_REQUIRE(r.has_value());
        BOOST_TEST(r->all_parts().size() == 4u);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(digest_parts_default_to_message_rfc822) {
  std::string const body = crlf(
      "--d\n"
      "\n"
      "From: a@example.com\n"
      "\n"
      "hi\n"
      "--d\n"
      "Content-Type: text/plain\n"
      "\n"
      "typed\n"
      "--d--");
  multipart_options digest;
  digest.digest = true;
  auto r = parse_multipart(body, "d", digest);
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST((*r)[0].content_type().is("message", "rfc822"));
  BOOST_TEST((*r)[1].content_type().is("text", "plain"));
  auto const ct = sipsaf::parse_media_type("Multipart/Digest; boundary=d").value();
  auto viaType = parse_multipart(body, ct);
  BOOST_TEST_REQUIRE(viaType.has_value());
  BOOST_TEST((*viaType)[0].content_type().is("message", "rfc822"));
  // A nested digest is recognised from its own Content-Type.
  std::string const outer =
      crlf("--o\nContent-Type: multipart/digest; boundary=d\n\n") + body + crlf("\n--o--");
  auto n = parse_multipart(outer, "o");
  BOOST_TEST_REQUIRE(n.has_value());
  BOOST_TEST((*n)[0].parts()[0].content_type().is("message", "rfc822"));
  BOOST_TEST((*n)[0].parts()[1].content_type().is("text", "plain"));
}

BOOST_AUTO_TEST_CASE(content_type_overload_checks_the_type) {
  check_error(parse_multipart(simple, sipsaf::parse_media_type("text/plain").value()),
              errc::bad_media_type, 0);
  check_error(parse_multipart(simple, sipsaf::parse_media_type("multipart/mixed").value()),
              errc::bad_boundary, 0);
  auto r = parse_multipart(
      simple, sipsaf::parse_media_type("multipart/mixed; boundary=\"simple boundary\"").value());
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST(r->size() == 2u);
}

BOOST_AUTO_TEST_CASE(bad_part_headers) {
  std::string const no_colon = crlf("--b\nnot a header\n\nx\n--b--");
  check_error(parse_multipart(no_colon, "b"), errc::bad_part_header, 9);
  std::string const starts_folded = crlf("--b\n folded: x\n\nx\n--b--");
  check_error(parse_multipart(starts_folded, "b"), errc::bad_part_header, 5);
  std::string const bad_type = crlf("--b\nContent-Type: text\n\nx\n--b--");
  check_error(parse_multipart(bad_type, "b"), errc::expected_slash, 23);
  std::string const no_boundary = crlf("--b\nContent-Type: multipart/mixed\n\nx\n--b--");
  check_error(parse_multipart(no_boundary, "b"), errc::bad_boundary, 19);
  std::string const bad_boundary =
      crlf("--b\nContent-Type: multipart/mixed; boundary=\"a \"\n\nx\n--b--");
  check_error(parse_multipart(bad_boundary, "b"), errc::bad_boundary, 46);
  std::string const inner_open = crlf("--b\nContent-Type: multipart/mixed; boundary=i\n\nx\n--b--");
  check_error(parse_multipart(inner_open, "b"), errc::no_opening_delimiter, 50);
  // Obsolete syntax (RFC 5322 §4.5): whitespace before the colon.
  std::string const obsolete = crlf("--b\nContent-Type : text/html\n\nx\n--b--");
  auto ws = parse_multipart(obsolete, "b");
  BOOST_TEST_REQUIRE(ws.has_value());
  BOOST_TEST((*ws)[0].content_type().is("text", "html"));
}

BOOST_AUTO_TEST_CASE(limits_have_their_own_codes) {
  std::string body = "--b\r\n";
  for (int i = 0; i < 5; ++i) body += "\r\npart\r\n--b\r\n";
  body += "\r\nlast\r\n--b--";
  multipart_options few;
  few.max_parts = 3;
  // The fourth part is opened by the third delimiter.
  std::size_t third = 0;
  for (int i = 0; i < 3; ++i) third = body.find("\r\n--b", third + 1);
  check_error(parse_multipart(body, "b", few), errc::too_many_parts, third);
  few.max_parts = 6;
  BOOST_TEST(parse_multipart(body, "b", few).has_value());

  std::string const big_header = "--b\r\nX-Long: " + std::string(200, 'a') + "\r\n\r\nx\r\n--b--";
  multipart_options small;
  small.max_header_bytes = 100;
  check_error(parse_multipart(big_header, "b", small), errc::header_too_long, 105);
  small.max_header_bytes = 300;
  BOOST_TEST(parse_multipart(big_header, "b", small).has_value());
  std::string many_fields = "--b\r\n";
  for (int i = 0; i < 40; ++i) many_fields += "X-A: 1\r\n";
  many_fields += "\r\nx\r\n--b--";
  small.max_header_bytes = 100;
  check_error(parse_multipart(many_fields, "b", small), errc::header_too_long, 105);
  // The defaults are finite.
  multipart_options const d;
  BOOST_TEST(d.max_parts > 0u);
  BOOST_TEST(d.max_parts < 100000u);
  BOOST_TEST(d.max_depth < 100u);
  BOOST_TEST(d.max_header_bytes < 1000000u);
}

BOOST_AUTO_TEST_CASE(transfer_decodings) {
  std::string const body = crlf(
      "--b\n"
      "Content-Transfer-Encoding: Quoted-Printable\n"
      "\n"
      "caf=C3=A9 =\n"
      "au lait\n"
      "--b\n"
      "Content-Transfer-Encoding: x-uuencode\n"
      "\n"
      "begin\n"
      "--b\n"
      "Content-Transfer-Encoding: base64\n"
      "\n"
      "not base64!\n"
      "--b\n"
      "Content-Transfer-Encoding: 8bit\n"
      "\n"
      "\xc3\xa9\n"
      "--b--");
  auto r = parse_multipart(body, "b");
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST((*r)[0].decoded_body().value() == "caf\xc3\xa9 au lait");
  auto const u = (*r)[1].decoded_body();
  BOOST_TEST_REQUIRE(!u.has_value());
  BOOST_TEST(u.error().code == errc::unsupported);
  auto const b = (*r)[2].decoded_body();
  BOOST_TEST_REQUIRE(!b.has_value());
  BOOST_TEST(b.error().code == errc::bad_base64);
  BOOST_TEST(b.error().offset == 10u);
  BOOST_TEST((*r)[3].decoded_body().value() == "\xc3\xa9");
  BOOST_TEST(sipsaf::decode_transfer_encoding("x", " BINARY ").value() == "x");
}

BOOST_AUTO_TEST_CASE(serialize_round_trips) {
  std::string const jpeg = sipsaf::encode_base64(std::string("\xff\xd8\xff\xe0 binary", 11));
  std::vector<sipsaf::body_part> const parts = {
      {{{"Content-Type", "application/sdp"}, {"Content-Disposition", "session"}}, "v=0\r\n"},
      {{{"Content-Type", "image/jpeg"},
        {"Content-Transfer-Encoding", "base64"},
        {"Content-ID", "<p@x>"}},
       jpeg},
      {{}, ""},
      {{{"X-Folded", "a\r\n b"}}, "--almost a delimiter\r\n"},
  };
  auto m = sipsaf::serialize_multipart(parts);
  BOOST_TEST_REQUIRE(m.has_value());
  BOOST_TEST(sipsaf::is_valid_boundary(m->boundary));
  BOOST_TEST(m->content_type("related") == "multipart/related;boundary=" + m->boundary);
  auto back = parse_multipart(m->body, m->boundary);
  BOOST_TEST_REQUIRE(back.has_value());
  BOOST_TEST_REQUIRE(back->size() == parts.size());
  for (std::size_t i = 0; i < parts.size(); ++i) {
    auto const p = (*back)[i];
    BOOST_TEST(p.body() == parts[i].body);
    BOOST_TEST_REQUIRE(p.header_fields().size() == parts[i].headers.size());
    for (std::size_t h = 0; h < parts[i].headers.size(); ++h) {
      BOOST_TEST(p.header_fields()[h].name == parts[i].headers[h].name);
      BOOST_TEST(p.header_fields()[h].value == parts[i].headers[h].value);
    }
  }
  BOOST_TEST(back->find_content_id("p@x").value().decoded_body().value() ==
             std::string("\xff\xd8\xff\xe0 binary", 11));
  // The media type that announces it parses and yields the same boundary.
  std::string const announced = m->content_type();
  auto const ct = sipsaf::parse_media_type(announced).value();
  BOOST_TEST(ct.param("boundary").value() == m->boundary);
}

BOOST_AUTO_TEST_CASE(serialize_refuses_a_boundary_that_occurs_in_a_part) {
  std::vector<sipsaf::body_part> const parts = {{{}, "safe"}, {{}, "x\r\n--frontier\r\n"}};
  std::string out;
  auto r = sipsaf::serialize_multipart(std::back_inserter(out), "frontier", parts);
  BOOST_TEST_REQUIRE(!r.has_value());
  BOOST_TEST(r.error().code == errc::bad_boundary);
  // "--frontier\r\n" "\r\n" "safe" "\r\n" = 20 bytes, then "--frontier\r\n".
  BOOST_TEST(r.error().offset == 32u);
  BOOST_TEST(out.empty());
  std::vector<sipsaf::body_part> const in_header = {{{{"X-A", "--frontier"}}, ""}};
  BOOST_TEST(!sipsaf::serialize_multipart(std::back_inserter(out), "frontier", in_header));
  BOOST_TEST(!sipsaf::serialize_multipart(std::back_inserter(out), "bad boundary ", parts));
  // Without the dashes the text is harmless.
  std::vector<sipsaf::body_part> const harmless = {{{}, "frontier"}};
  auto ok = sipsaf::serialize_multipart(std::back_inserter(out), "frontier", harmless);
  BOOST_TEST_REQUIRE(ok.has_value());
  BOOST_TEST(out == "--frontier\r\n\r\nfrontier\r\n--frontier--\r\n");
}

BOOST_AUTO_TEST_CASE(serialize_refuses_header_injection) {
  std::string out;
  for (auto const& h :
       {sipsaf::header_field{"X-A", "1\r\nX-B: 2"}, sipsaf::header_field{"X-A", "1\n"},
        sipsaf::header_field{"X A", "1"}, sipsaf::header_field{"", "1"},
        sipsaf::header_field{"X:A", "1"}, sipsaf::header_field{"X-A", "1\r"}}) {
    auto r = sipsaf::serialize_multipart(std::back_inserter(out), "b",
                                         std::vector<sipsaf::body_part>{{{}, "x"}, {{h}, "y"}});
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().code == errc::bad_header_field);
    BOOST_TEST(r.error().offset == 15u);
    auto m = sipsaf::serialize_multipart(std::vector<sipsaf::body_part>{{{h}, "y"}});
    BOOST_TEST_REQUIRE(!m.has_value());
    BOOST_TEST(m.error().code == errc::bad_header_field);
  }
  BOOST_TEST(out.empty());
}

BOOST_AUTO_TEST_CASE(random_bodies_round_trip) {
  // Random parts made of bytes that stress the scanner: CR, LF, dashes and
  // the boundary's own letters; the chosen boundary must still split them.
  std::mt19937 rng(20261126);
  std::string const alphabet = "\r\n-sipsaf-bx \t=";
  for (int round = 0; round < 200; ++round) {
    std::vector<std::string> bodies(1 + rng() % 6);
    for (auto& b : bodies) {
      b.resize(rng() % 200);
      for (auto& c : b) c = alphabet[rng() % alphabet.size()];
    }
    std::vector<sipsaf::body_part> parts;
    for (auto const& b : bodies) parts.push_back({{{"Content-Type", "text/plain"}}, b});
    auto m = sipsaf::serialize_multipart(parts);
    BOOST_TEST_REQUIRE(m.has_value());
    auto back = parse_multipart(m->body, m->boundary);
    BOOST_TEST_REQUIRE(back.has_value());
    BOOST_TEST_REQUIRE(back->size() == bodies.size());
    for (std::size_t i = 0; i < bodies.size(); ++i) BOOST_TEST((*back)[i].body() == bodies[i]);
  }
}

BOOST_AUTO_TEST_CASE(views_outlive_moves_of_the_result) {
  auto r = parse_multipart(sip_body, "outer");
  BOOST_TEST_REQUIRE(r.has_value());
  auto const part = (*r)[1].parts()[0];
  sipsaf::multipart_view moved = std::move(*r);
  sipsaf::multipart_view copy = moved;
  BOOST_TEST(part.body() == "A picture.");
  BOOST_TEST(copy[1].parts()[0].body() == "A picture.");
  sipsaf::multipart_view empty;
  BOOST_TEST(empty.empty());
  BOOST_TEST((empty.begin() == empty.end()));
}

BOOST_AUTO_TEST_SUITE_END()
