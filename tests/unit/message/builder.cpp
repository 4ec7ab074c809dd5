// Tests for <sipsaf/message/builder.hpp>.
#include <sipsaf/message/builder.hpp>

#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>

BOOST_AUTO_TEST_SUITE(builder)

BOOST_AUTO_TEST_CASE(requests_parse_back_equal) {
  for (std::string_view method :
       {"MESSAGE", "INVITE", "INFO", "REGISTER", "NOTIFY", "SUBSCRIBE", "ACK", "BYE", "OPTIONS"}) {
    BOOST_TEST_CONTEXT(method) {
      auto wire = sipsaf::request_builder(method, "sip:bob@example.com")
                      .via("UDP", "pc33.example.com:5060", "z9hG4bK776asdhds")
                      .max_forwards(70)
                      .from("sip:alice@example.com", "1928301774", "Alice \"A\" Liddell")
                      .to("sip:bob@example.com", "Bob")
                      .call_id("a84b4c76e66710@pc33.example.com")
                      .cseq(7)
                      .contact("sip:alice@pc33.example.com", ";expires=3600")
                      .request_disposition("store-and-forward-if-not-reached, notify")
                      .header("Subject", "hi")
                      .body("text/plain", "Watson, come here.")
                      .build();
      BOOST_TEST_REQUIRE(wire.has_value());
      auto m = sipsaf::parse_message(*wire);
      BOOST_TEST_REQUIRE(m.has_value());
      BOOST_TEST(m->method() == method);
      BOOST_TEST(m->request_uri() == "sip:bob@example.com");
      BOOST_TEST(m->top_via()->branch == "z9hG4bK776asdhds");
      BOOST_TEST(*m->top_via()->port == 5060);
      BOOST_TEST(m->max_forwards().value() == 70u);
      BOOST_TEST(m->from()->display_text() == "Alice \"A\" Liddell");
      BOOST_TEST(m->from()->tag == "1928301774");
      BOOST_TEST(m->to()->display_text() == "Bob");
      BOOST_TEST(m->to()->tag.empty());
      BOOST_TEST(m->call_id().value() == "a84b4c76e66710@pc33.example.com");
      BOOST_TEST(m->cseq()->number == 7u);
      BOOST_TEST(m->cseq()->method == method);
      BOOST_TEST(m->contact()->entries[0].expires.value() == 3600u);
      BOOST_TEST(m->request_disposition()->notify());
      BOOST_TEST(m->header("Subject").value() == "hi");
      BOOST_TEST(m->content_type()->is("text", "plain"));
      BOOST_TEST(m->content_length().value() == 18u);
      BOOST_TEST(m->body() == "Watson, come here.");
      BOOST_TEST(m->wire() == *wire);
    }
  }
}

BOOST_AUTO_TEST_CASE(request_disposition_value_and_date) {
  auto rd = sipsaf::parse_request_disposition("do-not-store,no-fork");
  BOOST_TEST_REQUIRE(rd.has_value());
  sipsaf::sip_date const d = sipsaf::sip_date_from_epoch(1129351496);
  BOOST_TEST(sipsaf::format_sip_date(d) == "Sat, 15 Oct 2005 04:44:56 GMT");
  auto wire = sipsaf::request_builder("MESSAGE", "sip:b@example.com")
                  .request_disposition(*rd)
                  .date(d)
                  .build();
  BOOST_TEST_REQUIRE(wire.has_value());
  auto m = sipsaf::parse_message(*wire);
  BOOST_TEST_REQUIRE(m.has_value());
  BOOST_TEST(m->header("d").value() == "do-not-store, no-fork");
  BOOST_TEST(m->date()->epoch_seconds() == 1129351496);
  BOOST_TEST(m->date()->weekday == 6);
  BOOST_TEST(m->body().empty());
  BOOST_TEST(m->content_length().value() == 0u);
  BOOST_TEST(!m->header("Content-Type"));
}

