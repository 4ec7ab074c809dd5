#include <sipsaf/store/sqlite_store.hpp>

#include "conformance.hpp"
#include "temp_dir.hpp"

#include <boost/test/unit_test.hpp>

#include <sqlite3.h>

#include <string>
#include <vector>

namespace {

struct sqlite_fixture {
  sipsaf_test::temp_dir dir;
  sipsaf::sqlite_store store = open(dir.file("store.db"));

  auto open_again() -> sipsaf::sqlite_store { return open(dir.file("store.db")); }

  static auto open(std::string const& path) -> sipsaf::sqlite_store {
    auto s = sipsaf::sqlite_store::open(path);
    if (!s) throw std::runtime_error("open: " + s.error().message());
    return std::move(*s);
  }
};

auto pragma(sipsaf::sqlite_store& s, char const* sql) -> std::string {
  sqlite3_stmt* st = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(s.native_handle(), sql, -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW) {
    auto const* t = reinterpret_cast<char const*>(sqlite3_column_text(st, 0));
    if (t != nullptr) out = t;
  }
  sqlite3_finalize(st);
  return out;
}

// The `detail` column of every row of an EXPLAIN QUERY PLAN.
auto query_plan(sipsaf::sqlite_store& s, std::string const& sql) -> std::string {
  std::string const q = "EXPLAIN QUERY PLAN " + sql;
  sqlite3_stmt* st = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(s.native_handle(), q.c_str(), -1, &st, nullptr) == SQLITE_OK) {
    while (sqlite3_step(st) == SQLITE_ROW) {
      auto const* t = reinterpret_cast<char const*>(sqlite3_column_text(st, 3));
      if (t != nullptr) out += std::string(t) + "\n";
    }
  }
  sqlite3_finalize(st);
  return out;
}

}  // namespace

SIPSAF_STORE_CONFORMANCE_SUITE(sqlite_store_conformance, sqlite_fixture, 600)
SIPSAF_STORE_BATCH_SUITE(sqlite_store_batch, sqlite_fixture)

BOOST_AUTO_TEST_SUITE(sqlite_store)

using sipsaf_test::make_message;
using sipsaf_test::ok;

BOOST_AUTO_TEST_CASE(runs_in_wal_mode_with_full_sync) {
  sqlite_fixture f;
  BOOST_TEST(pragma(f.store, "PRAGMA journal_mode") == "wal");
  BOOST_TEST(pragma(f.store, "PRAGMA synchronous") == "2");  // FULL
}

BOOST_AUTO_TEST_CASE(schema_is_versioned_and_indexed) {
  sqlite_fixture f;
  BOOST_TEST(pragma(f.store, "SELECT version FROM sipsaf_schema") == "3");
  BOOST_TEST(pragma(f.store, "SELECT count(*) FROM sipsaf_schema") == "1");
  for (char const* index :
       {"sipsaf_messages_by_recipient", "sipsaf_messages_by_due", "sipsaf_messages_by_expiry"}) {
    std::string const q =
        std::string("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = '") +
        index + "'";
    BOOST_TEST(pragma(f.store, q.c_str()) == "1", index);
  }
  // The due-time and recipient queries use their indexes, not a table scan.
  std::string plan = query_plan(f.store,
                                "SELECT id FROM sipsaf_messages WHERE next_attempt IS NOT NULL "
                                "AND next_attempt <= 5 ORDER BY next_attempt, id");
  BOOST_TEST(plan.find("sipsaf_messages_by_due") != std::string::npos, plan);
  plan = query_plan(f.store,
                    "SELECT id FROM sipsaf_messages WHERE recipient = 'x' AND mode = 0 "
                    "ORDER BY id");
  BOOST_TEST(plan.find("sipsaf_messages_by_recipient") != std::string::npos, plan);
  plan = query_plan(f.store,
                    "SELECT id FROM sipsaf_messages WHERE expires_at <= 5 ORDER BY expires_at, id");
  BOOST_TEST(plan.find("sipsaf_messages_by_expiry") != std::string::npos, plan);
}

