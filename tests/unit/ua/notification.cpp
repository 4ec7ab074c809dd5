#include "ua/notification.hpp"

#include <boost/test/unit_test.hpp>

#include <zlib.h>

#include <string>

namespace {

std::string const imdn_doc =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
    "<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\"><message-id>Xa8 &amp;1</message-id>"
    "<datetime>2026-12-07T00:00:00Z</datetime><delivery-notification><status><delivered />"
    "</status></delivery-notification></imdn>";

auto message(std::string const& headers, std::string const& body) -> std::string {
  return "MESSAGE sip:alice@example.test SIP/2.0\r\n"
         "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r\nMax-Forwards: 70\r\n"
         "From: <sip:bob@example.test>;tag=1\r\nTo: <sip:alice@example.test>\r\n"
         "Call-ID: n1\r\nCSeq: 1 MESSAGE\r\n" +
         headers + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

auto read(std::string const& wire) -> std::optional<ua::notification> {
  auto m = sipsaf::parse_message(wire);
  BOOST_TEST_REQUIRE(m.has_value());
  return ua::read_notification(*m);
}

auto zlib_compress(std::string const& s) -> std::string {
  uLongf n = compressBound(s.size());
  std::string out(n, '\0');
  BOOST_TEST_REQUIRE(compress(reinterpret_cast<Bytef*>(out.data()), &n,
                              reinterpret_cast<Bytef const*>(s.data()), s.size()) == Z_OK);
  out.resize(n);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ua_notification)

BOOST_AUTO_TEST_CASE(plain_imdn) {
  auto n = read(message("Content-Type: message/imdn+xml\r\n", imdn_doc));
  BOOST_TEST_REQUIRE(n.has_value());
  BOOST_TEST(n->kind == "imdn");
  BOOST_TEST(n->message_id == "Xa8 &1");
  BOOST_TEST(n->status == "delivered");
  BOOST_TEST(n->final);
  BOOST_TEST(!n->cpim);
}

// As linphone sends its own: the IMDN compressed (RFC 3261 §20.12).
BOOST_AUTO_TEST_CASE(deflated_imdn) {
  auto n = read(message("Content-Type: message/imdn+xml\r\nContent-Encoding: deflate\r\n",
                        zlib_compress(imdn_doc)));
  BOOST_TEST_REQUIRE(n.has_value());
  BOOST_TEST(n->message_id == "Xa8 &1");
  BOOST_TEST(n->status == "delivered");
  // Bytes that do not inflate are not a notification.
  BOOST_TEST(!read(message("Content-Type: message/imdn+xml\r\nContent-Encoding: deflate\r\n",
                           "not deflated"))
                  .has_value());
  // A bomb stops at the limit.
  std::string big(ua::max_inflated + 1, 'x');
  BOOST_TEST(!ua::inflate_body(zlib_compress(big)).has_value());
  BOOST_TEST(ua::inflate_body(zlib_compress("abc")).value_or("") == "abc");
}

// RFC 5438 §7.1: the IMDN inside message/cpim.
BOOST_AUTO_TEST_CASE(cpim_imdn) {
  std::string const body =
      "From: <sip:bob@example.test>\r\nTo: <sip:alice@example.test>\r\n"
      "NS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: reply-1\r\n\r\n"
      "Content-Type: message/imdn+xml\r\nContent-Disposition: notification\r\n\r\n" +
      imdn_doc;
  auto n = read(message("Content-Type: message/cpim\r\n", body));
  BOOST_TEST_REQUIRE(n.has_value());
  BOOST_TEST(n->cpim);
  BOOST_TEST(n->message_id == "Xa8 &1");
  BOOST_TEST(n->status == "delivered");
  // CPIM around a text is a message, not a notification.
  BOOST_TEST(!read(message("Content-Type: message/cpim\r\n",
                           "From: <sip:a@b>\r\n\r\nContent-Type: text/plain\r\n\r\nhi"))
                  .has_value());
}

BOOST_AUTO_TEST_CASE(adaptation_note) {
  std::string doc = imdn_doc;
  doc.insert(doc.find("</imdn>"),
             "<adaptation xmlns=\"urn:x-sipsaf:adaptation\">delivered text/plain; left out "
             "image/png</adaptation>");
  auto n = read(message("Content-Type: message/imdn+xml\r\n", doc));
  BOOST_TEST_REQUIRE(n.has_value());
  BOOST_TEST(n->note == "delivered text/plain; left out image/png");
}

BOOST_AUTO_TEST_SUITE_END()