BOOST_AUTO_TEST_CASE(multipart_body) {
  std::vector<sipsaf::body_part> parts(2);
  parts[0].headers = {{"Content-Type", "application/sdp"}};
  parts[0].body = "v=0\r\n";
  parts[1].headers = {{"Content-Type", "image/jpeg"},
                      {"Content-Transfer-Encoding", "base64"},
                      {"Content-Disposition", "render;handling=optional"}};
  parts[1].body = "/9j/4AAQ";
  auto wire = sipsaf::request_builder("INVITE", "sip:b@example.com").multipart(parts).build();
  BOOST_TEST_REQUIRE(wire.has_value());
  auto m = sipsaf::parse_message(*wire);
  BOOST_TEST_REQUIRE(m.has_value());
  auto ct = m->content_type();
  BOOST_TEST_REQUIRE(ct.has_value());
  BOOST_TEST(ct->is("multipart", "mixed"));
  auto boundary = ct->param("boundary");
  BOOST_TEST_REQUIRE(boundary.has_value());
  std::string const delim = "--" + std::string(*boundary);
  BOOST_TEST(m->body().substr(0, delim.size()) == delim);
  BOOST_TEST(m->body().find("\r\n" + delim + "--\r\n") != std::string_view::npos);
  BOOST_TEST(m->body().find("Content-Type: image/jpeg\r\n") != std::string_view::npos);
  BOOST_TEST(m->content_length().value() == m->body().size());
  auto mp = sipsaf::parse_multipart(m->body(), *ct);
  BOOST_TEST_REQUIRE(mp.has_value());
  BOOST_TEST(mp->size() == 2u);
  BOOST_TEST((*mp)[1].body() == "/9j/4AAQ");
  // A part that cannot be written fails the build.
  parts[0].headers = {{"Content-Type", "text/plain\r\nX: injected"}};
  auto bad = sipsaf::request_builder("INVITE", "sip:b@example.com").multipart(parts).build();
  BOOST_TEST(bad.error().code == sipsaf::errc::bad_header_field);
}

BOOST_AUTO_TEST_CASE(bad_input_is_refused) {
  using sipsaf::errc;
  BOOST_TEST(sipsaf::request_builder("MES SAGE", "sip:a@b").build().error().code ==
             errc::bad_start_line);
  BOOST_TEST(sipsaf::request_builder("MESSAGE", "<sip:a@b>").build().error().code == errc::bad_uri);
  auto inj = sipsaf::request_builder("MESSAGE", "sip:a@b").header("X", "a\r\nVia: evil").build();
  BOOST_TEST(inj.error().code == errc::bad_header_value);
  BOOST_TEST(inj.error().offset == 29u);
  BOOST_TEST(sipsaf::request_builder("MESSAGE", "sip:a@b").header("X:", "a").build().error().code ==
             errc::bad_header_field);
  auto conflict = sipsaf::request_builder("MESSAGE", "sip:a@b")
                      .request_disposition("store, do-not-store")
                      .build();
  BOOST_TEST_REQUIRE(!conflict);
  BOOST_TEST(conflict.error().code == errc::conflicting_directives);
}

BOOST_AUTO_TEST_CASE(responses_copy_the_request_fields) {
  std::string const req =
      "INVITE sip:bob@biloxi.com SIP/2.0\r\n"
      "Via: SIP/2.0/UDP server10.biloxi.com;branch=z9hG4bK4b43c2ff8.1\r\n"
      "Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds\r\n"
      "Max-Forwards: 70\r\n"
      "Record-Route: <sip:server10.biloxi.com;lr>\r\n"
      "To: Bob <sip:bob@biloxi.com>\r\n"
      "From: Alice <sip:alice@atlanta.com>;tag=1928301774\r\n"
      "Call-ID: a84b4c76e66710@pc33.atlanta.com\r\n"
      "CSeq: 314159 INVITE\r\n"
      "Content-Length: 0\r\n\r\n";
  auto m = sipsaf::parse_message(req);
  BOOST_TEST_REQUIRE(m.has_value());
  auto ok = sipsaf::make_response(*m, 200, "OK", "a6c85cf");
  BOOST_TEST_REQUIRE(ok.has_value());
  auto r = sipsaf::parse_message(*ok);
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST(r->status() == 200);
  BOOST_TEST(r->reason() == "OK");
  BOOST_TEST(r->via()->size() == 2u);
  BOOST_TEST(r->headers()[0].value == m->headers()[0].value);
  BOOST_TEST(r->headers()[1].value == m->headers()[1].value);
  BOOST_TEST(r->to()->tag == "a6c85cf");
  BOOST_TEST(r->from()->tag == "1928301774");
  BOOST_TEST(r->call_id().value() == "a84b4c76e66710@pc33.atlanta.com");
  BOOST_TEST(r->cseq()->method == "INVITE");
  BOOST_TEST(r->count("Record-Route") == 1u);
  BOOST_TEST(r->content_length().value() == 0u);

  // 100 Trying gets no tag; a stable tag is made when none is given.
  std::string const trying_wire = sipsaf::make_response(*m, 100, "Trying").value();
  auto trying = sipsaf::parse_message(trying_wire);
  BOOST_TEST(trying->to()->tag.empty());
  BOOST_TEST(trying->count("Record-Route") == 0u);
  auto a = sipsaf::make_response(*m, 480, "Temporarily Unavailable").value();
  auto b = sipsaf::make_response(*m, 480, "Temporarily Unavailable").value();
  BOOST_TEST(a == b);
  BOOST_TEST(sipsaf::parse_message(a)->to()->tag.size() == 16u);

  auto body = sipsaf::response_builder(*m, 415, "Unsupported Media Type")
                  .header("Accept", "text/plain")
                  .body("text/plain", "no")
                  .build();
  BOOST_TEST_REQUIRE(body.has_value());
  auto rb = sipsaf::parse_message(*body);
  BOOST_TEST(rb->header("Accept").value() == "text/plain");
  BOOST_TEST(rb->body() == "no");
  BOOST_TEST(sipsaf::make_response(*m, 99, "x").error().code == sipsaf::errc::bad_status_code);
  BOOST_TEST(sipsaf::make_response(*m, 200, "O\r\nK").error().code == sipsaf::errc::bad_start_line);
}

