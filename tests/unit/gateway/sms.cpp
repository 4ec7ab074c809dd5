// Test that the header is self-contained.
#include <sipsaf/gateway/sms.hpp>

#include <boost/test/unit_test.hpp>

#include <string>

BOOST_AUTO_TEST_SUITE(sms)

using sipsaf::plan_sms;
using sipsaf::segment_sms;
using sipsaf::sms_content;
using sipsaf::sms_encoding;

namespace {
auto repeat(std::string const& s, std::size_t n) -> std::string {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}
std::string const euro = "\xE2\x82\xAC", zhe = "\xD0\xB6", smile = "\xF0\x9F\x98\x80";

void check_whole(sipsaf::sms_message const& m, std::string const& text) {
  BOOST_TEST(m.text() == text);
  std::size_t const each = m.encoding == sms_encoding::gsm7 ? 153 : 67;
  std::size_t total = 0;
  for (auto const& s : m.segments) {
    if (m.segments.size() > 1) BOOST_TEST(s.units <= each);
    total += s.units;
    BOOST_TEST(sipsaf::detail::gw::valid_utf8(s.text) == s.text);  // whole characters
  }
  BOOST_TEST(total == m.units);
}
}  // namespace

BOOST_AUTO_TEST_CASE(gsm_single_and_concatenated_boundaries) {
  struct row {
    std::size_t chars, segments;
  };
  for (row r : {row{0, 1}, row{1, 1}, row{160, 1}, row{161, 2}, row{306, 2}, row{307, 3},
                row{459, 3}, row{460, 4}}) {
    std::string const t(r.chars, 'a');
    auto const m = segment_sms(t);
    BOOST_TEST_CONTEXT(r.chars << " characters") {
      BOOST_TEST((m.encoding == sms_encoding::gsm7));
      BOOST_TEST(m.segments.size() == r.segments);
      BOOST_TEST(m.units == r.chars);
      check_whole(m, t);
    }
  }
}

BOOST_AUTO_TEST_CASE(extension_counts_two_and_is_never_split) {
  auto one = segment_sms(repeat(euro, 80));  // 160 septets
  BOOST_TEST(one.segments.size() == 1u);
  BOOST_TEST(one.units == 160u);
  auto two = segment_sms(std::string(159, 'a') + "[");  // 161 septets
  BOOST_TEST(two.segments.size() == 2u);
  // An escape at septets 153-154 moves whole into the next segment.
  std::string const t = std::string(152, 'a') + euro + std::string(20, 'b');
  auto m = segment_sms(t);
  BOOST_TEST(m.segments.size() == 2u);
  BOOST_TEST(m.segments[0].units == 152u);
  BOOST_TEST(m.segments[1].text.substr(0, 3) == euro);
  check_whole(m, t);
}

BOOST_AUTO_TEST_CASE(ucs2_boundaries_and_surrogate_pairs) {
  auto m70 = segment_sms(repeat(zhe, 70));
  BOOST_TEST((m70.encoding == sms_encoding::ucs2));
  BOOST_TEST(m70.segments.size() == 1u);
  auto m71 = segment_sms(repeat(zhe, 71));
  BOOST_TEST(m71.segments.size() == 2u);
  BOOST_TEST(m71.segments[0].units == 67u);
  BOOST_TEST(m71.segments[1].units == 4u);
  // An emoji is two units, never split between segments.
  std::string const t = repeat(zhe, 66) + smile + repeat(zhe, 10);
  auto m = segment_sms(t);
  BOOST_TEST(m.units == 78u);
  BOOST_TEST(m.segments.size() == 2u);
  BOOST_TEST(m.segments[0].units == 66u);
  BOOST_TEST(m.segments[1].text.substr(0, 4) == smile);
  check_whole(m, t);
  // One character outside the alphabet makes the whole text UCS-2.
  BOOST_TEST((segment_sms("plain text " + smile).encoding == sms_encoding::ucs2));
  BOOST_TEST((segment_sms("caf\xC3\xA9 " + euro).encoding == sms_encoding::gsm7));
}

