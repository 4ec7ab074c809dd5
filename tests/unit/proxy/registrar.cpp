#include "proxy/registrar.hpp"

#include "common/digest.hpp"

#include "proxy/log.hpp"

#include <sipsaf/message.hpp>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace dg = example::digest;
using std::chrono::seconds;

namespace {

struct registrar_fixture {
  proxy::users_file users;
  proxy::registrar reg{proxy::registrar::config{"example.org"}, &users};
  proxy::steady::time_point t0 = proxy::steady::now();
  proxy::peer from{proxy::transport_kind::udp, boost::asio::ip::make_address("127.0.0.1"), 5070, 0};
  std::uint32_t cseq = 0;
  std::string call_id = "reg-" + dg::random_hex(4);

  registrar_fixture() {
    proxy::log::threshold = proxy::log::level::error;  // quiet tests
    users.passwords["alice"] = "wonderland";
    users.passwords["bob"] = "builder";
  }

  struct req {
    std::string user = "bob";
    std::string contact = "<sip:bob@127.0.0.1:5070>";
    std::optional<std::uint32_t> expires;
    std::string authorization;
    std::string user_agent;
  };

  auto build(req const& r) -> std::string {
    sipsaf::request_builder b("REGISTER", "sip:example.org");
    b.via("UDP", "127.0.0.1:5070", "z9hG4bK" + dg::random_hex(6))
        .max_forwards(70)
        .from("sip:" + r.user + "@example.org", "t1")
        .to("sip:" + r.user + "@example.org")
        .call_id(call_id)
        .cseq(++cseq);
    if (!r.contact.empty()) b.header("Contact", r.contact);
    if (r.expires) b.expires(*r.expires);
    if (!r.authorization.empty()) b.header("Authorization", r.authorization);
    if (!r.user_agent.empty()) b.header("User-Agent", r.user_agent);
    auto w = b.build();
    BOOST_TEST_REQUIRE(w.has_value());
    return *w;
  }

  auto send(req const& r, proxy::steady::time_point at) -> proxy::registrar::result {
    std::string const wire = build(r);
    auto m = sipsaf::parse_message(wire);
    BOOST_TEST_REQUIRE(m.has_value());
    return reg.handle(*m, r.user, from, at, "test");
  }

