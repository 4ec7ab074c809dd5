// Several proxies, one service: what the proxies share through PostgreSQL
// besides the messages (cluster_store.hpp).
//
// - Registrations: each proxy keeps the bindings of the REGISTERs it took
//   (registrar.hpp, with their connections) and writes them to
//   `sipsaf_bindings`, so that every proxy sees every user's contacts.
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

#include <boost/asio.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
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

  /// Replaces this proxy's bindings of `aor` with `live` (in the open batch,
  /// if any: then they are durable when it commits).
  auto publish(std::string const& aor, std::vector<binding const*> const& live,
               steady::time_point now) -> std::error_code;
  /// Appends the live contacts of `aor` that other proxies registered.
  void add_contacts(std::string const& aor, std::vector<std::string>& out);
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
  bool table_ready_ = false;
};

}  // namespace proxy

#endif  // SIPSAF_EXAMPLES_PROXY_CLUSTER_HPP
