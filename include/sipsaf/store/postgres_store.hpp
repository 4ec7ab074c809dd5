// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_STORE_POSTGRES_STORE_HPP
#define SIPSAF_STORE_POSTGRES_STORE_HPP

/// @file
/// `postgres_store`: a *MessageStore* in PostgreSQL, shared by several
/// processes (several proxies, one service).
///
/// Opt-in: this header needs libpq (Debian: libpq-dev; CMake:
/// `find_package(PostgreSQL)` and link `PostgreSQL::PostgreSQL`). The
/// umbrella headers <sipsaf.hpp> and <sipsaf/store.hpp> do not include it.
///
/// @par Durability
/// Every write outside a batch is its own transaction, and the connection
/// runs with `synchronous_commit = on`: the commit record is flushed to the
/// server's disk before the call that wrote returns. Inside a `batch` the
/// writes become durable together when `batch::commit` returns (one flush).
///
/// @par Round trips in a batch
/// Inside a batch, `put` of a message whose key `find` has just reported
/// absent (the engine always asks first) sends nothing: the row waits with
/// an id drawn from a block reserved ahead (one round trip per
/// `id_block` messages; what a batch leaves unused is dropped, so ids
/// still follow arrival, batch by batch), and the waiting rows go out as
/// one multi-row INSERT before any other statement or at the commit. `find`
/// and `usage` count the waiting rows. A key stored by another process
/// meanwhile is kept once (ON CONFLICT DO NOTHING): the recipient gets
/// that copy.
/// When the connection drops during a commit the outcome is unknown; the
/// call reports an error and the caller must not promise storage (a sender
/// that retries hits the duplicate key and gets the same id).
///
/// @par Several processes: leases
/// `claim` and `claim_due` hand messages to one process at a time:
/// `SELECT ... FOR UPDATE SKIP LOCKED` picks rows no concurrent claimer
/// holds, and the claim writes the owner and moves `next_attempt` to the
/// lease's end (`lease`, 60 s by default). So a leased message is not due
/// for anyone else until the lease ends; a process that dies leaves leases
/// that simply fall due, and another process's `claim_due` takes them over.
/// The holder ends a lease by erasing the message (delivered) or by
/// `reschedule` (failed; the next try). Delivery is at-least-once: a holder
/// slower than its lease may race the next one, and the recipient drops
/// the second copy by its (Call-ID, CSeq, From tag).
///
/// @par Waking the others
/// `listen(channel)` subscribes the connection to a PostgreSQL channel,
/// `notify(channel, payload)` sends on one, `socket()` is the descriptor to
/// wait on and `notifications()` reads what arrived. Subscriptions survive
/// a reconnect.
///
/// @par Connection loss
/// A call on a broken connection tries to reconnect (at most once per
/// `reconnect_interval`), prepares its statements again and re-subscribes;
/// until that works every call fails with `postgres_errc::connection`.
///
/// @par Schema (version 1)
/// @code
///   sipsaf_schema(version integer)                   -- one row: 1
///   sipsaf_messages(id bigint identity primary key, recipient bytea,
///     sender bytea, to_uri bytea, call_id bytea, cseq bigint, from_tag bytea,
///     mode smallint, notify boolean, arrived bigint, expires_at bigint,
///     next_attempt bigint null, attempts bigint, size bigint, bytes bytea,
///     claim_owner text null, UNIQUE(call_id, cseq, from_tag))
///   index by (recipient, mode, id); by (next_attempt, id) where not null;
///   by (expires_at, id)
/// @endcode
/// Strings are `bytea`: what a stranger wrote in a header (a NUL, invalid
/// UTF-8) is kept byte for byte instead of failing the insert. Times are
/// milliseconds since 1970 UTC. The identity column never reuses a value.
/// Opening a database without the schema creates it (one transaction,
/// serialized by an advisory lock so that processes starting together do
/// not race); a newer version than this code knows is refused.

#include <sipsaf/config.hpp>
#include <sipsaf/error.hpp>
#include <sipsaf/result.hpp>
#include <sipsaf/store/message.hpp>
#include <sipsaf/store/requirements.hpp>

#include <libpq-fe.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <unistd.h>

SIPSAF_BEGIN_NAMESPACE

/// What a `postgres_store` call can fail with (category `postgres_category()`).
enum class postgres_errc {
  connection = 1,  ///< no connection to the server (yet, or any more)
  query,           ///< the server refused a statement (see `last_error_message`)
  schema_too_new,  ///< the database has a newer schema than this code knows
  bad_result,      ///< a result of an unexpected shape
  in_batch,        ///< a second batch, or a batch on a moved-from store
};

namespace detail {

class postgres_category_impl final : public std::error_category {
 public:
  auto name() const noexcept -> char const* override { return "postgres"; }
  auto message(int ev) const -> std::string override {
    switch (static_cast<postgres_errc>(ev)) {
      case postgres_errc::connection:
        return "no connection to the PostgreSQL server";
      case postgres_errc::query:
        return "the PostgreSQL server refused a statement";
      case postgres_errc::schema_too_new:
        return "the database schema is newer than this program";
      case postgres_errc::bad_result:
        return "unexpected result from the PostgreSQL server";
      case postgres_errc::in_batch:
        return "a batch is already open";
    }
    return "unknown postgres error";
  }
};

}  // namespace detail

/// The category of `postgres_errc`.
inline auto postgres_category() noexcept -> std::error_category const& {
  static detail::postgres_category_impl const cat{};
  return cat;
}

