#include <sipsaf/store/postgres_store.hpp>

#include "unit/store/conformance.hpp"
#include "unit/store/temp_dir.hpp"

#include <boost/test/unit_test.hpp>

#include <libpq-fe.h>
#include <poll.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using sipsaf_test::at_ms;
using sipsaf_test::make_message;
using sipsaf_test::ok;

// One PostgreSQL server for the whole run, in a scratch folder; each store
// fixture gets a schema of its own, so every test starts empty.
class scratch_server {
 public:
  static auto get() -> scratch_server& {
    static scratch_server s;
    return s;
  }
  auto uri(std::string const& schema) const -> std::string {
    return base_ + "&options=-csearch_path%3D" + schema;
  }
  auto admin() -> PGconn* { return admin_; }
  auto exec(std::string const& sql) -> std::string {
    std::unique_ptr<PGresult, void (*)(PGresult*)> r(PQexec(admin_, sql.c_str()), PQclear);
    auto const st = PQresultStatus(r.get());
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
      throw std::runtime_error(sql + ": " + PQerrorMessage(admin_));
    return st == PGRES_TUPLES_OK && PQntuples(r.get()) > 0 ? PQgetvalue(r.get(), 0, 0) : "";
  }
  auto fresh_schema() -> std::string {
    std::string const name = "t" + std::to_string(++schemas_);
    exec("CREATE SCHEMA " + name);
    return name;
  }
  scratch_server(scratch_server const&) = delete;
  auto operator=(scratch_server const&) -> scratch_server& = delete;
  ~scratch_server() {
    if (admin_ != nullptr) PQfinish(admin_);
    std::system(("'" SIPSAF_PG_SCRATCH "' destroy '" + dir_.path() + "' >/dev/null 2>&1").c_str());
  }

 private:
  scratch_server() {
    std::string const cmd = "'" SIPSAF_PG_SCRATCH "' start '" + dir_.path() + "' 37001";
    FILE* p = popen(cmd.c_str(), "r");
    if (p == nullptr) throw std::runtime_error("cannot run pg_scratch.sh");
    char buf[512];
    while (std::fgets(buf, sizeof buf, p) != nullptr) base_ += buf;
    int const status = pclose(p);
    while (!base_.empty() && (base_.back() == '\n' || base_.back() == '\r')) base_.pop_back();
    if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
      std::fprintf(stderr, "PostgreSQL is not installed: postgres_store tests skipped\n");
      std::exit(77);
    }
    if (status != 0 || base_.empty()) throw std::runtime_error("PostgreSQL did not start");
    admin_ = PQconnectdb(base_.c_str());
    if (PQstatus(admin_) != CONNECTION_OK)
      throw std::runtime_error(std::string("admin connection: ") + PQerrorMessage(admin_));
    exec("SET client_min_messages = warning");
  }

  sipsaf_test::temp_dir dir_;
  std::string base_;
  PGconn* admin_ = nullptr;
  int schemas_ = 0;
};

auto open(std::string const& uri, sipsaf::postgres_store_options const& opt = {})
    -> sipsaf::postgres_store {
  std::string why;
  auto s = sipsaf::postgres_store::open(uri, opt, &why);
  if (!s) throw std::runtime_error("open: " + s.error().message() + ": " + why);
  return std::move(*s);
}

struct postgres_fixture {
  std::string schema = scratch_server::get().fresh_schema();
  std::string uri = scratch_server::get().uri(schema);
  sipsaf::postgres_store store = open(uri);

  auto open_again() const -> sipsaf::postgres_store { return open(uri); }
};

// Waits up to `ms` for the store's connection to have something to read.
void wait_readable(sipsaf::postgres_store const& s, int ms) {
  pollfd p{s.socket(), POLLIN, 0};
  ::poll(&p, 1, ms);
}

}  // namespace

SIPSAF_STORE_CONFORMANCE_SUITE(postgres_store_conformance, postgres_fixture, 300)
SIPSAF_STORE_BATCH_SUITE(postgres_store_batch, postgres_fixture)

