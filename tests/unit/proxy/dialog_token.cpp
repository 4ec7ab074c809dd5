// Dialog tokens: the same for both directions of one dialog, different for
// another Call-ID or another pair of parties, checked on a Route's `dlg`.
#include "proxy/dialog_token.hpp"

#include <sipsaf/message.hpp>

#include <boost/test/unit_test.hpp>

#include <array>
#include <string>

namespace {

auto wire(std::string const& from, std::string const& to, std::string const& call_id)
    -> std::string {
  sipsaf::request_builder b("MESSAGE", "sip:" + to);
  b.via("UDP", "127.0.0.1:5070", "z9hG4bK1")
      .max_forwards(70)
      .from("sip:" + from, "t1")
      .to("sip:" + to)
      .call_id(call_id)
      .cseq(1);
  auto w = b.build();
  BOOST_TEST_REQUIRE(w.has_value());
  return *w;
}

auto token(proxy::dialog_tokens const& t, std::string const& w) -> std::string {
  auto m = sipsaf::parse_message(w);
  BOOST_TEST_REQUIRE(m.has_value());
  return t.of(*m);
}

// Does the request in `w` follow the Route URI `route`?
auto follows(proxy::dialog_tokens const& t, std::string const& w, std::string const& route)
    -> bool {
  auto m = sipsaf::parse_message(w);
  BOOST_TEST_REQUIRE(m.has_value());
  auto u = sipsaf::parse_uri(route);
  BOOST_TEST_REQUIRE(u.has_value());
  return t.follows(*m, *u);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dialog_token)

BOOST_AUTO_TEST_CASE(both_directions_one_token) {
  proxy::dialog_tokens t;
  std::string const ab = wire("alice@example.org", "bob@example.org", "c1");
  std::string const ba = wire("bob@EXAMPLE.org", "alice@example.org", "c1");
  std::string const tok = token(t, ab);
  BOOST_TEST(tok.size() == 32u);
  BOOST_TEST(token(t, ba) == tok);  // the host's case does not matter
  std::string const route = "sip:127.0.0.1:5060;lr;dlg=" + tok;
  BOOST_TEST(follows(t, ab, route));
  BOOST_TEST(follows(t, ba, route));
}

BOOST_AUTO_TEST_CASE(another_dialog_or_party_is_refused) {
  proxy::dialog_tokens t;
  std::string const ab = wire("alice@example.org", "bob@example.org", "c1");
  std::string const route = "sip:127.0.0.1:5060;lr;dlg=" + token(t, ab);
  BOOST_TEST(!follows(t, wire("alice@example.org", "bob@example.org", "c2"), route));
  BOOST_TEST(!follows(t, wire("carol@example.org", "bob@example.org", "c1"), route));
  // No token, an empty one, a guessed one, another process's key.
  BOOST_TEST(!follows(t, ab, "sip:127.0.0.1:5060;lr"));
  BOOST_TEST(!follows(t, ab, "sip:127.0.0.1:5060;lr;dlg"));
  BOOST_TEST(!follows(t, ab, "sip:127.0.0.1:5060;lr;dlg=00000000000000000000000000000000"));
  proxy::dialog_tokens other;
  BOOST_TEST(!follows(other, ab, route));
}

// Several proxies that share a secret give one dialog the same token; a
// proxy with its own random key or another secret does not.
BOOST_AUTO_TEST_CASE(shared_secret_gives_shared_tokens) {
  std::array<unsigned char, 32> secret{}, other{};
  secret.fill(7);
  other.fill(8);
  proxy::dialog_tokens a, b, alone, elsewhere;
  a.derive_key(secret);
  b.derive_key(secret);
  elsewhere.derive_key(other);
  auto const w = wire("alice@example.test", "bob@example.test", "c1");
  BOOST_TEST(token(a, w) == token(b, w));
  BOOST_TEST(token(a, w) != token(alone, w));
  BOOST_TEST(token(a, w) != token(elsewhere, w));
}

BOOST_AUTO_TEST_SUITE_END()
