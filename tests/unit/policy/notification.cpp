#include <sipsaf/policy/notification.hpp>

#include <boost/test/unit_test.hpp>

#include <string>

using namespace sipsaf;

namespace {
auto facts() -> notification_facts {
  notification_facts f;
  f.call_id = "abc<&>@example.com";
  f.cseq = 3;
  f.recipient = "sip:bob@example.com";
  f.original_recipient = "sip:bob@example.com;user=\"x\"";
  f.sent = from_unix_ms(1'289'690'940'000);
  return f;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(policy_notification)

BOOST_AUTO_TEST_CASE(imdn_delivered) {
  std::string const b = make_imdn_body(delivery_status::delivered, facts());
  BOOST_TEST(b ==
             "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
             "<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\">\r\n"
             "  <message-id>abc&lt;&amp;&gt;@example.com</message-id>\r\n"
             "  <datetime>2010-11-13T23:29:00Z</datetime>\r\n"
             "  <recipient-uri>sip:bob@example.com</recipient-uri>\r\n"
             "  <original-recipient-uri>sip:bob@example.com;user=&quot;x&quot;"
             "</original-recipient-uri>\r\n"
             "  <delivery-notification>\r\n    <status>\r\n      <delivered/>\r\n"
             "    </status>\r\n  </delivery-notification>\r\n"
             "</imdn>\r\n");
}

BOOST_AUTO_TEST_CASE(imdn_stored_failed_expired) {
  std::string const s = make_imdn_body(delivery_status::stored, facts());
  BOOST_TEST(s.find("<processing-notification>") != std::string::npos);
  BOOST_TEST(s.find("<stored/>") != std::string::npos);
  for (auto st : {delivery_status::failed, delivery_status::expired}) {
    std::string const f = make_imdn_body(st, facts());
    BOOST_TEST(f.find("<delivery-notification>") != std::string::npos);
    BOOST_TEST(f.find("<failed/>") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(notify_body) {
  std::string const b = make_notify_body(delivery_status::delivered, facts());
  BOOST_TEST(b ==
             "message has been delivered\r\nCall-ID: abc<&>@example.com\r\nCSeq: 3\r\n"
             "To: sip:bob@example.com;user=\"x\"\r\nDate: Sat, 13 Nov 2010 23:29:00 GMT\r\n");
  BOOST_TEST(make_notify_body(delivery_status::expired, facts()).find("expired") !=
             std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
