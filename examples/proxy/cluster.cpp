// Shared registrations and wake-ups of several proxies (see cluster.hpp).
#include "cluster.hpp"
#include "proxy.hpp"
#include "transactions.hpp"

#include "log.hpp"

#include <libpq-fe.h>

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

void cluster::add_contacts(std::string const& aor, std::vector<std::string>& out) {
  auto& db = store_.db();
  if (!table_ready_ || db.ensure_connected()) return;
  PGconn* c = db.native_handle();
  params p;
  p.bytes(aor).bytes(owner()).i64(unix_ms(std::chrono::system_clock::now()));
  auto r = run(c,
               "SELECT contact FROM sipsaf_bindings WHERE aor = $1 AND proxy <> "
               "convert_from($2, 'UTF8') AND expires_at > $3 ORDER BY q DESC, contact",
               p);
  if (!ok(r)) return;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    std::string contact(PQgetvalue(r.get(), i, 0),
                        static_cast<std::size_t>(PQgetlength(r.get(), i, 0)));
    bool seen = false;
    for (auto const& o : out) seen = seen || o == contact;
    if (!seen) out.push_back(std::move(contact));
  }
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
