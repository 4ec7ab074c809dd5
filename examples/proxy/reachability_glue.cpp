// The proxy core beside another registrar (--reg-event, --presence): the
// subscription managers' hooks, NOTIFYs to them, deliveries through that
// server as the outbound proxy (RFC 3261 §8.1.2), and the loop check that
// keeps us from taking back a request we sent.
#include "proxy.hpp"
#include "transactions.hpp"

#include "log.hpp"
#include "sip_util.hpp"

#include <limits>

namespace proxy {

void proxy_core::start_subscriptions() {
  std::string const own_host = cfg_.udp   ? cfg_.udp->first.to_string()
                               : cfg_.tcp ? cfg_.tcp->first.to_string()
                                          : std::string("127.0.0.1");
  std::uint16_t const own_port = cfg_.udp ? cfg_.udp->second : cfg_.tcp ? cfg_.tcp->second : 5060;
  for (auto const& [uri, event] :
       {std::pair{cfg_.reg_event_uri, subscriptions::package::reg},
        std::pair{cfg_.presence_uri, subscriptions::package::presence}}) {
    if (uri.empty()) continue;
    std::string err;
    auto server = resolve(uri, &err);
    if (!server) {
      log::error("{}: {}; no subscriptions there", uri, err);
      continue;
    }
    // One server is the outbound proxy; with both options, the first.
    if (!outbound_) {
      outbound_ = server;
      outbound_route_ = "<" + uri + (uri.find(";lr") == std::string::npos ? ";lr>" : ">");
    }
    subscriptions::config c;
    c.event = event;
    c.server = uri;
    c.contact = "sip:sipsaf@" + own_host + ":" + std::to_string(own_port);
    c.from = "sip:sipsaf@" + cfg_.domain;
    c.expires = cfg_.subscription_expires;
    c.retry = std::min(cfg_.subscription_expires, std::chrono::seconds(30));
    subscriptions::hooks h;
    h.send = [this, server = *server](std::string what,
                                      std::function<std::string(std::string const&)> make,
                                      std::function<void(int, std::string const&)> done) {
      fork_ctx& f = new_fork(nullptr, std::move(what));
      f.method = "SUBSCRIBE";
      f.on_done = std::move(done);
      start_branch(f, "sip:" + server.address.to_string(), server, std::move(make));
      if (f.pending == 0) {
        std::uint64_t const id = f.id;
        asio::post(io_, [this, id] { fork_maybe_done(id); });
      }
    };
    h.reachable = [this](std::string const& aor) {
      sipsaf::outcome o;
      engine_->on_reachable(aor, o);
      apply(o, nullptr, nullptr, aor + " reachable at " + outbound_route_);
    };
    h.has_pending = [this](std::string const& aor) {
      auto u = store_.usage(aor);
      return u && u->push_messages > 0;
    };
    log::info("reachability of recipients with stored messages: {} event at {}",
              event == subscriptions::package::reg ? "reg" : "presence", uri);
    notifiers_.push_back(server->address);
    watchers_.push_back(std::make_unique<subscriptions>(io_, std::move(c), std::move(h)));
  }
  if (watchers_.empty()) return;
  dir_.set_external([this](std::string_view aor) {
    for (auto const& w : watchers_)
      if (w->reachable(aor)) return true;
    return false;
  });
  // Messages stored before a restart: every message expires some day, so
  // the ones that expire before the end of time are all of them.
  auto const all = store_.expired(sipsaf::timestamp::max(), cfg_.max_server_transactions);
  if (all)
    for (auto const& e : *all) watch(e.recipient);
}

void proxy_core::watch(std::string const& aor) {
  for (auto& w : watchers_) w->watch(aor);
}

auto proxy_core::handle_notify(server_txn& st) -> bool {
  if (st.method != "NOTIFY" || watchers_.empty()) return false;
  for (std::size_t i = 0; i < watchers_.size(); ++i) {
    auto& w = watchers_[i];
    if (!w->is_ours(*st.req)) continue;
    // Only the server we subscribed at speaks for its users' reachability:
    // a NOTIFY from anywhere else, a user of ours or a peer, could make a
    // recipient "reachable" and send its stored messages away.
    if (st.source.kind != transport_kind::local &&
        !address_block{notifiers_[i], notifiers_[i].is_v4() ? 32u : 128u}.contains(
            st.source.address)) {
      ++stats_.refused;
      st.decided = true;
      refusal_log("forbidden", "{}: not from the server subscribed at: 403", st.what);
      respond(st, 403, "Forbidden",
              {{"Warning", "399 sipsaf-proxy \"not the server subscribed at\""}});
      return true;
    }
    int const code = w->on_notify(*st.req);
    st.decided = true;  // logged by the manager
    respond(st, code,
            code == 200   ? "OK"
            : code == 481 ? "Subscription Does Not Exist"
                          : "Bad Request");
    return true;
  }
  return false;
}

auto proxy_core::sent_by_us(sipsaf::message_view const& m) const -> bool {
  // A request that carries our own Via has been here before (RFC 3261
  // §16.3 step 4); branches are random (branch.hpp), so the address tells.
  return is_loop(m);
}

auto proxy_core::outbound_for(std::string const& aor, std::string const& target)
    -> std::optional<peer> {
  // A target that is the AOR itself (not a contact registered here) is
  // reached through the server that told us it is reachable.
  if (!outbound_ || aor_key(aor) != aor_key(target) || reg_.find(aor, target) != nullptr)
    return std::nullopt;
  return outbound_;
}

}  // namespace proxy
