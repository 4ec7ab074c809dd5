// Test that the header is self-contained.
#include <sipsaf/reachability/reginfo.hpp>

#include <boost/test/unit_test.hpp>

#include <string>

BOOST_AUTO_TEST_SUITE(reginfo)

namespace {

// The shape a registrar sends when bob registers one phone (full state).
constexpr char const* bob_created = R"(<?xml version="1.0"?>
<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="0" state="full">
  <registration aor="sip:bob@example.test" id="0x7f01" state="active">
    <contact id="0x7f02" state="active" event="created" expires="3600" q="-1.00"
             callid="a84b4c76e66710" cseq="1" received="" path="" user_agent="phone">
      <uri> sip:bob@127.0.0.1:35062 </uri>
    </contact>
  </registration>
</reginfo>)";

constexpr char const* bob_unregistered = R"(<?xml version="1.0"?>
<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="0" state="full">
  <registration aor="sip:bob@example.test" id="0x7f01" state="terminated">
    <contact id="0x7f02" state="terminated" event="unregistered" expires="3600">
      <uri>sip:bob@127.0.0.1:35062</uri>
    </contact>
  </registration>
</reginfo>)";

auto partial(unsigned version, char const* contact_state, char const* id = "c2") -> std::string {
  return std::string(R"(<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version=")") +
         std::to_string(version) +
         R"(" state="partial"><registration aor="sip:bob@example.test" id="r" state="active">)"
         R"(<contact id=")" +
         id + R"(" state=")" + contact_state +
         R"(" event="registered"><uri>sip:bob@192.0.2.9</uri></contact></registration></reginfo>)";
}

}  // namespace

BOOST_AUTO_TEST_CASE(reads_registrations_and_contacts) {
  auto const r = sipsaf::parse_reginfo(bob_created);
  BOOST_TEST_REQUIRE(r.has_value(), (r ? "" : r.error().message()));
  BOOST_TEST(r->version == 0u);
  BOOST_TEST((r->state == sipsaf::reginfo_state::full));
  BOOST_TEST_REQUIRE(r->registrations.size() == 1u);
  auto const& reg = r->registrations[0];
  BOOST_TEST(reg.aor == "sip:bob@example.test");
  BOOST_TEST(reg.id == "0x7f01");
  BOOST_TEST((reg.state == sipsaf::registration_state::active));
  BOOST_TEST_REQUIRE(reg.contacts.size() == 1u);
  BOOST_TEST(reg.contacts[0].id == "0x7f02");
  BOOST_TEST((reg.contacts[0].state == sipsaf::contact_state::active));
  BOOST_TEST((reg.contacts[0].event == sipsaf::contact_event::created));
  BOOST_TEST(reg.contacts[0].uri == "sip:bob@127.0.0.1:35062");
  BOOST_TEST(reg.contacts[0].expires.value() == 3600u);
  BOOST_TEST(reg.reachable());
  BOOST_TEST(r->find("sip:bob@example.test") == &reg);
  BOOST_TEST(r->find("sip:alice@example.test") == nullptr);
}

BOOST_AUTO_TEST_CASE(terminated_contact_is_unreachable_whatever_expires_says) {
  auto const r = sipsaf::parse_reginfo(bob_unregistered);
  BOOST_TEST_REQUIRE(r.has_value());
  auto const& reg = r->registrations.at(0);
  BOOST_TEST((reg.contacts.at(0).event == sipsaf::contact_event::unregistered));
  BOOST_TEST(reg.contacts.at(0).expires.value() == 3600u);
  BOOST_TEST(!reg.reachable());
}

BOOST_AUTO_TEST_CASE(prefixed_namespace_and_foreign_elements) {
  auto const r = sipsaf::parse_reginfo(
      R"(<r:reginfo xmlns:r="urn:ietf:params:xml:ns:reginfo" xmlns:x="urn:example:x" )"
      R"(version="7" state="partial"><x:note>hi<r:contact id="z" state="active" event="created"/>)"
      R"(</x:note><r:registration aor="sip:a@b" id="1" state="init"><x:y/>)"
      R"(<r:contact id="c" state="active" event="other-event"><r:uri>sip:a@h</r:uri>)"
      R"(<r:display-name>A</r:display-name><r:unknown-param name="p">v</r:unknown-param>)"
      R"(</r:contact></r:registration></r:reginfo>)");
  BOOST_TEST_REQUIRE(r.has_value(), (r ? "" : r.error().message()));
  BOOST_TEST(r->version == 7u);
  BOOST_TEST((r->state == sipsaf::reginfo_state::partial));
  BOOST_TEST_REQUIRE(r->registrations.size() == 1u);
  BOOST_TEST_REQUIRE(r->registrations[0].contacts.size() == 1u);
  BOOST_TEST((r->registrations[0].contacts[0].event == sipsaf::contact_event::other));
  BOOST_TEST(r->registrations[0].contacts[0].uri == "sip:a@h");
}

