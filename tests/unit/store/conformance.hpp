// The MessageStore conformance suite: every store type must pass it.
//
// Usage, in a test file of the store:
//
//   struct my_fixture {            // default-constructible; owns a fresh, empty store
//     my_store store;
//   };
//   SIPSAF_STORE_CONFORMANCE_SUITE(my_store_conformance, my_fixture)
//
// A store with transactions (begin_batch, put_many, count) that several
// connections open adds SIPSAF_STORE_BATCH_SUITE, its fixture an
// `open_again()` that opens a second store on the same data.
//
// Each row of the MessageStore table in <sipsaf/store/requirements.hpp> has
// at least one test case here, and a randomized run compares the store with
// a plain reference model operation by operation.
#ifndef SIPSAF_TESTS_UNIT_STORE_CONFORMANCE_HPP
#define SIPSAF_TESTS_UNIT_STORE_CONFORMANCE_HPP

#include <sipsaf/store/message.hpp>
#include <sipsaf/store/requirements.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace sipsaf_test {

inline auto at_ms(std::int64_t ms) -> sipsaf::timestamp {
  return sipsaf::from_unix_ms(ms);
}

/// A message with every envelope field set to something distinct.
inline auto make_message(std::string const& recipient, std::string const& call_id,
                         std::uint32_t cseq = 1, std::string const& body = "hello",
                         sipsaf::delivery_mode mode = sipsaf::delivery_mode::push)
    -> sipsaf::stored_message {
  sipsaf::stored_message m;
  m.env.id = 424242;  // must be ignored
  m.env.recipient = recipient;
  m.env.sender = "sip:alice@example.com";
  m.env.to = recipient + ";user=phone";
  m.env.call_id = call_id;
  m.env.cseq = cseq;
  m.env.from_tag = "tag-" + call_id;
  m.env.mode = mode;
  m.env.notify = true;
  m.env.arrived = at_ms(1'700'000'000'000);
  m.env.expires_at = at_ms(1'700'000'600'000);
  m.env.next_attempt = std::nullopt;
  m.env.attempts = 0;
  m.env.size = 999;  // must be replaced by the store
  m.bytes = "MESSAGE " + recipient + " SIP/2.0\r\nCall-ID: " + call_id +
            "\r\nContent-Type: multipart/mixed;boundary=\"b 1\"\r\n\r\n" + body;
  return m;
}

template <class T, class E>
auto ok(sipsaf::result<T, E> r) -> T {
  if (!r.has_value()) BOOST_FAIL("store call failed: " << r.error().message());
  return std::move(*r);
}

inline void check_envelope(sipsaf::envelope const& got, sipsaf::envelope const& want,
                           sipsaf::message_id id, std::uint64_t size) {
  BOOST_TEST(got.id == id);
  BOOST_TEST(got.recipient == want.recipient);
  BOOST_TEST(got.sender == want.sender);
  BOOST_TEST(got.to == want.to);
  BOOST_TEST(got.call_id == want.call_id);
  BOOST_TEST(got.cseq == want.cseq);
  BOOST_TEST(got.from_tag == want.from_tag);
  BOOST_TEST((got.mode == want.mode));
  BOOST_TEST(got.notify == want.notify);
  BOOST_TEST((got.arrived == want.arrived));
  BOOST_TEST((got.expires_at == want.expires_at));
  BOOST_TEST((got.next_attempt == want.next_attempt));
  BOOST_TEST(got.attempts == want.attempts);
  BOOST_TEST(got.size == size);
}