BOOST_AUTO_TEST_SUITE(postgres_store)

BOOST_AUTO_TEST_CASE(commits_are_synchronous) {
  postgres_fixture f;
  std::unique_ptr<PGresult, void (*)(PGresult*)> r(
      PQexec(f.store.native_handle(), "SHOW synchronous_commit"), PQclear);
  BOOST_REQUIRE(PQresultStatus(r.get()) == PGRES_TUPLES_OK);
  BOOST_TEST(std::string(PQgetvalue(r.get(), 0, 0)) == "on");
}

BOOST_AUTO_TEST_CASE(schema_is_versioned_and_a_newer_one_refused) {
  postgres_fixture f;
  auto& srv = scratch_server::get();
  BOOST_TEST(srv.exec("SELECT version FROM " + f.schema + ".sipsaf_schema") == "1");
  for (char const* index :
       {"sipsaf_messages_by_recipient", "sipsaf_messages_by_due", "sipsaf_messages_by_expiry"})
    BOOST_TEST(srv.exec("SELECT count(*) FROM pg_indexes WHERE schemaname = '" + f.schema +
                        "' AND indexname = '" + index + "'") == "1",
               index);
  // A second process opening the same database uses the schema as it is.
  auto second = open(f.uri);
  BOOST_TEST(ok(second.put(make_message("sip:bob@x", "v1"))) > 0u);
  srv.exec("UPDATE " + f.schema + ".sipsaf_schema SET version = 99");
  auto newer = sipsaf::postgres_store::open(f.uri);
  BOOST_REQUIRE(!newer);
  BOOST_TEST((newer.error() == sipsaf::make_error_code(sipsaf::postgres_errc::schema_too_new)));
}

BOOST_AUTO_TEST_CASE(hostile_bytes_in_every_string_are_kept) {
  postgres_fixture f;
  auto m = make_message(std::string("sip:b\0b\xff@x", 11), std::string("c\xc3\x28", 3));
  m.env.from_tag = std::string("t\0\xfe", 3);
  m.env.sender = "\xff\xff";
  auto id = ok(f.store.put(m));
  auto got = ok(f.store.get(id));
  BOOST_REQUIRE(got.has_value());
  sipsaf_test::check_envelope(got->env, m.env, id, m.bytes.size());
  BOOST_TEST(ok(f.store.list(m.env.recipient, sipsaf::delivery_mode::push, 5)).size() == 1u);
}

// A put that `find` has just cleared waits in the batch and goes out with
// the others in one INSERT; every read sees it meanwhile.
BOOST_AUTO_TEST_CASE(a_batch_holds_new_messages_back_until_a_read_or_the_commit) {
  postgres_fixture f;
  auto& s = f.store;
  auto other = open(f.uri);
  auto m1 = make_message("sip:bob@x", "h1");
  auto m2 = make_message("sip:bob@x", "h2");
  auto m3 = make_message("sip:bob@x", "h3");
  auto raced = make_message("sip:bob@x", "raced");
  auto const flushes = s.flushes();
  {
    auto b = s.begin_batch();
    BOOST_REQUIRE(b);
    BOOST_TEST(!ok(s.find(m1.env.key())));
    auto const id1 = ok(s.put(m1));
    BOOST_TEST(s.flushes() == flushes);  // held back, nothing sent
    BOOST_TEST((ok(s.find(m1.env.key())) == std::optional<sipsaf::message_id>(id1)));
    BOOST_TEST(ok(s.put(m1)) == id1);  // the same key again: the same message
    BOOST_TEST(ok(s.usage("sip:bob@x")).messages == 1u);
    BOOST_TEST(!ok(s.find(m2.env.key())));
    auto const id2 = ok(s.put(m2));
    BOOST_TEST(id2 > id1);
    auto got = ok(s.get(id1));  // a read sends what waits first
    BOOST_REQUIRE(got.has_value());
    sipsaf_test::check_envelope(got->env, m1.env, id1, m1.bytes.size());
    BOOST_TEST(s.flushes() == flushes + 1);
    // Another process stores a key this batch found absent: kept once.
    BOOST_TEST(!ok(s.find(raced.env.key())));
    ok(other.put(raced));
    ok(s.put(raced));
    BOOST_TEST(!ok(s.find(m3.env.key())));
    auto const id3 = ok(s.put(m3));
    BOOST_TEST(ok(other.count()) == 1u);  // only what `other` committed
    BOOST_TEST(!b->commit());
    BOOST_TEST(ok(other.count()) == 4u);
    auto third = ok(other.get(id3));
    BOOST_REQUIRE(third.has_value());
    sipsaf_test::check_envelope(third->env, m3.env, id3, m3.bytes.size());
    BOOST_TEST(ok(other.list("sip:bob@x", sipsaf::delivery_mode::push, 10)).size() == 4u);
  }
  {
    auto b = s.begin_batch();
    BOOST_REQUIRE(b);
    auto m4 = make_message("sip:bob@x", "h4");
    BOOST_TEST(!ok(s.find(m4.env.key())));
    ok(s.put(m4));
  }  // rolled back: what waited is gone too
  BOOST_TEST(ok(s.count()) == 4u);
}

