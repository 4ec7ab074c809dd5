// Digest authentication of requests: challenges in the configured order,
// the same answer for unknown users and wrong passwords, the digest uri
// rules, stateless nonces (lifetime, forgery) and nonce-counts.
#include "proxy/digest_auth.hpp"

#include <sipsaf/message.hpp>

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace dg = example::digest;
using std::chrono::seconds;

namespace {

struct auth_fixture {
  proxy::users_file users;
  proxy::digest_auth auth{"example.org", {dg::md5}};
  proxy::digest_auth::clock::time_point t0 = proxy::digest_auth::clock::now();
  std::string wire;
  std::optional<sipsaf::message_view> msg;

  auth_fixture() {
    users.passwords["alice"] = "wonderland";
    users.passwords["bob"] = "builder";
  }

  auto request(std::string const& method, std::string const& ruri, std::string const& header = {},
               std::string const& value = {}) -> sipsaf::message_view const& {
    sipsaf::request_builder b(method, ruri);
    b.via("UDP", "127.0.0.1:5070", "z9hG4bK" + dg::random_hex(6))
        .max_forwards(70)
        .from("sip:alice@example.org", "t1")
        .to("sip:bob@example.org")
        .call_id("c1")
        .cseq(1);
    if (!header.empty()) b.header(header, value);
    wire = b.build().value();
    msg = sipsaf::parse_message(wire).value();
    return *msg;
  }

  auto challenges(std::string const& response, std::string const& name)
      -> std::vector<dg::challenge> {
    std::vector<dg::challenge> out;
    auto m = sipsaf::parse_message(response);
    BOOST_TEST_REQUIRE(m.has_value());
    for (auto const& row : m->headers())
      if (row.name == name || sipsaf::field_name(row.id) == name)
        out.push_back(dg::parse_challenge(row.value).value());
    return out;
  }

  auto verify(std::string const& method, std::string const& ruri, std::string const& cred,
              proxy::digest_auth::clock::time_point at) -> proxy::digest_auth::result {
    auto const& m = request(method, ruri, "Proxy-Authorization", cred);
    return auth.verify(
        m, sipsaf::field::proxy_authorization, &users,
        [](std::string_view uri) { return uri == "sip:127.0.0.1:5060"; }, at);
  }