BOOST_AUTO_TEST_CASE(responses_are_written_in_the_documented_order) {
  std::string const req =
      "SUBSCRIBE sip:bob@biloxi.com SIP/2.0\r\n"
      "v: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/UDP b.example.com;branch=z9hG4bK2\r\n"
      "Via: SIP/2.0/TCP c.example.com;branch=z9hG4bK3\r\n"
      "Record-Route: <sip:p1.example.com;lr>\r\n"
      "t: <sip:bob@biloxi.com>\r\n"
      "f: <sip:alice@atlanta.com>;tag=88\r\n"
      "Record-Route: <sip:p2.example.com;lr>\r\n"
      "i: c1\r\n"
      "CSeq: 7 SUBSCRIBE\r\n"
      "Event: presence\r\n"
      "Content-Length: 0\r\n\r\n";
  auto m = sipsaf::parse_message(req);
  BOOST_TEST_REQUIRE(m.has_value());
  auto ok = sipsaf::response_builder(*m, 202, "Accepted")
                .to_tag("t1")
                .header("Expires", "600")
                .body("text/plain", "hi")
                .build();
  BOOST_TEST_REQUIRE(ok.has_value());
  BOOST_TEST(*ok ==
             "SIP/2.0 202 Accepted\r\n"
             "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/UDP "
             "b.example.com;branch=z9hG4bK2\r\n"
             "Via: SIP/2.0/TCP c.example.com;branch=z9hG4bK3\r\n"
             "From: <sip:alice@atlanta.com>;tag=88\r\n"
             "To: <sip:bob@biloxi.com>;tag=t1\r\n"
             "Call-ID: c1\r\n"
             "CSeq: 7 SUBSCRIBE\r\n"
             "Record-Route: <sip:p1.example.com;lr>\r\n"
             "Record-Route: <sip:p2.example.com;lr>\r\n"
             "Expires: 600\r\n"
             "Content-Type: text/plain\r\n"
             "Content-Length: 2\r\n\r\nhi");
  // A refused field is named by its offset in what would have been written:
  // the first CR or LF of the value, whichever comes first.
  auto bad = sipsaf::response_builder(*m, 404, "Not Found").header("X", "ab\ncd\r").build();
  BOOST_TEST_REQUIRE(!bad);
  BOOST_TEST(bad.error().code == sipsaf::errc::bad_header_value);
  auto const head = sipsaf::make_response(*m, 404, "Not Found").value();
  auto const fields_end = head.find("Content-Length: ");
  BOOST_TEST(bad.error().offset == fields_end + 5);
  BOOST_TEST(
      sipsaf::response_builder(*m, 404, "Not Found").header("X Y", "a").build().error().code ==
      sipsaf::errc::bad_header_field);
}

BOOST_AUTO_TEST_SUITE_END()