  // The registrar is given authenticated requests (digest_auth.cpp tests
  // the authentication); the algorithm does not matter to it.
  auto register_with(dg::algorithm, req r, proxy::steady::time_point at)
      -> proxy::registrar::result {
    return send(r, at);
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(registrar)

BOOST_FIXTURE_TEST_CASE(sha256_and_md5_register, registrar_fixture) {
  auto r = register_with(dg::sha256, {}, t0);
  BOOST_TEST(r.code == 200);
  BOOST_TEST(r.aor == "sip:bob@example.org");
  BOOST_TEST(r.reachable);
  BOOST_TEST(r.response.find("Contact: <sip:bob@127.0.0.1:5070>;expires=3600") !=
             std::string::npos);
  auto c = reg.contacts("sip:bob@example.org", t0);
  BOOST_TEST_REQUIRE(c.size() == 1u);
  BOOST_TEST(c[0]->contact == "sip:bob@127.0.0.1:5070");

  req alice;
  alice.user = "alice";
  alice.contact = "<sip:alice@127.0.0.1:5071>";
  BOOST_TEST(register_with(dg::md5, alice, t0).code == 200);
  BOOST_TEST(reg.binding_count() == 2u);
}

BOOST_FIXTURE_TEST_CASE(unknown_user, registrar_fixture) {
  req nobody;
  nobody.user = "mallory";
  BOOST_TEST(send(nobody, t0).code == 404);
}

// A contact the proxy's check refuses (one that reaches the proxy itself
// would loop): 403 with the reason, nothing bound; a removal is not checked.
BOOST_FIXTURE_TEST_CASE(contact_at_the_proxy_refused, registrar_fixture) {
  reg.set_contact_check([](sipsaf::uri_view const& u, proxy::peer const&) {
    return proxy::contact_verdict{
        u.host == "example.org" ? std::string("is this proxy itself") : std::string(), {}};
  });
  req r;
  r.contact = "<sip:bob@127.0.0.1:5070>, <sip:bob@example.org>";
  auto res = send(r, t0);
  BOOST_TEST(res.code == 403);
  BOOST_TEST(res.log.find("this proxy itself") != std::string::npos);
  BOOST_TEST(res.response.find("Warning: 399 sipsaf-proxy \"contact is this proxy itself\"") !=
             std::string::npos);
  BOOST_TEST(reg.binding_count() == 0u);
  BOOST_TEST(!reg.is_contact("sip:bob@127.0.0.1:5070"));
  r.contact = "<sip:bob@127.0.0.1:5070>";
  BOOST_TEST(send(r, t0).code == 200);
  BOOST_TEST(reg.is_contact("sip:bob@127.0.0.1:5070"));
  r.contact = "<sip:bob@example.org>;expires=0";  // removing goes anywhere
  BOOST_TEST(send(r, t0).code == 200);
}

// A contact on another host than the REGISTER came from (NAT) is bound,
// and reached where the check says: the registering address, not the host
// the contact names.
BOOST_FIXTURE_TEST_CASE(contact_reached_at_the_registering_address, registrar_fixture) {
  proxy::peer const nat{proxy::transport_kind::udp, boost::asio::ip::make_address("127.0.0.1"),
                        40000, 0};
  reg.set_contact_check([&](sipsaf::uri_view const& u, proxy::peer const&) {
    return proxy::contact_verdict{{}, u.host == "192.168.1.20" ? std::optional(nat) : std::nullopt};
  });
  req r;
  r.contact = "<sip:bob@192.168.1.20:5060>, <sip:bob@127.0.0.1:5070>";
  BOOST_TEST(send(r, t0).code == 200);
  auto const* behind = reg.find_contact("sip:bob@192.168.1.20:5060");
  BOOST_TEST_REQUIRE(behind != nullptr);
  BOOST_TEST_REQUIRE(behind->reach_at.has_value());
  BOOST_TEST(behind->reach_at->same_endpoint(nat));
  auto const* direct = reg.find_contact("sip:bob@127.0.0.1:5070");
  BOOST_TEST_REQUIRE(direct != nullptr);
  BOOST_TEST(!direct->reach_at.has_value());
}

BOOST_FIXTURE_TEST_CASE(expiry_and_unregister, registrar_fixture) {
  req r;
  r.contact = "<sip:bob@127.0.0.1:5070>;q=0.5, <sip:bob@127.0.0.1:5072>;q=0.9";
  r.expires = 10;
  BOOST_TEST(register_with(dg::sha256, r, t0).code == 200);
  auto c = reg.contacts("sip:bob@example.org", t0);
  BOOST_TEST_REQUIRE(c.size() == 2u);
  BOOST_TEST(c[0]->contact == "sip:bob@127.0.0.1:5072");  // higher q first
  BOOST_TEST(reg.contacts("sip:bob@example.org", t0 + seconds(11)).empty());
  reg.sweep(t0 + seconds(11));
  BOOST_TEST(reg.binding_count() == 0u);

  // Two contacts, then one removed with expires=0, then all with `*`.
  r.expires = 3600;
  BOOST_TEST(register_with(dg::sha256, r, t0).code == 200);
  req one;
  one.contact = "<sip:bob@127.0.0.1:5072>;expires=0";
  BOOST_TEST(register_with(dg::sha256, one, t0).code == 200);
  BOOST_TEST(reg.contacts("sip:bob@example.org", t0).size() == 1u);
  req all;
  all.contact = "*";
  all.expires = 0;
  auto gone = register_with(dg::sha256, all, t0);
  BOOST_TEST(gone.code == 200);
  BOOST_TEST(!gone.reachable);
  BOOST_TEST(reg.binding_count() == 0u);
  // `*` without Expires: 0 is refused.
  req bad_star;
  bad_star.contact = "*";
  BOOST_TEST(register_with(dg::sha256, bad_star, t0).code == 400);
}

// A contact that did not answer is skipped for a while, then tried again.
BOOST_FIXTURE_TEST_CASE(suspect_contacts, registrar_fixture) {
  BOOST_TEST(register_with(dg::sha256, {}, t0).code == 200);
  reg.delivery_failed("sip:bob@example.org", "sip:bob@127.0.0.1:5070", t0);
  BOOST_TEST(reg.contacts("sip:bob@example.org", t0 + seconds(1)).empty());
  BOOST_TEST(reg.sweep(t0 + seconds(10)).empty());
  auto back = reg.sweep(t0 + seconds(31));
  BOOST_TEST_REQUIRE(back.size() == 1u);
  BOOST_TEST(back[0] == "sip:bob@example.org");
  BOOST_TEST(reg.contacts("sip:bob@example.org", t0 + seconds(31)).size() == 1u);
  // A second failure in a row waits twice as long.
  reg.delivery_failed("sip:bob@example.org", "sip:bob@127.0.0.1:5070", t0 + seconds(31));
  BOOST_TEST(reg.sweep(t0 + seconds(31 + 45)).empty());
  BOOST_TEST(reg.sweep(t0 + seconds(31 + 61)).size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