inline auto make_error_code(postgres_errc e) noexcept -> std::error_code {
  return {static_cast<int>(e), postgres_category()};
}

/// Options for `postgres_store::open`.
struct postgres_store_options {
  /// Create the schema when the database has none.
  bool create = true;
  /// How long a claim holds a message for its claimer.
  std::chrono::milliseconds lease{60'000};
  /// Who claims: written into each claimed row (for operators). Empty:
  /// `hostname:pid`.
  std::string owner;
  /// The least time between two reconnection attempts.
  std::chrono::milliseconds reconnect_interval{500};
  /// Ids reserved at a time for the inserts a batch holds back.
  std::size_t id_block = 64;
};

/// One notification from `postgres_store::notifications`.
struct postgres_notification {
  std::string channel;
  std::string payload;
};

/// A *MessageStore* in a PostgreSQL database (see the file notes).
class postgres_store {
 public:
  /// The schema version this code writes and reads.
  static constexpr int schema_version = 1;

  /// Connects to `conninfo` (a libpq URI, `postgresql://...`, or
  /// `key=value` string) and creates or checks the schema. On failure
  /// `why`, when given, receives the server's or libpq's text.
  static auto open(std::string const& conninfo, postgres_store_options const& opt = {},
                   std::string* why = nullptr) -> result<postgres_store, std::error_code> {
    postgres_store s;
    s.conninfo_ = conninfo;
    s.opt_ = opt;
    if (s.opt_.owner.empty()) {
      std::array<char, 256> host{};
      if (gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
      s.opt_.owner = std::string(host.data()) + ":" + std::to_string(getpid());
    }
    if (auto ec = s.connect()) {
      if (why != nullptr) *why = s.last_error_;
      return ec;
    }
    return s;
  }

  postgres_store(postgres_store&& o) noexcept { take(o); }
  auto operator=(postgres_store&& o) noexcept -> postgres_store& {
    if (this != &o) {
      close();
      take(o);
    }
    return *this;
  }
  postgres_store(postgres_store const&) = delete;
  auto operator=(postgres_store const&) -> postgres_store& = delete;
  ~postgres_store() { close(); }

  /// A group of writes that becomes durable in one commit. Destroying an
  /// uncommitted batch rolls its writes back. One batch at a time.
  class batch {
   public:
    batch(batch&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
    batch(batch const&) = delete;
    auto operator=(batch const&) -> batch& = delete;
    auto operator=(batch&&) -> batch& = delete;
    ~batch() {
      if (s_ != nullptr) s_->end_batch(false);
    }
    /// Makes every write since `begin_batch` durable; after an error none is.
    auto commit() -> std::error_code {
      if (s_ == nullptr) return make_error_code(postgres_errc::in_batch);
      return std::exchange(s_, nullptr)->end_batch(true);
    }

   private:
    friend class postgres_store;
    explicit batch(postgres_store* s) noexcept : s_(s) {}
    postgres_store* s_;
  };

  auto begin_batch() -> result<batch, std::error_code> {
    if (in_batch_) return make_error_code(postgres_errc::in_batch);
    if (auto ec = ready()) return ec;
    if (auto ec = exec("BEGIN")) return ec;
    in_batch_ = true;
    absent_.reset();
    return batch(this);
  }

  /// Stores every message in one transaction; all or nothing.
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
    envelope const& e = m.env;
    if (in_batch_) {
      for (pending_row const& w : pending_)
        if (w.m.env.key() == e.key()) return w.id;
      if (absent_ && *absent_ == e.key()) return hold(m);
    }
    params p;
    p.bytes(e.recipient).bytes(e.sender).bytes(e.to).bytes(e.call_id).i64(e.cseq);
    p.bytes(e.from_tag).i64(static_cast<int>(e.mode)).i64(e.notify ? 1 : 0);
    p.i64(to_unix_ms(e.arrived)).i64(to_unix_ms(e.expires_at)).opt_time(e.next_attempt);
    p.i64(e.attempts).i64(static_cast<std::int64_t>(m.bytes.size())).bytes(m.bytes);
    auto r = run(q_insert, p);
    if (!r) return r.error();
    if (PQntuples(r->get()) == 1) return static_cast<message_id>(int_at(r->get(), 0, 0));
    // No row: the key is already stored (ON CONFLICT DO NOTHING).
    auto existing = find(e.key());
    if (!existing) return existing.error();
    if (!*existing) return make_error_code(postgres_errc::bad_result);
    return **existing;
  }

  auto get(message_id id) -> result<std::optional<stored_message>, std::error_code> {
    params p;
    p.i64(static_cast<std::int64_t>(id));
    auto r = run(q_get, p);
    if (!r) return r.error();
    if (PQntuples(r->get()) == 0) return std::optional<stored_message>{};
    stored_message m;
    read_envelope(r->get(), 0, m.env);
    m.bytes = text_at(r->get(), 0, envelope_columns);
    return std::optional<stored_message>(std::move(m));
  }

  auto erase(message_id id) -> result<bool, std::error_code> {
    params p;
    p.i64(static_cast<std::int64_t>(id));
    auto r = run(q_erase, p);
    if (!r) return r.error();
    return changed(r->get());
  }

  auto find(message_key const& k) -> result<std::optional<message_id>, std::error_code> {
    if (auto w = pending_id(k)) return w;
    params p;
    p.bytes(k.call_id).i64(k.cseq).bytes(k.from_tag);
    auto r = run(q_find, p);
    if (!r) return r.error();
    if (PQntuples(r->get()) == 0) {
      assume_absent(k);
      return std::optional<message_id>{};
    }
    return std::optional<message_id>(static_cast<message_id>(int_at(r->get(), 0, 0)));
  }

  auto usage(std::string_view recipient) -> result<store_usage, std::error_code> {
    params p;
    p.bytes(recipient);
    auto r = run(q_usage, p);
    if (!r) return r.error();
    if (PQntuples(r->get()) != 1) return make_error_code(postgres_errc::bad_result);
    store_usage u = pending_usage(recipient);
    u.messages += static_cast<std::uint64_t>(int_at(r->get(), 0, 0));
    u.bytes += static_cast<std::uint64_t>(int_at(r->get(), 0, 1));
    u.push_messages += static_cast<std::uint64_t>(int_at(r->get(), 0, 2));
    return u;
  }

  auto list(std::string_view recipient, delivery_mode mode, std::size_t limit)
      -> result<std::vector<envelope>, std::error_code> {
    params p;
    p.bytes(recipient).i64(static_cast<int>(mode)).i64(clamp_limit(limit));
    return envelopes(q_list, p);
  }

  auto reschedule(message_id id, std::optional<timestamp> next, std::uint32_t attempts)
      -> result<bool, std::error_code> {
    params p;
    p.opt_time(next).i64(attempts).i64(static_cast<std::int64_t>(id));
    auto r = run(q_reschedule, p);
    if (!r) return r.error();
    return changed(r->get());
  }

  auto due(timestamp now, std::size_t limit) -> result<std::vector<envelope>, std::error_code> {
    params p;
    p.i64(to_unix_ms(now)).i64(clamp_limit(limit));
    return envelopes(q_due, p);
  }

  /// Messages whose lifetime is over, except those another claimer holds
  /// under a lease that has not ended. Several processes may list the same
  /// one: the one whose `erase` removes it (true) expires it.
  auto expired(timestamp now, std::size_t limit) -> result<std::vector<envelope>, std::error_code> {
    params p;
    p.i64(to_unix_ms(now)).i64(clamp_limit(limit)).bytes(opt_.owner);
    return envelopes(q_expired, p);
  }

  auto next_due() -> result<std::optional<timestamp>, std::error_code> {
    params p;
    auto r = run(q_next_due, p);
    if (!r) return r.error();
    if (PQntuples(r->get()) != 1) return make_error_code(postgres_errc::bad_result);
    if (PQgetisnull(r->get(), 0, 0)) return std::optional<timestamp>{};
    return std::optional<timestamp>(from_unix_ms(int_at(r->get(), 0, 0)));
  }

  // --- leases -------------------------------------------------------------

  /// Claims `recipient`'s oldest `n` push messages for `lease` from `now`,
  /// unless another claimer holds one of them (then none: a recipient's
  /// messages go out one process at a time, in order). The envelopes are as
  /// they were before the claim.
  auto claim(std::string_view recipient, timestamp now, std::size_t n)
      -> result<std::vector<envelope>, std::error_code> {
    params p;
    p.bytes(recipient).i64(to_unix_ms(now)).i64(clamp_limit(n));
    p.i64(to_unix_ms(now) + opt_.lease.count()).bytes(opt_.owner);
    return envelopes(q_claim, p);
  }

  /// Claims up to `n` messages due by `now` (a retry time, or a lease that
  /// ended), earliest first, for `lease` from `now`. The envelopes are as
  /// they were before the claim.
  auto claim_due(timestamp now, std::size_t n) -> result<std::vector<envelope>, std::error_code> {
    params p;
    p.i64(to_unix_ms(now)).i64(clamp_limit(n)).i64(to_unix_ms(now) + opt_.lease.count());
    p.bytes(opt_.owner);
    return envelopes(q_claim_due, p);
  }

  // --- rows a batch holds back (see the file notes) ---------------------

  /// The id of a held-back row with key `k`, if any.
  auto pending_id(message_key const& k) const -> std::optional<message_id> {
    for (pending_row const& w : pending_)
      if (w.m.env.key() == k) return w.id;
    return std::nullopt;
  }
  /// What the held-back rows add to `recipient`'s usage.
  auto pending_usage(std::string_view recipient) const -> store_usage {
    store_usage u;
    for (pending_row const& w : pending_)
      if (w.m.env.recipient == recipient) {
        ++u.messages;
        u.bytes += w.m.bytes.size();
        if (w.m.env.mode == delivery_mode::push) ++u.push_messages;
      }
    return u;
  }
  /// Says that the caller has just found no message with key `k` in this
  /// transaction (as `find` does): a `put` of it in the batch may wait.
  void assume_absent(message_key const& k) {
    absent_storage_ = {std::string(k.call_id), std::string(k.from_tag)};
    absent_ = message_key{absent_storage_.first, k.cseq, absent_storage_.second};
  }
  /// Gives the next held-back `put` an id the caller drew from the table's
  /// sequence (`nextval(pg_get_serial_sequence('sipsaf_messages', 'id'))`)
  /// in a statement of its own, saving the reservation's round trip.
  void offer_id(message_id id) { spare_ids_.push_back(id); }
  /// Sends the held-back rows now (done before any other statement).
  auto flush() -> std::error_code {
    absent_.reset();
    if (pending_.empty()) return {};
    ++flushes_;
    std::vector<pending_row> rows = std::move(pending_);
    pending_.clear();
    constexpr std::size_t per_statement = 1000;  // 15 parameters a row, at most 65535
    for (std::size_t from = 0; from < rows.size(); from += per_statement) {
      std::size_t const to = std::min(rows.size(), from + per_statement);
      if (auto ec = insert_rows(rows, from, to)) return ec;
    }
    return {};
  }
  auto in_batch() const noexcept -> bool { return in_batch_; }
  /// Counts the flushes: what a caller read before a flush may be stale.
  auto flushes() const noexcept -> std::uint64_t { return flushes_; }

  /// The owner this store writes into the rows it claims.
  auto owner() const noexcept -> std::string const& { return opt_.owner; }
  auto lease() const noexcept -> std::chrono::milliseconds { return opt_.lease; }

  // --- notifications ------------------------------------------------------

  /// Subscribes to `channel` (an SQL identifier: letters, digits, `_`).
  auto listen(std::string const& channel) -> std::error_code {
    if (!is_identifier(channel)) return make_error_code(postgres_errc::query);
    for (std::string const& c : channels_)
      if (c == channel) return {};
    channels_.push_back(channel);
    if (auto ec = ready()) return ec;
    return exec(("LISTEN " + channel).c_str());
  }

  /// Sends `payload` on `channel`; delivered to listeners when the current
  /// transaction (the batch, or this call) commits.
  auto notify(std::string_view channel, std::string_view payload) -> std::error_code {
    params p;
    p.bytes(channel).bytes(payload);
    auto r = run(q_notify, p);
    return r ? std::error_code() : r.error();
  }

  /// What arrived on the subscribed channels since the last call; never
  /// blocks. Call it when `socket()` is readable.
  auto notifications() -> std::vector<postgres_notification> {
    std::vector<postgres_notification> out;
    if (conn_ == nullptr) return out;
    PQconsumeInput(conn_);
    while (PGnotify* n = PQnotifies(conn_)) {
      out.push_back({n->relname, decode_hex(n->extra)});
      PQfreemem(n);
    }
    return out;
  }

  /// The connection's socket, to wait for notifications; -1 when there is
  /// no connection.
  auto socket() const noexcept -> int { return conn_ != nullptr ? PQsocket(conn_) : -1; }

  /// True while the connection is up (as far as the last call knows).
  auto connected() const noexcept -> bool {
    return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK;
  }

  /// Reconnects now if the connection is down (subject to the interval).
  auto ensure_connected() -> std::error_code { return ready(); }

  /// The server's text for the last failure, for logs.
  auto last_error_message() const -> std::string const& { return last_error_; }

  /// Number of messages held, for all recipients.
  auto count() -> result<std::uint64_t, std::error_code> {
    params p;
    auto r = run(q_count, p);
    if (!r) return r.error();
    return static_cast<std::uint64_t>(int_at(r->get(), 0, 0));
  }

  /// The connection (for tooling and for tables of the program's own;
  /// do not change this schema). Null while disconnected.
  auto native_handle() const noexcept -> PGconn* { return conn_; }

 private:
  enum query : std::size_t {
    q_insert,
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
    q_claim,
    q_claim_due,
    q_notify,
    q_reserve,
    q_total
  };

  static constexpr int envelope_columns = 14;
#define SIPSAF_PG_ENVELOPE_COLUMNS                                                           \
  "id, recipient, sender, to_uri, call_id, cseq, from_tag, mode::int8, notify::int4::int8, " \
  "arrived, expires_at, next_attempt, attempts, size"
#define SIPSAF_PG_OLD_ENVELOPE_COLUMNS                                                   \
  "m.id, m.recipient, m.sender, m.to_uri, m.call_id, m.cseq, m.from_tag, m.mode::int8, " \
  "m.notify::int4::int8, m.arrived, m.expires_at, c.next_attempt, m.attempts, m.size"

  static constexpr Oid int8_oid = 20;
  static constexpr Oid bytea_oid = 17;

  struct query_text {
    char const* name;
    char const* sql;
    char const* types;  // one letter per parameter: i = int8, b = bytea
  };

  static auto sql(query q) noexcept -> query_text {
    switch (q) {
      case q_insert:
        return {"sipsaf_insert",
                "INSERT INTO sipsaf_messages (recipient, sender, to_uri, call_id, cseq, "
                "from_tag, mode, notify, arrived, expires_at, next_attempt, attempts, size, "
                "bytes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8 <> 0, $9, $10, $11, $12, $13, "
                "$14) ON CONFLICT (call_id, cseq, from_tag) DO NOTHING RETURNING id",
                "bbbbibiiiiiiib"};
      case q_get:
        return {"sipsaf_get",
                "SELECT " SIPSAF_PG_ENVELOPE_COLUMNS ", bytes FROM sipsaf_messages WHERE id = $1",
                "i"};
      case q_erase:
        return {"sipsaf_erase", "DELETE FROM sipsaf_messages WHERE id = $1", "i"};
      case q_find:
        return {"sipsaf_find",
                "SELECT id FROM sipsaf_messages WHERE call_id = $1 AND cseq = $2 AND "
                "from_tag = $3",
                "bib"};
      case q_usage:
        return {"sipsaf_usage",
                "SELECT count(*), coalesce(sum(size), 0)::int8, "
                "count(*) FILTER (WHERE mode = 0) FROM sipsaf_messages WHERE recipient = $1",
                "b"};
      case q_list:
        return {"sipsaf_list",
                "SELECT " SIPSAF_PG_ENVELOPE_COLUMNS
                " FROM sipsaf_messages WHERE recipient = $1 AND mode = $2 ORDER BY id LIMIT $3",
                "bii"};
      case q_reschedule:
        return {"sipsaf_reschedule",
                "UPDATE sipsaf_messages SET next_attempt = $1, attempts = $2, claim_owner = NULL "
                "WHERE id = $3",
                "iii"};
      case q_due:
        return {"sipsaf_due",
                "SELECT " SIPSAF_PG_ENVELOPE_COLUMNS
                " FROM sipsaf_messages WHERE next_attempt IS NOT NULL AND next_attempt <= $1 "
                "ORDER BY next_attempt, id LIMIT $2",
                "ii"};
      case q_expired:
        // A message another claimer holds under a live lease is its
        // business: the outcome of its attempt decides.
        return {"sipsaf_expired",
                "SELECT " SIPSAF_PG_ENVELOPE_COLUMNS
                " FROM sipsaf_messages WHERE expires_at <= $1 AND (claim_owner IS NULL OR "
                "next_attempt IS NULL OR next_attempt <= $1 OR claim_owner = "
                "convert_from($3, 'UTF8')) ORDER BY expires_at, id LIMIT $2",
                "iib"};
      case q_next_due:
        return {"sipsaf_next_due",
                "SELECT least((SELECT min(next_attempt) FROM sipsaf_messages), "
                "(SELECT min(expires_at) FROM sipsaf_messages))",
                ""};
      case q_count:
        return {"sipsaf_count", "SELECT count(*) FROM sipsaf_messages", ""};
      case q_claim:
        // One process at a time delivers a recipient's messages, in order:
        // nothing is claimed while the oldest is locked by a concurrent
        // claimer (skipped, so min(id) differs) or any of the first n is
        // held under a lease that has not ended.
        return {"sipsaf_claim",
                "WITH c AS (SELECT id, next_attempt, claim_owner FROM sipsaf_messages WHERE "
                "recipient = $1 AND mode = 0 ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED), "
                "free AS (SELECT 1 WHERE (SELECT min(id) FROM c) = (SELECT min(id) FROM "
                "sipsaf_messages WHERE recipient = $1 AND mode = 0) AND NOT EXISTS (SELECT 1 "
                "FROM c WHERE claim_owner IS NOT NULL AND next_attempt > $2)) "
                "UPDATE sipsaf_messages m SET next_attempt = $4, claim_owner = "
                "convert_from($5, 'UTF8') FROM c WHERE m.id = c.id AND EXISTS (SELECT 1 FROM "
                "free) RETURNING " SIPSAF_PG_OLD_ENVELOPE_COLUMNS,
                "biiib"};
      case q_claim_due:
        return {"sipsaf_claim_due",
                "WITH c AS (SELECT id, next_attempt FROM sipsaf_messages WHERE next_attempt IS "
                "NOT NULL AND next_attempt <= $1 ORDER BY next_attempt, id LIMIT $2 FOR UPDATE "
                "SKIP LOCKED) "
                "UPDATE sipsaf_messages m SET next_attempt = $3, claim_owner = "
                "convert_from($4, 'UTF8') FROM c WHERE m.id = c.id "
                "RETURNING " SIPSAF_PG_OLD_ENVELOPE_COLUMNS,
                "iiib"};
      case q_notify:
        return {"sipsaf_notify", "SELECT pg_notify(convert_from($1, 'UTF8'), encode($2, 'hex'))",
                "bb"};
      case q_reserve:
        return {"sipsaf_reserve",
                "SELECT nextval(pg_get_serial_sequence('sipsaf_messages', 'id')) FROM "
                "generate_series(1, $1)",
                "i"};
      case q_total:
        break;
    }
    return {"", "", ""};
  }
#undef SIPSAF_PG_ENVELOPE_COLUMNS
#undef SIPSAF_PG_OLD_ENVELOPE_COLUMNS

  // Parameters in libpq's binary format: int8 big-endian, bytea raw.
  struct params {
    std::vector<std::string> owned;
    std::vector<char const*> values;
    std::vector<int> lengths;
    std::vector<int> formats;
    std::array<std::array<char, 8>, 16> ints{};
    std::size_t n_ints = 0;

    params() {
      owned.reserve(16);
      values.reserve(16);
    }
    auto bytes(std::string_view v) -> params& {
      values.push_back(v.data() != nullptr ? v.data() : "");
      lengths.push_back(static_cast<int>(v.size()));
      formats.push_back(1);
      return *this;
    }
    auto i64(std::int64_t v) -> params& {
      auto& slot = ints[n_ints++];
      auto u = static_cast<std::uint64_t>(v);
      for (int i = 7; i >= 0; --i, u >>= 8)
        slot[static_cast<std::size_t>(i)] = static_cast<char>(u & 0xff);
      values.push_back(slot.data());
      lengths.push_back(8);
      formats.push_back(1);
      return *this;
    }
    auto opt_time(std::optional<timestamp> t) -> params& {
      if (t) return i64(to_unix_ms(*t));
      values.push_back(nullptr);
      lengths.push_back(0);
      formats.push_back(1);
      return *this;
    }
  };

  using pg_result = std::unique_ptr<PGresult, void (*)(PGresult*)>;

  static auto int_at(PGresult const* r, int row, int col) -> std::int64_t {
    if (PQgetisnull(r, row, col) || PQgetlength(r, row, col) != 8) return 0;
    auto const* p = reinterpret_cast<unsigned char const*>(PQgetvalue(r, row, col));
    std::uint64_t u = 0;
    for (int i = 0; i < 8; ++i) u = (u << 8) | p[i];
    return static_cast<std::int64_t>(u);
  }

  static auto text_at(PGresult const* r, int row, int col) -> std::string {
    return std::string(PQgetvalue(r, row, col), static_cast<std::size_t>(PQgetlength(r, row, col)));
  }

  static auto changed(PGresult const* r) -> bool {
    char const* n = PQcmdTuples(const_cast<PGresult*>(r));
    return n != nullptr && *n != '\0' && std::strcmp(n, "0") != 0;
  }

  static void read_envelope(PGresult const* r, int row, envelope& e) {
    e.id = static_cast<message_id>(int_at(r, row, 0));
    e.recipient = text_at(r, row, 1);
    e.sender = text_at(r, row, 2);
    e.to = text_at(r, row, 3);
    e.call_id = text_at(r, row, 4);
    e.cseq = static_cast<std::uint32_t>(int_at(r, row, 5));
    e.from_tag = text_at(r, row, 6);
    e.mode = int_at(r, row, 7) == 1 ? delivery_mode::pull : delivery_mode::push;
    e.notify = int_at(r, row, 8) != 0;
    e.arrived = from_unix_ms(int_at(r, row, 9));
    e.expires_at = from_unix_ms(int_at(r, row, 10));
    if (PQgetisnull(r, row, 11))
      e.next_attempt.reset();
    else
      e.next_attempt = from_unix_ms(int_at(r, row, 11));
    e.attempts = static_cast<std::uint32_t>(int_at(r, row, 12));
    e.size = static_cast<std::uint64_t>(int_at(r, row, 13));
  }

  static auto clamp_limit(std::size_t n) noexcept -> std::int64_t {
    constexpr auto max = static_cast<std::size_t>(INT64_MAX);
    return static_cast<std::int64_t>(n > max ? max : n);
  }

  static auto is_identifier(std::string_view s) noexcept -> bool {
    if (s.empty() || s.size() > 63) return false;
    for (char c : s)
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    return !(s[0] >= '0' && s[0] <= '9');
  }

  static auto decode_hex(char const* s) -> std::string {
    std::string out;
    auto nibble = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    for (std::size_t i = 0; s != nullptr && s[i] != '\0' && s[i + 1] != '\0'; i += 2) {
      int const hi = nibble(s[i]), lo = nibble(s[i + 1]);
      if (hi < 0 || lo < 0) break;
      out.push_back(static_cast<char>(hi * 16 + lo));
    }
    return out;
  }

  postgres_store() = default;

  void take(postgres_store& o) noexcept {
    conn_ = std::exchange(o.conn_, nullptr);
    conninfo_ = std::move(o.conninfo_);
    opt_ = std::move(o.opt_);
    prepared_ = std::exchange(o.prepared_, {});
    channels_ = std::move(o.channels_);
    in_batch_ = std::exchange(o.in_batch_, false);
    pending_ = std::move(o.pending_);
    spare_ids_ = std::move(o.spare_ids_);
    flushes_ = o.flushes_;
    absent_storage_ = std::move(o.absent_storage_);
    absent_.reset();
    last_attempt_ = o.last_attempt_;
    last_error_ = std::move(o.last_error_);
  }

  auto fail(postgres_errc e, PGresult const* r = nullptr) -> std::error_code {
    char const* msg = r != nullptr ? PQresultErrorMessage(r) : nullptr;
    if ((msg == nullptr || *msg == '\0') && conn_ != nullptr) msg = PQerrorMessage(conn_);
    last_error_ = msg != nullptr ? msg : "";
    while (!last_error_.empty() && (last_error_.back() == '\n' || last_error_.back() == ' '))
      last_error_.pop_back();
    // A statement that failed because the connection broke is a
    // connection error: the caller may try again later.
    if (conn_ != nullptr && PQstatus(conn_) != CONNECTION_OK) e = postgres_errc::connection;
    return make_error_code(e);
  }

  auto exec(char const* text) -> std::error_code {
    pg_result r(PQexec(conn_, text), PQclear);
    ExecStatusType const st = PQresultStatus(r.get());
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return fail(postgres_errc::query, r.get());
    return {};
  }

  struct pending_row {
    stored_message m;
    message_id id;
  };

  // Holds `m` back until the next flush, with a reserved id.
  auto hold(stored_message const& m) -> result<message_id, std::error_code> {
    if (spare_ids_.empty()) {
      params p;
      p.i64(static_cast<std::int64_t>(opt_.id_block == 0 ? 1 : opt_.id_block));
      auto r = run(q_reserve, p);
      if (!r) return r.error();
      // Served last first: the lowest goes first.
      for (int i = PQntuples(r->get()) - 1; i >= 0; --i)
        spare_ids_.push_back(static_cast<message_id>(int_at(r->get(), i, 0)));
      if (spare_ids_.empty()) return make_error_code(postgres_errc::bad_result);
    }
    pending_.push_back(pending_row{m, spare_ids_.back()});
    spare_ids_.pop_back();
    absent_.reset();
    return pending_.back().id;
  }

  auto insert_rows(std::vector<pending_row> const& rows, std::size_t from, std::size_t to)
      -> std::error_code {
    std::string text =
        "INSERT INTO sipsaf_messages (id, recipient, sender, to_uri, call_id, cseq, from_tag, "
        "mode, notify, arrived, expires_at, next_attempt, attempts, size, bytes) OVERRIDING "
        "SYSTEM VALUE VALUES ";
    std::vector<char const*> values;
    std::vector<int> lengths, formats;
    std::vector<Oid> types;
    std::vector<std::array<char, 8>> ints;
    ints.reserve((to - from) * 9);
    auto bytes = [&](std::string const& v) {
      values.push_back(v.data());
      lengths.push_back(static_cast<int>(v.size()));
      formats.push_back(1);
      types.push_back(bytea_oid);
    };
    auto i64 = [&](std::optional<std::int64_t> v) {
      if (!v) {
        values.push_back(nullptr);
        lengths.push_back(0);
      } else {
        ints.emplace_back();
        auto u = static_cast<std::uint64_t>(*v);
        for (int i = 7; i >= 0; --i, u >>= 8)
          ints.back()[static_cast<std::size_t>(i)] = static_cast<char>(u & 0xff);
        values.push_back(ints.back().data());
        lengths.push_back(8);
      }
      formats.push_back(1);
      types.push_back(int8_oid);
    };
    for (std::size_t i = from; i < to; ++i) {
      envelope const& e = rows[i].m.env;
      std::size_t const b = values.size();
      text += i == from ? "(" : ", (";
      for (std::size_t k = 1; k <= 15; ++k) {
        if (k > 1) text += ", ";
        text += "$" + std::to_string(b + k);
        if (k == 9) text += " <> 0";
      }
      text += ")";
      i64(static_cast<std::int64_t>(rows[i].id));
      bytes(e.recipient);
      bytes(e.sender);
      bytes(e.to);
      bytes(e.call_id);
      i64(e.cseq);
      bytes(e.from_tag);
      i64(static_cast<int>(e.mode));
      i64(e.notify ? 1 : 0);
      i64(to_unix_ms(e.arrived));
      i64(to_unix_ms(e.expires_at));
      i64(e.next_attempt ? std::optional<std::int64_t>(to_unix_ms(*e.next_attempt)) : std::nullopt);
      i64(e.attempts);
      i64(static_cast<std::int64_t>(rows[i].m.bytes.size()));
      bytes(rows[i].m.bytes);
    }
    text += " ON CONFLICT (call_id, cseq, from_tag) DO NOTHING";
    pg_result r(PQexecParams(conn_, text.c_str(), static_cast<int>(values.size()), types.data(),
                             values.data(), lengths.data(), formats.data(), 1),
                PQclear);
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) return fail(postgres_errc::query, r.get());
    return {};
  }