BOOST_AUTO_TEST_CASE(messages_survive_closing_and_reopening) {
  sipsaf_test::temp_dir dir;
  std::string const path = dir.file("s.db");
  std::vector<sipsaf::message_id> ids;
  auto m = make_message("sip:bob@x", "persist", 1, "body\r\n--b 1--\r\n");
  {
    auto s = sqlite_fixture::open(path);
    ids.push_back(ok(s.put(m)));
    ids.push_back(ok(s.put(make_message("sip:bob@x", "persist-2"))));
    BOOST_TEST(ok(s.reschedule(ids[1], sipsaf::from_unix_ms(77), 4)));
  }
  auto s = sqlite_fixture::open(path);
  auto got = ok(s.get(ids[0]));
  BOOST_REQUIRE(got.has_value());
  BOOST_TEST(got->bytes == m.bytes);
  sipsaf_test::check_envelope(got->env, m.env, ids[0], m.bytes.size());
  auto second = ok(s.get(ids[1]));
  BOOST_REQUIRE(second.has_value());
  BOOST_TEST(second->env.attempts == 4u);
  BOOST_TEST(
      (second->env.next_attempt == std::optional<sipsaf::timestamp>(sipsaf::from_unix_ms(77))));
  // Ids continue after the highest ever used.
  BOOST_TEST(ok(s.put(make_message("sip:bob@x", "persist-3"))) > ids[1]);
  BOOST_TEST(ok(s.integrity_check()));
}

BOOST_AUTO_TEST_CASE(a_newer_schema_is_refused) {
  sipsaf_test::temp_dir dir;
  std::string const path = dir.file("s.db");
  {
    auto s = sqlite_fixture::open(path);
    BOOST_TEST(sqlite3_exec(s.native_handle(), "UPDATE sipsaf_schema SET version = 99", nullptr,
                            nullptr, nullptr) == SQLITE_OK);
  }
  auto s = sipsaf::sqlite_store::open(path);
  BOOST_REQUIRE(!s);
  BOOST_TEST((s.error() == sipsaf::make_error_code(sipsaf::errc::unsupported)));
}

