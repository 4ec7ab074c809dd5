// Where a request goes (RFC 3261 §16.3-§16.6): REGISTER to the registrar,
// payloads to a local user through the engine, CANCEL, ACK, and the
// requests the proxy originates itself.
#include "cluster.hpp"
#include "proxy.hpp"
#include "transactions.hpp"

#include "log.hpp"
#include "sip_util.hpp"

namespace proxy {

using sipsaf::field;

namespace {

auto is_payload_method(std::string_view m) -> bool {
  return m == "MESSAGE" || m == "INVITE" || m == "INFO";
}

// A multipart body that does not parse within the MIME limits (RFC 2046
// §5.1.1: boundary, close delimiter; sipsaf's depth and part limits).
auto multipart_problem(sipsaf::message_view const& m) -> std::optional<std::string> {
  auto const ct = m.header(field::content_type);
  if (!ct) return std::nullopt;
  auto type = sipsaf::parse_media_type(*ct);
  if (!type || !type->is_multipart()) return std::nullopt;
  auto parts = sipsaf::parse_multipart(m.body(), *type);
  if (parts) return std::nullopt;
  return "multipart body: " + parts.error().message();
}

}  // namespace

void proxy_core::route(server_txn& st) {
  // RFC 3261 §16.3 step 3 and §16.6 step 3: Max-Forwards.
  if (st.req->find(field::max_forwards) != nullptr) {
    auto mf = st.req->max_forwards();
    if (mf && *mf == 0) {
      refusal_log("hops", "{}: Max-Forwards is 0: 483", st.what);
      respond(st, 483, "Too Many Hops");
      return;
    }
  }
  if (st.source.kind != transport_kind::local) {
    if (is_loop(*st.req)) {  // RFC 3261 §16.3 item 4: our own Via is in it already
      refusal_log("loop", "{}: our own Via is in it: 482", st.what);
      respond(st, 482, "Loop Detected");
      return;
    }
    if (!admit(st)) return;  // answered (407, 403...) in there
  }
  sipsaf::message_view const& m = *st.req;
  if (handle_notify(st)) return;
  // A payload we sent that came back (a registrar that routes our own
  // delivery to us) is refused, never stored again.
  if (is_payload_method(st.method) && sent_by_us(m)) {
    log::warn("{}: our own request came back: 482", st.what);
    respond(st, 482, "Loop Detected");
    return;
  }
  // RFC 3261 §16.4: a Route entry naming us is removed; another one is followed.
  std::optional<std::string> next_hop;
  auto routes = m.values("Route");
  if (!routes.empty()) {
    auto first = sipsaf::parse_name_addr(routes[0]);
    if (first && is_local(first->uri)) {
      st.pop_route = true;
      if (routes.size() > 1)
        if (auto second = sipsaf::parse_name_addr(routes[1]))
          next_hop = std::string(second->uri.text);
    } else if (first) {
      next_hop = std::string(first->uri.text);
    }
  }
  if (next_hop) {
    if (!may_send_to(st.source, *next_hop)) {
      refusal_log("relay", "{}: Route to {} is none of ours: 403", st.what, *next_hop);
      respond(st, 403, "Forbidden", {{"Warning", "399 sipsaf-proxy \"no relay\""}});
      return;
    }
    fork_ctx& f = new_fork(&st, st.what);
    proxy_to(st, f, {*next_hop}, "");
    return;
  }
  sipsaf::uri_view const& ru = m.request_uri_parts();
  if (st.method == "REGISTER") {
    handle_register(st, m.to()->uri.user, "authenticated as " + st.identity);
    return;
  }
  if (is_local(ru)) {
    if (ru.user.empty()) {
      if (st.method == "OPTIONS") {  // a ping for the proxy itself
        respond(st, 200, "OK",
                {{"Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, INFO, REGISTER"},
                 {"Accept", "*/*"}});
      } else {
        respond(st, 404, "Not Found");
      }
      return;
    }
    to_local_user(st, std::string(ru.user));
    return;
  }
  if (!may_send_to(st.source, ru.text)) {  // no relay: not our domain, not a contact, not a peer
    refusal_log("relay", "{}: {} is none of ours: 403", st.what, ru.text);
    respond(st, 403, "Forbidden", {{"Warning", "399 sipsaf-proxy \"no relay\""}});
    return;
  }
  fork_ctx& f = new_fork(&st, st.what);
  proxy_to(st, f, {std::string(ru.text)}, "");
}

void proxy_core::handle_register(server_txn& st, std::string_view user, std::string const& how) {
  // Several proxies: what was removed through another one is gone here too
  // (cluster.hpp), before this REGISTER writes this proxy's bindings back.
  if (cluster_ != nullptr && reg_.user_exists(user)) {
    std::string const key = reg_.aor(user);
    if (auto all = cluster_->shared(key)) reg_.forget_others(key, *all);
  }
  auto r = reg_.handle(*st.req, user, st.source, steady::now(), how);
  log::info("REGISTER {} from {}: {} ({})", r.aor.empty() ? std::string(user) : r.aor,
            st.source.text(), r.code, r.log);
  if (r.response.empty()) {
    respond(st, 500, "Server Internal Error");
    return;
  }
  // Several proxies: the bindings must be shared before the 200 says so.
  if (cluster_ != nullptr && r.code == 200 && !r.aor.empty() &&
      cluster_->publish(r.aor, reg_.contacts(r.aor, steady::now()), r.removed, r.removed_all,
                        steady::now())) {
    respond_store_failed(st);
    return;
  }
  send_response(st, std::move(r.response), r.code, cluster_ != nullptr && r.code == 200);
  if (r.code == 200 && r.reachable) {
    sipsaf::outcome o;
    engine_->on_reachable(r.aor, o);
    apply(o, nullptr, nullptr, r.aor + " registered");
    if (cluster_ != nullptr) cluster_->announce(r.aor);
  }
}

void proxy_core::to_local_user(server_txn& st, std::string const& user) {
  sipsaf::message_view const& m = *st.req;
  if (!reg_.user_exists(user)) {
    log::info("{}: no user '{}': 404", st.what, user);
    respond(st, 404, "Not Found");
    return;
  }
  // Several proxies: what storing it reads, in one round trip (cluster.hpp),
  // forgotten once it is handled.
  struct forget_ahead {
    cluster* c;
    ~forget_ahead() {
      if (c != nullptr) c->forget_ahead();
    }
  } const ahead{cluster_ != nullptr && is_payload_method(st.method) ? cluster_ : nullptr};
  if (ahead.c != nullptr) ahead.c->look_ahead(m, reg_.aor(user));
  sipsaf::recipient const who = dir_.of_user(user);  // a copy: the directory reuses its own
  auto const to = m.to();
  bool const in_dialog = to && !to->tag.empty();
  // Pull (`store`) messages wait until their recipient asks: an empty
  // MESSAGE from the user to its own address. It is answered 200 and what
  // is kept goes to the user's registered (authenticated) contacts only.
  if (st.method == "MESSAGE" && m.body().empty() && !in_dialog) {
    auto const from = m.from();
    if (from && dir_.user_of(from->uri.text) == user) {
      log::info("{}: {} asks for its stored messages", st.what, who.key);
      st.decided = true;
      respond(st, 200, "OK");
      sipsaf::outcome o;
      engine_->on_fetch(who.key, 256, o);
      apply(o, nullptr, nullptr, who.key + " fetch");
      return;
    }
  }
  if (is_payload_method(st.method) && !in_dialog) {
    if (auto why = multipart_problem(m)) {  // never stored: nobody could read it
      refusal_log("bad-body", "{}: {}: 400", st.what, *why);
      respond(st, 400, "Bad Request", {{"Warning", "399 sipsaf-proxy \"" + *why + "\""}});
      return;
    }
    sipsaf::outcome o;
    engine_->on_request(m, who, o);  // read through <sipsaf/policy/message_view_request.hpp>
    if (o.decided && o.decided->what != sipsaf::verdict::not_handled) {
      apply(o, &st, nullptr, st.what);
      return;
    }
  }
  if (who.contacts.empty()) {
    log::info("{}: {} has no live contact: 480", st.what, who.key);
    respond(st, 480, "Temporarily Unavailable");
    return;
  }
  fork_ctx& f = new_fork(&st, st.what);
  f.aor = who.key;
  proxy_to(st, f, who.contacts, who.key);
}

void proxy_core::handle_cancel(sipsaf::message_view const& m, peer const& from) {
  server_txn& cancel = *server_.at(server_key(m, false));
  auto it = server_.find(server_key(m, true));
  if (it == server_.end()) {
    respond(cancel, 481, "Call/Transaction Does Not Exist");
    return;
  }
  respond(cancel, 200, "OK");  // RFC 3261 §16.10
  server_txn& invite = *it->second;
  if (invite.code >= 200) return;
  log::info("{}: cancelled by {}", invite.what, from.text());
  auto fit = forks_.find(invite.fork);
  bool any = false;
  if (fit != forks_.end())
    for (auto const& k : fit->second->branches) {
      auto c = client_.find(k);
      if (c != client_.end() && !c->second->completed) {
        send_cancel(*c->second);
        any = true;
      }
    }
  if (!any) respond(invite, 487, "Request Terminated");
}

void proxy_core::route_ack(sipsaf::message_view const& m, peer const& from) {
  // An ACK for a 2xx goes end to end, statelessly (RFC 3261 §16.11, §13.2.2.4);
  // a stranger's only along a dialog we record-routed (dialog_token.hpp).
  bool pop = false, dialog = false;
  std::string target(m.request_uri());
  auto routes = m.values("Route");
  if (!routes.empty()) {
    auto first = sipsaf::parse_name_addr(routes[0]);
    if (first && is_local(first->uri)) {
      pop = true;
      dialog = dialogs_.follows(m, first->uri);
      if (routes.size() > 1)
        if (auto second = sipsaf::parse_name_addr(routes[1]))
          target = std::string(second->uri.text);
    } else if (first) {
      target = std::string(first->uri.text);
    }
  }
  if (!dialog && from.kind != transport_kind::local && !is_trusted(from.address)) {
    refusal_log("relay", "ACK from {}: in no dialog of ours: dropped", from.text());
    return;
  }
  if (!pop || routes.size() <= 1) {
    sipsaf::uri_view const& ru = m.request_uri_parts();
    if (is_local(ru) && !ru.user.empty()) {
      auto c = reg_.contacts(reg_.aor(ru.user), steady::now());
      if (c.empty()) return;
      target = c.front()->contact;
    }
  }
  if (!may_send_to(from, target)) {
    refusal_log("relay", "ACK from {} to {}: none of ours: dropped", from.text(), target);
    return;
  }
  std::string err;
  auto dest = resolve(target, &err);
  if (!dest) {
    log::info("ACK from {} to {}: {}", from.text(), target, err);
    return;
  }
  rewrite rw;
  rw.top_via = via_for(dest->kind, new_branch());
  rw.pop_route = pop;
  auto mf = m.max_forwards();
  rw.max_forwards = mf ? (*mf > 0 ? *mf - 1 : 0) : 70;
  send(*dest, write_rewritten(m, rw), nullptr);
}

void proxy_core::originate(std::string bytes, std::string what) {
  // Our own requests (notifications, forwards) enter the proxy as if they
  // had arrived: to a local user they meet the engine (and are stored when
  // the user is offline), elsewhere they are sent on.
  asio::post(io_, [this, bytes = std::move(bytes), what = std::move(what)]() mutable {
    auto st = std::make_unique<server_txn>();
    st->key = "local " + std::to_string(++counter_);
    st->bytes = std::move(bytes);
    auto m = sipsaf::parse_message(st->bytes);
    if (!m) {
      log::error("{}: our own request does not parse: {}", what, m.error().message());
      return;
    }
    st->req = std::move(*m);
    st->source.kind = transport_kind::local;
    st->method = std::string(st->req->method());
    st->created = steady::now();
    st->what = std::move(what);
    server_txn& s = *st;
    server_.emplace(s.key, std::move(st));
    route(s);
  });
}

}  // namespace proxy