  // Runs a prepared statement (preparing it on first use on this connection).
  auto run(query q, params const& p) -> result<pg_result, std::error_code> {
    if (auto ec = ready()) return ec;
    if (!pending_.empty() && q != q_find && q != q_usage && q != q_reserve)
      if (auto ec = flush()) return ec;
    query_text const t = sql(q);
    if (!prepared_[q]) {
      std::vector<Oid> types;
      for (char const* c = t.types; *c != '\0'; ++c)
        types.push_back(*c == 'i' ? int8_oid : bytea_oid);
      pg_result r(PQprepare(conn_, t.name, t.sql, static_cast<int>(types.size()),
                            types.empty() ? nullptr : types.data()),
                  PQclear);
      if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) return fail(postgres_errc::query, r.get());
      prepared_[q] = true;
    }
    pg_result r(PQexecPrepared(conn_, t.name, static_cast<int>(p.values.size()),
                               p.values.empty() ? nullptr : p.values.data(),
                               p.lengths.empty() ? nullptr : p.lengths.data(),
                               p.formats.empty() ? nullptr : p.formats.data(), 1),
                PQclear);
    ExecStatusType const st = PQresultStatus(r.get());
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return fail(postgres_errc::query, r.get());
    return r;
  }

  auto envelopes(query q, params const& p) -> result<std::vector<envelope>, std::error_code> {
    auto r = run(q, p);
    if (!r) return r.error();
    std::vector<envelope> out(static_cast<std::size_t>(PQntuples(r->get())));
    for (std::size_t i = 0; i < out.size(); ++i)
      read_envelope(r->get(), static_cast<int>(i), out[i]);
    return out;
  }

