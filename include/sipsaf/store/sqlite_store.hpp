// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_STORE_SQLITE_STORE_HPP
#define SIPSAF_STORE_SQLITE_STORE_HPP

/// @file
/// `sqlite_store`: the durable *MessageStore*, one SQLite file.
///
/// Opt-in: this header needs libsqlite3 (Debian: libsqlite3-dev; CMake:
/// `find_package(SQLite3)` and link `SQLite::SQLite3`). The umbrella
/// headers <sipsaf.hpp> and <sipsaf/store.hpp> do not include it.
///
/// @par Durability
/// The database runs in WAL mode with `synchronous=FULL`: a write is in
/// the log and the log is fsync'ed before the call that made it returns.
/// So a message whose `put` returned survives the process being killed and
/// the machine losing power (as far as the disk honours fsync). Inside a
/// `batch`, writes become durable together when `batch::commit` returns;
/// a caller that batches must hold back the answers that promise storage
/// (202) until then, and answer 500 for the batch if the commit fails.
///
/// @par Schema (version 3)
/// @code
///   sipsaf_schema(version INTEGER)                   -- one row: 3
///   sipsaf_messages(id INTEGER PRIMARY KEY AUTOINCREMENT, recipient TEXT,
///     sender TEXT, to_uri TEXT, call_id TEXT, cseq INTEGER, from_tag TEXT,
///     mode INTEGER, notify INTEGER, arrived INTEGER, expires_at INTEGER,
///     next_attempt INTEGER NULL, attempts INTEGER, size INTEGER, bytes BLOB,
///     UNIQUE(call_id, cseq, from_tag))
///   index by (recipient, mode, id); by (next_attempt, id) where not null;
///   by (expires_at, id)
///   sipsaf_usage(recipient TEXT PRIMARY KEY, messages, bytes, push_messages)
///     -- added to by `put` in the row's transaction (version 3; by a
///     -- trigger in version 2), taken from by a trigger on delete
/// @endcode
/// Opening a file of an older version upgrades it in one transaction.
/// Times are milliseconds since 1970 UTC. `AUTOINCREMENT` keeps ids
/// increasing and never reused, so id order is arrival order. A file with a
/// newer schema version than this code knows is refused (`errc::unsupported`).
///
/// @par Thread safety
/// One `sqlite_store` object per thread. Several processes may open the same
/// file (WAL); a writer waits up to `busy_timeout` for the lock.

#include <sipsaf/config.hpp>
#include <sipsaf/error.hpp>
#include <sipsaf/result.hpp>
#include <sipsaf/store/message.hpp>
#include <sipsaf/store/requirements.hpp>

#include <sqlite3.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

SIPSAF_BEGIN_NAMESPACE

namespace detail {

class sqlite_category_impl final : public std::error_category {
 public:
  auto name() const noexcept -> char const* override { return "sqlite"; }
  auto message(int ev) const -> std::string override { return sqlite3_errstr(ev); }
};

}  // namespace detail

/// The category of SQLite result codes (the value is the extended code).
inline auto sqlite_category() noexcept -> std::error_category const& {
  static detail::sqlite_category_impl const cat{};
  return cat;
}

/// Options for `sqlite_store::open`.
struct sqlite_store_options {
  /// Create the file and the schema when missing.
  bool create = true;
  /// How long a write waits for another connection's lock.
  std::chrono::milliseconds busy_timeout{5000};
  /// `true`: `synchronous=FULL` (durable, the default and what the engine's
  /// promise needs). `false`: `synchronous=NORMAL`, which in WAL mode
  /// survives a process crash but may lose the last commits on power loss.
  bool full_sync = true;
};

/// A *MessageStore* in one SQLite database file (see the file notes).
class sqlite_store {
 public:
  /// The schema version this code writes and reads.
  static constexpr int schema_version = 3;

  /// Opens (and, if allowed, creates) the store at `path`; `":memory:"`
  /// gives a private in-memory database (then nothing is durable).
  static auto open(std::string const& path, sqlite_store_options const& opt = {})
      -> result<sqlite_store, std::error_code> {
    sqlite_store s;
    if (auto ec = s.init(path, opt)) return ec;
    return s;
  }