BOOST_AUTO_TEST_CASE(a_version_1_file_is_upgraded_with_its_usage) {
  sipsaf_test::temp_dir dir;
  std::string const path = dir.file("v1.db");
  {
    // A file as version 1 wrote it: messages and indexes, no usage table.
    sqlite3* db = nullptr;
    BOOST_REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    char const* v1 =
        "CREATE TABLE sipsaf_schema (version INTEGER NOT NULL);"
        "INSERT INTO sipsaf_schema (version) VALUES (1);"
        "CREATE TABLE sipsaf_messages (id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " recipient TEXT NOT NULL, sender TEXT NOT NULL, to_uri TEXT NOT NULL,"
        " call_id TEXT NOT NULL, cseq INTEGER NOT NULL, from_tag TEXT NOT NULL,"
        " mode INTEGER NOT NULL, notify INTEGER NOT NULL, arrived INTEGER NOT NULL,"
        " expires_at INTEGER NOT NULL, next_attempt INTEGER, attempts INTEGER NOT NULL,"
        " size INTEGER NOT NULL, bytes BLOB NOT NULL, UNIQUE (call_id, cseq, from_tag));"
        "INSERT INTO sipsaf_messages VALUES (1, 'sip:bob@x', 's', 't', 'c1', 1, 'f', 0, 0, 0,"
        " 10, NULL, 0, 5, 'hello');"
        "INSERT INTO sipsaf_messages VALUES (2, 'sip:bob@x', 's', 't', 'c2', 1, 'f', 1, 0, 0,"
        " 10, NULL, 0, 3, 'abc');";
    BOOST_REQUIRE(sqlite3_exec(db, v1, nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  auto s = sqlite_fixture::open(path);
  BOOST_TEST(pragma(s, "SELECT version FROM sipsaf_schema") == "3");
  auto u = ok(s.usage("sip:bob@x"));
  BOOST_TEST(u.messages == 2u);
  BOOST_TEST(u.bytes == 8u);
  BOOST_TEST(u.push_messages == 1u);
  // Kept from here on (by put and the delete trigger).
  ok(s.put(make_message("sip:bob@x", "c3", 1, "12")));
  BOOST_TEST(ok(s.usage("sip:bob@x")).messages == 3u);
  BOOST_TEST(ok(s.erase(1)));
  BOOST_TEST(ok(s.erase(2)));
  BOOST_TEST(ok(s.usage("sip:bob@x")).messages == 1u);
  BOOST_TEST(ok(s.get(3)).has_value());  // ids continue after the old ones
}

BOOST_AUTO_TEST_CASE(a_version_2_file_is_upgraded_and_counts_once) {
  sipsaf_test::temp_dir dir;
  std::string const path = dir.file("v2.db");
  auto const m1 = make_message("sip:bob@x", "c1", 1, "hello");
  auto const m2 = make_message("sip:bob@x", "c2", 1, "abc");
  auto const m3 = make_message("sip:bob@x", "c3", 1, "12");
  {
    // A file as version 2 left it: usage kept by an insert trigger.
    auto s = sqlite_fixture::open(path);
    ok(s.put(m1));
    char const* back_to_v2 =
        "CREATE TRIGGER sipsaf_usage_insert AFTER INSERT ON sipsaf_messages BEGIN"
        " INSERT INTO sipsaf_usage (recipient, messages, bytes, push_messages)"
        " VALUES (NEW.recipient, 1, NEW.size, NEW.mode = 0)"
        " ON CONFLICT (recipient) DO UPDATE SET messages = messages + 1,"
        " bytes = bytes + excluded.bytes, push_messages = push_messages + excluded.push_messages;"
        " END;"
        "UPDATE sipsaf_schema SET version = 2;";
    BOOST_REQUIRE(sqlite3_exec(s.native_handle(), back_to_v2, nullptr, nullptr, nullptr) ==
                  SQLITE_OK);
  }
  auto s = sqlite_fixture::open(path);
  BOOST_TEST(pragma(s, "SELECT version FROM sipsaf_schema") == "3");
  BOOST_TEST(pragma(s,
                    "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = "
                    "'sipsaf_usage_insert'") == "0");
  BOOST_TEST(ok(s.usage("sip:bob@x")).messages == 1u);
  // A new message counts once, in a batch and outside one; a duplicate not at all.
  ok(s.put(m2));
  ok(s.put(m2));
  {
    auto b = ok(s.begin_batch());
    ok(s.put(m3));
    BOOST_TEST(!b.commit());
  }
  auto u = ok(s.usage("sip:bob@x"));
  BOOST_TEST(u.messages == 3u);
  BOOST_TEST(u.bytes == m1.bytes.size() + m2.bytes.size() + m3.bytes.size());
  BOOST_TEST(u.push_messages == 3u);
  {
    auto b = ok(s.begin_batch());
    ok(s.put(make_message("sip:bob@x", "c4", 1, "xyz")));
  }  // rolled back: the row and its usage
  BOOST_TEST(ok(s.usage("sip:bob@x")).messages == 3u);
  BOOST_TEST(ok(s.erase(1)));
  BOOST_TEST(ok(s.usage("sip:bob@x")).bytes == m2.bytes.size() + m3.bytes.size());
}

BOOST_AUTO_TEST_CASE(open_reports_errors) {
  auto s = sipsaf::sqlite_store::open("/nonexistent-dir/sub/store.db");
  BOOST_REQUIRE(!s);
  BOOST_TEST((s.error().category() == sipsaf::sqlite_category()));
  BOOST_TEST(!s.error().message().empty());
  sipsaf_test::temp_dir dir;
  sipsaf::sqlite_store_options no_create;
  no_create.create = false;
  BOOST_TEST(!sipsaf::sqlite_store::open(dir.file("missing.db"), no_create));
}

BOOST_AUTO_TEST_CASE(moved_from_store_reports_errors_not_crashes) {
  sqlite_fixture f;
  sipsaf::sqlite_store other(std::move(f.store));
  BOOST_TEST(!f.store.put(make_message("sip:a@x", "1")));  // NOLINT: use after move on purpose
}

BOOST_AUTO_TEST_SUITE_END()