template <class F>
void conformance_put_get_exact() {
  static_assert(sipsaf::is_message_store<decltype(F::store)>::value);
  F f;
  auto& s = f.store;
  static char const raw[] = "binary\0\r\n\xff\xfe end";
  std::string body(raw, sizeof raw);  // with the NULs, the last one included
  auto m = make_message("sip:bob@example.com", "c1", 7, body);
  auto id = ok(s.put(m));
  BOOST_TEST(id != 424242u);
  auto got = ok(s.get(id));
  BOOST_REQUIRE(got.has_value());
  BOOST_TEST(got->bytes == m.bytes);  // byte for byte, NULs included
  BOOST_TEST(got->bytes.size() == m.bytes.size());
  check_envelope(got->env, m.env, id, m.bytes.size());
  BOOST_TEST(!ok(s.get(id + 1000)).has_value());

  // A large body survives too.
  auto big = make_message("sip:bob@example.com", "c-big", 1, std::string(1 << 20, 'x'));
  auto big_id = ok(s.put(big));
  BOOST_TEST(ok(s.get(big_id))->bytes == big.bytes);
}

template <class F>
void conformance_ids_increase() {
  F f;
  auto& s = f.store;
  sipsaf::message_id last = 0;
  for (int i = 0; i < 20; ++i) {
    auto id =
        ok(s.put(make_message("sip:r" + std::to_string(i % 3) + "@x", "c" + std::to_string(i))));
    BOOST_TEST(id > last);
    last = id;
  }
  BOOST_TEST(ok(s.erase(last)));
  auto again = ok(s.put(make_message("sip:r@x", "fresh")));
  BOOST_TEST(again > last);  // never reused, even after the highest id is erased
}

template <class F>
void conformance_duplicates() {
  F f;
  auto& s = f.store;
  auto m = make_message("sip:bob@example.com", "dup", 3, "first");
  auto id = ok(s.put(m));
  auto m2 = make_message("sip:bob@example.com", "dup", 3, "second body");
  BOOST_TEST(ok(s.put(m2)) == id);
  BOOST_TEST(ok(s.get(id))->bytes == m.bytes);  // unchanged
  BOOST_TEST(ok(s.usage("sip:bob@example.com")).messages == 1u);
  // Another CSeq or another From tag is another message.
  auto m3 = make_message("sip:bob@example.com", "dup", 4);
  BOOST_TEST(ok(s.put(m3)) != id);
  auto m4 = make_message("sip:bob@example.com", "dup", 3);
  m4.env.from_tag = "other";
  BOOST_TEST(ok(s.put(m4)) != id);
  BOOST_TEST(ok(s.usage("sip:bob@example.com")).messages == 3u);
}

template <class F>
void conformance_find() {
  F f;
  auto& s = f.store;
  auto m = make_message("sip:bob@example.com", "k1", 5);
  auto id = ok(s.put(m));
  std::string const call_id = "k1", tag = "tag-k1";  // other buffers than the stored ones
  auto hit = ok(s.find(sipsaf::message_key{call_id, 5, tag}));
  BOOST_REQUIRE(hit.has_value());
  BOOST_TEST(*hit == id);
  BOOST_TEST(!ok(s.find(sipsaf::message_key{call_id, 6, tag})).has_value());
  BOOST_TEST(!ok(s.find(sipsaf::message_key{call_id, 5, "tag-k2"})).has_value());
  BOOST_TEST(!ok(s.find(sipsaf::message_key{"k2", 5, tag})).has_value());
  BOOST_TEST(ok(s.erase(id)));
  BOOST_TEST(!ok(s.find(sipsaf::message_key{call_id, 5, tag})).has_value());
}

