#include "proxy/registrar.hpp"

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
    return reg.handle(*m, r.user, from, at);
  }

  // The challenges of a 401, in order.
  static auto challenges(proxy::registrar::result const& r) -> std::vector<dg::challenge> {
    std::vector<dg::challenge> out;
    auto m = sipsaf::parse_message(r.response);
    BOOST_TEST_REQUIRE(m.has_value());
    for (auto const& row : m->headers())
      if (row.id == sipsaf::field::www_authenticate) {
        auto c = dg::parse_challenge(row.value);
        BOOST_TEST_REQUIRE(c.has_value());
        out.push_back(*c);
      }
    return out;
  }

  auto answer(dg::challenge const& c, std::string const& user, std::string const& password,
              std::uint32_t nc = 1) -> std::string {
    return dg::to_string(
        dg::answer(c, user, password, "REGISTER", "sip:example.org", dg::random_hex(8), nc));
  }

  // A full registration with the given algorithm.
  auto register_with(dg::algorithm alg, req r, proxy::steady::time_point at)
      -> proxy::registrar::result {
    auto first = send(r, at);
    BOOST_TEST_REQUIRE(first.code == 401);
    for (auto const& c : challenges(first))
      if (c.alg == alg) {
        r.authorization = answer(c, r.user, *users.find(r.user));
        return send(r, at);
      }
    BOOST_FAIL("no challenge with that algorithm");
    return {};
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(registrar)

// RFC 8760 §2.4: both challenges, SHA-256 first.
BOOST_FIXTURE_TEST_CASE(challenge_order, registrar_fixture) {
  auto r = send({}, t0);
  BOOST_TEST(r.code == 401);
  auto cs = challenges(r);
  BOOST_TEST_REQUIRE(cs.size() == 2u);
  BOOST_TEST((cs[0].alg == dg::sha256));
  BOOST_TEST((cs[1].alg == dg::md5));
  BOOST_TEST(cs[0].realm == "example.org");
  BOOST_TEST(cs[0].qop_auth);
  BOOST_TEST(cs[0].nonce != cs[1].nonce);
  BOOST_TEST(cs[0].nonce.size() == 32u);
}

// Clients that read only the first challenge and speak only MD5 get it first.
BOOST_FIXTURE_TEST_CASE(md5_first_for_md5_only_clients, registrar_fixture) {
  req r;
  r.user_agent = "sipsak 0.9.8.1";
  auto cs = challenges(send(r, t0));
  BOOST_TEST_REQUIRE(cs.size() == 2u);
  BOOST_TEST((cs[0].alg == dg::md5));
  BOOST_TEST((cs[1].alg == dg::sha256));
}

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

BOOST_FIXTURE_TEST_CASE(failures, registrar_fixture) {
  // Unknown user.
  req nobody;
  nobody.user = "mallory";
  BOOST_TEST(send(nobody, t0).code == 404);

  // Wrong password: challenged again, nothing bound.
  auto first = send({}, t0);
  auto cs = challenges(first);
  req r;
  r.authorization = answer(cs[0], "bob", "not-builder");
  auto wrong = send(r, t0);
  BOOST_TEST(wrong.code == 401);
  BOOST_TEST(wrong.log.find("wrong password") != std::string::npos);
  BOOST_TEST(reg.contacts("sip:bob@example.org", t0).empty());

  // Alice's credentials do not register Bob, even with the right password.
  r.authorization = answer(cs[0], "alice", "wonderland");
  BOOST_TEST(send(r, t0).code == 403);
  BOOST_TEST(reg.contacts("sip:bob@example.org", t0).empty());

  // A nonce we never gave out.
  dg::challenge forged = cs[0];
  forged.nonce = dg::random_hex(16);
  r.authorization = answer(forged, "bob", "builder");
  auto unknown = send(r, t0);
  BOOST_TEST(unknown.code == 401);
  BOOST_TEST(unknown.log.find("unknown nonce") != std::string::npos);
}

// The same Authorization again (same nonce, same count) is a replay.
BOOST_FIXTURE_TEST_CASE(replay, registrar_fixture) {
  auto cs = challenges(send({}, t0));
  req r;
  r.authorization = answer(cs[0], "bob", "builder", 1);
  BOOST_TEST(send(r, t0).code == 200);
  auto again = send(r, t0);
  BOOST_TEST(again.code == 401);
  BOOST_TEST(again.log.find("replayed") != std::string::npos);
  // A rising nonce-count on the same nonce is fine (RFC 2617 §3.2.2).
  r.authorization = answer(cs[0], "bob", "builder", 2);
  BOOST_TEST(send(r, t0).code == 200);
}

// An old nonce: challenged again with stale=TRUE (RFC 2617 §3.2.1).
BOOST_FIXTURE_TEST_CASE(stale_nonce, registrar_fixture) {
  auto cs = challenges(send({}, t0));
  req r;
  r.authorization = answer(cs[0], "bob", "builder");
  auto late = send(r, t0 + seconds(301));
  BOOST_TEST(late.code == 401);
  auto again = challenges(late);
  BOOST_TEST_REQUIRE(!again.empty());
  BOOST_TEST(again[0].stale);
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