  sqlite_store(sqlite_store&& o) noexcept
      : db_(std::exchange(o.db_, nullptr)),
        stmts_(std::exchange(o.stmts_, {})),
        in_batch_(std::exchange(o.in_batch_, false)),
        batch_error_(std::exchange(o.batch_error_, {})) {}
  auto operator=(sqlite_store&& o) noexcept -> sqlite_store& {
    if (this != &o) {
      close();
      db_ = std::exchange(o.db_, nullptr);
      stmts_ = std::exchange(o.stmts_, {});
      in_batch_ = std::exchange(o.in_batch_, false);
      batch_error_ = std::exchange(o.batch_error_, {});
    }
    return *this;
  }
  sqlite_store(sqlite_store const&) = delete;
  auto operator=(sqlite_store const&) -> sqlite_store& = delete;
  ~sqlite_store() { close(); }

  /// A group of writes that becomes durable in one commit (one fsync).
  /// Destroying an uncommitted batch rolls its writes back. At most one
  /// batch is open per store; the store must outlive it.
  class batch {
   public:
    batch(batch&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
    batch(batch const&) = delete;
    auto operator=(batch const&) -> batch& = delete;
    auto operator=(batch&&) -> batch& = delete;
    ~batch() {
      if (s_ != nullptr) s_->end_batch(false);
    }
    /// Makes every write since `begin_batch` durable. After an error the
    /// writes are rolled back.
    auto commit() -> std::error_code {
      if (s_ == nullptr) return make_error_code(errc::unsupported);
      sqlite_store* s = std::exchange(s_, nullptr);
      return s->end_batch(true);
    }

   private:
    friend class sqlite_store;
    explicit batch(sqlite_store* s) noexcept : s_(s) {}
    sqlite_store* s_;
  };

  /// Starts a batch (`BEGIN IMMEDIATE`: it takes the write lock now).
  auto begin_batch() -> result<batch, std::error_code> {
    if (in_batch_) return make_error_code(errc::unsupported);
    if (auto ec = exec("BEGIN IMMEDIATE")) return ec;
    in_batch_ = true;
    return batch(this);
  }

  /// Stores every message in one transaction; all or nothing. Returns the
  /// ids in the order of `ms`.
  auto put_many(std::vector<stored_message> const& ms)
      -> result<std::vector<message_id>, std::error_code> {
    auto b = begin_batch();
    if (!b) return b.error();
    std::vector<message_id> ids;
    ids.reserve(ms.size());
    for (stored_message const& m : ms) {
      auto id = put(m);
      if (!id) return id.error();  // `b` rolls back
      ids.push_back(*id);
    }
    if (auto ec = b->commit()) return ec;
    return ids;
  }

  // --- MessageStore -----------------------------------------------------

  auto put(stored_message const& m) -> result<message_id, std::error_code> {
    if (in_batch_) {
      bool wrote = false;
      auto id = insert(m, wrote);
      // A row written without its usage must not be committed: the batch
      // fails as a whole (a failed insert itself leaves nothing behind).
      if (!id && wrote) batch_error_ = id.error();
      return id;
    }
    // Outside a batch the row and its usage are a transaction of their own,
    // which commits (and fsyncs) before this returns: only then is the
    // message durable.
    if (auto ec = exec("BEGIN IMMEDIATE")) return ec;
    bool wrote = false;
    auto id = insert(m, wrote);
    if (!id) {
      exec("ROLLBACK");
      return id;
    }
    if (auto ec = exec("COMMIT")) {
      exec("ROLLBACK");
      return ec;
    }
    return id;
  }

  auto get(message_id id) -> result<std::optional<stored_message>, std::error_code> {
    statement s(*this, q_get);
    if (!s) return s.ec;
    s.i64(1, static_cast<std::int64_t>(id));
    int rc = s.step();
    if (rc == SQLITE_DONE) return std::optional<stored_message>{};
    if (rc != SQLITE_ROW) return s.fail(rc);
    stored_message m;
    read_envelope(s.h, m.env);
    auto const* p = static_cast<char const*>(sqlite3_column_blob(s.h, 14));
    int const n = sqlite3_column_bytes(s.h, 14);
    if (p != nullptr) m.bytes.assign(p, static_cast<std::size_t>(n));
    return std::optional<stored_message>(std::move(m));
  }