BOOST_AUTO_TEST_CASE(a_claimed_message_is_nobody_elses_until_its_lease_ends) {
  postgres_fixture f;
  sipsaf::postgres_store_options oa, ob;
  oa.owner = "proxy-a";
  ob.owner = "proxy-b";
  oa.lease = ob.lease = std::chrono::milliseconds(1000);
  auto a = open(f.uri, oa);
  auto b = open(f.uri, ob);
  std::vector<sipsaf::message_id> ids;
  for (int i = 0; i < 4; ++i)
    ids.push_back(ok(a.put(make_message("sip:bob@x", "l" + std::to_string(i)))));
  ok(a.put(make_message("sip:bob@x", "pull", 1, "p", sipsaf::delivery_mode::pull)));

  auto const now = at_ms(1'000'000);
  auto got = ok(a.claim("sip:bob@x", now, 3));
  BOOST_REQUIRE(got.size() == 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    BOOST_TEST(got[i].id == ids[i]);               // oldest first
    BOOST_TEST(!got[i].next_attempt.has_value());  // as it was before the claim
  }
  BOOST_TEST((f.store.get(ids[0]).value()->env.next_attempt == std::optional(at_ms(1'001'000))));
  // While A holds the oldest, B gets none of Bob's messages, not even the 4th.
  BOOST_TEST(ok(b.claim("sip:bob@x", now, 10)).empty());
  BOOST_TEST(ok(b.claim_due(at_ms(1'000'999), 10)).empty());
  // A delivers one, fails one (its next try in an hour) and dies holding the third.
  BOOST_TEST(ok(a.erase(ids[0])));
  BOOST_TEST(ok(a.reschedule(ids[1], at_ms(4'600'000), 1)));
  BOOST_TEST(ok(b.claim("sip:bob@x", now, 10)).empty());  // the third is still A's
  // When the lease ends, B takes over what A still held...
  got = ok(b.claim_due(at_ms(1'001'000), 10));
  BOOST_REQUIRE(got.size() == 1u);
  BOOST_TEST(got[0].id == ids[2]);
  BOOST_TEST(ok(a.claim_due(at_ms(1'001'500), 10)).empty());  // B's lease now
  BOOST_TEST(f.store.get(ids[1]).value()->env.attempts == 1u);
  // ...and once B has let go, Bob's messages go to whoever claims, in order.
  BOOST_TEST(ok(b.reschedule(ids[2], std::nullopt, 0)));
  got = ok(a.claim("sip:bob@x", at_ms(1'002'000), 10));
  BOOST_REQUIRE(got.size() == 3u);
  BOOST_TEST(got[0].id == ids[1]);  // a retry time does not hold a message back
  BOOST_TEST(got[2].id == ids[3]);
}