  auto end_batch(bool commit) -> std::error_code {
    // Ids reserved and not used are dropped: the next batch's come after
    // what other processes stored meanwhile.
    spare_ids_.clear();
    absent_.reset();
    if (!commit) pending_.clear();
    if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
      in_batch_ = false;
      pending_.clear();
      return make_error_code(postgres_errc::connection);
    }
    if (commit) {
      auto ec = flush();
      in_batch_ = false;
      if (ec) {
        exec("ROLLBACK");
        return ec;
      }
      // A COMMIT of a transaction that failed part-way answers ROLLBACK.
      pg_result r(PQexec(conn_, "COMMIT"), PQclear);
      if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) return fail(postgres_errc::query, r.get());
      char const* tag = PQcmdStatus(r.get());
      if (tag == nullptr || std::strcmp(tag, "COMMIT") != 0) {
        last_error_ = "the batch was rolled back";
        return make_error_code(postgres_errc::query);
      }
      return {};
    }
    in_batch_ = false;
    return exec("ROLLBACK");
  }

  // The connection, up: reconnects when it broke (not more often than the
  // interval). Inside a batch a broken connection is the batch's failure.
  auto ready() -> std::error_code {
    if (conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK) return {};
    if (in_batch_) return make_error_code(postgres_errc::connection);
    auto const now = std::chrono::steady_clock::now();
    if (last_attempt_ && now - *last_attempt_ < opt_.reconnect_interval)
      return make_error_code(postgres_errc::connection);
    last_attempt_ = now;
    return connect();
  }

  auto connect() -> std::error_code {
    drop();
    conn_ = PQconnectdb(conninfo_.c_str());
    if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
      last_error_ = conn_ != nullptr ? PQerrorMessage(conn_) : "out of memory";
      drop();
      return make_error_code(postgres_errc::connection);
    }
    // The server's notices (a shutdown warning...) are not ours to print.
    PQsetNoticeProcessor(
        conn_, [](void*, char const*) {}, nullptr);
    // Durable before the call returns, whatever the server's default.
    if (auto ec = exec("SET synchronous_commit = on")) return ec;
    if (auto ec = exec("SET client_min_messages = warning")) return ec;
    if (auto ec = migrate()) return ec;
    for (std::string const& c : channels_)
      if (auto ec = exec(("LISTEN " + c).c_str())) return ec;
    return {};
  }

  static constexpr char const* schema_v1 =
      "CREATE TABLE sipsaf_schema (version integer NOT NULL);"
      "INSERT INTO sipsaf_schema (version) VALUES (1);"
      "CREATE TABLE sipsaf_messages ("
      " id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
      " recipient bytea NOT NULL, sender bytea NOT NULL, to_uri bytea NOT NULL,"
      " call_id bytea NOT NULL, cseq bigint NOT NULL, from_tag bytea NOT NULL,"
      " mode smallint NOT NULL, notify boolean NOT NULL,"
      " arrived bigint NOT NULL, expires_at bigint NOT NULL,"
      " next_attempt bigint, attempts bigint NOT NULL,"
      " size bigint NOT NULL, bytes bytea NOT NULL, claim_owner text,"
      " UNIQUE (call_id, cseq, from_tag));"
      "CREATE INDEX sipsaf_messages_by_recipient ON sipsaf_messages (recipient, mode, id);"
      "CREATE INDEX sipsaf_messages_by_due ON sipsaf_messages (next_attempt, id)"
      " WHERE next_attempt IS NOT NULL;"
      "CREATE INDEX sipsaf_messages_by_expiry ON sipsaf_messages (expires_at, id);";

  auto version() -> result<int, std::error_code> {
    // Two statements: a query naming a missing table fails to parse.
    pg_result t(PQexec(conn_, "SELECT to_regclass('sipsaf_schema') IS NOT NULL"), PQclear);
    if (PQresultStatus(t.get()) != PGRES_TUPLES_OK) return fail(postgres_errc::query, t.get());
    if (PQntuples(t.get()) != 1 || PQgetvalue(t.get(), 0, 0)[0] != 't') return 0;
    pg_result r(PQexec(conn_, "SELECT max(version) FROM sipsaf_schema"), PQclear);
    if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) return fail(postgres_errc::query, r.get());
    if (PQntuples(r.get()) != 1 || PQgetisnull(r.get(), 0, 0)) return 0;
    return std::atoi(PQgetvalue(r.get(), 0, 0));
  }

  auto migrate() -> std::error_code {
    auto v = version();
    if (!v) return v.error();
    if (*v == schema_version) return {};
    if (*v > schema_version) return make_error_code(postgres_errc::schema_too_new);
    if (!opt_.create) return make_error_code(postgres_errc::query);
    // Processes opening a fresh database together: one creates, the rest
    // wait on the lock and then find the schema there.
    if (auto ec = exec("BEGIN")) return ec;
    auto fail_tx = [this](std::error_code ec) {
      exec("ROLLBACK");
      return ec;
    };
    if (auto ec = exec("SELECT pg_advisory_xact_lock(7368732)")) return fail_tx(ec);
    v = version();
    if (!v) return fail_tx(v.error());
    if (*v == 0) {
      if (auto ec = exec(schema_v1)) return fail_tx(ec);
      v = 1;
    }
    // Later versions: one step per version here, in this transaction.
    if (*v != schema_version) return fail_tx(make_error_code(postgres_errc::schema_too_new));
    return exec("COMMIT");
  }

  void drop() noexcept {
    if (conn_ != nullptr) PQfinish(conn_);
    conn_ = nullptr;
    prepared_ = {};
  }

  void close() noexcept {
    drop();
    in_batch_ = false;
    pending_.clear();
  }

  PGconn* conn_ = nullptr;
  std::string conninfo_;
  postgres_store_options opt_;
  std::array<bool, q_total> prepared_{};
  std::vector<std::string> channels_;
  bool in_batch_ = false;
  std::vector<pending_row> pending_;
  std::vector<message_id> spare_ids_;
  std::uint64_t flushes_ = 0;
  std::pair<std::string, std::string> absent_storage_;
  std::optional<message_key> absent_;
  std::optional<std::chrono::steady_clock::time_point> last_attempt_;
  std::string last_error_;
};

static_assert(is_message_store<postgres_store>::value, "postgres_store is a MessageStore");

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_STORE_POSTGRES_STORE_HPP
