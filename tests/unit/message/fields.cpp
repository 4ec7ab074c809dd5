// Tests for <sipsaf/message/fields.hpp>.
#include <sipsaf/message/fields.hpp>

#include <boost/test/unit_test.hpp>

#include <string>

BOOST_AUTO_TEST_SUITE(fields)

BOOST_AUTO_TEST_CASE(compact_forms_from_the_iana_registry) {
  struct row {
    char compact;
    char const* full;
  };
  row const rows[] = {{'a', "Accept-Contact"},
                      {'b', "Referred-By"},
                      {'c', "Content-Type"},
                      {'d', "Request-Disposition"},
                      {'e', "Content-Encoding"},
                      {'f', "From"},
                      {'i', "Call-ID"},
                      {'j', "Reject-Contact"},
                      {'k', "Supported"},
                      {'l', "Content-Length"},
                      {'m', "Contact"},
                      {'n', "Identity-Info"},
                      {'o', "Event"},
                      {'r', "Refer-To"},
                      {'s', "Subject"},
                      {'t', "To"},
                      {'u', "Allow-Events"},
                      {'v', "Via"},
                      {'x', "Session-Expires"},
                      {'y', "Identity"}};
  for (auto const& r : rows) {
    BOOST_TEST_CONTEXT(r.full) {
      sipsaf::field const f = sipsaf::field_of(r.full);
      BOOST_TEST((f != sipsaf::field::unknown));
      BOOST_TEST((sipsaf::field_of(std::string(1, r.compact)) == f));
      BOOST_TEST((sipsaf::field_of(std::string(1, static_cast<char>(r.compact - 32))) == f));
      BOOST_TEST(sipsaf::compact_form(f) == r.compact);
      BOOST_TEST(sipsaf::field_name(f) == r.full);
    }
  }
  for (char c : std::string("ghpqwz0-"))
    BOOST_TEST((sipsaf::field_of(std::string(1, c)) == sipsaf::field::unknown));
}

BOOST_AUTO_TEST_CASE(names_ignore_case) {
  BOOST_TEST((sipsaf::field_of("MaX-fOrWaRdS") == sipsaf::field::max_forwards));
  BOOST_TEST((sipsaf::field_of("CSEQ") == sipsaf::field::cseq));
  BOOST_TEST((sipsaf::field_of("www-authenticate") == sipsaf::field::www_authenticate));
  BOOST_TEST((sipsaf::field_of("C%6Fntact") == sipsaf::field::unknown));
  BOOST_TEST((sipsaf::field_of("Contact2") == sipsaf::field::unknown));
  BOOST_TEST((sipsaf::field_of("") == sipsaf::field::unknown));
  BOOST_TEST((sipsaf::field_of("\xc3\xa9t") == sipsaf::field::unknown));
  for (std::size_t i = 1; i < sipsaf::field_count; ++i) {
    auto const f = static_cast<sipsaf::field>(i);
    BOOST_TEST((sipsaf::field_of(sipsaf::field_name(f)) == f));
  }
}

BOOST_AUTO_TEST_CASE(list_fields) {
  BOOST_TEST(sipsaf::is_list_field(sipsaf::field::via));
  BOOST_TEST(sipsaf::is_list_field(sipsaf::field::contact));
  BOOST_TEST(sipsaf::is_list_field(sipsaf::field::request_disposition));
  BOOST_TEST(!sipsaf::is_list_field(sipsaf::field::date));
  BOOST_TEST(!sipsaf::is_list_field(sipsaf::field::authorization));
  BOOST_TEST(!sipsaf::is_list_field(sipsaf::field::from));
}

BOOST_AUTO_TEST_SUITE_END()