BOOST_AUTO_TEST_CASE(entities_are_decoded) {
  auto const r = sipsaf::parse_reginfo(
      R"(<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="1" state="full">)"
      R"(<registration aor="sip:a&amp;b@h" id="1" state="active"><contact id="c" state="active" )"
      R"(event="registered"><uri>sip:x@h;a=&lt;1&gt;</uri></contact></registration></reginfo>)");
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST(r->registrations[0].aor == "sip:a&b@h");
  BOOST_TEST(r->registrations[0].contacts[0].uri == "sip:x@h;a=<1>");
}

BOOST_AUTO_TEST_CASE(bad_documents_are_refused_with_their_code) {
  using sipsaf::errc;
  struct bad_case {
    char const* body;
    errc code;
  };
  bad_case const cases[] = {
      {"", errc::bad_xml},
      {"<reginfo", errc::bad_xml},
      {"<reginfo xmlns='urn:ietf:params:xml:ns:reginfo' version='1' state='full'></registration>",
       errc::bad_xml},
      {"<reginfo version='1' state='full'/>", errc::bad_xml_document},  // no namespace
      {"<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@b'/>", errc::bad_xml_document},
      {"<reginfo xmlns='urn:ietf:params:xml:ns:reginfo' state='full'/>", errc::bad_xml_document},
      {"<reginfo xmlns='urn:ietf:params:xml:ns:reginfo' version='-1' state='full'/>",
       errc::bad_xml_document},
      {"<reginfo xmlns='urn:ietf:params:xml:ns:reginfo' version='99999999999999999999' "
       "state='full'/>",
       errc::bad_xml_document},
      {"<reginfo xmlns='urn:ietf:params:xml:ns:reginfo' version='1' state='some'/>",
       errc::bad_xml_document},
      {"<reginfo xmlns='urn:ietf:params:xml:ns:reginfo' version='1' state='full'>"
       "<registration id='1' state='active'/></reginfo>",
       errc::bad_xml_document},
      {"<reginfo xmlns='urn:ietf:params:xml:ns:reginfo' version='1' state='full'>"
       "<registration aor='sip:a@b' id='1' state='gone'/></reginfo>",
       errc::bad_xml_document},
      {"<reginfo xmlns='urn:ietf:params:xml:ns:reginfo' version='1' state='full'>"
       "<registration aor='sip:a@b' id='1' state='active'><contact id='c' state='up' "
       "event='created'><uri>sip:a@h</uri></contact></registration></reginfo>",
       errc::bad_xml_document},
      {"<reginfo xmlns='urn:ietf:params:xml:ns:reginfo' version='1' state='full'>"
       "<registration aor='sip:a@b' id='1' state='active'><contact id='c' state='active' "
       "event='created'/></registration></reginfo>",
       errc::bad_xml_document},  // no <uri>
      {"<reginfo xmlns='urn:ietf:params:xml:ns:reginfo' version='1' state='full'>"
       "<registration aor='sip:a@b' id='1' state='active'><contact id='c' state='active' "
       "event='created' expires='x'><uri>u</uri></contact></registration></reginfo>",
       errc::bad_xml_document},
  };
  for (auto const& c : cases) {
    auto const r = sipsaf::parse_reginfo(c.body);
    BOOST_TEST_INFO(c.body);
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST((r.error().code == c.code), sipsaf::to_string(r.error().code));
  }
}

BOOST_AUTO_TEST_CASE(doctype_is_refused_so_no_entity_expands) {
  auto const body =
      R"(<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>)"
      R"(<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="1" state="full">&b;</reginfo>)";
  auto const r = sipsaf::parse_reginfo(body);
  BOOST_TEST_REQUIRE(!r.has_value());
  BOOST_TEST((r.error().code == sipsaf::errc::bad_xml));
  // Stopped inside the declaration, before its internal subset is read.
  BOOST_TEST(r.error().offset >= std::string(body).find("<!DOCTYPE"));
  BOOST_TEST(r.error().offset <= std::string(body).find("<!ENTITY"));
}

