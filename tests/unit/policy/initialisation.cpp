// decision, request_facts and effective_profile have constructors of their
// own (so that value-initialisation does not clear them as one block first):
// every member must still start at its documented default, whatever the
// memory held before.
#include <sipsaf/policy/decision.hpp>

#include <boost/test/unit_test.hpp>

#include <cstring>
#include <new>

using namespace sipsaf;

namespace {

// `T{}` built over bytes that are all 0xA5.
template <class T>
struct over_junk {
  alignas(T) unsigned char bytes[sizeof(T)];
  T* p;
  over_junk() {
    std::memset(bytes, 0xA5, sizeof bytes);
    p = ::new (static_cast<void*>(bytes)) T{};
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(initialisation)

BOOST_AUTO_TEST_CASE(request_facts_start_empty) {
  over_junk<request_facts> j;
  request_facts const& f = *j.p;
  BOOST_TEST(f.method.empty());
  BOOST_TEST(f.from_uri.empty());
  BOOST_TEST(f.to_uri.empty());
  BOOST_TEST(f.content_type_text.empty());
  BOOST_TEST(f.content_type == nullptr);
  BOOST_TEST(f.disposition == nullptr);
  BOOST_TEST(f.disposition_text.empty());
  BOOST_TEST(f.size == 0u);
  BOOST_TEST(f.body_size == 0u);
  BOOST_TEST(f.body.empty());
  BOOST_TEST(!f.date);
  BOOST_TEST(!f.date_malformed);
  BOOST_TEST(!f.expires);
  BOOST_TEST(!f.expires_malformed);
}

BOOST_AUTO_TEST_CASE(effective_profile_starts_at_its_defaults) {
  over_junk<effective_profile> j;
  effective_profile const& e = *j.p;
  BOOST_TEST((e.store == store_setting::yes));
  BOOST_TEST(e.forward == nullptr);
  BOOST_TEST(e.accepts == nullptr);
  BOOST_TEST(e.subscriber_class.empty());
  BOOST_TEST(e.class_may_store);
  BOOST_TEST(e.quota_messages == 0u);
  BOOST_TEST(e.quota_bytes == 0u);
  BOOST_TEST(e.max_message_bytes == 0u);
  BOOST_TEST(e.max_lifetime.count() == 0);
  BOOST_TEST((e.store_from == setting_source::profile));
  BOOST_TEST((e.accepts_from == setting_source::profile));
  BOOST_TEST((e.quota_messages_from == setting_source::profile));
  BOOST_TEST((e.quota_bytes_from == setting_source::profile));
  BOOST_TEST((e.lifetime_from == setting_source::profile));
}

BOOST_AUTO_TEST_CASE(a_decision_starts_unhandled_with_an_empty_trace) {
  over_junk<decision> j;
  decision const& d = *j.p;
  BOOST_TEST((d.what == verdict::not_handled));
  BOOST_TEST(d.code == 0);
  BOOST_TEST(d.reason.empty());
  BOOST_TEST((d.mode == delivery_mode::push));
  BOOST_TEST(!d.notify);
  BOOST_TEST(to_unix_ms(d.expires_at) == 0);
  BOOST_TEST(d.target == nullptr);
  BOOST_TEST(d.accept == nullptr);
  trace const& t = d.trace;
  BOOST_TEST((t.fired == rule::not_payload));
  BOOST_TEST(t.method.empty());
  BOOST_TEST(t.recipient.empty());
  BOOST_TEST((t.reach == reachability::unreachable));
  BOOST_TEST(t.contacts == 0u);
  BOOST_TEST((t.sender_store == store_command::none));
  BOOST_TEST(!t.sender_notify);
  BOOST_TEST(t.disposition.empty());
  BOOST_TEST(t.content_type.empty());
  BOOST_TEST((t.profile.store == store_setting::yes));
  BOOST_TEST(t.profile.accepts == nullptr);
  BOOST_TEST(!t.forward_unavailable);
  BOOST_TEST((t.usage == store_usage{}));
  BOOST_TEST(t.size == 0u);
  BOOST_TEST(to_unix_ms(t.expires_at) == 0);
  BOOST_TEST((t.lifetime == lifetime_source::none));
  BOOST_TEST(t.expires_header.count() == 0);
  BOOST_TEST(!t.date_malformed);
  BOOST_TEST(!t.expires_malformed);
  for (auto n : t.part_path) BOOST_TEST(n == 0u);
  BOOST_TEST(t.part_depth == 0u);
  BOOST_TEST(t.part_type.empty());
  BOOST_TEST(t.part_subtype.empty());
  BOOST_TEST(!t.no_alternative);
  BOOST_TEST(!t.body_error);
  BOOST_TEST(t.detail.empty());
  BOOST_TEST(t.detail_offset == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
