#include <sipsaf/policy/profile.hpp>

#include <boost/test/unit_test.hpp>

#include <string>
#include <utility>

using namespace sipsaf;

BOOST_AUTO_TEST_SUITE(policy_profile)

BOOST_AUTO_TEST_CASE(store_and_forward_settings_parse) {
  BOOST_TEST(parse_store_and_forward("no")->setting == store_setting::no);
  BOOST_TEST(parse_store_and_forward(" YES ")->setting == store_setting::yes);
  BOOST_TEST(parse_store_and_forward("Notify")->setting == store_setting::notify);
  auto f = parse_store_and_forward("forward:sip:carol@example.com");
  BOOST_REQUIRE(f);
  BOOST_TEST(f->setting == store_setting::forward);
  BOOST_TEST(f->target->kind == forward_kind::sip);
  BOOST_TEST(f->target->address == "sip:carol@example.com");
  BOOST_TEST(to_string(*f->target) == "forward:sip:carol@example.com");
  auto e = parse_store_and_forward("email: bob@mail.example.com");
  BOOST_TEST(e->target->kind == forward_kind::email);
  BOOST_TEST(e->target->address == "bob@mail.example.com");
  BOOST_TEST(parse_store_and_forward("mms:+15550100")->target->kind == forward_kind::mms);
  BOOST_TEST(parse_store_and_forward("SMS:+15550100")->target->kind == forward_kind::sms);
}

BOOST_AUTO_TEST_CASE(store_and_forward_errors) {
  auto check = [](char const* in, errc code, std::size_t at) {
    auto r = parse_store_and_forward(in);
    BOOST_TEST_CONTEXT(in) {
      BOOST_REQUIRE(!r);
      BOOST_TEST((r.error().code == code));
      BOOST_TEST(r.error().offset == at);
    }
  };
  check("", errc::empty_value, 0);
  check("  maybe", errc::bad_header_value, 2);
  check("fax:123", errc::bad_header_value, 0);
  check("email:", errc::empty_value, 6);
  check("forward:mailto:bob@x", errc::bad_uri, 8);
  check("forward:sip:", errc::bad_uri, 8);
}

BOOST_AUTO_TEST_CASE(media_ranges_survive_copies_and_moves) {
  auto r = media_ranges::parse("text/plain, image/*;q=0.5, video/*;q=0");
  BOOST_REQUIRE(r);
  media_ranges copy = *r;
  media_ranges moved = std::move(*r);
  for (media_ranges const* m : {&copy, &moved}) {
    BOOST_TEST(m->ranges().size() == 3u);
    BOOST_TEST(m->accepts(media_type{"text", "plain", {}}));
    BOOST_TEST(m->accepts(media_type{"IMAGE", "png", {}}));
    BOOST_TEST(!m->accepts(media_type{"video", "mp4", {}}));  // q=0
    BOOST_TEST(!m->accepts(media_type{"application", "pdf", {}}));
    BOOST_TEST(m->text() == "text/plain, image/*;q=0.5, video/*;q=0");
  }
  media_ranges assigned;
  BOOST_TEST(!assigned.accepts(media_type{"text", "plain", {}}));  // empty: nothing
  assigned = copy;
  BOOST_TEST(assigned.accepts(media_type{"text", "plain", {}}));
  BOOST_TEST(!media_ranges::parse("text/plain, */html"));
}

BOOST_AUTO_TEST_CASE(resolve_fills_what_the_profile_leaves_unsaid) {
  operator_defaults d;
  d.quota_messages = 7;
  d.quota_bytes = 7000;
  d.max_lifetime = std::chrono::seconds(70);
  recipient_profile p;
  auto e = resolve(p, d);
  BOOST_TEST(e.store == store_setting::yes);
  BOOST_TEST(e.store_from == setting_source::operator_default);
  BOOST_TEST(e.accepts == nullptr);  // everything
  BOOST_TEST(e.class_may_store);
  BOOST_TEST(e.quota_messages == 7u);
  BOOST_TEST(e.quota_bytes == 7000u);
  BOOST_TEST(e.max_lifetime.count() == 70);

  p.store = parse_store_and_forward("email:bob@x").value();
  p.quota_messages = 3;
  p.max_lifetime = std::chrono::seconds(30);
  p.accepts = media_ranges::parse("text/*").value();
  e = resolve(p, d);
  BOOST_TEST(e.store == store_setting::forward);
  BOOST_REQUIRE(e.forward != nullptr);
  BOOST_TEST(e.forward->address == "bob@x");
  BOOST_TEST(e.store_from == setting_source::profile);
  BOOST_TEST(e.quota_messages == 3u);
  BOOST_TEST(e.quota_bytes == 7000u);
  BOOST_TEST(e.quota_bytes_from == setting_source::operator_default);
  BOOST_TEST(e.max_lifetime.count() == 30);
  BOOST_TEST(e.accepts == &*p.accepts);

  d.accepts = media_ranges::parse("text/plain").value();
  p.accepts.reset();
  BOOST_TEST(resolve(p, d).accepts == &*d.accepts);
}

BOOST_AUTO_TEST_CASE(store_classes) {
  operator_defaults d;
  recipient_profile p;
  BOOST_TEST(resolve(p, d).class_may_store);  // no store classes: everyone
  d.store_classes = {"premium"};
  BOOST_TEST(!resolve(p, d).class_may_store);  // no class, and classes are listed
  p.subscriber_class = "basic";
  BOOST_TEST(!resolve(p, d).class_may_store);
  p.subscriber_class = "premium";
  BOOST_TEST(resolve(p, d).class_may_store);
  BOOST_TEST(resolve(p, d).subscriber_class == "premium");
}

BOOST_AUTO_TEST_CASE(operator_default_can_say_no) {
  operator_defaults d;
  d.store = parse_store_and_forward("no").value();
  recipient_profile p;
  BOOST_TEST(resolve(p, d).store == store_setting::no);
  p.store = parse_store_and_forward("yes").value();
  BOOST_TEST(resolve(p, d).store == store_setting::yes);
}

BOOST_AUTO_TEST_SUITE_END()