  auto challenge_for(std::string const& method) -> dg::challenge {
    auto const& m = request(method, "sip:bob@example.org");
    auto cs = challenges(auth.challenge(m, 407, false, t0), "Proxy-Authenticate");
    BOOST_TEST_REQUIRE(cs.size() == 1u);
    return cs[0];
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(digest_auth)

// RFC 8760 §2.4: one challenge per configured algorithm, in that order.
BOOST_FIXTURE_TEST_CASE(challenge_order_is_the_operators, auth_fixture) {
  proxy::digest_auth both{"example.org", {dg::sha256, dg::md5}};
  auto const& m = request("REGISTER", "sip:example.org");
  auto cs = challenges(both.challenge(m, 401, false, t0), "WWW-Authenticate");
  BOOST_TEST_REQUIRE(cs.size() == 2u);
  BOOST_TEST((cs[0].alg == dg::sha256));
  BOOST_TEST((cs[1].alg == dg::md5));
  BOOST_TEST(cs[0].realm == "example.org");
  // The default: MD5 alone.
  auto one = challenges(auth.challenge(m, 407, false, t0), "Proxy-Authenticate");
  BOOST_TEST_REQUIRE(one.size() == 1u);
  BOOST_TEST((one[0].alg == dg::md5));
}

BOOST_FIXTURE_TEST_CASE(right_password_over_the_uri_sent, auth_fixture) {
  auto c = challenge_for("MESSAGE");
  // The Request-URI as uri.
  auto cred = dg::answer(c, "alice", "wonderland", "MESSAGE", "sip:bob@example.org", "cn", 1);
  auto r = verify("MESSAGE", "sip:bob@example.org", dg::to_string(cred), t0);
  BOOST_TEST((r.what == proxy::digest_auth::status::ok));
  BOOST_TEST(r.user == "alice");
  // The proxy's own address as uri (sipp): accepted, computed over that uri.
  auto sipp = dg::answer(c, "alice", "wonderland", "MESSAGE", "sip:127.0.0.1:5060", "cn", 2);
  BOOST_TEST((verify("MESSAGE", "sip:bob@example.org", dg::to_string(sipp), t0).what ==
              proxy::digest_auth::status::ok));
  // Some other place: refused.
  auto other = dg::answer(c, "alice", "wonderland", "MESSAGE", "sip:evil.test", "cn", 3);
  auto bad = verify("MESSAGE", "sip:bob@example.org", dg::to_string(other), t0);
  BOOST_TEST((bad.what == proxy::digest_auth::status::failed));
  BOOST_TEST(bad.why.find("digest uri") != std::string::npos);
}

// Known and unknown users get the same verdict, so names cannot be probed.
BOOST_FIXTURE_TEST_CASE(unknown_user_like_wrong_password, auth_fixture) {
  auto c = challenge_for("MESSAGE");
  auto wrong = verify(
      "MESSAGE", "sip:bob@example.org",
      dg::to_string(dg::answer(c, "alice", "nope", "MESSAGE", "sip:bob@example.org", "cn", 1)), t0);
  auto nobody = verify(
      "MESSAGE", "sip:bob@example.org",
      dg::to_string(dg::answer(c, "zed", "nope", "MESSAGE", "sip:bob@example.org", "cn", 1)), t0);
  BOOST_TEST((wrong.what == proxy::digest_auth::status::failed));
  BOOST_TEST((nobody.what == proxy::digest_auth::status::failed));
  BOOST_TEST(nobody.user == "zed");
}

BOOST_FIXTURE_TEST_CASE(nonces_are_ours_fresh_and_counted, auth_fixture) {
  auto c = challenge_for("MESSAGE");
  auto cred = dg::answer(c, "alice", "wonderland", "MESSAGE", "sip:bob@example.org", "cn", 1);
  BOOST_TEST((verify("MESSAGE", "sip:bob@example.org", dg::to_string(cred), t0).what ==
              proxy::digest_auth::status::ok));
  // The same count again: a replay.
  BOOST_TEST((verify("MESSAGE", "sip:bob@example.org", dg::to_string(cred), t0).what ==
              proxy::digest_auth::status::stale));
  // A rising count: fine (RFC 7616 §3.4).
  auto next = dg::answer(c, "alice", "wonderland", "MESSAGE", "sip:bob@example.org", "cn", 2);
  BOOST_TEST((verify("MESSAGE", "sip:bob@example.org", dg::to_string(next), t0).what ==
              proxy::digest_auth::status::ok));
  // After its lifetime: stale (the password was right).
  auto late = dg::answer(c, "alice", "wonderland", "MESSAGE", "sip:bob@example.org", "cn", 3);
  BOOST_TEST(
      (verify("MESSAGE", "sip:bob@example.org", dg::to_string(late), t0 + seconds(301)).what ==
       proxy::digest_auth::status::stale));
  // A nonce we never issued, however well formed: never accepted; with a
  // wrong password a failure, with the right one stale (below).
  dg::challenge forged = c;
  forged.nonce = c.nonce.substr(0, c.nonce.rfind('.') + 1) + std::string(32, '0');
  auto f = dg::answer(forged, "alice", "nope", "MESSAGE", "sip:bob@example.org", "cn", 1);
  BOOST_TEST((verify("MESSAGE", "sip:bob@example.org", dg::to_string(f), t0).what ==
              proxy::digest_auth::status::failed));
  auto fr = dg::answer(forged, "alice", "wonderland", "MESSAGE", "sip:bob@example.org", "cn", 1);
  BOOST_TEST((verify("MESSAGE", "sip:bob@example.org", dg::to_string(fr), t0).what ==
              proxy::digest_auth::status::stale));
  // An algorithm not offered: as if there were no credentials.
  dg::challenge sha = c;
  sha.alg = dg::sha256;
  auto s = dg::answer(sha, "alice", "wonderland", "MESSAGE", "sip:bob@example.org", "cn", 1);
  BOOST_TEST((verify("MESSAGE", "sip:bob@example.org", dg::to_string(s), t0).what ==
              proxy::digest_auth::status::none));
}

// A client that keeps its nonce across a restart of the proxy (a new key
// when there is no --nonce-secret) answers with the right password over a
// nonce the new process cannot read: it is asked again with stale=TRUE
// (RFC 7616 §3.3), not counted as a guess and locked out.
BOOST_FIXTURE_TEST_CASE(a_nonce_from_before_a_restart_is_stale, auth_fixture) {
  proxy::digest_auth before{"example.org", {dg::md5}};
  auto const& m = request("MESSAGE", "sip:bob@example.org");
  auto cs = challenges(before.challenge(m, 407, false, t0), "Proxy-Authenticate");
  BOOST_TEST_REQUIRE(cs.size() == 1u);
  auto right = dg::answer(cs[0], "alice", "wonderland", "MESSAGE", "sip:bob@example.org", "cn", 5);
  auto r = verify("MESSAGE", "sip:bob@example.org", dg::to_string(right), t0);
  BOOST_TEST((r.what == proxy::digest_auth::status::stale));
  auto wrong = dg::answer(cs[0], "alice", "nope", "MESSAGE", "sip:bob@example.org", "cn", 6);
  BOOST_TEST((verify("MESSAGE", "sip:bob@example.org", dg::to_string(wrong), t0).what ==
              proxy::digest_auth::status::failed));
  // Asked again, the client answers the new challenge and is let in.
  auto again = challenge_for("MESSAGE");
  auto next = dg::answer(again, "alice", "wonderland", "MESSAGE", "sip:bob@example.org", "cn", 1);
  BOOST_TEST((verify("MESSAGE", "sip:bob@example.org", dg::to_string(next), t0).what ==
              proxy::digest_auth::status::ok));
}

BOOST_AUTO_TEST_CASE(stateless_nonce_table_is_bounded) {
  proxy::stateless_nonces n("example.org", seconds(300), 4);
  auto const t0 = proxy::stateless_nonces::clock::now();
  std::vector<std::string> issued;
  for (int i = 0; i < 6; ++i) issued.push_back(n.issue(dg::md5, t0 - seconds(6 - i)));
  for (auto const& x : issued)
    BOOST_TEST((n.check(x, dg::md5, t0) == proxy::stateless_nonces::verdict::fresh));
  BOOST_TEST((n.check(issued[0], dg::sha256, t0) == proxy::stateless_nonces::verdict::forged));
  for (auto const& x : issued)
    BOOST_TEST((n.use(x, "00000001", t0) == proxy::stateless_nonces::verdict::fresh));
  BOOST_TEST(n.tracked() == 4u);
  // Forgotten to make room: no longer accepted (its count is unknown), stale.
  BOOST_TEST((n.use(issued[0], "00000002", t0) == proxy::stateless_nonces::verdict::stale));
  BOOST_TEST((n.use(issued[5], "00000001", t0) == proxy::stateless_nonces::verdict::replayed));
  BOOST_TEST((n.use(issued[5], "00000002", t0) == proxy::stateless_nonces::verdict::fresh));
}

BOOST_AUTO_TEST_SUITE_END()

// Proxies of one service share the nonce key (--nonce-secret): a nonce one
// issued checks at another; under another key it is not ours.
BOOST_AUTO_TEST_CASE(a_shared_key_makes_nonces_good_at_every_proxy) {
  using proxy::stateless_nonces;
  proxy::nonce_key key{};
  key[0] = 7;
  stateless_nonces a("example.org"), b("example.org"), other("example.org");
  a.set_key(key);
  b.set_key(key);
  auto const t0 = stateless_nonces::clock::now();
  auto const n = a.issue(dg::md5, t0);
  BOOST_TEST((b.check(n, dg::md5, t0) == stateless_nonces::verdict::fresh));
  BOOST_TEST((other.check(n, dg::md5, t0) == stateless_nonces::verdict::forged));
  // Another machine's clock a little behind: still fresh; far behind: stale.
  BOOST_TEST((b.check(n, dg::md5, t0 - seconds(3)) == stateless_nonces::verdict::fresh));
  BOOST_TEST((b.check(n, dg::md5, t0 - seconds(60)) == stateless_nonces::verdict::stale));
}

BOOST_AUTO_TEST_CASE(a_nonce_secret_file_others_can_read_or_too_short_is_refused) {
  char dir[] = "/tmp/sipsaf-nonce-XXXXXX";
  BOOST_REQUIRE(::mkdtemp(dir) != nullptr);
  auto write = [&](std::string const& name, std::string const& data, mode_t mode) {
    std::string const path = std::string(dir) + "/" + name;
    FILE* f = std::fopen(path.c_str(), "wb");
    std::fwrite(data.data(), 1, data.size(), f);
    std::fclose(f);
    ::chmod(path.c_str(), mode);
    return path;
  };
  proxy::nonce_key k1{}, k2{};
  std::string why;
  auto const good = write("good", std::string(40, 'x'), 0600);
  BOOST_TEST(proxy::load_nonce_secret(good, k1, why));
  BOOST_TEST(proxy::load_nonce_secret(write("same", std::string(40, 'x') + "\n", 0400), k2, why));
  BOOST_TEST((k1 == k2));  // a final newline is not part of the secret
  BOOST_TEST(!proxy::load_nonce_secret(write("open", std::string(40, 'x'), 0644), k2, why));
  BOOST_TEST(why.find("chmod 600") != std::string::npos, why);
  BOOST_TEST(!proxy::load_nonce_secret(write("short", "0123456789", 0600), k2, why));
  BOOST_TEST(why.find("holds 10 bytes") != std::string::npos, why);
  BOOST_TEST(!proxy::load_nonce_secret(std::string(dir) + "/missing", k2, why));
  BOOST_TEST(why.find("cannot open") != std::string::npos, why);
  BOOST_TEST(!proxy::load_nonce_secret(dir, k2, why));  // a directory
  for (char const* f : {"good", "same", "open", "short"})
    std::remove((std::string(dir) + "/" + f).c_str());
  ::rmdir(dir);
}
