// Test that the header is self-contained.
#include <sipsaf/reachability/pidf.hpp>

#include <boost/test/unit_test.hpp>

#include <string>

BOOST_AUTO_TEST_SUITE(pidf)

namespace {
// The shape a presence server publishes for a registered phone.
constexpr char const* bob_open = R"(<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"
          xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:bob@example.test">
  <tuple id="0x2a">
    <status><basic>open</basic></status>
    <contact priority="0.8">sip:bob@127.0.0.1:35062</contact>
    <note>Online</note>
  </tuple>
  <dm:person id="p1"><rpid:activities><rpid:busy/></rpid:activities></dm:person>
</presence>)";

auto body(char const* tuples) -> std::string {
  return std::string(R"(<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:bob@h">)") +
         tuples + "</presence>";
}
}  // namespace

BOOST_AUTO_TEST_CASE(reads_entity_tuples_and_basic_status) {
  auto const r = sipsaf::parse_pidf(bob_open);
  BOOST_TEST_REQUIRE(r.has_value(), (r ? "" : r.error().message()));
  BOOST_TEST(r->entity == "sip:bob@example.test");
  BOOST_TEST_REQUIRE(r->tuples.size() == 1u);
  BOOST_TEST(r->tuples[0].id == "0x2a");
  BOOST_TEST((r->tuples[0].basic == sipsaf::basic_status::open));
  BOOST_TEST(r->tuples[0].contact == "sip:bob@127.0.0.1:35062");
  BOOST_TEST(r->open());
}

BOOST_AUTO_TEST_CASE(open_when_any_tuple_is_open) {
  auto r = sipsaf::parse_pidf(body("<tuple id='a'><status><basic>closed</basic></status></tuple>"));
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST(!r->open());
  r =
      sipsaf::parse_pidf(body("<tuple id='a'><status><basic>closed</basic></status></tuple>"
                              "<tuple id='b'><status><basic> open </basic></status></tuple>"));
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST(r->open());
  r = sipsaf::parse_pidf(body("<tuple id='a'><status/></tuple>"));
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST((r->tuples.at(0).basic == sipsaf::basic_status::unknown));
  BOOST_TEST(!r->open());
  r = sipsaf::parse_pidf(body(""));  // no tuple at all: nobody there
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST(!r->open());
  // A <basic> outside <status> or in another namespace says nothing.
  r =
      sipsaf::parse_pidf(body("<tuple id='a'><basic>open</basic><status>"
                              "<x:basic xmlns:x='urn:x'>open</x:basic></status></tuple>"));
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST(!r->open());
}

BOOST_AUTO_TEST_CASE(bad_documents_are_refused_with_their_code) {
  using sipsaf::errc;
  BOOST_TEST((sipsaf::parse_pidf("").error().code == errc::bad_xml));
  BOOST_TEST((sipsaf::parse_pidf("<presence").error().code == errc::bad_xml));
  BOOST_TEST(
      (sipsaf::parse_pidf("<presence entity='sip:a@b'/>").error().code == errc::bad_xml_document));
  BOOST_TEST((sipsaf::parse_pidf("<presence xmlns='urn:ietf:params:xml:ns:pidf'/>").error().code ==
              errc::bad_xml_document));
  BOOST_TEST((sipsaf::parse_pidf(body("<tuple><status><basic>open</basic></status></tuple>"))
                  .error()
                  .code == errc::bad_xml_document));
  BOOST_TEST((sipsaf::parse_pidf(body("<tuple id='a'><status><basic>busy</basic></status></tuple>"))
                  .error()
                  .code == errc::bad_xml_document));
  auto const doctype = "<!DOCTYPE p SYSTEM 'file:///etc/passwd'><presence/>";
  auto const r = sipsaf::parse_pidf(doctype);
  BOOST_TEST((r.error().code == errc::bad_xml));
  BOOST_TEST(r.error().offset < std::string(doctype).find("<presence"));
}

BOOST_AUTO_TEST_CASE(limits_have_their_own_codes) {
  std::string many = "<tuple id='a'>";
  for (int i = 0; i < 3000; ++i) many += "<note/>";
  many += "</tuple>";
  BOOST_TEST(
      (sipsaf::parse_pidf(body(many.c_str())).error().code == sipsaf::errc::too_many_elements));
  sipsaf::xml_limits lim;
  lim.max_bytes = 10;
  BOOST_TEST((sipsaf::parse_pidf(bob_open, lim).error().code == sipsaf::errc::body_too_large));
}

BOOST_AUTO_TEST_SUITE_END()
