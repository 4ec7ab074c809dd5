// The first of two translation units using sipsaf: each parses and
// renders with the same functions, so that a definition compiled in both
// (a header defining a non-inline function) or in neither (a definition
// missing from <sipsaf/src.hpp>) fails the link.
#include <sipsaf.hpp>

#include <cstdio>
#include <string>

auto other_tu(std::string_view message) -> std::string;

int main() {
  int failures = 0;
  auto check = [&](bool ok, char const* what) {
    if (!ok) {
      std::fprintf(stderr, "FAILED: %s\n", what);
      ++failures;
    }
  };
  auto const r = sipsaf::parse_request_disposition("Store ,\r\n NOTIFY");
  check(r && sipsaf::to_string(*r) == "store, notify", "Request-Disposition");
  auto const t = sipsaf::parse_media_type("Text/Plain; charset=UTF-8");
  check(t && t->is("text", "plain"), "media type");
  auto const sms = sipsaf::segment_sms("hello");
  check(sms.segments.size() == 1, "one SMS segment");

  char const message[] =
      "MESSAGE sip:bob@example.test SIP/2.0\r\n"
      "Via: SIP/2.0/UDP host.example.test;branch=z9hG4bK776\r\n"
      "Max-Forwards: 70\r\n"
      "From: <sip:alice@example.test>;tag=49583\r\n"
      "To: <sip:bob@example.test>\r\n"
      "Call-ID: asd88asd77a@1.2.3.4\r\n"
      "CSeq: 1 MESSAGE\r\n"
      "Request-Disposition: store\r\n"
      "Content-Type: text/plain\r\n"
      "Content-Length: 5\r\n"
      "\r\n"
      "hello";
  auto const m = sipsaf::parse_message(message);
  check(m && m->method() == "MESSAGE", "parse_message");
  check(other_tu(message) == "store|text/plain|bob", "the other translation unit");

#ifdef SIPSAF_SEPARATE_COMPILATION
  char const* const mode = "separate";
#else
  char const* const mode = "header-only";
#endif
  std::printf("two translation units, %s: %s\n", mode, failures ? "FAILED" : "ok");
  return failures ? 1 : 0;
}