  auto erase(message_id id) -> result<bool, std::error_code> {
    statement s(*this, q_erase);
    if (!s) return s.ec;
    s.i64(1, static_cast<std::int64_t>(id));
    int rc = s.step();
    if (rc != SQLITE_DONE) return s.fail(rc);
    return sqlite3_changes(db_) > 0;
  }

  auto find(message_key const& k) -> result<std::optional<message_id>, std::error_code> {
    statement s(*this, q_find);
    if (!s) return s.ec;
    s.text(1, k.call_id);
    s.i64(2, k.cseq);
    s.text(3, k.from_tag);
    int rc = s.step();
    if (rc == SQLITE_DONE) return std::optional<message_id>{};
    if (rc != SQLITE_ROW) return s.fail(rc);
    return std::optional<message_id>(static_cast<message_id>(sqlite3_column_int64(s.h, 0)));
  }

  auto usage(std::string_view recipient) -> result<store_usage, std::error_code> {
    statement s(*this, q_usage);
    if (!s) return s.ec;
    s.text(1, recipient);
    int rc = s.step();
    if (rc == SQLITE_DONE) return store_usage{};
    if (rc != SQLITE_ROW) return s.fail(rc);
    store_usage u;
    u.messages = static_cast<std::uint64_t>(sqlite3_column_int64(s.h, 0));
    u.bytes = static_cast<std::uint64_t>(sqlite3_column_int64(s.h, 1));
    u.push_messages = static_cast<std::uint64_t>(sqlite3_column_int64(s.h, 2));
    return u;
  }

  auto list(std::string_view recipient, delivery_mode mode, std::size_t limit)
      -> result<std::vector<envelope>, std::error_code> {
    statement s(*this, q_list);
    if (!s) return s.ec;
    s.text(1, recipient);
    s.i64(2, static_cast<int>(mode));
    s.i64(3, clamp_limit(limit));
    return s.envelopes();
  }

  auto reschedule(message_id id, std::optional<timestamp> next, std::uint32_t attempts)
      -> result<bool, std::error_code> {
    statement s(*this, q_reschedule);
    if (!s) return s.ec;
    if (next)
      s.i64(1, to_unix_ms(*next));
    else
      s.null(1);
    s.i64(2, attempts);
    s.i64(3, static_cast<std::int64_t>(id));
    int rc = s.step();
    if (rc != SQLITE_DONE) return s.fail(rc);
    return sqlite3_changes(db_) > 0;
  }

  auto due(timestamp now, std::size_t limit) -> result<std::vector<envelope>, std::error_code> {
    statement s(*this, q_due);
    if (!s) return s.ec;
    s.i64(1, to_unix_ms(now));
    s.i64(2, clamp_limit(limit));
    return s.envelopes();
  }

  auto expired(timestamp now, std::size_t limit) -> result<std::vector<envelope>, std::error_code> {
    statement s(*this, q_expired);
    if (!s) return s.ec;
    s.i64(1, to_unix_ms(now));
    s.i64(2, clamp_limit(limit));
    return s.envelopes();
  }

  auto next_due() -> result<std::optional<timestamp>, std::error_code> {
    statement s(*this, q_next_due);
    if (!s) return s.ec;
    int rc = s.step();
    if (rc != SQLITE_ROW) return s.fail(rc);
    if (sqlite3_column_type(s.h, 0) == SQLITE_NULL) return std::optional<timestamp>{};
    return std::optional<timestamp>(from_unix_ms(sqlite3_column_int64(s.h, 0)));
  }

  // --- maintenance --------------------------------------------------------

  /// Runs SQLite's `PRAGMA integrity_check`; true when it reports "ok".
  auto integrity_check() -> result<bool, std::error_code> {
    sqlite3_stmt* st = nullptr;
    int rc = sqlite3_prepare_v2(db_, "PRAGMA integrity_check", -1, &st, nullptr);
    if (rc != SQLITE_OK) return std::error_code(rc, sqlite_category());
    bool ok = false;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
      auto const* t = reinterpret_cast<char const*>(sqlite3_column_text(st, 0));
      ok = t != nullptr && std::string_view(t) == "ok";
      rc = SQLITE_DONE;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return std::error_code(rc, sqlite_category());
    return ok;
  }

