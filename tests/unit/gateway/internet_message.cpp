// Test that the header is self-contained.
#include <sipsaf/gateway/internet_message.hpp>

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

BOOST_AUTO_TEST_SUITE(internet_message)

using sipsaf::mail_options;
using sipsaf::to_internet_message;

namespace {

auto sip(std::string const& headers, std::string const& body) -> std::string {
  return "MESSAGE sip:bob@example.test SIP/2.0\r\n"
         "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
         "Max-Forwards: 70\r\n" +
         headers + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string const ids =
    "From: \"Alice \xC3\x85sberg\" <sip:alice@example.test>;tag=a1\r\n"
    "To: Bob <sip:bob@example.test>\r\n"
    "Call-ID: 3848276298220188511@atlanta.example.test\r\n"
    "CSeq: 7 MESSAGE\r\n"
    "Date: Sat, 13 Nov 2010 23:29:00 GMT\r\n";

auto all_bytes() -> std::string {
  std::string s;
  for (int r = 0; r < 3; ++r)
    for (int i = 0; i < 256; ++i) s.push_back(static_cast<char>(i));
  return s;
}

struct mail {
  std::string head, body;
  auto header(std::string const& name) const -> std::string {
    std::size_t p = head.find(name + ": ");
    if (p != 0) p = head.find("\r\n" + name + ": ");
    if (p == std::string::npos) return "(none)";
    if (p != 0) p += 2;
    std::size_t e = p;
    do e = head.find("\r\n", e + 1);
    while (e != std::string::npos && e + 2 < head.size() && head[e + 2] == ' ');
    std::string v = head.substr(p + name.size() + 2, e - p - name.size() - 2);
    return v;
  }
};

auto split(std::string const& text) -> mail {
  std::size_t const e = text.find("\r\n\r\n");
  BOOST_REQUIRE(e != std::string::npos);
  return mail{text.substr(0, e + 2), text.substr(e + 4)};
}

/// Every line of the mail is within the RFC 5322 §2.1.1 limit, and every
/// line of base64 within RFC 2045 §6.8's 76.
void check_lines(std::string const& text) {
  std::size_t b = 0;
  for (std::size_t e; (e = text.find("\r\n", b)) != std::string::npos; b = e + 2) {
    BOOST_TEST(e - b <= 998u);
    BOOST_TEST(text.substr(b, e - b).find('\n') == std::string::npos);
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(headers_from_the_sip_request) {
  std::string const w =
      sip(ids + "Subject: Caf\xC3\xA9 tonight?\r\n" + "Content-Type: text/plain;charset=utf-8\r\n",
          "See you at eight.\r\n");
  auto m = sipsaf::parse_message(w).value();
  mail_options o;
  o.to = "carol@mail.example.test";
  auto r = to_internet_message(m, o).value();
  BOOST_TEST(r.from == "alice@example.test");
  BOOST_TEST(r.to == "carol@mail.example.test");
  auto const x = split(r.text);
  BOOST_TEST(x.header("From") == "=?UTF-8?B?QWxpY2Ugw4VzYmVyZw==?= <alice@example.test>");
  BOOST_TEST(x.header("To") == "Bob <carol@mail.example.test>");
  BOOST_TEST(x.header("Date") == "Sat, 13 Nov 2010 23:29:00 +0000");
  BOOST_TEST(x.header("Message-ID") ==
             "<sip.7.3848276298220188511=40atlanta=2Eexample=2Etest@example.test>");
  BOOST_TEST(sipsaf::decode_header_text(x.header("Subject")) == "Caf\xC3\xA9 tonight?");
  BOOST_TEST(x.header("MIME-Version") == "1.0");
  BOOST_TEST(x.header("Auto-Submitted") == "auto-forwarded");
  BOOST_TEST(x.header("Content-Type") == "text/plain;charset=utf-8");
  BOOST_TEST(x.header("Content-Transfer-Encoding") == "7bit");
  BOOST_TEST(x.body == "See you at eight.\r\n");
  check_lines(r.text);
}

BOOST_AUTO_TEST_CASE(subject_from_the_first_words_and_date_fallback) {
  std::string const w =
      sip("From: <sip:alice@example.test>;tag=a\r\nTo: <sip:bob@example.test>\r\n"
          "Call-ID: x\r\nCSeq: 1 MESSAGE\r\nContent-Type: text/plain\r\n",
          "one two three four five six seven eight nine ten");
  auto m = sipsaf::parse_message(w).value();
  mail_options o;
  o.date = 0;
  auto r = to_internet_message(m, o).value();
  auto const x = split(r.text);
  BOOST_TEST(x.header("Subject") == "one two three four five six seven eight ...");
  BOOST_TEST(x.header("Date") == "Thu, 01 Jan 1970 00:00:00 +0000");
  BOOST_TEST(x.header("To") == "bob@example.test");
  BOOST_TEST(x.header("Content-Type") == "text/plain;charset=us-ascii");
  o.date = 1796603377;  // a leap-year date after February
  BOOST_TEST(split(to_internet_message(m, o)->text).header("Date") ==
             "Mon, 07 Dec 2026 00:29:37 +0000");
}

BOOST_AUTO_TEST_CASE(non_ascii_and_bare_lf_text_goes_base64_exactly) {
  std::string const text = "Hej\nS\xC3\xB8ren\n";
  std::string const w = sip(ids + "Content-Type: text/plain\r\n", text);
  auto r = to_internet_message(sipsaf::parse_message(w).value()).value();
  auto const x = split(r.text);
  BOOST_TEST(x.header("Content-Type") == "text/plain;charset=utf-8");
  BOOST_TEST(x.header("Content-Transfer-Encoding") == "base64");
  BOOST_TEST(sipsaf::decode_base64(x.body).value() == text);
  BOOST_TEST(sipsaf::decode_header_text(x.header("Subject")) == "Hej S\xC3\xB8ren");
}

BOOST_AUTO_TEST_CASE(round_trip_multipart_nested) {
  std::string const photo = all_bytes();
  std::string const body =
      "--outer\r\nContent-Type: text/plain;charset=utf-8\r\n\r\nThe photo \xF0\x9F\x93\xB7\r\n"
      "--outer\r\nContent-Type: image/jpeg\r\nContent-Disposition: "
      "render;filename=\"../x/Beach.jpg\""
      "\r\nContent-ID: <p1@example.test>\r\n\r\n" +
      photo +
      "\r\n--outer\r\nContent-Type: multipart/alternative;boundary=inner\r\n\r\n"
      "--inner\r\nContent-Type: text/plain\r\n\r\nplain\r\n"
      "--inner\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n--inner--\r\n"
      "--outer\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
      "Content-Disposition: attachment; filename=\"R\xC3\xA9sum\xC3\xA9.pdf\"\r\n\r\n"
      "JVBERi0=\r\n--outer--\r\n";
  std::string const w = sip(ids + "Content-Type: multipart/mixed;boundary=outer\r\n", body);
  auto m = sipsaf::parse_message(w).value();
  auto r = to_internet_message(m).value();
  check_lines(r.text);
  auto const x = split(r.text);
  std::string const ctv = x.header("Content-Type");
  auto t = sipsaf::parse_media_type(ctv).value();
  BOOST_TEST(t.is("multipart", "mixed"));
  auto mp = sipsaf::parse_multipart(x.body, t).value();
  BOOST_REQUIRE(mp.size() == 4u);
  BOOST_TEST(mp[0].decoded_body().value() == "The photo \xF0\x9F\x93\xB7");
  BOOST_TEST(mp[0].content_type().is("text", "plain"));

  auto jpeg = mp[1];
  BOOST_TEST(jpeg.content_type().is("image", "jpeg"));
  BOOST_TEST(jpeg.transfer_encoding() == "base64");
  BOOST_TEST(jpeg.decoded_body().value() == photo);
  BOOST_TEST(jpeg.disposition()->is("attachment"));
  BOOST_TEST(jpeg.disposition()->param("filename").value() == "Beach.jpg");
  BOOST_TEST(jpeg.content_id() == "p1@example.test");
  // base64 in lines of 76 (RFC 2045 §6.8).
  std::string_view const b64 = jpeg.body();
  BOOST_TEST(b64.substr(0, b64.find("\r\n")).size() == 76u);

  BOOST_TEST(mp[2].is_multipart());
  BOOST_TEST(mp[2].content_type().is("multipart", "alternative"));
  BOOST_REQUIRE(mp[2].parts().size() == 2u);
  BOOST_TEST(mp[2].parts()[0].decoded_body().value() == "plain");
  BOOST_TEST(mp[2].parts()[1].decoded_body().value() == "<p>html</p>");
  BOOST_TEST(mp[2].parts()[1].disposition()->param("filename").value() == "attachment-2.html");

  auto pdf = mp[3];
  BOOST_TEST(pdf.decoded_body().value() == "%PDF-");
  auto d = pdf.disposition().value();
  BOOST_TEST(d.param("filename").value() == "R_sum_.pdf");
  BOOST_TEST(d.param("filename*").value() == "utf-8''R%C3%A9sum%C3%A9.pdf");
}

BOOST_AUTO_TEST_CASE(single_attachment_and_empty_body) {
  std::string const photo = all_bytes();
  std::string const w = sip(ids + "Content-Type: image/png\r\n", photo);
  auto r = to_internet_message(sipsaf::parse_message(w).value()).value();
  auto const x = split(r.text);
  BOOST_TEST(x.header("Content-Disposition") == "attachment; filename=\"attachment-1.png\"");
  BOOST_TEST(sipsaf::decode_base64(x.body).value() == photo);
  BOOST_TEST(sipsaf::decode_header_text(x.header("Subject")) == "Message from Alice \xC3\x85sberg");

  std::string const empty = sip(ids, "");
  auto e = to_internet_message(sipsaf::parse_message(empty).value()).value();
  BOOST_TEST(split(e.text).body.empty());
}

BOOST_AUTO_TEST_CASE(identity_mapping) {
  std::string const w =
      sip("From: <sip:%22odd%20user%22@Example.TEST>;tag=a\r\nTo: <tel:+15551234567>\r\n"
          "Call-ID: c\r\nCSeq: 1 MESSAGE\r\n",
          "");
  auto m = sipsaf::parse_message(w).value();
  // tel: has no mailbox by default ...
  BOOST_TEST(to_internet_message(m).error().code == sipsaf::errc::bad_uri);
  // ... unless the caller says where it goes, or maps it.
  mail_options o;
  o.to = "carol@example.test";
  auto r = to_internet_message(m, o).value();
  BOOST_TEST(r.from == "\"\\\"odd user\\\"\"@example.test");
  o.to.clear();
  o.map_address = [](sipsaf::uri_view const& u) -> std::optional<std::string> {
    if (u.scheme == "tel") return std::string(u.opaque.substr(1)) + "@sms.example.test";
    return "someone@example.test";
  };
  r = to_internet_message(m, o).value();
  BOOST_TEST(r.to == "15551234567@sms.example.test");
  BOOST_TEST(r.from == "someone@example.test");
  // A hook or option that would inject a header is refused.
  o.map_address = [](sipsaf::uri_view const&) -> std::optional<std::string> {
    return std::string("a@b\r\nBcc: x@y");
  };
  BOOST_TEST(to_internet_message(m, o).error().code == sipsaf::errc::bad_uri);
  mail_options bad;
  bad.to = "carol@example.test>\r\nBcc: eve@example.test";
  BOOST_TEST(to_internet_message(m, bad).error().code == sipsaf::errc::bad_header_value);
}

BOOST_AUTO_TEST_CASE(errors) {
  std::string const w1 = sip(
      "From: <sip:a@example.test>;tag=a\r\nTo: <sip:b@example.test>\r\nCSeq: 1 MESSAGE\r\n", "");
  auto no_call_id = sipsaf::parse_message(w1).value();
  BOOST_TEST(to_internet_message(no_call_id).error().code == sipsaf::errc::missing_header);
  std::string const w2 = sip(ids + "Content-Type: multipart/mixed;boundary=b\r\n", "--b\r\n\r\nx");
  auto broken = sipsaf::parse_message(w2).value();
  BOOST_TEST(to_internet_message(broken).error().code == sipsaf::errc::no_closing_delimiter);
}

BOOST_AUTO_TEST_CASE(default_mapping) {
  auto a = [](std::string_view s) {
    return sipsaf::default_mail_address(sipsaf::parse_uri(s).value());
  };
  BOOST_TEST(a("sip:alice@example.test").value() == "alice@example.test");
  BOOST_TEST(a("sips:bob.smith@Example.Test;transport=tls").value() == "bob.smith@example.test");
  BOOST_TEST(a("sip:+15551234567@gw.example.test;user=phone").value() ==
             "+15551234567@gw.example.test");
  BOOST_TEST(a("sip:u@[2001:db8::1]").value() == "u@[IPv6:2001:db8::1]");
  BOOST_TEST(!a("sip:example.test"));
  BOOST_TEST(!a("tel:+15551234567"));
  BOOST_TEST(sipsaf::is_mail_address("carol@example.test"));
  BOOST_TEST(sipsaf::is_mail_address("\"c d\"@[192.0.2.1]"));
  BOOST_TEST(!sipsaf::is_mail_address("carol@example.test\r\nBcc: x@y"));
  BOOST_TEST(!sipsaf::is_mail_address("carol"));
  BOOST_TEST(!sipsaf::is_mail_address("a..b@example.test"));
}

BOOST_AUTO_TEST_SUITE_END()