BOOST_AUTO_TEST_CASE(truncation_keeps_the_attachments_line) {
  sms_content c{std::string(400, 'x'), "Attachments not sent: photo.jpg (image/jpeg, 48 KB)"};
  sipsaf::sms_options o;
  o.max_segments = 2;
  auto m = segment_sms(c, o);
  BOOST_TEST(m.truncated);
  BOOST_TEST(m.segments.size() == 2u);
  BOOST_TEST(m.units == 306u);  // filled to the last septet
  std::string const sent = m.text();
  BOOST_TEST(sent.substr(sent.size() - c.attachments.size() - 4) == "...\n" + c.attachments);
  auto p = plan_sms(c, o);
  BOOST_TEST(p.segments == 2u);
  BOOST_TEST(p.truncated);
  // Without room for the attachments line, the whole text is cut.
  o.max_segments = 1;
  sms_content big{"hi", std::string(300, 'y')};
  auto cut = segment_sms(big, o);
  BOOST_TEST(cut.segments.size() == 1u);
  BOOST_TEST(cut.units == 160u);
  BOOST_TEST(cut.text().substr(157) == "...");
  // Fits: untouched.
  auto fine = segment_sms(sms_content{"hello", "Attachments not sent: a.pdf"}, o);
  BOOST_TEST(!fine.truncated);
  BOOST_TEST(fine.text() == "hello\nAttachments not sent: a.pdf");
}

BOOST_AUTO_TEST_CASE(ucs2_units_keep_surrogate_pairs) {
  BOOST_TEST(
      (sipsaf::encode_ucs2("A" + zhe + smile) == std::u16string{0x41, 0x436, 0xD83D, 0xDE00}));
  auto m = segment_sms(repeat(smile, 40));  // 80 units: two segments of whole pairs
  BOOST_TEST(m.segments.size() == 2u);
  BOOST_TEST(m.segments[0].units == 66u);
  BOOST_TEST(sipsaf::encode_ucs2(m.segments[0].text).size() == 66u);
}

BOOST_AUTO_TEST_CASE(ill_formed_utf8_goes_as_replacement) {
  auto m = segment_sms(
      "a\xFF"
      "b");
  BOOST_TEST((m.encoding == sms_encoding::ucs2));
  BOOST_TEST(m.text() ==
             "a\xEF\xBF\xBD"
             "b");
}

BOOST_AUTO_TEST_CASE(content_of_a_payload) {
  std::string const wire =
      "MESSAGE sip:bob@example.test SIP/2.0\r\n"
      "From: <sip:alice@example.test>;tag=1\r\nTo: <sip:bob@example.test>\r\n"
      "Call-ID: c1\r\nCSeq: 1 MESSAGE\r\n"
      "Content-Type: multipart/mixed;boundary=b1\r\nContent-Length: 256\r\n\r\n"
      "--b1\r\nContent-Type: text/plain;charset=iso-8859-1\r\n\r\nS\xF8ren\r\n"
      "--b1\r\nContent-Type: multipart/alternative;boundary=b2\r\n\r\n"
      "--b2\r\nContent-Type: text/html\r\n\r\n<p>x</p>\r\n"
      "--b2\r\nContent-Type: text/plain\r\n\r\nplain\r\n--b2--\r\n"
      "--b1\r\nContent-Type: image/jpeg\r\n\r\n0123456789\r\n--b1--\r\n";
  std::string w = wire;
  std::string const body = w.substr(w.find("\r\n\r\n") + 4);
  w.replace(w.find("256"), 3, std::to_string(body.size()));
  auto m = sipsaf::parse_message(w).value();
  auto c = sipsaf::sms_content_of(m).value();
  BOOST_TEST(c.text == "S\xC3\xB8ren\nplain");
  BOOST_TEST(c.attachments == "Attachments not sent: attachment-2.jpg (image/jpeg, 10 bytes)");
}

BOOST_AUTO_TEST_SUITE_END()