  /// Number of messages held, for all recipients.
  auto count() -> result<std::uint64_t, std::error_code> {
    statement s(*this, q_count);
    if (!s) return s.ec;
    int rc = s.step();
    if (rc != SQLITE_ROW) return s.fail(rc);
    return static_cast<std::uint64_t>(sqlite3_column_int64(s.h, 0));
  }

  /// SQLite's text for the last error on this connection, for logs.
  auto last_error_message() const -> std::string {
    return db_ != nullptr ? sqlite3_errmsg(db_) : "not open";
  }

  /// The underlying connection (for tooling; do not change the schema).
  auto native_handle() const noexcept -> sqlite3* { return db_; }

 private:
  enum query : std::size_t {
    q_insert,
    q_add_usage,
    q_get,
    q_erase,
    q_find,
    q_usage,
    q_list,
    q_reschedule,
    q_due,
    q_expired,
    q_next_due,
    q_count,
    q_total
  };

#define SIPSAF_SQLITE_ENVELOPE_COLUMNS                                              \
  "id, recipient, sender, to_uri, call_id, cseq, from_tag, mode, notify, arrived, " \
  "expires_at, next_attempt, attempts, size"

  static auto sql(query q) noexcept -> char const* {
    switch (q) {
      case q_insert:
        return "INSERT INTO sipsaf_messages (recipient, sender, to_uri, call_id, cseq, "
               "from_tag, mode, notify, arrived, expires_at, next_attempt, attempts, size, "
               "bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) "
               "ON CONFLICT (call_id, cseq, from_tag) DO NOTHING";
      case q_add_usage:
        return "INSERT INTO sipsaf_usage (recipient, messages, bytes, push_messages)"
               " VALUES (?1, 1, ?2, ?3) ON CONFLICT (recipient) DO UPDATE SET"
               " messages = messages + 1, bytes = bytes + excluded.bytes,"
               " push_messages = push_messages + excluded.push_messages";
      case q_get:
        return "SELECT " SIPSAF_SQLITE_ENVELOPE_COLUMNS
               ", bytes FROM sipsaf_messages WHERE id = ?1";
      case q_erase:
        return "DELETE FROM sipsaf_messages WHERE id = ?1";
      case q_find:
        return "SELECT id FROM sipsaf_messages WHERE call_id = ?1 AND cseq = ?2 AND "
               "from_tag = ?3";
      case q_usage:
        return "SELECT messages, bytes, push_messages FROM sipsaf_usage WHERE recipient = ?1";
      case q_list:
        return "SELECT " SIPSAF_SQLITE_ENVELOPE_COLUMNS
               " FROM sipsaf_messages WHERE recipient = ?1 AND mode = ?2 ORDER BY id LIMIT ?3";
      case q_reschedule:
        return "UPDATE sipsaf_messages SET next_attempt = ?1, attempts = ?2 WHERE id = ?3";
      case q_due:
        return "SELECT " SIPSAF_SQLITE_ENVELOPE_COLUMNS
               " FROM sipsaf_messages WHERE next_attempt IS NOT NULL AND next_attempt <= ?1 "
               "ORDER BY next_attempt, id LIMIT ?2";
      case q_expired:
        return "SELECT " SIPSAF_SQLITE_ENVELOPE_COLUMNS
               " FROM sipsaf_messages WHERE expires_at <= ?1 ORDER BY expires_at, id LIMIT ?2";
      case q_next_due:
        return "SELECT min(t) FROM (SELECT min(next_attempt) AS t FROM sipsaf_messages "
               "WHERE next_attempt IS NOT NULL UNION ALL "
               "SELECT min(expires_at) FROM sipsaf_messages)";
      case q_count:
        return "SELECT count(*) FROM sipsaf_messages";
      case q_total:
        break;
    }
    return "";
  }
#undef SIPSAF_SQLITE_ENVELOPE_COLUMNS

  // A prepared statement borrowed from the cache for one use; reset and
  // unbound when the borrow ends, so the next use starts clean.
  struct statement {
    sqlite_store& st;
    sqlite3_stmt* h = nullptr;
    std::error_code ec;

