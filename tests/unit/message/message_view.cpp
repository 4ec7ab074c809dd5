// Tests for <sipsaf/message/message_view.hpp>.
#include <sipsaf/message/message_view.hpp>

#include <boost/test/unit_test.hpp>

#include "test_helpers.hpp"

#include <string>
#include <string_view>

namespace {

using sipsaf::errc;

// RFC 3428 §4, the MESSAGE example (with a Content-Length that matches).
std::string const rfc3428_message =
    "MESSAGE sip:user2@domain.com SIP/2.0\r\n"
    "Via: SIP/2.0/TCP user1pc.domain.com;branch=z9hG4bK776sgdkse\r\n"
    "Max-Forwards: 70\r\n"
    "From: sip:user1@domain.com;tag=49583\r\n"
    "To: sip:user2@domain.com\r\n"
    "Call-ID: asd88asd77a@1.2.3.4\r\n"
    "CSeq: 1 MESSAGE\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Length: 18\r\n"
    "\r\n"
    "Watson, come here.";

// RFC 3261 §24.2 (F1 of the session setup), INVITE with SDP.
std::string const rfc3261_invite =
    "INVITE sip:bob@biloxi.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds\r\n"
    "Max-Forwards: 70\r\n"
    "To: Bob <sip:bob@biloxi.com>\r\n"
    "From: Alice <sip:alice@atlanta.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.atlanta.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Contact: <sip:alice@pc33.atlanta.com>\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 4\r\n"
    "\r\n"
    "v=0\n";

// RFC 3261 §24.2 F2-style response.
std::string const rfc3261_response =
    "SIP/2.0 180 Ringing\r\n"
    "Via: SIP/2.0/UDP server10.biloxi.com;branch=z9hG4bK4b43c2ff8.1\r\n"
    " ;received=192.0.2.3\r\n"
    "Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds ;received=192.0.2.1\r\n"
    "To: Bob <sip:bob@biloxi.com>;tag=a6c85cf\r\n"
    "From: Alice <sip:alice@atlanta.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710\r\n"
    "Contact: <sip:bob@192.0.2.4>\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

auto err(std::string_view wire, sipsaf::message_options const& o = {}) -> sipsaf::parse_error {
  auto m = sipsaf::parse_message(wire, o);
  BOOST_TEST_REQUIRE(!m);
  return m.error();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(message_view)

BOOST_AUTO_TEST_CASE(rfc3428_message_example) {
  auto m = sipsaf::parse_message(rfc3428_message);
  BOOST_TEST_REQUIRE(m.has_value());
  BOOST_TEST(m->is_request());
  BOOST_TEST(m->method() == "MESSAGE");
  BOOST_TEST(m->request_uri() == "sip:user2@domain.com");
  BOOST_TEST(m->request_uri_parts().host == "domain.com");
  BOOST_TEST(m->version() == "SIP/2.0");
  BOOST_TEST_REQUIRE(m->headers().size() == 8u);
  BOOST_TEST(m->headers()[0].name == "Via");
  BOOST_TEST(m->headers()[7].value == "18");
  BOOST_TEST(m->body() == "Watson, come here.");
  BOOST_TEST(m->trailing().empty());
  BOOST_TEST(m->wire() == rfc3428_message);
  BOOST_TEST(m->call_id().value() == "asd88asd77a@1.2.3.4");
  BOOST_TEST(m->cseq()->number == 1u);
  BOOST_TEST(m->cseq()->method == "MESSAGE");
  BOOST_TEST(m->from()->tag == "49583");
  BOOST_TEST(m->from()->uri.user == "user1");
  BOOST_TEST(m->to()->tag.empty());
  BOOST_TEST(m->max_forwards().value() == 70u);
  BOOST_TEST(m->content_length().value() == 18u);
  BOOST_TEST(m->top_via()->branch == "z9hG4bK776sgdkse");
  BOOST_TEST(m->top_via()->transport == "TCP");
  auto ct = m->content_type();
  BOOST_TEST_REQUIRE(ct.has_value());
  BOOST_TEST(ct->is("text", "plain"));
  BOOST_TEST(m->request_disposition()->empty());
  BOOST_TEST(m->header_size() + 18 == rfc3428_message.size());
}

BOOST_AUTO_TEST_CASE(rfc3261_invite_and_response) {
  auto m = sipsaf::parse_message(rfc3261_invite);
  BOOST_TEST_REQUIRE(m.has_value());
  BOOST_TEST(m->to()->display_name == "Bob");
  BOOST_TEST(m->to()->uri.text == "sip:bob@biloxi.com");
  BOOST_TEST(m->from()->display_text() == "Alice");
  BOOST_TEST(m->contact()->entries.size() == 1u);
  BOOST_TEST(m->body() == "v=0\n");

  auto r = sipsaf::parse_message(rfc3261_response);
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST(r->is_response());
  BOOST_TEST(r->status() == 180);
  BOOST_TEST(r->reason() == "Ringing");
  BOOST_TEST(r->method().empty());
  BOOST_TEST(r->headers()[0].value ==
             "SIP/2.0/UDP server10.biloxi.com;branch=z9hG4bK4b43c2ff8.1 ;received=192.0.2.3");
  BOOST_TEST(r->headers()[0].folded());
  BOOST_TEST(!r->headers()[1].folded());
  auto vias = r->via();
  BOOST_TEST_REQUIRE(vias.has_value());
  BOOST_TEST(vias->size() == 2u);
  BOOST_TEST((*vias)[0].received == "192.0.2.3");
  BOOST_TEST((*vias)[1].host == "pc33.atlanta.com");
  BOOST_TEST(r->body().empty());
}

BOOST_AUTO_TEST_CASE(compact_names_and_case) {
  std::string const w =
      "OPTIONS sip:a@b.example SIP/2.0\r\n"
      "v: SIP/2.0/UDP h.example;branch=z9hG4bK1\r\n"
      "f: <sip:x@y.example>;tag=1\r\n"
      "t: sip:a@b.example\r\n"
      "i: abc@h\r\n"
      "CSEQ: 2 OPTIONS\r\n"
      "m: <sip:x@h.example>;expires=60;q=0.5\r\n"
      "c: text/plain\r\n"
      "d: store\r\n"
      "e: gzip\r\n"
      "k: 100rel\r\n"
      "s: hello\r\n"
      "o: presence\r\n"
      "r: <sip:c@d>\r\n"
      "b: <sip:e@f>\r\n"
      "x: 1800\r\n"
      "y: abc\r\n"
      "u: presence\r\n"
      "a: *;audio\r\n"
      "j: *;video\r\n"
      "n: <https://x.example/cert>\r\n"
      "l: 0\r\n"
      "\r\n";
  auto m = sipsaf::parse_message(w);
  BOOST_TEST_REQUIRE(m.has_value());
  BOOST_TEST(m->header("Call-ID").value() == "abc@h");
  BOOST_TEST(m->header("call-id").value() == "abc@h");
  BOOST_TEST(m->header("I").value() == "abc@h");
  BOOST_TEST(m->header("Via").has_value());
  BOOST_TEST(m->header("content-type").value() == "text/plain");
  BOOST_TEST(m->header("Request-Disposition").value() == "store");
  BOOST_TEST(m->header("Content-Encoding").value() == "gzip");
  BOOST_TEST(m->header("Supported").value() == "100rel");
  BOOST_TEST(m->header("Subject").value() == "hello");
  BOOST_TEST(m->header("Event").value() == "presence");
  BOOST_TEST(m->header("Refer-To").value() == "<sip:c@d>");
  BOOST_TEST(m->header("Referred-By").value() == "<sip:e@f>");
  BOOST_TEST(m->header("Session-Expires").value() == "1800");
  BOOST_TEST(m->header("Identity").value() == "abc");
  BOOST_TEST(m->header("Allow-Events").value() == "presence");
  BOOST_TEST(m->header("Accept-Contact").value() == "*;audio");
  BOOST_TEST(m->header("Reject-Contact").value() == "*;video");
  BOOST_TEST(m->header("Identity-Info").value() == "<https://x.example/cert>");
  BOOST_TEST(m->header("Content-Length").value() == "0");
  BOOST_TEST(m->cseq()->number == 2u);
  BOOST_TEST(m->contact()->entries[0].expires.value() == 60u);
  BOOST_TEST(m->contact()->entries[0].q.value() == 500u);
  BOOST_TEST((m->request_disposition()->store() == sipsaf::store_command::store));
  BOOST_TEST(m->headers()[0].name == "v");  // names kept as written
  BOOST_TEST(!m->header("X-Missing").has_value());
}

BOOST_AUTO_TEST_CASE(folding_and_whitespace) {
  std::string const w =
      "INVITE sip:a@b.example SIP/2.0\r\n"
      "TO :\r\n"
      " sip:a@b.example ;   tag    = 1918\r\n"
      "from   : \"J R \\\"\"       <sip:j@example.com>\r\n"
      "  ;\r\n"
      "  tag = 98asjd8\r\n"
      "cseq: 0009\r\n"
      "\tINVITE\r\n"
      "Subject:\r\n"
      "X-Empty:   \r\n"
      "X-Long: first\r\n"
      "   second\r\n"
      "\t third\r\n"
      "Content-Length: 0\r\n"
      "\r\n";
  auto m = sipsaf::parse_message(w);
  BOOST_TEST_REQUIRE(m.has_value());
  BOOST_TEST(m->to()->tag == "1918");
  BOOST_TEST(m->to()->uri.text == "sip:a@b.example");
  BOOST_TEST(m->from()->tag == "98asjd8");
  BOOST_TEST(m->from()->display_text() == "J R \"");
  BOOST_TEST(m->cseq()->number == 9u);
  BOOST_TEST(m->header("cseq").value() == "0009 INVITE");
  BOOST_TEST(m->header("Subject").value() == "");
  BOOST_TEST(m->header("X-Empty").value() == "");
  BOOST_TEST(m->header("x-long").value() == "first second third");
  BOOST_TEST(m->headers()[0].name == "TO");
  BOOST_TEST(m->headers()[0].value == "sip:a@b.example ;   tag    = 1918");
}

BOOST_AUTO_TEST_CASE(list_fields_split_and_combined) {
  std::string const w =
      "REGISTER sip:example.com SIP/2.0\r\n"
      "Contact: \"A, B\" <sip:a@h1.example;x=1>;q=0.7, <sip:b@h2.example>\r\n"
      "m: sip:c@h3.example;expires=10\r\n"
      "Request-Disposition: store-and-forward-if-not-reached\r\n"
      "d: no-fork, notify\r\n"
      "Supported: a, b\r\n"
      "Supported: c\r\n"
      "Date: Sat, 15 Oct 2005 04:44:56 GMT\r\n"
      "Expires: 3600\r\n"
      "l: 0\r\n"
      "\r\n";
  auto m = sipsaf::parse_message(w);
  BOOST_TEST_REQUIRE(m.has_value());
  auto v = m->values("contact");
  BOOST_TEST_REQUIRE(v.size() == 3u);
  BOOST_TEST(v[0] == "\"A, B\" <sip:a@h1.example;x=1>;q=0.7");
  BOOST_TEST(v[1] == "<sip:b@h2.example>");
  BOOST_TEST(v[2] == "sip:c@h3.example;expires=10");
  auto c = m->contact();
  BOOST_TEST_REQUIRE(c.has_value());
  BOOST_TEST(c->entries.size() == 3u);
  BOOST_TEST(c->entries[0].address.display_text() == "A, B");
  BOOST_TEST(c->entries[0].q.value() == 700u);
  BOOST_TEST(c->entries[2].expires.value() == 10u);
  BOOST_TEST(m->combined("Supported") == "a, b, c");
  BOOST_TEST(m->values("k").size() == 3u);
  BOOST_TEST(m->count("d") == 2u);
  auto rd = m->request_disposition();
  BOOST_TEST_REQUIRE(rd.has_value());
  BOOST_TEST((rd->store() == sipsaf::store_command::store_and_forward_if_not_reached));
  BOOST_TEST(rd->notify());
  BOOST_TEST((rd->fork() == sipsaf::fork_directive::no_fork));
  BOOST_TEST(m->date()->year == 2005);
  BOOST_TEST(m->date()->epoch_seconds() == 1129351496);
  BOOST_TEST(m->expires().value() == 3600u);
}

BOOST_AUTO_TEST_CASE(request_disposition_errors_point_into_the_message) {
  std::string const w =
      "MESSAGE sip:a@b SIP/2.0\r\n"
      "d: store\r\n"
      "Request-Disposition: do-not-store\r\n"
      "Content-Length: 0\r\n\r\n";
  auto m = sipsaf::parse_message(w);
  BOOST_TEST_REQUIRE(m.has_value());
  auto rd = m->request_disposition();
  BOOST_TEST_REQUIRE(!rd);
  BOOST_TEST(rd.error().code == errc::conflicting_directives);
  BOOST_TEST(rd.error().offset == w.find("do-not-store"));
  sipsaf::request_disposition_options strict;
  strict.mode = sipsaf::disposition_mode::strict;
  auto m2 = sipsaf::parse_message("MESSAGE sip:a@b SIP/2.0\r\nd: store\r\nl: 0\r\n\r\n");
  BOOST_TEST_REQUIRE(m2.has_value());
  BOOST_TEST(m2->request_disposition(strict).error().code == errc::unknown_directive);
  BOOST_TEST(m2->request_disposition(strict).error().offset == 28u);
}

BOOST_AUTO_TEST_CASE(content_length_against_body) {
  std::string const head = "MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 5\r\n\r\n";
  // Smaller than the body: the rest is ignored (RFC 3261 §18.3).
  std::string const extra = head + "helloEXTRA";
  auto m = sipsaf::parse_message(extra);
  BOOST_TEST_REQUIRE(m.has_value());
  BOOST_TEST(m->body() == "hello");
  BOOST_TEST(m->trailing() == "EXTRA");
  // Larger than the body.
  auto e = err(head + "hell");
  BOOST_TEST(e.code == errc::content_length_mismatch);
  BOOST_TEST(e.offset == head.find('5'));
  // Absent: the rest of the datagram, unless required.
  std::string const no_cl = "MESSAGE sip:a@b SIP/2.0\r\nX: y\r\n\r\nbody";
  BOOST_TEST(sipsaf::parse_message(no_cl)->body() == "body");
  sipsaf::message_options stream;
  stream.require_content_length = true;
  BOOST_TEST(err(no_cl, stream).code == errc::missing_content_length);
  // Not a number, negative, overflowing.
  BOOST_TEST(err("MESSAGE sip:a@b SIP/2.0\r\nContent-Length: -1\r\n\r\n").code ==
             errc::bad_content_length);
  BOOST_TEST(err("MESSAGE sip:a@b SIP/2.0\r\nl: 5x\r\n\r\nhello").code == errc::bad_content_length);
  BOOST_TEST(err("MESSAGE sip:a@b SIP/2.0\r\nl: 99999999999999999999\r\n\r\n").code ==
             errc::bad_content_length);
  // Two rows that disagree: kept for the application, whole rest as body.
  std::string const two = "MESSAGE sip:a@b SIP/2.0\r\nl: 2\r\nContent-Length: 3\r\n\r\nabcd";
  auto t = sipsaf::parse_message(two);
  BOOST_TEST_REQUIRE(t.has_value());
  BOOST_TEST(t->body() == "abcd");
  BOOST_TEST(t->content_length().error().code == errc::conflicting_headers);
  BOOST_TEST(t->content_length().error().offset == two.find("Content-Length"));
  BOOST_TEST(err(two, stream).code == errc::conflicting_headers);
  // Two rows that agree are one value.
  auto same =
      sipsaf::parse_message("MESSAGE sip:a@b SIP/2.0\r\nl: 2\r\nContent-Length: 2\r\n\r\nab");
  BOOST_TEST(same->content_length().value() == 2u);
}

BOOST_AUTO_TEST_CASE(start_line_errors) {
  BOOST_TEST(err("INVITE  sip:a@b SIP/2.0\r\n\r\n").code == errc::bad_start_line);
  BOOST_TEST(err("INVITE sip:a@b SIP/2.0 \r\n\r\n").code == errc::bad_start_line);
  BOOST_TEST(err("INVITE sip:a@b\r\n\r\n").code == errc::bad_start_line);
  auto v = err("INVITE sip:a@b SIP/3.0\r\n\r\n");
  BOOST_TEST(v.code == errc::bad_version);
  BOOST_TEST(v.offset == 19u);
  BOOST_TEST(err("SIP/2.0 1000 Big\r\n\r\n").code == errc::bad_status_code);
  BOOST_TEST(err("SIP/2.0 20 OK\r\n\r\n").code == errc::bad_status_code);
  BOOST_TEST(err("SIP/2.0 099 Low\r\n\r\n").code == errc::bad_status_code);
  BOOST_TEST(err("INVITE <sip:a@b> SIP/2.0\r\n\r\n").code == errc::bad_uri);
  BOOST_TEST(err("INVITE sip:a@b?X=y SIP/2.0\r\n\r\n").code == errc::bad_uri);
  BOOST_TEST(err("IN(VITE sip:a@b SIP/2.0\r\n\r\n").code == errc::bad_start_line);
  // Unknown methods are fine (RFC 3261 §7.1), empty reason phrase too.
  BOOST_TEST(sipsaf::parse_message("FOO sip:a@b SIP/2.0\r\n\r\n")->method() == "FOO");
  BOOST_TEST(sipsaf::parse_message("SIP/2.0 100 \r\n\r\n")->reason() == "");
  // CRLFs before the start line are skipped (RFC 3261 §7.5).
  auto k = sipsaf::parse_message("\r\n\r\nFOO sip:a@b SIP/2.0\r\n\r\n");
  BOOST_TEST_REQUIRE(k.has_value());
  BOOST_TEST(k->wire().size() == 23u);
}

BOOST_AUTO_TEST_CASE(line_and_field_errors) {
  auto lf = err("FOO sip:a@b SIP/2.0\nX: y\r\n\r\n");
  BOOST_TEST(lf.code == errc::bad_line_end);
  BOOST_TEST(lf.offset == 19u);
  BOOST_TEST(err("FOO sip:a@b SIP/2.0\r\nX: y\n\r\n").code == errc::bad_line_end);
  BOOST_TEST(err("FOO sip:a@b SIP/2.0\r\nX: a\rb\r\n\r\n").code == errc::bad_line_end);
  BOOST_TEST(err("FOO sip:a@b SIP/2.0\r\nX: y\r\n\n").code == errc::bad_line_end);
  auto nc = err("FOO sip:a@b SIP/2.0\r\nNoColon\r\n\r\n");
  BOOST_TEST(nc.code == errc::bad_header_field);
  BOOST_TEST(nc.offset == 28u);
  BOOST_TEST(err("FOO sip:a@b SIP/2.0\r\n: y\r\n\r\n").code == errc::bad_header_field);
  BOOST_TEST(err("FOO sip:a@b SIP/2.0\r\n continued\r\n\r\n").code == errc::bad_header_field);
  BOOST_TEST(err("FOO sip:a@b SIP/2.0\r\nX: y\r\n").code == errc::need_more);
  BOOST_TEST(err("FOO sip:a@b SIP/2.0\r\nX: y").code == errc::need_more);
  BOOST_TEST(err("").code == errc::need_more);
}

BOOST_AUTO_TEST_CASE(known_fields_are_checked) {
  // parse_message checks Call-ID, CSeq, Max-Forwards and Expires itself;
  // validate() checks the rest (From, To, Via, Contact, Date).
  auto bad = [](std::string const& row) {
    std::string const w = "OPTIONS sip:a@b SIP/2.0\r\n" + row + "\r\n\r\n";
    auto m = sipsaf::parse_message(w);
    if (!m) return m.error().code;
    auto v = m->validate();
    BOOST_TEST_REQUIRE(!v);
    return v.error().code;
  };
  BOOST_TEST(bad("CSeq: 4294967296 OPTIONS") == errc::bad_header_value);
  BOOST_TEST(bad("CSeq: 1 INVITE") == errc::conflicting_headers);
  BOOST_TEST(bad("CSeq: OPTIONS") == errc::bad_header_value);
  BOOST_TEST(bad("Max-Forwards: 256") == errc::bad_header_value);
  BOOST_TEST(bad("Expires: 4294967296") == errc::bad_header_value);
  BOOST_TEST(bad("Date: Fri, 01 Jan 2010 16:00:00 EST") == errc::bad_date);
  BOOST_TEST(bad("Date: Fri, 31 Feb 2010 16:00:00 GMT") == errc::bad_date);
  BOOST_TEST(bad("From: \"unterminated <sip:a@b>") == errc::bad_quoted_string);
  BOOST_TEST(bad("To: Bell, Alexander <sip:a@b>") == errc::bad_uri);
  BOOST_TEST(bad("To: < sip:a@b >") == errc::bad_uri);
  BOOST_TEST(bad("To:") == errc::empty_value);
  BOOST_TEST(bad("Contact: sip:a@b?Route=x") == errc::bad_uri);
  BOOST_TEST(bad("Contact: <sip:a@b>;expires=4294967296") == errc::bad_parameter);
  BOOST_TEST(bad("Contact: <sip:a@b>;q=1.5") == errc::bad_parameter);
  BOOST_TEST(bad("Contact: <sip:a@b>;;") == errc::bad_parameter);
  BOOST_TEST(bad("Via: SIP/2.0/UDP 192.0.2.15;;,;,,") == errc::bad_parameter);
  BOOST_TEST(bad("Via: SIP/2.0 h") == errc::bad_header_value);
  BOOST_TEST(bad("Call-ID: a b") == errc::bad_header_value);
  // Unknown fields are not checked; checks can be switched off.
  sipsaf::message_options lax;
  lax.validate_known_fields = false;
  auto m = sipsaf::parse_message("OPTIONS sip:a@b SIP/2.0\r\nCSeq: x\r\nX: ;;,,\r\n\r\n", lax);
  BOOST_TEST_REQUIRE(m.has_value());
  BOOST_TEST(m->cseq().error().code == errc::bad_header_value);
  BOOST_TEST(m->cseq().error().offset == 31u);
}

BOOST_AUTO_TEST_CASE(missing_and_conflicting_fields) {
  std::string const w =
      "INVITE sip:a@b SIP/2.0\r\n"
      "CSeq: 5 INVITE\r\n"
      "CSeq: 59 INVITE\r\n"
      "To: sip:a@b\r\n"
      "To: sip:a@b\r\n"
      "\r\n";
  auto m = sipsaf::parse_message(w);
  BOOST_TEST_REQUIRE(m.has_value());
  BOOST_TEST(m->cseq().error().code == errc::conflicting_headers);
  BOOST_TEST(m->cseq().error().offset == w.find("CSeq: 59"));
  BOOST_TEST(m->to().has_value());  // identical rows are one value
  BOOST_TEST(m->from().error().code == errc::missing_header);
  BOOST_TEST(m->from().error().offset == w.size() - 2);
  BOOST_TEST(m->call_id().error().code == errc::missing_header);
  BOOST_TEST(m->via().error().code == errc::missing_header);
  BOOST_TEST(m->contact().error().code == errc::missing_header);
  BOOST_TEST(m->content_type().error().code == errc::missing_header);
}

BOOST_AUTO_TEST_CASE(limits) {
  sipsaf::message_options o;
  o.max_headers = 2;
  BOOST_TEST(err("FOO sip:a@b SIP/2.0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", o).code ==
             errc::too_many_headers);
  o = {};
  o.max_header_bytes = 30;
  BOOST_TEST(err("FOO sip:a@b SIP/2.0\r\nA: 1234567890\r\n\r\n", o).code == errc::header_too_long);
  BOOST_TEST(err("FOO sip:a@b SIP/2.0\r\nA: 1234567890", o).code == errc::header_too_long);
  o = {};
  o.max_body_bytes = 3;
  BOOST_TEST(err("FOO sip:a@b SIP/2.0\r\nl: 4\r\n\r\nabcd", o).code == errc::body_too_large);
  BOOST_TEST(err("FOO sip:a@b SIP/2.0\r\n\r\nabcd", o).code == errc::body_too_large);
  o = {};
  o.max_message_bytes = 30;
  BOOST_TEST(err("FOO sip:a@b SIP/2.0\r\nl: 10\r\n\r\n0123456789", o).code ==
             errc::message_too_large);
}

BOOST_AUTO_TEST_CASE(every_prefix_fails_cleanly) {
  sipsaf_test::check_every_prefix(rfc3261_response,
                                  [](std::string_view in) { return sipsaf::parse_message(in); });
  sipsaf_test::check_every_prefix(rfc3428_message,
                                  [](std::string_view in) { return sipsaf::parse_message(in); });
}

BOOST_AUTO_TEST_CASE(copies_share_unfolded_values) {
  sipsaf::message_view copy;
  {
    auto m = sipsaf::parse_message(rfc3261_response);
    BOOST_TEST_REQUIRE(m.has_value());
    copy = *m;
  }
  BOOST_TEST(copy.headers()[0].value ==
             "SIP/2.0/UDP server10.biloxi.com;branch=z9hG4bK4b43c2ff8.1 ;received=192.0.2.3");
}

BOOST_AUTO_TEST_SUITE_END()
