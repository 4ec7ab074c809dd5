// Tests for <sipsaf/message/framing.hpp>.
#include <sipsaf/message/framing.hpp>

#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>

namespace {

std::string const first =
    "MESSAGE sip:user2@domain.com SIP/2.0\r\n"
    "Via: SIP/2.0/TCP user1pc.domain.com;branch=z9hG4bK776sgdkse\r\n"
    "Max-Forwards: 70\r\n"
    "From: sip:user1@domain.com;tag=49583\r\n"
    "To: sip:user2@domain.com\r\n"
    "Call-ID: asd88asd77a@1.2.3.4\r\n"
    "CSeq: 1 MESSAGE\r\n"
    "Content-Type: text/plain\r\n"
    "X-Folded: a\r\n"
    " b\r\n"
    "l: 18\r\n"
    "\r\n"
    "Watson, come here.";
std::string const second =
    "SIP/2.0 200 OK\r\n"
    "Via: SIP/2.0/TCP user1pc.domain.com;branch=z9hG4bK776sgdkse\r\n"
    "CSeq: 1 MESSAGE\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(framing)

BOOST_AUTO_TEST_CASE(whole_messages_and_keep_alives) {
  std::string const stream = "\r\n\r\n" + first + "\r\n" + second;
  auto f = sipsaf::frame_message(stream);
  BOOST_TEST_REQUIRE(f.has_value());
  BOOST_TEST(f->complete);
  BOOST_TEST(f->skip == 4u);
  BOOST_TEST(f->size == first.size());
  BOOST_TEST(f->message(stream) == first);
  auto g = sipsaf::frame_message(std::string_view(stream).substr(f->consumed()));
  BOOST_TEST_REQUIRE(g.has_value());
  BOOST_TEST(g->complete);
  BOOST_TEST(g->skip == 2u);
  BOOST_TEST(g->size == second.size());
  auto ka = sipsaf::frame_message("\r\n\r\n");
  BOOST_TEST(!ka->complete);
  BOOST_TEST(ka->skip == 4u);
  BOOST_TEST(ka->need == 1u);
}

// The message split at every byte offset: the prefix is never complete and
// asks for no more than what is really missing; prefix plus rest frames the
// same message.
BOOST_AUTO_TEST_CASE(split_at_every_offset) {
  std::string const stream = first + second;
  for (std::size_t n = 0; n < first.size(); ++n) {
    BOOST_TEST_CONTEXT("split at " << n) {
      std::string const prefix = first.substr(0, n);
      auto f = sipsaf::frame_message(prefix);
      BOOST_TEST_REQUIRE(f.has_value());
      BOOST_TEST(!f->complete);
      BOOST_TEST(f->need >= 1u);
      BOOST_TEST(f->need <= first.size() - n);
      std::string const joined = prefix + stream.substr(n);
      auto g = sipsaf::frame_message(joined);
      BOOST_TEST_REQUIRE(g.has_value());
      BOOST_TEST(g->complete);
      BOOST_TEST(g->size == first.size());
    }
  }
}

// Bytes arriving one at a time, with `resume` passed back: the frame is
// found exactly when the last byte arrives, and no byte is searched twice.
BOOST_AUTO_TEST_CASE(trickle_with_resume) {
  std::string buffer;
  std::size_t resume = 0;
  for (std::size_t n = 0; n < first.size(); ++n) {
    buffer.push_back(first[n]);
    auto f = sipsaf::frame_message(buffer, {}, resume);
    BOOST_TEST_REQUIRE(f.has_value());
    BOOST_TEST(f->complete == (n + 1 == first.size()));
    if (!f->complete) {
      BOOST_TEST(f->scanned >= resume);
      BOOST_TEST(f->scanned <= buffer.size());
      resume = f->scanned;
    }
  }
}

BOOST_AUTO_TEST_CASE(body_bytes_needed) {
  std::string const head = first.substr(0, first.size() - 18);
  auto f = sipsaf::frame_message(head + "Watson");
  BOOST_TEST_REQUIRE(f.has_value());
  BOOST_TEST(!f->complete);
  BOOST_TEST(f->need == 12u);
}

BOOST_AUTO_TEST_CASE(errors) {
  using sipsaf::errc;
  auto no_cl = sipsaf::frame_message("MESSAGE sip:a@b SIP/2.0\r\nX: y\r\n\r\nbody");
  BOOST_TEST(no_cl.error().code == errc::missing_content_length);
  auto two = sipsaf::frame_message("MESSAGE sip:a@b SIP/2.0\r\nl: 1\r\nl: 2\r\n\r\nab");
  BOOST_TEST(two.error().code == errc::conflicting_headers);
  auto bare = sipsaf::frame_message("\r\nMESSAGE sip:a@b SIP/2.0\nl: 1\r\n\r\n");
  BOOST_TEST(bare.error().code == errc::bad_line_end);
  BOOST_TEST(bare.error().offset == 25u);
  sipsaf::message_options o;
  o.max_header_bytes = 64;
  auto big = sipsaf::frame_message("MESSAGE sip:a@b SIP/2.0\r\nX: " + std::string(100, 'x'), o);
  BOOST_TEST(big.error().code == errc::header_too_long);
  o = {};
  o.max_body_bytes = 10;
  auto body = sipsaf::frame_message("MESSAGE sip:a@b SIP/2.0\r\nl: 11\r\n\r\n", o);
  BOOST_TEST(body.error().code == errc::body_too_large);
}

// A message with LF-only line ends (RFC 3261 §7 wants CRLF) is refused as
// soon as its first bare LF has arrived, wherever the stream was cut: never
// a wait for an empty line that does not come.
BOOST_AUTO_TEST_CASE(lf_only_refused_at_first_bare_lf) {
  using sipsaf::errc;
  std::string const lf = "OPTIONS sip:a@b SIP/2.0\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\nl: 0\n\n";
  std::size_t const first_lf = lf.find('\n');
  for (std::size_t n = 0; n <= lf.size(); ++n) {
    auto f = sipsaf::frame_message(std::string_view(lf).substr(0, n));
    if (n <= first_lf) {
      BOOST_TEST_REQUIRE(f.has_value());
      BOOST_TEST(!f->complete);
    } else {
      BOOST_TEST_REQUIRE(!f.has_value());
      BOOST_TEST(f.error().code == errc::bad_line_end);
      BOOST_TEST(f.error().offset == first_lf);
    }
  }
  // Resuming past a CR that the next read completes with its LF is fine.
  std::string const crlf = "OPTIONS sip:a@b SIP/2.0\r";
  auto part = sipsaf::frame_message(crlf);
  BOOST_TEST_REQUIRE(part.has_value());
  auto more = sipsaf::frame_message(crlf + "\nl: 0\r\n", {}, part->scanned);
  BOOST_TEST_REQUIRE(more.has_value());
  BOOST_TEST(!more->complete);
  // A bare LF where a keep-alive would be is no keep-alive (RFC 5626 §3.5.1: CRLF).
  auto ka = sipsaf::frame_message("\r\n\n");
  BOOST_TEST(ka.error().code == errc::bad_line_end);
  BOOST_TEST(ka.error().offset == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
