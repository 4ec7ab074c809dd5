// Test that the header is self-contained.
#include <sipsaf/gateway/mm4.hpp>

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

BOOST_AUTO_TEST_SUITE(mm4)

using sipsaf::mm4_options;
using sipsaf::to_mm4_forward;

namespace {

auto sip(std::string const& headers, std::string const& body) -> std::string {
  return "MESSAGE sip:bob@example.test SIP/2.0\r\n"
         "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
         "Max-Forwards: 70\r\n" +
         headers + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string const ids =
    "From: Alice <sip:alice@example.test>;tag=a1\r\n"
    "To: Bob <sip:bob@example.test>\r\n"
    "Call-ID: 3848276298220188511@atlanta.example.test\r\n"
    "CSeq: 7 MESSAGE\r\n"
    "Date: Sat, 13 Nov 2010 23:29:00 GMT\r\n";

auto options() -> mm4_options {
  mm4_options o;
  o.recipient_domain = "mms.mnc001.mcc001.gprs";
  o.originator_domain = "example.test";
  return o;
}

/// The header section split into (name, value) rows, in order.
auto header_rows(std::string const& text) -> std::vector<std::pair<std::string, std::string>> {
  std::vector<std::pair<std::string, std::string>> rows;
  std::size_t const end = text.find("\r\n\r\n");
  BOOST_REQUIRE(end != std::string::npos);
  for (std::size_t b = 0, e; b < end + 2 && (e = text.find("\r\n", b)) != std::string::npos;
       b = e + 2) {
    std::string const line = text.substr(b, e - b);
    if (line.empty()) break;
    if (line[0] == ' ' || line[0] == '\t') {
      rows.back().second += line;
      continue;
    }
    std::size_t const colon = line.find(": ");
    BOOST_REQUIRE(colon != std::string::npos);
    rows.emplace_back(line.substr(0, colon), line.substr(colon + 2));
  }
  return rows;
}

auto header(std::string const& text, std::string const& name) -> std::string {
  std::string out = "(none)";
  int n = 0;
  for (auto const& [k, v] : header_rows(text))
    if (k == name) out = v, ++n;
  BOOST_TEST(n <= 1, name << " appears " << n << " times");
  return out;
}

auto all_bytes() -> std::string {
  std::string s;
  for (int r = 0; r < 3; ++r)
    for (int i = 0; i < 256; ++i) s.push_back(static_cast<char>(i));
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(forward_req_headers) {
  std::string const w = sip(ids + "Subject: Photo\r\nContent-Type: text/plain\r\n", "Look!");
  auto m = sipsaf::parse_message(w).value();
  auto r = to_mm4_forward(m, "+15551234567", options()).value();
  std::string const& t = r.text;
  BOOST_TEST(r.to == "+15551234567/TYPE=PLMN@mms.mnc001.mcc001.gprs");
  BOOST_TEST(r.from == "alice@example.test");
  BOOST_TEST(header(t, "X-Mms-3GPP-MMS-Version") == "6.16.0");
  BOOST_TEST(header(t, "X-Mms-Message-Type") == "MM4_forward.REQ");
  BOOST_TEST(header(t, "X-Mms-Transaction-ID") ==
             "sip.7.3848276298220188511=40atlanta=2Eexample=2Etest");
  BOOST_TEST(header(t, "X-Mms-Message-ID") ==
             "<sip.7.3848276298220188511=40atlanta=2Eexample=2Etest@example.test>");
  BOOST_TEST(header(t, "X-Mms-Message-ID") == header(t, "Message-ID"));
  BOOST_TEST(header(t, "X-Mms-Ack-Request") == "No");
  BOOST_TEST(header(t, "X-Mms-Originator-System") == "mms@example.test");
  BOOST_TEST(header(t, "From") == "Alice <alice@example.test>");
  BOOST_TEST(header(t, "Sender") == "alice@example.test");
  BOOST_TEST(header(t, "To") == "Bob <+15551234567/TYPE=PLMN@mms.mnc001.mcc001.gprs>");
  BOOST_TEST(header(t, "Date") == "Sat, 13 Nov 2010 23:29:00 +0000");
  BOOST_TEST(header(t, "Subject") == "Photo");
  BOOST_TEST(header(t, "MIME-Version") == "1.0");
  BOOST_TEST(t.substr(t.find("\r\n\r\n") + 4) == "Look!");

  // Stable: the same request gives the same message (a retry is the same transaction).
  BOOST_TEST(to_mm4_forward(m, "+15551234567", options()).value().text == t);
  // Another CSeq is another message.
  std::string const w2 =
      sip("From: Alice <sip:alice@example.test>;tag=a1\r\nTo: <sip:bob@example.test>\r\n"
          "Call-ID: 3848276298220188511@atlanta.example.test\r\nCSeq: 8 MESSAGE\r\n",
          "");
  auto r2 = to_mm4_forward(sipsaf::parse_message(w2).value(), "+15551234567", options()).value();
  BOOST_TEST(header(r2.text, "X-Mms-Message-ID") != header(t, "X-Mms-Message-ID"));

  auto o = options();
  o.originator_system = "relay@mms.example.test";
  o.version = "5.10.0";
  auto r3 = to_mm4_forward(m, "+15551234567", o).value();
  BOOST_TEST(header(r3.text, "X-Mms-Originator-System") == "relay@mms.example.test");
  BOOST_TEST(header(r3.text, "X-Mms-3GPP-MMS-Version") == "5.10.0");
}

BOOST_AUTO_TEST_CASE(phone_number_senders) {
  auto const from_of = [](std::string const& from) {
    std::string const w = sip("From: " + from +
                                  ";tag=x\r\nTo: <sip:bob@example.test>\r\n"
                                  "Call-ID: c\r\nCSeq: 1 MESSAGE\r\n",
                              "hi");
    auto r = to_mm4_forward(sipsaf::parse_message(w).value(), "+4912345678", options());
    return r ? r->from + " | " + header(r->text, "Sender") : std::string("error");
  };
  BOOST_TEST(from_of("<tel:+1-555-123-0000>") ==
             "+15551230000/TYPE=PLMN@example.test | +15551230000/TYPE=PLMN@example.test");
  BOOST_TEST(from_of("<sip:+1(555)1230000@example.test;user=phone>") ==
             "+15551230000/TYPE=PLMN@example.test | +15551230000/TYPE=PLMN@example.test");
  BOOST_TEST(from_of("<sip:+15551230000@example.test>") ==
             "+15551230000/TYPE=PLMN@example.test | +15551230000/TYPE=PLMN@example.test");
  // Separators only where the URI says it is a phone number; a local number is none.
  BOOST_TEST(from_of("<sip:+1-555@example.test>") == "+1-555@example.test | +1-555@example.test");
  BOOST_TEST(from_of("<tel:5551230000;phone-context=example.test>") == "error");
  BOOST_TEST(from_of("<sip:+1234567890123456@example.test>") ==
             "+1234567890123456@example.test | +1234567890123456@example.test");
}

BOOST_AUTO_TEST_CASE(text_and_image_kept_byte_exact) {
  std::string const photo = all_bytes();
  std::string const body =
      "--b\r\nContent-Type: text/plain;charset=utf-8\r\n\r\nThe beach \xE2\x98\x80\r\n"
      "--b\r\nContent-Type: image/jpeg\r\nContent-Disposition: render;filename=beach.jpg\r\n\r\n" +
      photo + "\r\n--b--\r\n";
  std::string const w = sip(ids + "Content-Type: multipart/mixed;boundary=b\r\n", body);
  auto r = to_mm4_forward(sipsaf::parse_message(w).value(), "+15551234567", options()).value();
  std::string const& t = r.text;
  std::string const ctv = header(t, "Content-Type");
  auto ct = sipsaf::parse_media_type(ctv).value();
  BOOST_TEST(ct.is("multipart", "mixed"));
  auto mp = sipsaf::parse_multipart(std::string_view(t).substr(t.find("\r\n\r\n") + 4), ct).value();
  BOOST_REQUIRE(mp.size() == 2u);
  BOOST_TEST(mp[0].decoded_body().value() == "The beach \xE2\x98\x80");
  BOOST_TEST(mp[1].content_type().is("image", "jpeg"));
  BOOST_TEST(mp[1].transfer_encoding() == "base64");
  BOOST_TEST(mp[1].decoded_body().value() == photo);
  BOOST_TEST(mp[1].disposition()->param("filename").value() == "beach.jpg");
  for (std::size_t b = 0, e; (e = t.find("\r\n", b)) != std::string::npos; b = e + 2)
    BOOST_TEST(e - b <= 998u);
}

BOOST_AUTO_TEST_CASE(bad_numbers_and_domains_refused) {
  std::string const w = sip(ids, "hi");
  auto m = sipsaf::parse_message(w).value();
  for (char const* n : {"", "+", "15551234567", "+1555123456789012", "+1555-1234", "+1 555"})
    BOOST_TEST(to_mm4_forward(m, n, options()).error().code == sipsaf::errc::bad_header_value,
               "number '" << n << "'");
  auto o = options();
  o.recipient_domain = "";
  BOOST_TEST(to_mm4_forward(m, "+1555", o).error().code == sipsaf::errc::bad_header_value);
  o = options();
  o.recipient_domain = "mms.example.test>\r\nBcc: x@y";
  BOOST_TEST(to_mm4_forward(m, "+1555", o).error().code == sipsaf::errc::bad_header_value);
  o = options();
  o.originator_domain = "a..b";
  BOOST_TEST(to_mm4_forward(m, "+1555", o).error().code == sipsaf::errc::bad_header_value);
  o = options();
  o.version = "6.16.0\r\nBcc: x@y";
  BOOST_TEST(to_mm4_forward(m, "+1555", o).error().code == sipsaf::errc::bad_header_value);
  o = options();
  o.originator_system = "not an address";
  BOOST_TEST(to_mm4_forward(m, "+1555", o).error().code == sipsaf::errc::bad_header_value);
  // A request without Call-ID has no stable identity.
  std::string const no_call_id =
      sip("From: <sip:alice@example.test>;tag=a\r\nTo: <sip:bob@example.test>\r\n"
          "CSeq: 1 MESSAGE\r\n",
          "");
  BOOST_TEST(
      to_mm4_forward(sipsaf::parse_message(no_call_id).value(), "+1555", options()).error().code ==
      sipsaf::errc::missing_header);
}

BOOST_AUTO_TEST_SUITE_END()