    statement(sqlite_store& s, query q) : st(s) {
      if (s.db_ == nullptr) {
        ec = make_error_code(errc::unsupported);
        return;
      }
      sqlite3_stmt*& slot = s.stmts_[q];
      if (slot == nullptr) {
        int rc = sqlite3_prepare_v3(s.db_, sql(q), -1, SQLITE_PREPARE_PERSISTENT, &slot, nullptr);
        if (rc != SQLITE_OK) {
          ec = std::error_code(sqlite3_extended_errcode(s.db_), sqlite_category());
          slot = nullptr;
          return;
        }
      }
      h = slot;
    }
    statement(statement const&) = delete;
    auto operator=(statement const&) -> statement& = delete;
    ~statement() { reset(); }
    explicit operator bool() const noexcept { return h != nullptr; }

    void reset() noexcept {
      if (h != nullptr) {
        sqlite3_reset(h);
        sqlite3_clear_bindings(h);
      }
    }
    void text(int i, std::string_view v) {
      sqlite3_bind_text(h, i, v.data() == nullptr ? "" : v.data(), static_cast<int>(v.size()),
                        SQLITE_STATIC);
    }
    void blob(int i, std::string_view v) {
      sqlite3_bind_blob(h, i, v.data() == nullptr ? "" : v.data(), static_cast<int>(v.size()),
                        SQLITE_STATIC);
    }
    void i64(int i, std::int64_t v) { sqlite3_bind_int64(h, i, v); }
    void null(int i) { sqlite3_bind_null(h, i); }
    auto step() -> int { return sqlite3_step(h); }
    auto fail(int rc) -> std::error_code {
      int const ext = sqlite3_extended_errcode(st.db_);
      return std::error_code(ext != SQLITE_OK ? ext : rc, sqlite_category());
    }
    auto envelopes() -> result<std::vector<envelope>, std::error_code> {
      std::vector<envelope> out;
      for (;;) {
        int rc = step();
        if (rc == SQLITE_DONE) return out;
        if (rc != SQLITE_ROW) return fail(rc);
        out.emplace_back();
        read_envelope(h, out.back());
      }
    }
  };

  // The row, then its recipient's usage (one upsert of one row: a trigger
  // made SQLite open a statement journal for every insert). `wrote`: the
  // row was written.
  auto insert(stored_message const& m, bool& wrote) -> result<message_id, std::error_code> {
    envelope const& e = m.env;
    statement s(*this, q_insert);
    if (!s) return s.ec;
    s.text(1, e.recipient);
    s.text(2, e.sender);
    s.text(3, e.to);
    s.text(4, e.call_id);
    s.i64(5, e.cseq);
    s.text(6, e.from_tag);
    s.i64(7, static_cast<int>(e.mode));
    s.i64(8, e.notify ? 1 : 0);
    s.i64(9, to_unix_ms(e.arrived));
    s.i64(10, to_unix_ms(e.expires_at));
    if (e.next_attempt)
      s.i64(11, to_unix_ms(*e.next_attempt));
    else
      s.null(11);
    s.i64(12, e.attempts);
    s.i64(13, static_cast<std::int64_t>(m.bytes.size()));
    s.blob(14, m.bytes);
    int const rc = s.step();
    if (rc != SQLITE_DONE) return s.fail(rc);
    // The row's id without RETURNING, which would gather its rows in a
    // temporary table on every insert.
    if (sqlite3_changes(db_) == 1) {
      wrote = true;
      auto const id = static_cast<message_id>(sqlite3_last_insert_rowid(db_));
      statement u(*this, q_add_usage);
      if (!u) return u.ec;
      u.text(1, e.recipient);
      u.i64(2, static_cast<std::int64_t>(m.bytes.size()));
      u.i64(3, static_cast<int>(e.mode) == 0 ? 1 : 0);  // as the column: 0 is push
      int const urc = u.step();
      if (urc != SQLITE_DONE) return u.fail(urc);
      return id;
    }
    // Nothing inserted: the key is already stored (ON CONFLICT DO NOTHING).
    s.reset();
    auto existing = find(e.key());
    if (!existing) return existing.error();
    if (!*existing) return make_error_code(errc::unsupported);
    return **existing;
  }

  static auto column_text(sqlite3_stmt* h, int i) -> std::string {
    auto const* p = reinterpret_cast<char const*>(sqlite3_column_text(h, i));
    int const n = sqlite3_column_bytes(h, i);
    return p != nullptr ? std::string(p, static_cast<std::size_t>(n)) : std::string();
  }

