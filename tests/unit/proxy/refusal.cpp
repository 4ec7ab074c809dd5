// The answers to messages refused before they could be handled
// (examples/proxy/sip_util.hpp: refusal_from_raw).
#include "proxy/sip_util.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

namespace {
std::string const request =
    "OPTIONS sip:example.test SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKabc\r\n"
    "From: <sip:alice@example.test>;tag=1\r\n"
    "To: <sip:example.test>\r\n"
    "Call-ID: c1@h\r\n"
    "CSeq: 1 OPTIONS\r\n"
    "X-Other: dropped\r\n"
    "Content-Length: 0\r\n\r\n";

auto replace_all(std::string s, std::string const& from, std::string const& to) -> std::string {
  for (auto p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
    s.replace(p, from.size(), to);
  return s;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(refusal)

BOOST_AUTO_TEST_CASE(bad_request_with_warning_and_the_transaction_fields) {
  auto r = proxy::refusal_from_raw(request, sipsaf::errc::conflicting_headers,
                                   "Content-Length values differ");
  BOOST_TEST(r.rfind("SIP/2.0 400 Bad Request\r\n", 0) == 0);
  BOOST_TEST(r.find("Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKabc\r\n") != std::string::npos);
  BOOST_TEST(r.find("CSeq: 1 OPTIONS\r\n") != std::string::npos);
  BOOST_TEST(r.find("Warning: 399 sipsaf-proxy \"Content-Length values differ\"\r\n") !=
             std::string::npos);
  BOOST_TEST(r.find("X-Other") == std::string::npos);
  auto m = sipsaf::parse_message(r);
  BOOST_TEST_REQUIRE(m.has_value());
  BOOST_TEST(m->status() == 400);
}

// RFC 3261 §21.5.7: another SIP version is 505, answered in SIP/2.0.
BOOST_AUTO_TEST_CASE(other_version_is_505) {
  auto v3 = replace_all(request, "example.test SIP/2.0", "example.test SIP/3.0");
  auto r = proxy::refusal_from_raw(v3, sipsaf::errc::bad_version, "version");
  BOOST_TEST(r.rfind("SIP/2.0 505 Version Not Supported\r\n", 0) == 0);
}

// LF-only line ends: refused, but answered (to CRLF lines).
BOOST_AUTO_TEST_CASE(lf_only_is_answered) {
  auto lf = replace_all(request, "\r\n", "\n");
  auto r = proxy::refusal_from_raw(lf, sipsaf::errc::bad_line_end, "bare LF");
  BOOST_TEST(r.rfind("SIP/2.0 400 Bad Request\r\n", 0) == 0);
  BOOST_TEST(r.find("Call-ID: c1@h\r\n") != std::string::npos);
  BOOST_TEST(sipsaf::parse_message(r).has_value());
}

BOOST_AUTO_TEST_CASE(limits_are_413_and_warning_text_is_cleaned) {
  auto r = proxy::refusal_from_raw(request, sipsaf::errc::body_too_large, "big \"quoted\"\r\nX: y");
  BOOST_TEST(r.rfind("SIP/2.0 413 Request Entity Too Large\r\n", 0) == 0);
  BOOST_TEST(r.find("\r\nX: y") == std::string::npos);
  BOOST_TEST(sipsaf::parse_message(r).has_value());
}

// Nobody to answer: a response, no Via, a start line cut short.
BOOST_AUTO_TEST_CASE(nobody_to_answer) {
  using sipsaf::errc;
  BOOST_TEST(
      proxy::refusal_from_raw("SIP/2.0 200 OK\r\nVia: x\r\n\r\n", errc::bad_version, "").empty());
  BOOST_TEST(
      proxy::refusal_from_raw(replace_all(request, "Via:", "X-Via:"), errc::bad_uri, "").empty());
  BOOST_TEST(proxy::refusal_from_raw("OPTIONS sip:a SIP/2.0", errc::need_more, "").empty());
  BOOST_TEST(proxy::refusal_from_raw("", errc::need_more, "").empty());
}

BOOST_AUTO_TEST_SUITE_END()