template <class F>
void conformance_erase_and_usage() {
  F f;
  auto& s = f.store;
  BOOST_TEST((ok(s.usage("sip:nobody@x")) == sipsaf::store_usage{}));
  auto a = make_message("sip:bob@x", "a", 1, "12345");
  auto b = make_message("sip:bob@x", "b", 1, "123", sipsaf::delivery_mode::pull);
  auto c = make_message("sip:carol@x", "c", 1, "1");
  auto ia = ok(s.put(a));
  auto ib = ok(s.put(b));
  ok(s.put(c));
  auto u = ok(s.usage("sip:bob@x"));
  BOOST_TEST(u.messages == 2u);
  BOOST_TEST(u.bytes == a.bytes.size() + b.bytes.size());
  BOOST_TEST(u.push_messages == 1u);
  BOOST_TEST(ok(s.usage("sip:carol@x")).messages == 1u);
  BOOST_TEST(ok(s.erase(ia)));
  BOOST_TEST(!ok(s.erase(ia)));
  BOOST_TEST(!ok(s.get(ia)).has_value());
  u = ok(s.usage("sip:bob@x"));
  BOOST_TEST(u.messages == 1u);
  BOOST_TEST(u.bytes == b.bytes.size());
  BOOST_TEST(u.push_messages == 0u);
  BOOST_TEST(ok(s.erase(ib)));
  BOOST_TEST((ok(s.usage("sip:bob@x")) == sipsaf::store_usage{}));
  BOOST_TEST(!ok(s.erase(987654321)));
}

template <class F>
void conformance_list() {
  F f;
  auto& s = f.store;
  std::vector<sipsaf::message_id> push, pull;
  for (int i = 0; i < 10; ++i) {
    auto mode = i % 3 == 0 ? sipsaf::delivery_mode::pull : sipsaf::delivery_mode::push;
    auto id = ok(s.put(make_message("sip:bob@x", "l" + std::to_string(i), 1, "b", mode)));
    (mode == sipsaf::delivery_mode::push ? push : pull).push_back(id);
    ok(s.put(make_message("sip:other@x", "o" + std::to_string(i))));
  }
  auto got = ok(s.list("sip:bob@x", sipsaf::delivery_mode::push, 100));
  BOOST_REQUIRE(got.size() == push.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    BOOST_TEST(got[i].id == push[i]);  // oldest first
    BOOST_TEST(got[i].recipient == "sip:bob@x");
  }
  got = ok(s.list("sip:bob@x", sipsaf::delivery_mode::pull, 100));
  BOOST_REQUIRE(got.size() == pull.size());
  for (std::size_t i = 0; i < got.size(); ++i) BOOST_TEST(got[i].id == pull[i]);
  got = ok(s.list("sip:bob@x", sipsaf::delivery_mode::push, 2));
  BOOST_REQUIRE(got.size() == 2u);
  BOOST_TEST(got[0].id == push[0]);
  BOOST_TEST(got[1].id == push[1]);
  BOOST_TEST(ok(s.list("sip:bob@x", sipsaf::delivery_mode::push, 0)).empty());
  BOOST_TEST(ok(s.list("sip:none@x", sipsaf::delivery_mode::push, 10)).empty());
}