BOOST_AUTO_TEST_CASE(concurrent_claims_skip_locked_rows_without_waiting) {
  postgres_fixture f;
  auto a = open(f.uri);
  auto b = open(f.uri);
  for (int i = 0; i < 4; ++i) ok(a.put(make_message("sip:bob@x", "k" + std::to_string(i))));
  auto tx = a.begin_batch();
  BOOST_REQUIRE(tx);
  auto held = ok(a.claim("sip:bob@x", at_ms(5), 2));  // locked until A commits
  BOOST_REQUIRE(held.size() == 2u);
  auto const t0 = std::chrono::steady_clock::now();
  // B does not wait for A's locks, and takes nothing behind them (order).
  BOOST_TEST(ok(b.claim("sip:bob@x", at_ms(5), 10)).empty());
  BOOST_TEST((std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2)));
  BOOST_TEST(!tx->commit());
  BOOST_TEST(ok(b.claim("sip:bob@x", at_ms(5), 10)).empty());  // now leased
}

BOOST_AUTO_TEST_CASE(notifications_reach_the_other_connection) {
  postgres_fixture f;
  auto a = open(f.uri);
  auto b = open(f.uri);
  BOOST_TEST(!b.listen("sipsaf_wake"));
  BOOST_TEST(!!b.listen("not an identifier;"));
  BOOST_TEST(!a.notify("sipsaf_wake", std::string("sip:bob@x\0\xff", 11)));
  std::vector<sipsaf::postgres_notification> got;
  for (int i = 0; i < 20 && got.empty(); ++i) {
    wait_readable(b, 100);
    got = b.notifications();
  }
  BOOST_REQUIRE(got.size() == 1u);
  BOOST_TEST(got[0].channel == "sipsaf_wake");
  BOOST_TEST(got[0].payload == std::string("sip:bob@x\0\xff", 11));
}

BOOST_AUTO_TEST_CASE(a_lost_connection_fails_calls_then_comes_back_with_its_subscriptions) {
  postgres_fixture f;
  sipsaf::postgres_store_options o;
  o.reconnect_interval = std::chrono::milliseconds(200);
  auto s = open(f.uri, o);
  BOOST_TEST(!s.listen("sipsaf_wake"));
  auto const id = ok(s.put(make_message("sip:bob@x", "before")));
  auto& srv = scratch_server::get();
  srv.exec("SELECT pg_terminate_backend(" + std::to_string(PQbackendPID(s.native_handle())) + ")");
  auto r = s.put(make_message("sip:bob@x", "during"));
  BOOST_REQUIRE(!r);  // never reported stored
  BOOST_TEST((r.error() == sipsaf::make_error_code(sipsaf::postgres_errc::connection)));
  BOOST_TEST(!s.last_error_message().empty());
  BOOST_TEST(!ok(f.store.find(sipsaf::message_key{"during", 1, "tag-during"})).has_value());
  // The next call reconnects.
  BOOST_TEST(ok(s.get(id)).has_value());
  BOOST_TEST(s.connected());
  BOOST_TEST(!f.store.notify("sipsaf_wake", "again"));
  std::vector<sipsaf::postgres_notification> got;
  for (int i = 0; i < 20 && got.empty(); ++i) {
    wait_readable(s, 100);
    got = s.notifications();
  }
  BOOST_REQUIRE(got.size() == 1u);
  BOOST_TEST(got[0].payload == "again");
}

BOOST_AUTO_TEST_CASE(open_reports_errors) {
  auto s = sipsaf::postgres_store::open("postgresql://sipsaf@/nodb?host=/nonexistent&port=1");
  BOOST_REQUIRE(!s);
  BOOST_TEST((s.error() == sipsaf::make_error_code(sipsaf::postgres_errc::connection)));
  BOOST_TEST(!s.error().message().empty());
  BOOST_TEST(!sipsaf::postgres_store::open("not a uri = ="));
}

BOOST_AUTO_TEST_SUITE_END()