BOOST_AUTO_TEST_CASE(limits_have_their_own_codes) {
  sipsaf::xml_limits lim;
  lim.max_bytes = 100;
  auto r = sipsaf::parse_reginfo(bob_created, lim);
  BOOST_TEST_REQUIRE(!r.has_value());
  BOOST_TEST((r.error().code == sipsaf::errc::body_too_large));

  lim = {};
  lim.max_depth = 3;  // reginfo, registration, contact: the <uri> is one too deep
  r = sipsaf::parse_reginfo(bob_created, lim);
  BOOST_TEST_REQUIRE(!r.has_value());
  BOOST_TEST((r.error().code == sipsaf::errc::nesting_too_deep));
  lim.max_depth = 4;
  BOOST_TEST(sipsaf::parse_reginfo(bob_created, lim).has_value());

  lim = {};
  lim.max_elements = 3;
  r = sipsaf::parse_reginfo(bob_created, lim);
  BOOST_TEST_REQUIRE(!r.has_value());
  BOOST_TEST((r.error().code == sipsaf::errc::too_many_elements));
  lim.max_elements = 4;
  BOOST_TEST(sipsaf::parse_reginfo(bob_created, lim).has_value());

  // Deep nesting of foreign elements is bounded too, at its own offset.
  std::string deep = R"(<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="1" state="full">)";
  for (int i = 0; i < 100; ++i) deep += "<x>";
  r = sipsaf::parse_reginfo(deep);
  BOOST_TEST_REQUIRE(!r.has_value());
  BOOST_TEST((r.error().code == sipsaf::errc::nesting_too_deep));
  BOOST_TEST(r.error().offset > 70u);
}

BOOST_AUTO_TEST_CASE(tracker_takes_full_state_even_when_version_stays) {
  sipsaf::reginfo_tracker t;
  BOOST_TEST(!t.reachable("sip:bob@example.test"));
  BOOST_TEST((t.apply(*sipsaf::parse_reginfo(bob_created)) == sipsaf::reginfo_outcome::applied));
  BOOST_TEST(t.reachable("sip:bob@example.test"));
  BOOST_TEST(t.any_reachable());
  // Same version 0 again, now terminated: a full state stands on its own.
  BOOST_TEST(
      (t.apply(*sipsaf::parse_reginfo(bob_unregistered)) == sipsaf::reginfo_outcome::applied));
  BOOST_TEST(!t.reachable("sip:bob@example.test"));
  BOOST_TEST(!t.any_reachable());
}

BOOST_AUTO_TEST_CASE(tracker_applies_partial_state_in_order_only) {
  sipsaf::reginfo_tracker t;
  // Partial before any full state: ask for full state.
  BOOST_TEST(
      (t.apply(*sipsaf::parse_reginfo(partial(1, "active"))) == sipsaf::reginfo_outcome::gap));
  BOOST_TEST(!t.reachable("sip:bob@example.test"));
  auto full = *sipsaf::parse_reginfo(bob_created);
  full.version = 4;
  BOOST_TEST((t.apply(full) == sipsaf::reginfo_outcome::applied));
  // A second contact comes and goes; the first stays active throughout.
  BOOST_TEST(
      (t.apply(*sipsaf::parse_reginfo(partial(5, "active"))) == sipsaf::reginfo_outcome::applied));
  BOOST_TEST((t.apply(*sipsaf::parse_reginfo(partial(5, "terminated"))) ==
              sipsaf::reginfo_outcome::stale));
  BOOST_TEST(
      (t.apply(*sipsaf::parse_reginfo(partial(7, "terminated"))) == sipsaf::reginfo_outcome::gap));
  BOOST_TEST((t.apply(*sipsaf::parse_reginfo(partial(6, "terminated", "0x7f02"))) ==
              sipsaf::reginfo_outcome::applied));
  BOOST_TEST(t.reachable("sip:bob@example.test"));  // c2 is still active
  BOOST_TEST((t.apply(*sipsaf::parse_reginfo(partial(7, "terminated"))) ==
              sipsaf::reginfo_outcome::applied));
  BOOST_TEST(!t.reachable("sip:bob@example.test"));
  BOOST_TEST(t.version() == 7u);
  t.reset();
  BOOST_TEST(
      (t.apply(*sipsaf::parse_reginfo(partial(8, "active"))) == sipsaf::reginfo_outcome::gap));
}

BOOST_AUTO_TEST_SUITE_END()