  static void read_envelope(sqlite3_stmt* h, envelope& e) {
    e.id = static_cast<message_id>(sqlite3_column_int64(h, 0));
    e.recipient = column_text(h, 1);
    e.sender = column_text(h, 2);
    e.to = column_text(h, 3);
    e.call_id = column_text(h, 4);
    e.cseq = static_cast<std::uint32_t>(sqlite3_column_int64(h, 5));
    e.from_tag = column_text(h, 6);
    e.mode = sqlite3_column_int(h, 7) == 1 ? delivery_mode::pull : delivery_mode::push;
    e.notify = sqlite3_column_int(h, 8) != 0;
    e.arrived = from_unix_ms(sqlite3_column_int64(h, 9));
    e.expires_at = from_unix_ms(sqlite3_column_int64(h, 10));
    if (sqlite3_column_type(h, 11) == SQLITE_NULL)
      e.next_attempt.reset();
    else
      e.next_attempt = from_unix_ms(sqlite3_column_int64(h, 11));
    e.attempts = static_cast<std::uint32_t>(sqlite3_column_int64(h, 12));
    e.size = static_cast<std::uint64_t>(sqlite3_column_int64(h, 13));
  }

  static auto clamp_limit(std::size_t n) noexcept -> std::int64_t {
    constexpr auto max = static_cast<std::size_t>(INT64_MAX);
    return static_cast<std::int64_t>(n > max ? max : n);
  }

  sqlite_store() = default;

  auto exec(char const* text) -> std::error_code {
    char* msg = nullptr;
    int rc = sqlite3_exec(db_, text, nullptr, nullptr, &msg);
    sqlite3_free(msg);
    if (rc != SQLITE_OK) {
      int const ext = sqlite3_extended_errcode(db_);
      return std::error_code(ext != SQLITE_OK ? ext : rc, sqlite_category());
    }
    return {};
  }

  auto end_batch(bool commit) -> std::error_code {
    in_batch_ = false;
    if (auto ec = std::exchange(batch_error_, {})) {
      exec("ROLLBACK");
      return commit ? ec : std::error_code();
    }
    if (commit) {
      if (auto ec = exec("COMMIT")) {
        exec("ROLLBACK");
        return ec;
      }
      return {};
    }
    return exec("ROLLBACK");
  }

  auto pragma_text(char const* text) -> std::string {
    sqlite3_stmt* st = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db_, text, -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
      auto const* t = reinterpret_cast<char const*>(sqlite3_column_text(st, 0));
      if (t != nullptr) out = t;
    }
    sqlite3_finalize(st);
    return out;
  }

