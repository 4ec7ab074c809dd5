#include <sipsaf/testing/models.hpp>

#include <sipsaf/policy/requirements.hpp>

#include <boost/test/unit_test.hpp>

#include <memory>
#include <optional>

using namespace sipsaf;

namespace {
struct optional_directory {
  auto lookup(std::string_view) -> std::optional<recipient> { return recipient{}; }
};
struct shared_directory {
  auto lookup(std::string_view) const -> std::shared_ptr<recipient const> { return nullptr; }
};
struct no_lookup {};
struct wrong_lookup {
  auto lookup(std::string_view) -> int { return 0; }
};
struct millis_clock {
  auto now() -> std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds> {
    return {};
  }
};
struct steady_only {
  auto now() -> std::chrono::steady_clock::time_point { return {}; }
};
struct half_gateways {
  auto can_forward(forward_kind) -> bool { return true; }
};
}  // namespace

static_assert(is_directory<optional_directory>::value);
static_assert(is_directory<shared_directory>::value);
static_assert(!is_directory<no_lookup>::value);
static_assert(!is_directory<wrong_lookup>::value);
static_assert(is_clock<millis_clock>::value);
static_assert(!is_clock<steady_only>::value);  // Date and Expires count in wall-clock time
static_assert(!is_gateways<half_gateways>::value);

BOOST_AUTO_TEST_SUITE(policy_models)

BOOST_AUTO_TEST_CASE(manual_clock_moves_when_told) {
  manual_clock c(from_unix_ms(1000));
  BOOST_TEST(to_unix_ms(c.now()) == 1000);
  c.advance(std::chrono::seconds(2));
  BOOST_TEST(to_unix_ms(c.now()) == 3000);
  c.set(from_unix_ms(5));
  BOOST_TEST(to_unix_ms(c.now()) == 5);
}

BOOST_AUTO_TEST_CASE(static_directory_normalizes_uris) {
  static_directory d;
  recipient r;
  r.key = "sip:Bob@Example.COM";
  d.set(r);
  BOOST_TEST(d.lookup("sip:Bob@example.com") != nullptr);
  BOOST_TEST(d.lookup("<SIP:Bob@EXAMPLE.com;transport=tcp>") != nullptr);
  BOOST_TEST(d.lookup("sip:bob@example.com") == nullptr);  // the user part is case-sensitive
  BOOST_TEST(d.lookup("sip:Bob@example.com")->key == "sip:Bob@Example.COM");
  BOOST_TEST(d.set_contacts("sip:Bob@example.com", {"sip:bob@192.0.2.1"}));
  BOOST_TEST(d.lookup("sip:Bob@example.com")->reach == reachability::reachable);
  BOOST_TEST(d.set_contacts("sip:Bob@example.com", {}));
  BOOST_TEST(d.lookup("sip:Bob@example.com")->reach == reachability::unreachable);
  BOOST_TEST(!d.set_contacts("sip:nobody@x", {}));
  BOOST_TEST(d.remove("sip:Bob@example.com"));
  BOOST_TEST(d.lookup("sip:Bob@example.com") == nullptr);
}

BOOST_AUTO_TEST_CASE(static_directory_compares_escaped_and_plain_characters) {
  // RFC 3261 §19.1.4: a character other than a reserved one equals its
  // "%" HEX HEX escape, in the user part and elsewhere.
  static_directory d;
  recipient r;
  r.key = "sip:user@example.com";
  d.set(r);
  BOOST_TEST(d.lookup("sip:%75ser@example.com") != nullptr);
  BOOST_TEST(d.lookup("sip:%75%73%65%72@example.com") != nullptr);
  BOOST_TEST(d.lookup("<sip:us%65r@%65xample.com;transport=tcp>") != nullptr);
  BOOST_TEST(d.lookup("sip:user@EXAMPLE.%43OM") != nullptr);  // the host still without case
  BOOST_TEST(d.lookup("sip:%55ser@example.com") == nullptr);  // 'U': the user part has case
  recipient const* found = d.lookup("sip:%75ser@example.com");
  BOOST_TEST((found != nullptr && found->key == "sip:user@example.com"));

  // A key written with escapes is found by the plain form, marks included.
  recipient m;
  m.key = "sip:%61lice.%7E%2Ax_(1)@example.com";
  d.set(m);
  found = d.lookup("sip:alice.~*x_(1)@example.com");
  BOOST_TEST((found != nullptr && found->key == m.key));

  // A reserved character and its escape differ (";" delimits user
  // parameters); the escape's hex digits have no case.
  recipient s;
  s.key = "sip:a%3Bb@example.com";
  d.set(s);
  BOOST_TEST(d.lookup("sip:a%3bb@example.com") != nullptr);
  BOOST_TEST(d.lookup("sip:a;b@example.com") == nullptr);

  BOOST_TEST(static_directory::normalize("sip:%75ser@Ex%41mple.com") == "sip:user@example.com");
  BOOST_TEST(static_directory::normalize("sip:a%3bb@example.com") == "sip:a%3Bb@example.com");
  BOOST_TEST(static_directory::normalize("sip:a%40b@Example.com") == "sip:a%40b@example.com");
  BOOST_TEST(static_directory::normalize("sip:a%20b@example.com") == "sip:a%20b@example.com");
  // An escape that is not one stays as written.
  BOOST_TEST(static_directory::normalize("sip:a%zz%4@example.com") == "sip:a%zz%4@example.com");
  BOOST_TEST(static_directory::normalize("sip:bob@example.com%") == "sip:bob@example.com%");
  BOOST_TEST(static_directory::normalize("sip:bob@example.com%6") == "sip:bob@example.com%6");
}

BOOST_AUTO_TEST_CASE(recording_gateways_record_and_fail_on_demand) {
  struct req {
    std::string_view method, from_uri, from_tag, to_uri, call_id;
    int cseq = 1;
    std::string_view content_type, date, expires, request_disposition, body, bytes = "RAW";
  };
  recording_gateways g(1u << static_cast<unsigned>(forward_kind::email));
  BOOST_TEST(g.can_forward(forward_kind::email));
  BOOST_TEST(!g.can_forward(forward_kind::sms));
  forward_target const t{forward_kind::email, "bob@x"};
  BOOST_TEST(!g.forward(req{}, t));
  g.fail_next();
  BOOST_TEST(!!g.forward(req{}, t));
  BOOST_TEST(g.entries().size() == 1u);
  BOOST_TEST(g.entries()[0].bytes == "RAW");
  no_gateways n;
  BOOST_TEST(!n.can_forward(forward_kind::sip));
  BOOST_TEST(!!n.forward(req{}, t));
}

BOOST_AUTO_TEST_SUITE_END()
