// Shared registrations and wake-ups of several proxies (see cluster.hpp).
#include "cluster.hpp"
#include "proxy.hpp"
#include "transactions.hpp"

#include "log.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <set>

#include <unistd.h>

namespace proxy {

namespace {

// Version 1 of the proxy's own table, beside the store's. Strings are
// bytea: a Contact is whatever the client wrote.
constexpr char const* bindings_schema =
    "CREATE TABLE IF NOT EXISTS sipsaf_bindings ("
    " aor bytea NOT NULL, contact bytea NOT NULL, q integer NOT NULL,"
    " expires_at bigint NOT NULL, proxy text NOT NULL,"
    " PRIMARY KEY (aor, contact))";

using pg_result = std::unique_ptr<PGresult, void (*)(PGresult*)>;

// Parameters in binary: bytea as they are, int8 big-endian.
struct params {
  std::vector<char const*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
  std::vector<Oid> types;
  std::vector<std::array<char, 8>> ints;
  params() { ints.reserve(8); }
  auto bytes(std::string_view v) -> params& {
    values.push_back(v.data() != nullptr ? v.data() : "");
    lengths.push_back(static_cast<int>(v.size()));
    formats.push_back(1);
    types.push_back(17);
    return *this;
  }
  auto i64(std::int64_t v) -> params& {
    ints.emplace_back();
    auto u = static_cast<std::uint64_t>(v);
    for (int i = 7; i >= 0; --i, u >>= 8)
      ints.back()[static_cast<std::size_t>(i)] = static_cast<char>(u & 0xff);
    values.push_back(ints.back().data());
    lengths.push_back(8);
    formats.push_back(1);
    types.push_back(20);
    return *this;
  }
};

auto run(PGconn* c, char const* sql, params const& p) -> pg_result {
  return pg_result(PQexecParams(c, sql, static_cast<int>(p.values.size()), p.types.data(),
                                p.values.data(), p.lengths.data(), p.formats.data(), 1),
                   PQclear);
}

auto ok(pg_result const& r) -> bool {
  auto const st = PQresultStatus(r.get());
  return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

auto unix_ms(std::chrono::system_clock::time_point t) -> std::int64_t {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

auto failed(PGconn* c, char const* what) -> std::error_code {
  log::error("cluster: {}: {}", what, c != nullptr ? PQerrorMessage(c) : "no connection");
  return make_error_code(sipsaf::postgres_errc::query);
}

}  // namespace

cluster::cluster(asio::io_context& io, cluster_store& store,
                 std::function<void(std::vector<std::string> const&)> on_wake)
    : io_(io), store_(store), on_wake_(std::move(on_wake)), tick_(io) {}

cluster::~cluster() = default;

auto cluster::start() -> std::error_code {
  auto& db = store_.db();
  if (auto ec = db.ensure_connected()) return ec;
  PGconn* c = db.native_handle();
  // Proxies starting together: one creates the table, the others wait.
  pg_result r(PQexec(c, "BEGIN; SELECT pg_advisory_xact_lock(7368734); "), PQclear);
  if (!ok(r)) return failed(c, "creating the bindings table");
  r.reset(PQexec(c, bindings_schema));
  bool const created = ok(r);
  r.reset(PQexec(c, created ? "COMMIT" : "ROLLBACK"));
  if (!created) return failed(c, "creating the bindings table");
  table_ready_ = true;
  if (auto ec = db.listen("sipsaf_wake")) return ec;
  tick();
  return {};
}

auto cluster::publish(std::string const& aor, std::vector<binding const*> const& live,
                      std::vector<std::string> const& removed, bool removed_all,
                      steady::time_point now) -> std::error_code {
  auto& db = store_.db();
  if (auto ec = db.ensure_connected()) return ec;
  PGconn* c = db.native_handle();
  bool const own_tx = PQtransactionStatus(c) == PQTRANS_IDLE;
  if (own_tx && !ok(pg_result(PQexec(c, "BEGIN"), PQclear))) return failed(c, "publish");
  auto undo = [&](char const* what) {
    auto ec = failed(c, what);
    if (own_tx) pg_result(PQexec(c, "ROLLBACK"), PQclear);
    return ec;
  };
  params del;
  del.bytes(aor).bytes(owner());
  if (!ok(run(c, "DELETE FROM sipsaf_bindings WHERE aor = $1 AND proxy = convert_from($2, 'UTF8')",
              del)))
    return undo("removing bindings");
  if (removed_all) {
    params all;
    all.bytes(aor);
    if (!ok(run(c, "DELETE FROM sipsaf_bindings WHERE aor = $1", all)))
      return undo("removing bindings");
  }
  for (auto const& contact : removed_all ? std::vector<std::string>{} : removed) {
    params one;
    one.bytes(aor).bytes(contact);
    if (!ok(run(c, "DELETE FROM sipsaf_bindings WHERE aor = $1 AND contact = $2", one)))
      return undo("removing a binding");
  }
  auto const sys_now = std::chrono::system_clock::now();
  for (binding const* b : live) {
    params p;
    p.bytes(aor).bytes(b->contact).i64(b->q);
    p.i64(unix_ms(sys_now + std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                b->expires - now)));
    p.bytes(owner());
    // A contact that registered through another proxy before now belongs here.
    if (!ok(run(c,
                "INSERT INTO sipsaf_bindings (aor, contact, q, expires_at, proxy) VALUES "
                "($1, $2, $3, $4, convert_from($5, 'UTF8')) ON CONFLICT (aor, contact) DO "
                "UPDATE SET q = excluded.q, expires_at = excluded.expires_at, proxy = "
                "excluded.proxy",
                p)))
      return undo("writing a binding");
  }
  if (own_tx && !ok(pg_result(PQexec(c, "COMMIT"), PQclear))) return failed(c, "publish");
  return {};
}

void cluster::look_ahead(sipsaf::message_view const& req, std::string const& aor) {
  forget_ahead();
  auto& db = store_.db();
  if (!table_ready_ || db.ensure_connected()) return;
  PGconn* c = db.native_handle();
  std::pair<PGconn const*, int> const conn{c, PQbackendPID(c)};
  if (prepared_ != conn) {
    // One row per live contact (one with none), each with the key's id and
    // the recipient's usage.
    constexpr char const* sql =
        "WITH u AS (SELECT count(*) AS n, coalesce(sum(size), 0)::int8 AS b, "
        "count(*) FILTER (WHERE mode = 0) AS p FROM sipsaf_messages WHERE recipient = $4) "
        "SELECT (SELECT id FROM sipsaf_messages WHERE call_id = $1 AND cseq = $2 AND "
        "from_tag = $3), u.n, u.b, u.p, c.contact, (SELECT "
        "nextval(pg_get_serial_sequence('sipsaf_messages', 'id'))) FROM u LEFT JOIN LATERAL "
        "(SELECT contact, q "
        "FROM sipsaf_bindings WHERE aor = $4 AND expires_at > $5) c ON true "
        "ORDER BY c.q DESC, c.contact";
    Oid const types[] = {17, 20, 17, 17, 20};
    pg_result r(PQprepare(c, "sipsaf_proxy_ahead", sql, 5, types), PQclear);
    if (!ok(r)) {
      failed(c, "preparing the read-ahead");
      return;
    }
    prepared_ = conn;
  }
  cluster_store::ahead a;
  auto const cid = req.call_id();
  auto const cseq = req.cseq();
  auto const from = req.from();
  if (!cid || !cseq || !from) return;
  a.call_id = std::string(*cid);
  a.cseq = cseq->number;
  a.from_tag = std::string(from->tag);
  a.recipient = aor;
  params p;
  p.bytes(a.call_id).i64(a.cseq).bytes(a.from_tag).bytes(aor);
  p.i64(unix_ms(std::chrono::system_clock::now()));
  pg_result r(PQexecPrepared(c, "sipsaf_proxy_ahead", static_cast<int>(p.values.size()),
                             p.values.data(), p.lengths.data(), p.formats.data(), 1),
              PQclear);
  if (!ok(r) || PQntuples(r.get()) < 1) return;
  auto int_at = [&](int row, int col) -> std::int64_t {
    if (PQgetisnull(r.get(), row, col) || PQgetlength(r.get(), row, col) != 8) return 0;
    auto const* v = reinterpret_cast<unsigned char const*>(PQgetvalue(r.get(), row, col));
    std::uint64_t u = 0;
    for (int i = 0; i < 8; ++i) u = (u << 8) | v[i];
    return static_cast<std::int64_t>(u);
  };
  if (!PQgetisnull(r.get(), 0, 0)) a.id = static_cast<sipsaf::message_id>(int_at(0, 0));
  a.use.messages = static_cast<std::uint64_t>(int_at(0, 1));
  a.use.bytes = static_cast<std::uint64_t>(int_at(0, 2));
  a.use.push_messages = static_cast<std::uint64_t>(int_at(0, 3));
  a.next_id = static_cast<sipsaf::message_id>(int_at(0, 5));
  std::vector<std::string> contacts;
  for (int i = 0; i < PQntuples(r.get()); ++i)
    if (!PQgetisnull(r.get(), i, 4))
      contacts.emplace_back(PQgetvalue(r.get(), i, 4),
                            static_cast<std::size_t>(PQgetlength(r.get(), i, 4)));
  store_.expect(std::move(a));
  contacts_ahead_.emplace(aor, std::move(contacts));
}

void cluster::forget_ahead() {
  store_.forget_ahead();
  contacts_ahead_.reset();
}

auto cluster::shared(std::string const& aor) -> std::optional<std::vector<std::string>> {
  if (contacts_ahead_ && contacts_ahead_->first == aor) return contacts_ahead_->second;
  auto& db = store_.db();
  if (!table_ready_ || db.ensure_connected()) return std::nullopt;
  PGconn* c = db.native_handle();
  params p;
  p.bytes(aor).i64(unix_ms(std::chrono::system_clock::now()));
  auto r = run(c,
               "SELECT contact FROM sipsaf_bindings WHERE aor = $1 AND expires_at > $2 "
               "ORDER BY q DESC, contact",
               p);
  if (!ok(r)) return std::nullopt;
  std::vector<std::string> all;
  for (int i = 0; i < PQntuples(r.get()); ++i)
    all.emplace_back(PQgetvalue(r.get(), i, 0),
                     static_cast<std::size_t>(PQgetlength(r.get(), i, 0)));
  return all;
}

void cluster::add_contacts(std::string const& aor, std::vector<std::string>& out) {
  auto all = shared(aor);
  if (!all) return;  // the database is away: what this proxy holds is all it knows
  auto in = [](std::vector<std::string> const& v, std::string const& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  };
  out.erase(std::remove_if(out.begin(), out.end(),
                           [&](std::string const& own) { return !in(*all, own); }),
            out.end());
  for (auto& contact : *all)
    if (!in(out, contact)) out.push_back(std::move(contact));
}

void cluster::announce(std::string const& aor) {
  if (auto ec = store_.db().notify("sipsaf_wake", aor))
    log::debug("cluster: cannot announce {}: {}", aor, ec.message());
}

void cluster::watch() {
  PGconn* c = store_.db().native_handle();
  int const fd = store_.db().socket();
  // The connection, told apart from a later one that got the same number.
  long const key = fd < 0 || c == nullptr ? -1 : (long{PQbackendPID(c)} << 16) ^ fd;
  if (key == watched_ && socket_) return;
  socket_.reset();  // closes our duplicate, never libpq's descriptor
  watched_ = key;
  if (key < 0) return;
  // A duplicate of libpq's socket: when libpq closes its own (a reconnect)
  // and the number goes to another socket, the reactor still holds ours.
  int const mine = ::dup(fd);
  if (mine < 0) return;
  socket_ = std::make_unique<asio::posix::stream_descriptor>(io_, mine);
  socket_->async_wait(asio::posix::stream_descriptor::wait_read, [this](auto ec) {
    if (ec) return;
    std::vector<std::string> aors;
    for (auto& n : store_.db().notifications()) aors.push_back(std::move(n.payload));
    if (!aors.empty()) on_wake_(aors);
    socket_.reset();
    watched_ = -1;
    watch();  // a broken connection is not watched again until the tick reconnects
  });
}

void cluster::tick() {
  auto& db = store_.db();
  if (!db.connected()) {
    if (!db.ensure_connected()) log::info("cluster: connected to the database again");
  }
  std::set<std::string> aors;
  for (auto& n : db.notifications()) aors.insert(std::move(n.payload));
  on_wake_(std::vector<std::string>(aors.begin(), aors.end()));
  watch();
  tick_.expires_after(std::chrono::seconds(1));
  tick_.async_wait([this](boost::system::error_code ec) {
    if (!ec) tick();
  });
}

// --- the proxy's side ---------------------------------------------------------------

void proxy_core::attach_cluster(cluster& c) {
  cluster_ = &c;
  dir_.shared_contacts = [&c](std::string const& aor, std::vector<std::string>& out) {
    c.add_contacts(aor, out);
  };
}

void proxy_core::cluster_wake(std::vector<std::string> const& aors) {
  if (stopping_) return;
  // The proxy that took the REGISTER delivers (cluster.hpp); here only
  // what is due: retries, and leases of a proxy that died.
  for (auto const& aor : aors) log::debug("cluster: {} registered at another proxy", aor);
  sipsaf::outcome o;
  engine_->on_timer(o);
  apply(o, nullptr, nullptr, "cluster tick");
}

void proxy_core::respond_store_failed(server_txn& st) {
  // A 202 held back for a commit that failed was never sent: it must not
  // stay the transaction's answer, which a retransmission would get.
  st.code = 0;
  st.response.clear();
  if (store_.unavailable())
    respond(st, 503, "Service Unavailable", {{"Retry-After", "5"}});
  else
    respond(st, 500, "Server Internal Error");
}

}  // namespace proxy