  auto init(std::string const& path, sqlite_store_options const& opt) -> std::error_code {
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    if (opt.create) flags |= SQLITE_OPEN_CREATE;
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
      std::error_code ec(db_ != nullptr ? sqlite3_extended_errcode(db_) : rc, sqlite_category());
      close();
      return ec;
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, static_cast<int>(opt.busy_timeout.count()));
    // WAL: readers never block the writer, and a commit is one append +
    // fsync of the log. FULL: that fsync happens before COMMIT returns.
    if (path != ":memory:" && pragma_text("PRAGMA journal_mode=WAL") != "wal")
      return std::error_code(SQLITE_CANTOPEN, sqlite_category());
    if (auto ec = exec(opt.full_sync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"))
      return ec;
    return migrate(opt.create);
  }

  // Version 1: the messages and their indexes. Version 2: per-recipient
  // usage kept by triggers, so a quota check reads one row instead of
  // counting the recipient's messages.
  static constexpr char const* schema_v1 =
      "CREATE TABLE sipsaf_schema (version INTEGER NOT NULL);"
      "INSERT INTO sipsaf_schema (version) VALUES (1);"
      "CREATE TABLE sipsaf_messages ("
      " id INTEGER PRIMARY KEY AUTOINCREMENT,"
      " recipient TEXT NOT NULL, sender TEXT NOT NULL, to_uri TEXT NOT NULL,"
      " call_id TEXT NOT NULL, cseq INTEGER NOT NULL, from_tag TEXT NOT NULL,"
      " mode INTEGER NOT NULL, notify INTEGER NOT NULL,"
      " arrived INTEGER NOT NULL, expires_at INTEGER NOT NULL,"
      " next_attempt INTEGER, attempts INTEGER NOT NULL,"
      " size INTEGER NOT NULL, bytes BLOB NOT NULL,"
      " UNIQUE (call_id, cseq, from_tag));"
      "CREATE INDEX sipsaf_messages_by_recipient ON sipsaf_messages (recipient, mode, id);"
      "CREATE INDEX sipsaf_messages_by_due ON sipsaf_messages (next_attempt, id)"
      " WHERE next_attempt IS NOT NULL;"
      "CREATE INDEX sipsaf_messages_by_expiry ON sipsaf_messages (expires_at, id);";

  static constexpr char const* schema_v1_to_v2 =
      "CREATE TABLE sipsaf_usage (recipient TEXT PRIMARY KEY, messages INTEGER NOT NULL,"
      " bytes INTEGER NOT NULL, push_messages INTEGER NOT NULL) WITHOUT ROWID;"
      "INSERT INTO sipsaf_usage (recipient, messages, bytes, push_messages)"
      " SELECT recipient, count(*), sum(size), sum(mode = 0) FROM sipsaf_messages"
      " GROUP BY recipient;"
      "CREATE TRIGGER sipsaf_usage_insert AFTER INSERT ON sipsaf_messages BEGIN"
      " INSERT INTO sipsaf_usage (recipient, messages, bytes, push_messages)"
      " VALUES (NEW.recipient, 1, NEW.size, NEW.mode = 0)"
      " ON CONFLICT (recipient) DO UPDATE SET messages = messages + 1,"
      " bytes = bytes + excluded.bytes, push_messages = push_messages + excluded.push_messages;"
      " END;"
      "CREATE TRIGGER sipsaf_usage_delete AFTER DELETE ON sipsaf_messages BEGIN"
      " UPDATE sipsaf_usage SET messages = messages - 1, bytes = bytes - OLD.size,"
      " push_messages = push_messages - (OLD.mode = 0) WHERE recipient = OLD.recipient;"
      " DELETE FROM sipsaf_usage WHERE recipient = OLD.recipient AND messages <= 0;"
      " END;"
      "UPDATE sipsaf_schema SET version = 2;";

  // Version 3: the usage of a new row is added by `put` itself, in the same
  // transaction (a trigger made SQLite open a statement journal for every
  // insert in a batch). Deletions still count by trigger.
  static constexpr char const* schema_v2_to_v3 =
      "DROP TRIGGER sipsaf_usage_insert;"
      "UPDATE sipsaf_schema SET version = 3;";

  auto migrate(bool create) -> std::error_code {
    if (auto ec = exec("BEGIN IMMEDIATE")) return ec;
    auto fail = [this](std::error_code ec) {
      exec("ROLLBACK");
      return ec;
    };
    std::string const has_table = pragma_text(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'sipsaf_schema'");
    int version = 0;
    if (has_table == "0") {
      if (!create) return fail(make_error_code(errc::unsupported));
      if (auto ec = exec(schema_v1)) return fail(ec);
      version = 1;
    } else {
      std::string const v = pragma_text("SELECT max(version) FROM sipsaf_schema");
      version = v.empty() ? 0 : std::atoi(v.c_str());
    }
    // Each step runs in this one transaction: a crash leaves the old version.
    if (version == 1) {
      if (auto ec = exec(schema_v1_to_v2)) return fail(ec);
      version = 2;
    }
    if (version == 2) {
      if (auto ec = exec(schema_v2_to_v3)) return fail(ec);
      version = 3;
    }
    if (version != schema_version) return fail(make_error_code(errc::unsupported));
    return exec("COMMIT");
  }

  void close() noexcept {
    for (sqlite3_stmt*& s : stmts_) {
      if (s != nullptr) sqlite3_finalize(s);
      s = nullptr;
    }
    if (db_ != nullptr) {
      if (in_batch_) exec("ROLLBACK");
      sqlite3_close_v2(db_);
      db_ = nullptr;
    }
    in_batch_ = false;
  }

  sqlite3* db_ = nullptr;
  std::array<sqlite3_stmt*, q_total> stmts_{};
  bool in_batch_ = false;
  std::error_code batch_error_;  // a row of the open batch written without its usage
};

static_assert(is_message_store<sqlite_store>::value, "sqlite_store is a MessageStore");

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_STORE_SQLITE_STORE_HPP