template <class F>
void conformance_schedule() {
  F f;
  auto& s = f.store;
  BOOST_TEST(!ok(s.next_due()).has_value());
  auto m1 = make_message("sip:bob@x", "s1");
  m1.env.expires_at = at_ms(10'000);
  auto m2 = make_message("sip:bob@x", "s2");
  m2.env.expires_at = at_ms(9'000);
  m2.env.next_attempt = at_ms(5'000);
  auto m3 = make_message("sip:carol@x", "s3");
  m3.env.expires_at = at_ms(9'000);
  auto i1 = ok(s.put(m1));
  auto i2 = ok(s.put(m2));
  auto i3 = ok(s.put(m3));
  BOOST_TEST((ok(s.next_due()) == std::optional<sipsaf::timestamp>(at_ms(5'000))));

  auto due = ok(s.due(at_ms(4'999), 10));
  BOOST_TEST(due.empty());
  due = ok(s.due(at_ms(5'000), 10));
  BOOST_REQUIRE(due.size() == 1u);
  BOOST_TEST(due[0].id == i2);
  BOOST_TEST((due[0].next_attempt == std::optional<sipsaf::timestamp>(at_ms(5'000))));

  BOOST_TEST(ok(s.reschedule(i1, at_ms(3'000), 2)));
  BOOST_TEST(ok(s.reschedule(i3, at_ms(3'000), 1)));
  due = ok(s.due(at_ms(6'000), 10));
  BOOST_REQUIRE(due.size() == 3u);
  BOOST_TEST(due[0].id == i1);  // 3000, lower id first
  BOOST_TEST(due[1].id == i3);  // 3000
  BOOST_TEST(due[2].id == i2);  // 5000
  BOOST_TEST(due[0].attempts == 2u);
  due = ok(s.due(at_ms(6'000), 1));
  BOOST_REQUIRE(due.size() == 1u);
  BOOST_TEST(due[0].id == i1);
  BOOST_TEST((ok(s.next_due()) == std::optional<sipsaf::timestamp>(at_ms(3'000))));

  BOOST_TEST(ok(s.reschedule(i1, std::nullopt, 3)));  // back to waiting
  BOOST_TEST(ok(s.reschedule(i3, std::nullopt, 1)));
  due = ok(s.due(at_ms(6'000), 10));
  BOOST_REQUIRE(due.size() == 1u);
  BOOST_TEST(due[0].id == i2);
  BOOST_TEST(ok(s.get(i1))->env.attempts == 3u);
  BOOST_TEST(!ok(s.reschedule(987654321, at_ms(1), 1)));

  auto exp = ok(s.expired(at_ms(8'999), 10));
  BOOST_TEST(exp.empty());
  exp = ok(s.expired(at_ms(9'000), 10));
  BOOST_REQUIRE(exp.size() == 2u);
  BOOST_TEST(exp[0].id == i2);
  BOOST_TEST(exp[1].id == i3);
  exp = ok(s.expired(at_ms(20'000), 10));
  BOOST_REQUIRE(exp.size() == 3u);
  BOOST_TEST(exp[2].id == i1);
  exp = ok(s.expired(at_ms(20'000), 2));
  BOOST_TEST(exp.size() == 2u);

  BOOST_TEST(ok(s.erase(i2)));
  BOOST_TEST(ok(s.due(at_ms(100'000), 10)).empty());
  BOOST_TEST((ok(s.next_due()) == std::optional<sipsaf::timestamp>(at_ms(9'000))));
  BOOST_TEST(ok(s.erase(i3)));
  BOOST_TEST(ok(s.erase(i1)));
  BOOST_TEST(!ok(s.next_due()).has_value());
}

// Random operations, checked against a plain model after each one.
template <class F>
void conformance_random_model(int operations) {
  F f;
  auto& s = f.store;
  std::map<sipsaf::message_id, sipsaf::stored_message> model;
  std::mt19937 rng(12345);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  std::vector<std::string> const recips = {"sip:a@x", "sip:b@x", "sip:c@x"};
  for (int op = 0; op < operations; ++op) {
    int const what = pick(10);
    BOOST_TEST_CONTEXT("operation " << op << " kind " << what) {
      if (what < 4) {  // put, sometimes a duplicate
        auto m =
            make_message(recips[static_cast<std::size_t>(pick(3))], "r" + std::to_string(pick(60)),
                         static_cast<std::uint32_t>(pick(2)),
                         std::string(static_cast<std::size_t>(pick(50)), 'z'),
                         pick(4) == 0 ? sipsaf::delivery_mode::pull : sipsaf::delivery_mode::push);
        m.env.expires_at = at_ms(pick(1000));
        if (pick(2) == 0) m.env.next_attempt = at_ms(pick(1000));
        auto id = ok(s.put(m));
        auto dup = std::find_if(model.begin(), model.end(),
                                [&](auto const& kv) { return kv.second.env.key() == m.env.key(); });
        if (dup != model.end()) {
          BOOST_TEST(id == dup->first);
        } else {
          BOOST_TEST((model.empty() || id > model.rbegin()->first));
          m.env.id = id;
          m.env.size = m.bytes.size();
          model.emplace(id, m);
        }
      } else if (what < 6 && !model.empty()) {  // erase
        auto it = std::next(model.begin(), pick(static_cast<int>(model.size())));
        BOOST_TEST(ok(s.erase(it->first)));
        model.erase(it);
      } else if (what < 7 && !model.empty()) {  // reschedule
        auto it = std::next(model.begin(), pick(static_cast<int>(model.size())));
        std::optional<sipsaf::timestamp> next;
        if (pick(2) == 0) next = at_ms(pick(1000));
        auto const attempts = static_cast<std::uint32_t>(pick(9));
        BOOST_TEST(ok(s.reschedule(it->first, next, attempts)));
        it->second.env.next_attempt = next;
        it->second.env.attempts = attempts;
      } else if (what < 8) {  // due / expired
        auto const now = at_ms(pick(1000));
        std::vector<sipsaf::envelope> want_due, want_exp;
        for (auto const& kv : model) {
          if (kv.second.env.next_attempt && *kv.second.env.next_attempt <= now)
            want_due.push_back(kv.second.env);
          if (kv.second.env.expires_at <= now) want_exp.push_back(kv.second.env);
        }
        std::stable_sort(want_due.begin(), want_due.end(), [](auto const& a, auto const& b) {
          return *a.next_attempt < *b.next_attempt;
        });
        std::stable_sort(want_exp.begin(), want_exp.end(),
                         [](auto const& a, auto const& b) { return a.expires_at < b.expires_at; });
        auto got_due = ok(s.due(now, 1000));
        auto got_exp = ok(s.expired(now, 1000));
        BOOST_REQUIRE(got_due.size() == want_due.size());
        BOOST_REQUIRE(got_exp.size() == want_exp.size());
        for (std::size_t i = 0; i < got_due.size(); ++i)
          BOOST_TEST(got_due[i].id == want_due[i].id);
        for (std::size_t i = 0; i < got_exp.size(); ++i)
          BOOST_TEST(got_exp[i].id == want_exp[i].id);
      } else {  // usage, list, next_due, get
        auto const& r = recips[static_cast<std::size_t>(pick(3))];
        sipsaf::store_usage want;
        std::vector<sipsaf::message_id> want_push;
        std::optional<sipsaf::timestamp> want_next;
        for (auto const& kv : model) {
          auto const& e = kv.second.env;
          if (e.next_attempt && (!want_next || *e.next_attempt < *want_next))
            want_next = e.next_attempt;
          if (!want_next || e.expires_at < *want_next) want_next = e.expires_at;
          if (e.recipient != r) continue;
          want.messages += 1;
          want.bytes += e.size;
          if (e.mode == sipsaf::delivery_mode::push) {
            want.push_messages += 1;
            want_push.push_back(kv.first);
          }
        }
        BOOST_TEST((ok(s.usage(r)) == want));
        auto listed = ok(s.list(r, sipsaf::delivery_mode::push, 1000));
        BOOST_REQUIRE(listed.size() == want_push.size());
        for (std::size_t i = 0; i < listed.size(); ++i) BOOST_TEST(listed[i].id == want_push[i]);
        BOOST_TEST((ok(s.next_due()) == want_next));
        for (auto const& kv : model) {
          auto got = ok(s.get(kv.first));
          BOOST_REQUIRE(got.has_value());
          BOOST_TEST(got->bytes == kv.second.bytes);
          check_envelope(got->env, kv.second.env, kv.first, kv.second.bytes.size());
        }
      }
    }
  }
}

// Stores that group writes in transactions (begin_batch, put_many, count)
// and that more than one connection may open: the fixture's `open_again()`
// opens a second store on the same data.
template <class F>
void conformance_batch() {
  F f;
  auto& s = f.store;
  auto other = f.open_again();
  {
    auto b = s.begin_batch();
    BOOST_REQUIRE(b);
    BOOST_TEST(!s.begin_batch());  // one at a time
    ok(s.put(make_message("sip:bob@x", "b1")));
    ok(s.put(make_message("sip:bob@x", "b2")));
    BOOST_TEST(ok(other.count()) == 0u);  // not visible to another before the commit
    BOOST_TEST(!b->commit());
    BOOST_TEST(ok(other.count()) == 2u);
  }
  {
    auto b = s.begin_batch();
    BOOST_REQUIRE(b);
    ok(s.put(make_message("sip:bob@x", "b3")));
  }  // destroyed without commit: rolled back
  BOOST_TEST(ok(s.count()) == 2u);
  BOOST_TEST(!ok(s.find(sipsaf::message_key{"b3", 1, "tag-b3"})).has_value());

  std::vector<sipsaf::stored_message> many;
  for (int i = 0; i < 50; ++i) many.push_back(make_message("sip:carol@x", "m" + std::to_string(i)));
  auto ids = ok(s.put_many(many));
  BOOST_REQUIRE(ids.size() == 50u);
  for (std::size_t i = 1; i < ids.size(); ++i) BOOST_TEST(ids[i] > ids[i - 1]);
  BOOST_TEST(ok(s.usage("sip:carol@x")).messages == 50u);
}

template <class F>
void conformance_moved_store_works() {
  F f;
  auto const id = ok(f.store.put(make_message("sip:a@x", "1")));
  decltype(f.store) moved(std::move(f.store));
  BOOST_TEST(ok(moved.get(id)).has_value());
  BOOST_TEST(ok(moved.put(make_message("sip:a@x", "2"))) > id);
}

}  // namespace sipsaf_test

/// Registers the conformance suite for the fixture type `F` (see the top).
#define SIPSAF_STORE_CONFORMANCE_SUITE(suite_name, F, random_ops)   \
  BOOST_AUTO_TEST_SUITE(suite_name)                                 \
  BOOST_AUTO_TEST_CASE(put_then_get_keeps_exact_bytes) {            \
    sipsaf_test::conformance_put_get_exact<F>();                    \
  }                                                                 \
  BOOST_AUTO_TEST_CASE(ids_increase_and_are_never_reused) {         \
    sipsaf_test::conformance_ids_increase<F>();                     \
  }                                                                 \
  BOOST_AUTO_TEST_CASE(put_of_a_stored_key_returns_the_stored_id) { \
    sipsaf_test::conformance_duplicates<F>();                       \
  }                                                                 \
  BOOST_AUTO_TEST_CASE(find_by_call_id_cseq_from_tag) {             \
    sipsaf_test::conformance_find<F>();                             \
  }                                                                 \
  BOOST_AUTO_TEST_CASE(erase_and_usage) {                           \
    sipsaf_test::conformance_erase_and_usage<F>();                  \
  }                                                                 \
  BOOST_AUTO_TEST_CASE(list_in_arrival_order_by_mode) {             \
    sipsaf_test::conformance_list<F>();                             \
  }                                                                 \
  BOOST_AUTO_TEST_CASE(due_expired_next_due) {                      \
    sipsaf_test::conformance_schedule<F>();                         \
  }                                                                 \
  BOOST_AUTO_TEST_CASE(random_operations_match_a_model) {           \
    sipsaf_test::conformance_random_model<F>(random_ops);           \
  }                                                                 \
  BOOST_AUTO_TEST_SUITE_END()

/// Registers the cases for stores with transactions and several connections
/// (see conformance_batch) for the fixture type `F`.
#define SIPSAF_STORE_BATCH_SUITE(suite_name, F)                \
  BOOST_AUTO_TEST_SUITE(suite_name)                            \
  BOOST_AUTO_TEST_CASE(batch_commits_together_or_rolls_back) { \
    sipsaf_test::conformance_batch<F>();                       \
  }                                                            \
  BOOST_AUTO_TEST_CASE(a_moved_store_keeps_its_data) {         \
    sipsaf_test::conformance_moved_store_works<F>();           \
  }                                                            \
  BOOST_AUTO_TEST_SUITE_END()

#endif  // SIPSAF_TESTS_UNIT_STORE_CONFORMANCE_HPP
