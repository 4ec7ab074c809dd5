// Several proxies, one service: what the proxies share through PostgreSQL
// besides the messages (cluster_store.hpp).
//
// - Registrations: each proxy keeps the bindings of the REGISTERs it took
//   (registrar.hpp, with their connections) and writes them to
//   `sipsaf_bindings`, so that every proxy sees every user's contacts.
// - Removing: a contact removed (Expires: 0, `Contact: *`) through any
//   proxy is deleted from `sipsaf_bindings` before the 200, and the table
//   is the authority: a proxy routes to a contact it holds itself only
//   while the table still has it, and forgets the ones gone from it when
//   the user registers again. So the contact is gone for all at once.
// - Who delivers: the proxy that took the REGISTER. It has just
//   authenticated the user and holds the way back to it (the TCP
//   connection, the NAT binding a UDP client keeps open towards it); its
//   claim on the user's oldest message keeps the others out, in order. The
//   others deliver a user's messages only when they fall due: a retry time,
//   or a lease whose holder died.
// - Waking: a proxy that took a REGISTER sends the address-of-record on the
//   channel `sipsaf_wake` (LISTEN/NOTIFY) once it has claimed what it will
//   deliver; the others then run their engine's timer pass at once, and
//   anyway once a second: what is due (a retry time, a lease that ended
//   because its proxy died) is claimed by one of them and delivered.
#ifndef SIPSAF_EXAMPLES_PROXY_CLUSTER_HPP
#define SIPSAF_EXAMPLES_PROXY_CLUSTER_HPP

#include "cluster_store.hpp"
#include "registrar.hpp"

#include <libpq-fe.h>
#include <boost/asio.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace proxy {

class cluster {
 public:
  /// `on_wake` gets the addresses-of-record worth trying (maybe none) each
  /// time another proxy announces some and once a second.
  cluster(asio::io_context& io, cluster_store& store,
          std::function<void(std::vector<std::string> const&)> on_wake);
  ~cluster();
  cluster(cluster const&) = delete;
  auto operator=(cluster const&) -> cluster& = delete;

  /// Creates the bindings table if needed, subscribes, starts the tick.
  auto start() -> std::error_code;

  /// Replaces this proxy's bindings of `aor` with `live` and deletes the
  /// `removed` contacts (all of them: `removed_all`) wherever they were
  /// registered (in the open batch, if any: then it is durable when it
  /// commits).
  auto publish(std::string const& aor, std::vector<binding const*> const& live,
               std::vector<std::string> const& removed, bool removed_all, steady::time_point now)
      -> std::error_code;
  /// `out` holds this proxy's own contacts of `aor`: drops those the shared
  /// table no longer has (removed through another proxy) and appends the
  /// live ones other proxies registered.
  void add_contacts(std::string const& aor, std::vector<std::string>& out);
  /// The contacts of `aor` in the shared table (any proxy's, live); none
  /// when it cannot be read.
  auto shared(std::string const& aor) -> std::optional<std::vector<std::string>>;
  /// Reads, in one statement, what storing `req` for `aor` will ask: the
  /// message under its duplicate key, the usage of `aor` and its contacts.
  /// Answers come from it until `forget_ahead`.
  void look_ahead(sipsaf::message_view const& req, std::string const& aor);
  void forget_ahead();

  /// Tells the other proxies that `aor` is reachable.
  void announce(std::string const& aor);

  auto owner() const -> std::string const& { return store_.db().owner(); }

 private:
  void tick();
  void watch();

  asio::io_context& io_;
  cluster_store& store_;
  std::function<void(std::vector<std::string> const&)> on_wake_;
  asio::steady_timer tick_;
  std::unique_ptr<asio::posix::stream_descriptor> socket_;
  long watched_ = -1;
  std::optional<std::pair<std::string, std::vector<std::string>>> contacts_ahead_;
  std::pair<PGconn const*, int> prepared_{nullptr, 0};  // the connection it was prepared on
  bool table_ready_ = false;
};

}  // namespace proxy

#endif  // SIPSAF_EXAMPLES_PROXY_CLUSTER_HPP
