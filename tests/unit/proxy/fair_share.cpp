// The per-source pieces: open transactions per address, failure back-off,
// rate-limited log lines, trusted address blocks and branch values.
#include "proxy/branch.hpp"
#include "proxy/log_limit.hpp"
#include "proxy/source_limits.hpp"
#include "proxy/transport.hpp"
#include "proxy/trusted_peers.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <set>
#include <string>

using std::chrono::milliseconds;
using std::chrono::seconds;

BOOST_AUTO_TEST_SUITE(fair_share)

BOOST_AUTO_TEST_CASE(address_text_is_asio_text) {
  for (char const* text : {"0.0.0.0", "127.0.0.1", "10.0.100.9", "192.168.1.10", "255.255.255.255",
                           "1.20.199.250", "::1", "2001:db8::5", "::ffff:10.0.0.1"}) {
    auto const a = boost::asio::ip::make_address(text);
    BOOST_TEST(proxy::address_text(a) == a.to_string());
    BOOST_TEST(proxy::address_text(a) == text);
  }
}

BOOST_AUTO_TEST_CASE(per_source_count_and_slots) {
  proxy::per_source_count c(2, 2);
  BOOST_TEST(c.acquire("10.0.0.1"));
  BOOST_TEST(c.acquire("10.0.0.1"));
  BOOST_TEST(!c.acquire("10.0.0.1"));  // its share is used up
  BOOST_TEST(c.acquire("10.0.0.2"));   // another source is not affected
  BOOST_TEST(!c.acquire("10.0.0.3"));  // no room for a third source
  {
    proxy::source_slot s(&c, "10.0.0.1");
    proxy::source_slot moved = std::move(s);
  }  // given back once, by the slot that held it
  BOOST_TEST(c.held("10.0.0.1") == 1u);
  BOOST_TEST(c.acquire("10.0.0.1"));
  c.release("10.0.0.2");
  BOOST_TEST(c.sources() == 1u);
  BOOST_TEST(c.acquire("10.0.0.3"));
}

BOOST_AUTO_TEST_CASE(failure_backoff_doubles_and_forgets) {
  proxy::failure_backoff::config cfg;
  cfg.free_failures = 2;
  cfg.max_lock = seconds(8);
  cfg.forget_after = seconds(60);
  cfg.max_keys = 3;
  proxy::failure_backoff b(cfg);
  auto const t0 = proxy::failure_backoff::clock::now();
  b.failed("a", t0);
  b.failed("a", t0);
  BOOST_TEST(!b.locked("a", t0));  // the free ones
  b.failed("a", t0);
  BOOST_TEST(b.locked("a", t0));
  BOOST_TEST(b.remaining("a", t0).count() == 1);
  BOOST_TEST(!b.locked("a", t0 + seconds(1)));
  b.failed("a", t0 + seconds(1));
  BOOST_TEST(b.remaining("a", t0 + seconds(1)).count() == 2);
  for (int i = 0; i < 10; ++i) b.failed("a", t0 + seconds(2));
  BOOST_TEST(b.remaining("a", t0 + seconds(2)).count() == 8);  // capped
  BOOST_TEST(!b.locked("b", t0));
  // Forgotten after a quiet while.
  BOOST_TEST(b.failures("a", t0 + seconds(100)) == 0u);
  // Bounded: the table never holds more than max_keys.
  for (int i = 0; i < 10; ++i) b.failed("k" + std::to_string(i), t0 + seconds(3 + i));
  BOOST_TEST(b.size() <= 3u);
  b.succeeded("k9");
  BOOST_TEST(b.failures("k9", t0 + seconds(13)) == 0u);
}

BOOST_AUTO_TEST_CASE(log_limiter_counts_what_it_leaves_out) {
  proxy::log_limiter l(3);
  auto const t0 = proxy::log_limiter::clock::now();
  int written = 0;
  for (int i = 0; i < 100; ++i) written += l.allow("flood", t0 + milliseconds(i)) ? 1 : 0;
  BOOST_TEST(written == 3);
  BOOST_TEST(l.allow("other", t0));  // kinds are separate
  auto r = l.take_reports(t0 + milliseconds(1500));
  BOOST_TEST_REQUIRE(r.size() == 1u);
  BOOST_TEST(r[0].first == "flood");
  BOOST_TEST(r[0].second == 97u);
  BOOST_TEST(l.allow("flood", t0 + milliseconds(1500)));
  BOOST_TEST(l.take_reports(t0 + milliseconds(1600)).empty());
}

BOOST_AUTO_TEST_CASE(trusted_blocks) {
  auto b = proxy::parse_address_block("192.0.2.0/24");
  BOOST_TEST_REQUIRE(b.has_value());
  BOOST_TEST(b->contains(boost::asio::ip::make_address("192.0.2.77")));
  BOOST_TEST(!b->contains(boost::asio::ip::make_address("192.0.3.1")));
  BOOST_TEST(b->contains(boost::asio::ip::make_address("::ffff:192.0.2.5")));
  auto one = proxy::parse_address_block("127.0.0.9");
  BOOST_TEST_REQUIRE(one.has_value());
  BOOST_TEST(one->bits == 32u);
  BOOST_TEST(!one->contains(boost::asio::ip::make_address("127.0.0.1")));
  auto v6 = proxy::parse_address_block("2001:db8::/32");
  BOOST_TEST_REQUIRE(v6.has_value());
  BOOST_TEST(v6->contains(boost::asio::ip::make_address("2001:db8:1::1")));
  BOOST_TEST(!proxy::parse_address_block("10.0.0.0/33"));
  BOOST_TEST(!proxy::parse_address_block("nonsense"));
  BOOST_TEST(!proxy::parse_address_block("10.0.0.0/"));
}

BOOST_AUTO_TEST_CASE(branches_unpredictable) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto b = proxy::new_branch_value();
    BOOST_TEST(b.rfind("z9hG4bK", 0) == 0u);
    BOOST_TEST(b.size() == 7 + 2 * proxy::branch_random_bytes);
    seen.insert(b.substr(7, 8));  // even the first 32 bits differ
  }
  BOOST_TEST(seen.size() == 1000u);
  BOOST_TEST(proxy::branch_random_bytes * 8 >= 64u);
}

BOOST_AUTO_TEST_CASE(ipv6_source_is_its_64) {
  namespace ip = boost::asio::ip;
  auto const a = ip::make_address("2001:db8:1:2:aaaa::1");
  auto const b = ip::make_address("2001:db8:1:2:bbbb::9");
  auto const c = ip::make_address("2001:db8:1:3::1");
  BOOST_TEST(proxy::source_of(a) == proxy::source_of(b));  // one host, one share
  BOOST_TEST(proxy::source_of(a) != proxy::source_of(c));
  auto const v4 = ip::make_address("10.1.2.3");
  BOOST_TEST(proxy::source_of(v4) == v4);
}

BOOST_AUTO_TEST_SUITE_END()
