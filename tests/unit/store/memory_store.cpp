#include <sipsaf/store/memory_store.hpp>

#include "conformance.hpp"

#include <boost/test/unit_test.hpp>

namespace {

struct memory_fixture {
  sipsaf::memory_store store;
};

}  // namespace

SIPSAF_STORE_CONFORMANCE_SUITE(memory_store_conformance, memory_fixture, 4000)

BOOST_AUTO_TEST_SUITE(memory_store)

BOOST_AUTO_TEST_CASE(size_counts_every_recipient) {
  sipsaf::memory_store s;
  BOOST_TEST(s.size() == 0u);
  auto a = s.put(sipsaf_test::make_message("sip:a@x", "1"));
  s.put(sipsaf_test::make_message("sip:b@x", "2"));
  BOOST_TEST(s.size() == 2u);
  BOOST_REQUIRE(a);
  s.erase(*a);
  BOOST_TEST(s.size() == 1u);
}

BOOST_AUTO_TEST_CASE(moved_store_keeps_its_indexes) {
  sipsaf::memory_store s;
  auto id = s.put(sipsaf_test::make_message("sip:a@x", "1"));
  BOOST_REQUIRE(id);
  sipsaf::memory_store t(std::move(s));
  auto u = t.usage("sip:a@x");
  BOOST_REQUIRE(u);
  BOOST_TEST(u->messages == 1u);
  auto found = t.find(sipsaf::message_key{"1", 1, "tag-1"});
  BOOST_REQUIRE(found);
  BOOST_TEST((*found == std::optional<sipsaf::message_id>(*id)));
}

BOOST_AUTO_TEST_SUITE_END()
