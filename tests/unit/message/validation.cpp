// When message_view checks the syntax of its typed fields: Call-ID, CSeq,
// Max-Forwards and Expires while parsing; From, To, Via, Contact and Date
// when an accessor reads them, or all at once in validate().
#include <sipsaf/message/message_view.hpp>

#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>

namespace {

using sipsaf::errc;

std::string const head =
    "MESSAGE sip:bob@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP pc.example.com;branch=z9hG4bK1\r\n"
    "From: <sip:alice@example.com>;tag=1\r\n"
    "Call-ID: 7@pc.example.com\r\n"
    "CSeq: 1 MESSAGE\r\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(message_validation)

BOOST_AUTO_TEST_CASE(a_malformed_field_is_reported_when_read_and_by_validate) {
  struct row {
    char const* text;
    char const* bad;  // where the error is, within the row
    errc code;
    int field;  // 0 From, 1 To, 2 Via, 3 Contact, 4 Date
  } const rows[] = {
      {"f: \"unterminated <sip:a@b>", "\"unterminated", errc::bad_quoted_string, 0},
      {"To: Bell, Alexander <sip:a@b>", "Bell", errc::bad_uri, 1},
      {"v: SIP/2.0/UDP 192.0.2.15;;,;,,", ";;", errc::bad_parameter, 2},
      {"Contact: <sip:a@b>;q=1.5", "q=1.5", errc::bad_parameter, 3},
      {"Date: Fri, 01 Jan 2010 16:00:00 EST", "EST", errc::bad_date, 4},
  };
  for (auto const& r : rows) {
    BOOST_TEST_CONTEXT(r.text) {
      // head has one From (a second that differs is a conflict) and no To.
      std::string w = head + r.text + "\r\nContent-Length: 0\r\n\r\n";
      if (r.field == 0) w.erase(w.find("From:"), w.find("Call-ID:") - w.find("From:"));
      auto m = sipsaf::parse_message(w);
      BOOST_TEST_REQUIRE(m.has_value());  // framing and the cheap fields are fine
      sipsaf::parse_error read{};
      switch (r.field) {
        case 0:
          read = m->from().error();
          break;
        case 1:
          read = m->to().error();
          break;
        case 2:
          read = m->via().error();
          break;
        case 3:
          read = m->contact().error();
          break;
        default:
          read = m->date().error();
          break;
      }
      BOOST_TEST(read.code == r.code);
      auto const row_at = w.find(r.text);
      auto const bad_at = w.find(r.bad, row_at);
      // The offset lies within the row, at or after the bad part's start.
      BOOST_TEST(read.offset >= bad_at);
      BOOST_TEST(read.offset <= row_at + std::string_view(r.text).size());
      auto v = m->validate();
      BOOST_TEST_REQUIRE(!v);
      BOOST_TEST(v.error() == read);
      // Reading the others does not trip over it.
      if (r.field != 0) BOOST_TEST(m->from().has_value());
      BOOST_TEST(m->call_id().has_value());
      BOOST_TEST(m->cseq().has_value());
    }
  }
}

BOOST_AUTO_TEST_CASE(validate_reports_the_first_malformed_row) {
  std::string const w = head +
                        "Contact: <sip:a@b>;expires=4294967296\r\n"
                        "Date: Fri, 31 Feb 2010 16:00:00 GMT\r\n"
                        "\r\n";
  auto m = sipsaf::parse_message(w);
  BOOST_TEST_REQUIRE(m.has_value());
  auto v = m->validate();
  BOOST_TEST_REQUIRE(!v);
  BOOST_TEST(v.error().code == errc::bad_parameter);
  BOOST_TEST(v.error().offset > w.find("Contact:"));
  BOOST_TEST(v.error().offset < w.find("Date:"));
  BOOST_TEST(m->date().error().code == errc::bad_date);
  // The message is well-formed without them.
  std::string const fine = head + "\r\n";
  auto good = sipsaf::parse_message(fine);
  BOOST_TEST_REQUIRE(good.has_value());
  BOOST_TEST(good->validate().has_value());
}

BOOST_AUTO_TEST_CASE(a_later_via_row_is_checked_by_via_and_validate) {
  std::string const w = head + "Via: SIP/2.0 h\r\n\r\n";
  auto m = sipsaf::parse_message(w);
  BOOST_TEST_REQUIRE(m.has_value());
  BOOST_TEST(m->top_via().has_value());  // reads the topmost entry only
  BOOST_TEST(m->via().error().code == errc::bad_header_value);
  BOOST_TEST(m->validate().error() == m->via().error());
  BOOST_TEST(m->validate().error().offset > w.find("Via: SIP/2.0 h"));
}

BOOST_AUTO_TEST_CASE(the_cheap_fields_are_checked_while_parsing) {
  auto code = [](std::string const& row) {
    std::string const w = head + row + "\r\n\r\n";
    auto m = sipsaf::parse_message(w);
    return m ? errc{} : m.error().code;
  };
  BOOST_TEST(code("i: a b") == errc::bad_header_value);
  BOOST_TEST(code("CSeq: 2 INVITE") == errc::conflicting_headers);  // RFC 3261 §8.1.1.5
  BOOST_TEST(code("Max-Forwards: 256") == errc::bad_header_value);
  BOOST_TEST(code("Expires: -1") == errc::bad_header_value);
  BOOST_TEST(code("Content-Length: x") == errc::bad_content_length);
}

BOOST_AUTO_TEST_CASE(a_parse_error_after_a_malformed_field_reports_the_field) {
  // The first error in message order, as if every row had been checked in
  // turn (RFC 4475 §3.1.2.16 baddn.sip ends before its empty line).
  std::string const cut = head + "To: Bell, Alexander <sip:a@b>\r\nX: y\r\n";
  auto m = sipsaf::parse_message(cut);
  BOOST_TEST_REQUIRE(!m);
  BOOST_TEST(m.error().code == errc::bad_uri);
  BOOST_TEST(m.error().offset > cut.find("Bell"));
  std::string const longer = head + "Date: Fri, 01 Jan 2010 16:00:00 EST\r\nl: 99\r\n\r\nshort";
  BOOST_TEST(sipsaf::parse_message(longer).error().code == errc::bad_date);
  // Without the malformed field, the framing error itself.
  std::string const plain = head + "l: 99\r\n\r\nshort";
  BOOST_TEST(sipsaf::parse_message(plain).error().code == errc::content_length_mismatch);
}

BOOST_AUTO_TEST_CASE(validate_checks_every_field_when_parsing_checked_none) {
  sipsaf::message_options lax;
  lax.validate_known_fields = false;
  std::string const w =
      "OPTIONS sip:a@b SIP/2.0\r\n"
      "Max-Forwards: 70\r\n"
      "CSeq: 3 INVITE\r\n"
      "\r\n";
  auto m = sipsaf::parse_message(w, lax);
  BOOST_TEST_REQUIRE(m.has_value());
  auto v = m->validate();
  BOOST_TEST_REQUIRE(!v);
  BOOST_TEST(v.error().code == errc::conflicting_headers);
  BOOST_TEST(v.error().offset == w.find("INVITE"));
  // A response's CSeq names the request's method, not its own.
  std::string const r = "SIP/2.0 200 OK\r\nCSeq: 3 INVITE\r\n\r\n";
  BOOST_TEST(sipsaf::parse_message(r, lax)->validate().has_value());
}

BOOST_AUTO_TEST_SUITE_END()
