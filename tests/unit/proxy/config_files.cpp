#include "proxy/config_files.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

namespace {

auto profiles_error(std::string const& text) -> proxy::file_error {
  auto r = proxy::parse_profiles(text, "profiles.ini");
  BOOST_TEST_REQUIRE(!r);
  return r.error();
}

auto users_error(std::string const& text) -> proxy::file_error {
  auto r = proxy::parse_users(text, "users.txt");
  BOOST_TEST_REQUIRE(!r);
  return r.error();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(config_files)

BOOST_AUTO_TEST_CASE(users) {
  auto u = proxy::parse_users("# name password\nalice  wonderland\n\n\tbob builder # a comment\r\n",
                              "users.txt");
  BOOST_TEST_REQUIRE(u.has_value());
  BOOST_TEST(u->passwords.size() == 2u);
  BOOST_TEST_REQUIRE(u->find("bob") != nullptr);
  BOOST_TEST(*u->find("bob") == "builder");
  BOOST_TEST(*u->find("alice") == "wonderland");
  BOOST_TEST(u->find("carol") == nullptr);
  // A '#' inside a password is kept (only one after a blank starts a comment).
  auto h = proxy::parse_users("dave pa#ss\n", "users.txt");
  BOOST_TEST_REQUIRE(h.has_value());
  BOOST_TEST(*h->find("dave") == "pa#ss");
}

BOOST_AUTO_TEST_CASE(users_errors) {
  auto e = users_error("alice wonderland\nbob\n");
  BOOST_TEST(e.line == 2u);
  BOOST_TEST(e.text().rfind("users.txt:2: ", 0) == 0);
  e = users_error("alice a\n# c\nalice b\n");
  BOOST_TEST(e.line == 3u);
  BOOST_TEST(e.message.find("twice") != std::string::npos);
  e = users_error("al<ce secret\n");
  BOOST_TEST(e.line == 1u);
  e = users_error("alice two words\n");
  BOOST_TEST(e.line == 1u);
}

BOOST_AUTO_TEST_CASE(profiles) {
  auto p = proxy::parse_profiles(R"(# the operator
[default]
store-classes = premium, gold
lifetime = 3600
quota-messages = 5

[bob]
store-and-forward = notify      # no | yes | notify | forward:SIP-URI
accepts = text/plain, image/*
class = premium
quota-messages = 100
quota-bytes = 10485760
lifetime = 259200

[carol]
store-and-forward = forward:sip:alice@example.org
[dave]
store-and-forward = no
)",
                                 "profiles.ini");
  BOOST_TEST_REQUIRE(p.has_value());
  auto const& d = p->defaults;
  BOOST_TEST(d.store_classes.size() == 2u);
  BOOST_TEST(d.store_classes[1] == "gold");
  BOOST_TEST(d.max_lifetime.count() == 3600);
  BOOST_TEST(d.quota_messages == 5u);
  BOOST_TEST((d.store.setting == sipsaf::store_setting::yes));  // unsaid: yes

  auto const& bob = p->find("bob");
  BOOST_TEST((bob.store.setting == sipsaf::store_setting::notify));
  BOOST_TEST_REQUIRE(bob.accepts.has_value());
  BOOST_TEST(bob.accepts->ranges().size() == 2u);
  BOOST_TEST(bob.subscriber_class.value_or("") == "premium");
  BOOST_TEST(bob.quota_messages.value_or(0) == 100u);
  BOOST_TEST(bob.quota_bytes.value_or(0) == 10485760u);
  BOOST_TEST(bob.max_lifetime.value_or(std::chrono::seconds(0)).count() == 259200);

  auto const& carol = p->find("carol");
  BOOST_TEST((carol.store.setting == sipsaf::store_setting::forward));
  BOOST_TEST_REQUIRE(carol.store.target.has_value());
  BOOST_TEST(carol.store.target->address == "sip:alice@example.org");
  BOOST_TEST((p->find("dave").store.setting == sipsaf::store_setting::no));

  // A user without a section gets an empty profile: the defaults apply.
  auto const& erin = p->find("erin");
  BOOST_TEST((erin.store.setting == sipsaf::store_setting::unset));
  BOOST_TEST(!erin.accepts.has_value());
  auto const eff = sipsaf::resolve(erin, d);
  BOOST_TEST(!eff.class_may_store);  // store-classes is set, erin has no class
  BOOST_TEST(sipsaf::resolve(bob, d).class_may_store);
}

// The gateway targets are refused with the file and line that names them.
BOOST_AUTO_TEST_CASE(gateway_targets_refused) {
  for (std::string t : {"email:bob@example.org", "mms:+15551234567", "sms:+15551234567"}) {
    auto e = profiles_error("[bob]\nclass = x\nstore-and-forward = " + t + "\n");
    BOOST_TEST(e.line == 3u);
    BOOST_TEST(e.text().rfind("profiles.ini:3: ", 0) == 0);
    BOOST_TEST(e.message.find("gateway") != std::string::npos);
  }
}

// With their gateways configured, e-mail and SMS targets are taken, if valid.
BOOST_AUTO_TEST_CASE(gateway_targets_with_gateways) {
  std::uint8_t const kinds = 0x01 | 0x02 | 0x08;  // sip, email, sms
  auto ok = proxy::parse_profiles(
      "[carol]\nstore-and-forward = email:carol@example.org\n[dan]\nstore-and-forward = "
      "sms:+15551234567\n",
      "profiles.ini", kinds);
  BOOST_REQUIRE(ok.has_value());
  BOOST_TEST(ok->find("carol").store.target->address == "carol@example.org");
  for (std::string t : {"email:carol", "email:a@b\tc", "sms:15551234567", "sms:+1555x", "sms:+"}) {
    auto r = proxy::parse_profiles("[bob]\nstore-and-forward = " + t + "\n", "profiles.ini", kinds);
    BOOST_TEST(!r.has_value(), t);
  }
  auto mms =
      proxy::parse_profiles("[bob]\nstore-and-forward = mms:+15551234567\n", "profiles.ini", kinds);
  BOOST_REQUIRE(!mms.has_value());
  BOOST_TEST(mms.error().message.find("--mms-domain") != std::string::npos, mms.error().text());
}

// With --smtp and --mms-domain, an mms: target is taken when it is E.164.
BOOST_AUTO_TEST_CASE(mms_targets_with_their_gateway) {
  std::uint8_t const kinds = 0x01 | 0x02 | 0x04;  // sip, email, mms
  auto ok =
      proxy::parse_profiles("[bob]\nstore-and-forward = mms:+15551234567\n", "profiles.ini", kinds);
  BOOST_REQUIRE(ok.has_value());
  BOOST_TEST(ok->find("bob").store.target->kind == sipsaf::forward_kind::mms);
  BOOST_TEST(ok->find("bob").store.target->address == "+15551234567");
  for (std::string t : {"mms:15551234567", "mms:+1555x", "mms:+", "mms:+1234567890123456"}) {
    auto r = proxy::parse_profiles("[bob]\nstore-and-forward = " + t + "\n", "profiles.ini", kinds);
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().message.find("expected mms:+ and 1 to 15 digits") != std::string::npos,
               r.error().text());
  }
}

BOOST_AUTO_TEST_CASE(profiles_errors) {
  struct bad {
    char const* text;
    std::size_t line;
    char const* says;
  };
  for (auto const& b : {
           bad{"store-and-forward = yes\n", 1, "before the first"},
           bad{"[bob\n", 1, "']'"},
           bad{"[bob]\naccepts = text/\n", 2, "accepts"},
           bad{"[bob]\nstore-and-forward = maybe\n", 2, "expected no, yes"},
           bad{"[bob]\nstore-and-forward = forward:mailto:x@y\n", 2, "store-and-forward"},
           bad{"[bob]\nquota-bytes = 10k\n", 2, "whole number"},
           bad{"[bob]\nlifetime = 0\n", 2, "lifetime"},
           bad{"[bob]\ncolour = blue\n", 2, "unknown key 'colour'"},
           bad{"[bob]\nlifetime = 1\n\nlifetime = 2\n", 4, "first on line 2"},
           bad{"[bob]\n[bob]\n", 2, "twice"},
           bad{"[default]\nclass = gold\n", 2, "user's section"},
           bad{"[bob]\nstore-classes = gold\n", 2, "[default]"},
           bad{"[bob]\naccepts =\n", 2, "no value"},
           bad{"[bob]\njust words\n", 2, "key = value"},
       }) {
    BOOST_TEST_CONTEXT(b.text) {
      auto e = profiles_error(b.text);
      BOOST_TEST(e.line == b.line);
      BOOST_TEST(e.message.find(b.says) != std::string::npos, e.message);
    }
  }
}

BOOST_AUTO_TEST_CASE(missing_file) {
  auto r = proxy::load_profiles("/nonexistent/profiles.ini");
  BOOST_TEST_REQUIRE(!r);
  BOOST_TEST(r.error().line == 0u);
  BOOST_TEST(r.error().text().rfind("/nonexistent/profiles.ini: ", 0) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
