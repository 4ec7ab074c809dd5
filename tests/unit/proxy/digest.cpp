#include "common/digest.hpp"

#include "test_helpers.hpp"

#include <boost/test/unit_test.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <set>
#include <string>

namespace dg = example::digest;

BOOST_AUTO_TEST_SUITE(digest)

// RFC 2617 §3.5: the worked example (MD5, qop=auth).
BOOST_AUTO_TEST_CASE(rfc2617_example) {
  dg::response_input in;
  in.alg = dg::md5;
  in.username = "Mufasa";
  in.realm = "testrealm@host.com";
  in.password = "Circle Of Life";
  in.nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
  in.cnonce = "0a4f113b";
  in.nc = "00000001";
  in.qop = "auth";
  in.method = "GET";
  in.uri = "/dir/index.html";
  BOOST_TEST(dg::response(in) == "6629fae49393a05397450978507c4ef1");
}

// RFC 7616 §3.9.1 (the algorithms RFC 8760 brings to SIP): MD5 and SHA-256.
BOOST_AUTO_TEST_CASE(rfc7616_examples) {
  dg::response_input in;
  in.username = "Mufasa";
  in.realm = "http-auth@example.org";
  in.password = "Circle of Life";
  in.nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
  in.cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
  in.nc = "00000001";
  in.qop = "auth";
  in.method = "GET";
  in.uri = "/dir/index.html";
  in.alg = dg::md5;
  BOOST_TEST(dg::response(in) == "8ca523f5e9506fed4657c9700eebdbec");
  in.alg = dg::sha256;
  BOOST_TEST(dg::response(in) ==
             "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
}

// Known hashes of "abc" (FIPS 180-4 examples; RFC 1321 for MD5).
BOOST_AUTO_TEST_CASE(hashes) {
  BOOST_TEST(dg::hex_hash(dg::hash::md5, "abc") == "900150983cd24fb0d6963f7d28e17f72");
  BOOST_TEST(dg::hex_hash(dg::hash::sha256, "abc") ==
             "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  BOOST_TEST(dg::hex_hash(dg::hash::sha512_256, "abc") ==
             "53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23");
}

BOOST_AUTO_TEST_CASE(algorithms) {
  BOOST_TEST(dg::to_string(*dg::parse_algorithm("sha-256")) == "SHA-256");
  BOOST_TEST(dg::to_string(*dg::parse_algorithm("MD5-sess")) == "MD5-sess");
  BOOST_TEST(dg::to_string(*dg::parse_algorithm("SHA-512-256")) == "SHA-512-256");
  BOOST_TEST((*dg::parse_algorithm("") == dg::md5));  // absent means MD5
  BOOST_TEST(!dg::parse_algorithm("SHA-1"));
}

BOOST_AUTO_TEST_CASE(auth_header_parse) {
  auto h = dg::parse_auth_header(
      "Digest username=\"bob\",realm=\"example.org\" , nonce=\"a\\\"b\", nc=00000001, qop=auth");
  BOOST_TEST_REQUIRE(h.has_value());
  BOOST_TEST(h->scheme == "Digest");
  BOOST_TEST(h->params.size() == 5u);
  BOOST_TEST(h->get("NONCE") == "a\"b");
  BOOST_TEST(h->get("qop") == "auth");
  BOOST_TEST(h->find("opaque") == nullptr);

  auto bad = dg::parse_auth_header("Digest realm=\"unterminated");
  BOOST_TEST_REQUIRE(!bad);
  BOOST_TEST((bad.error().code == sipsaf::errc::bad_quoted_string));
  BOOST_TEST(bad.error().offset == 13u);
  bad = dg::parse_auth_header("Digest realm \"x\"");
  BOOST_TEST_REQUIRE(!bad);
  BOOST_TEST((bad.error().code == sipsaf::errc::expected_equal));
  bad = dg::parse_auth_header("Digest a=b c=d");
  BOOST_TEST_REQUIRE(!bad);
  BOOST_TEST((bad.error().code == sipsaf::errc::expected_comma));
  BOOST_TEST(bad.error().offset == 11u);
  bad = dg::parse_auth_header("");
  BOOST_TEST(!bad);
  // A quoted value past the limit is refused at the byte that overflows it,
  // whether in a run or as a quoted-pair.
  dg::parse_limits small;
  small.max_value = 4;
  BOOST_TEST(dg::parse_auth_header("Digest a=\"abcd\"", small)->get("a") == "abcd");
  BOOST_TEST(dg::parse_auth_header("Digest a=\"ab\\cd\"", small)->get("a") == "abcd");
  bad = dg::parse_auth_header("Digest a=\"abcde\"", small);
  BOOST_TEST_REQUIRE(!bad);
  BOOST_TEST((bad.error().code == sipsaf::errc::header_too_long));
  BOOST_TEST(bad.error().offset == 15u);
  bad = dg::parse_auth_header("Digest a=\"abcd\\e\"", small);
  BOOST_TEST_REQUIRE(!bad);
  BOOST_TEST((bad.error().code == sipsaf::errc::header_too_long));
  BOOST_TEST(bad.error().offset == 16u);
  bad = dg::parse_auth_header("Digest a=\"abcdefgh", small);
  BOOST_TEST((bad.error().code == sipsaf::errc::header_too_long));
  bad = dg::parse_auth_header("Digest a=\"ab\\", small);
  BOOST_TEST((bad.error().code == sipsaf::errc::bad_quoted_string));
  BOOST_TEST(bad.error().offset == 13u);

  sipsaf_test::check_every_prefix("Digest username=\"bob\", realm=\"x\\\\y\", nc=00000001",
                                  [](std::string_view s) { return dg::parse_auth_header(s); });
}

BOOST_AUTO_TEST_CASE(challenge_round_trip) {
  dg::challenge c;
  c.realm = "example.org";
  c.nonce = "abc\"def";
  c.opaque = "op";
  c.alg = dg::sha256;
  c.stale = true;
  auto text = dg::to_string(c);
  auto back = dg::parse_challenge(text);
  BOOST_TEST_REQUIRE(back.has_value());
  BOOST_TEST(back->realm == c.realm);
  BOOST_TEST(back->nonce == c.nonce);
  BOOST_TEST(back->opaque == c.opaque);
  BOOST_TEST((back->alg == dg::sha256));
  BOOST_TEST(back->qop_auth);
  BOOST_TEST(!back->qop_auth_int);
  BOOST_TEST(back->stale);

  auto p = dg::parse_challenge("Digest realm=\"r\", nonce=\"n\", algorithm=SHA-1");
  BOOST_TEST_REQUIRE(!p);
  BOOST_TEST((p.error().code == sipsaf::errc::unsupported));
  p = dg::parse_challenge("Digest realm=\"r\"");
  BOOST_TEST(!p);
  p = dg::parse_challenge("Basic realm=\"r\"");
  BOOST_TEST(!p);
}

// The client answer verifies on the server side; anything changed fails.
BOOST_AUTO_TEST_CASE(answer_and_verify) {
  for (auto alg : {dg::md5, dg::sha256, dg::sha512_256, dg::algorithm{dg::hash::sha256, true}}) {
    dg::challenge c;
    c.realm = "example.org";
    c.nonce = dg::random_hex(16);
    c.alg = alg;
    auto cred =
        dg::answer(c, "alice", "s3cret", "REGISTER", "sip:example.org", dg::random_hex(8), 1);
    auto parsed = dg::parse_credentials(dg::to_string(cred));
    BOOST_TEST_REQUIRE(parsed.has_value());
    BOOST_TEST(parsed->nc == "00000001");
    BOOST_TEST((parsed->alg == alg));
    BOOST_TEST(dg::verify(*parsed, "s3cret", "REGISTER"));
    BOOST_TEST(!dg::verify(*parsed, "s3cret!", "REGISTER"));
    BOOST_TEST(!dg::verify(*parsed, "s3cret", "MESSAGE"));
    auto tampered = *parsed;
    tampered.uri = "sip:evil.org";
    BOOST_TEST(!dg::verify(tampered, "s3cret", "REGISTER"));
  }
  // Without qop (RFC 2069 form), as some old clients send it.
  dg::challenge c;
  c.realm = "r";
  c.nonce = "n";
  c.qop_auth = false;
  auto cred = dg::answer(c, "u", "p", "REGISTER", "sip:r", "", 0);
  BOOST_TEST(cred.qop.empty());
  BOOST_TEST(dg::verify(cred, "p", "REGISTER"));
}

BOOST_AUTO_TEST_CASE(credentials_errors) {
  auto r = dg::parse_credentials("Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"x\"");
  BOOST_TEST_REQUIRE(!r);  // no response=
  BOOST_TEST((r.error().code == sipsaf::errc::missing_header));
  r = dg::parse_credentials(
      "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"x\", response=\"0\", qop=auth, "
      "nc=1, cnonce=\"c\"");
  BOOST_TEST_REQUIRE(!r);  // nc must be 8 hex digits
  BOOST_TEST((r.error().code == sipsaf::errc::bad_parameter));
}

// RFC 4231 §4.2, §4.3 and §4.7: a short key, a key shorter than the
// output, and one longer than SHA-256's block (hashed first).
BOOST_AUTO_TEST_CASE(hmac_sha256_rfc4231) {
  auto hex = [](std::array<unsigned char, 32> const& m) { return dg::to_hex(m.data(), m.size()); };
  BOOST_TEST(hex(dg::hmac_sha256(std::string(20, '\x0b')).mac("Hi There")) ==
             "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  dg::hmac_sha256 const jefe("Jefe");
  BOOST_TEST(hex(jefe.mac("what do ya want for nothing?")) ==
             "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  BOOST_TEST(hex(dg::hmac_sha256(std::string(131, '\xaa'))
                     .mac("Test Using Larger Than Block-Size Key - Hash Key First")) ==
             "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  // Each MAC starts from the keyed states afresh; a copy MACs alike.
  dg::hmac_sha256 copy = jefe;
  BOOST_TEST(copy.hex128("what do ya want for nothing?") == "5bdcc146bf60754e6a042426089575c7");
  BOOST_TEST(jefe.hex128("what do ya want for nothing?") == "5bdcc146bf60754e6a042426089575c7");
}

// Random bytes come from a per-thread pool: none handed out twice, across
// refills, nor to a child process and its parent alike after fork().
BOOST_AUTO_TEST_CASE(random_hex_never_repeats) {
  BOOST_TEST(dg::random_hex(16).size() == 32u);
  BOOST_TEST(dg::random_hex(100).size() == 200u);
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) seen.insert(dg::random_hex(8));  // 4 pools' worth
  BOOST_TEST(seen.size() == 2000u);

  int fds[2];
  BOOST_TEST_REQUIRE(::pipe(fds) == 0);
  pid_t const child = ::fork();
  BOOST_TEST_REQUIRE(child >= 0);
  if (child == 0) {
    std::string const r = dg::random_hex(8);
    ssize_t const n = ::write(fds[1], r.data(), r.size());
    ::_exit(n == static_cast<ssize_t>(r.size()) ? 0 : 1);
  }
  std::string const mine = dg::random_hex(8);
  char theirs[16];
  std::size_t got = 0;
  while (got < sizeof theirs) {
    ssize_t const n = ::read(fds[0], theirs + got, sizeof theirs - got);
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ::close(fds[0]);
  ::close(fds[1]);
  BOOST_TEST_REQUIRE(got == sizeof theirs);
  BOOST_TEST(std::string(theirs, got) != mine);
}

BOOST_AUTO_TEST_SUITE_END()
