// Forking and client transactions (RFC 3261 §16.6-§16.7, §17.1): the
// branches a request is sent on, their timers, and the responses they get.
#include "proxy.hpp"
#include "transactions.hpp"

#include "log.hpp"
#include "sip_util.hpp"

#include <algorithm>

namespace proxy {

using sipsaf::field;

namespace {

// RFC 3261 §16.7 step 6: among final responses, a 6xx wins, else the lowest class.
auto better(int code, int than) -> bool {
  if (than == 0) return true;
  if (than >= 600) return false;
  if (code >= 600) return true;
  return code / 100 < than / 100;
}

}  // namespace

void proxy_core::on_unreachable(peer const& to) {
  std::vector<std::string> keys;
  for (auto const& c : client_)
    if (!c.second->completed && c.second->dest.same_endpoint(to)) keys.push_back(c.first);
  for (auto const& k : keys) fail_branch(k, true);
}

void proxy_core::on_response(sipsaf::message_view const& m, peer const& from) {
  auto via = m.top_via();
  auto cseq = m.cseq();
  if (!via || !cseq) return;
  std::string const key = std::string(via->branch) + " " + std::string(cseq->method);
  auto it = client_.find(key);
  int const code = m.status();
  rewrite strip;
  strip.strip_top_via = true;
  // RFC 3261 §17.1.3 matches a response by branch and method; it counts
  // only from where its request went (the address and transport, and the
  // connection when one was chosen). Anything else is dropped and counted,
  // never sent on: a proxy must not reflect what a stranger addressed to it.
  bool const genuine =
      it != client_.end() && it->second->dest.same_endpoint(from) &&
      (it->second->dest.connection == 0 || it->second->dest.connection == from.connection);
  if (!genuine) {
    ++stats_.unmatched_responses;
    refusal_log("unmatched-response",
                "{}: {} response matching none of our transactions ({} so far): dropped",
                from.text(), code, stats_.unmatched_responses);
    return;
  }
  client_txn& ct = *it->second;
  if (code < 200) {
    if (ct.completed) return;
    if (!ct.provisional) {
      ct.provisional = true;
      if (ct.method == "INVITE") {
        // Stop retransmitting; wait for the final answer up to Timer C.
        if (ct.retransmit) ct.retransmit->cancel();
        ct.timeout->expires_after(cfg_.timer_c);
        std::string k = ct.key;
        ct.timeout->async_wait([this, k](boost::system::error_code ec) {
          if (ec) return;
          auto c = client_.find(k);
          if (c == client_.end() || c->second->completed) return;
          send_cancel(*c->second);
          fail_branch(k, false);
        });
      }
    }
    if (ct.method == "INVITE" && code > 100) {
      auto f = forks_.find(ct.fork);
      if (f != forks_.end()) {
        auto s = server_.find(f->second->server_key);
        if (s != server_.end() && s->second->code < 200)
          send_response(*s->second, write_rewritten(m, strip), code);
      }
    }
    return;
  }
  if (ct.completed) {
    if (ct.method == "INVITE" && code >= 300 && !ct.ack.empty()) send(ct.dest, ct.ack, nullptr);
    if (ct.method == "INVITE" && code < 300) {
      auto f = forks_.find(ct.fork);
      if (f != forks_.end()) {
        auto s = server_.find(f->second->server_key);
        if (s != server_.end()) send(s->second->source, write_rewritten(m, strip), nullptr);
      }
    }
    return;
  }
  if (ct.method == "INVITE" && code >= 300) {
    // RFC 3261 §17.1.1.3: the ACK to a non-2xx is ours to send, same branch.
    auto inv = sipsaf::parse_message(ct.bytes);
    if (inv) {
      std::string ack = "ACK " + std::string(inv->request_uri()) + " SIP/2.0\r\n";
      ack += "Via: " + std::string(inv->header(field::via).value_or("")) + "\r\n";
      ack += "Max-Forwards: 70\r\n";
      ack += "From: " + std::string(inv->header(field::from).value_or("")) + "\r\n";
      ack += "To: " + std::string(m.header(field::to).value_or("")) + "\r\n";
      ack += "Call-ID: " + std::string(inv->header(field::call_id).value_or("")) + "\r\n";
      ack += "CSeq: " + std::to_string(inv->cseq() ? inv->cseq()->number : 1) + " ACK\r\n";
      for (auto const& row : inv->headers())
        if (row.id == field::route) ack += "Route: " + std::string(row.value) + "\r\n";
      ack += "Content-Length: 0\r\n\r\n";
      ct.ack = ack;
      send(ct.dest, ack, nullptr);
    }
  }
  branch_final(ct, code, write_rewritten(m, strip), false);
}

// --- forking and client transactions ------------------------------------------------------------

auto proxy_core::new_fork(server_txn* st, std::string what) -> fork_ctx& {
  auto f = std::make_unique<fork_ctx>();
  f->id = ++last_fork_;
  f->what = std::move(what);
  if (st != nullptr) {
    f->server_key = st->key;
    f->method = st->method;
    st->fork = f->id;
  }
  fork_ctx& ref = *f;
  forks_.emplace(ref.id, std::move(f));
  return ref;
}

void proxy_core::proxy_to(server_txn& st, fork_ctx& f, std::vector<std::string> const& targets,
                          std::string const& aor) {
  sipsaf::message_view const& m = *st.req;
  auto const to = m.to();
  bool const dialog_creating = st.method == "INVITE" && to && to->tag.empty();
  unsigned max_forwards = 70;
  if (auto mf = m.max_forwards()) max_forwards = *mf > 0 ? *mf - 1 : 0;  // §16.6 step 3
  std::string received;
  if (st.source.kind != transport_kind::local)
    if (auto v = m.top_via())
      if (v->host != st.source.address.to_string())  // RFC 3261 §18.2.1
        received = ";received=" + st.source.address.to_string();
  for (auto const& target : targets) {
    auto const outbound = aor.empty() ? std::nullopt : outbound_for(aor, target);
    auto const flow = flow_for(aor, target);
    start_branch(f, target, flow, [&](std::string const& via) {
      rewrite rw;
      if (outbound) rw.push_route = outbound_route_;
      if (!aor.empty()) rw.request_uri = target;  // §16.6 step 2: retarget to the contact
      rw.top_via = via;
      rw.via_params = received;
      rw.pop_route = st.pop_route;
      rw.max_forwards = max_forwards;
      if (dialog_creating)  // §16.6 step 4: stay on the path, over the transport the branch takes
        rw.record_route = record_route(
            via.rfind("SIP/2.0/TLS", 0) == 0 ? transport_kind::tls : transport_kind::udp,
            dialogs_.of(m));
      return write_rewritten(m, rw);
    });
  }
  if (f.pending == 0) {
    std::uint64_t const id = f.id;
    asio::post(io_, [this, id] { fork_maybe_done(id); });
  }
}

auto proxy_core::flow_for(std::string const& aor, std::string const& target)
    -> std::optional<peer> {
  if (!aor.empty())
    if (auto outbound = outbound_for(aor, target)) return outbound;
  // A contact of a local user, also when the request names it directly
  // (in a dialog): the way back its REGISTER set.
  binding const* b = aor.empty() ? reg_.find_contact(target) : reg_.find(aor, target);
  if (b == nullptr) return std::nullopt;
  // A TCP/TLS client on the connection it registered over.
  if (is_stream(b->source.kind) && b->source.connection != 0 && tr_.is_open(b->source.connection))
    return b->source;
  return b->reach_at;
}

auto proxy_core::start_branch(fork_ctx& f, std::string const& target_uri, std::optional<peer> flow,
                              std::function<std::string(std::string const&)> make) -> bool {
  std::string err;
  std::optional<peer> dest = flow ? flow : resolve(target_uri, &err);
  if (!dest) {
    log::warn("{}: cannot send to {}: {}", f.what, target_uri, err);
    f.transport_errors = true;
    return false;
  }
  // Bounded: completed transactions, kept only to absorb retransmitted
  // answers (Timer D / K, RFC 3261 §17.1.1.2, §17.1.2.2), make room oldest
  // first; only when every one is still waiting for its answer is the
  // request not sent.
  while (client_.size() >= cfg_.max_client_transactions && !completed_.empty()) {
    auto it = client_.find(completed_.front());
    completed_.pop_front();
    if (it != client_.end() && it->second->completed) client_.erase(it);
  }
  if (client_.size() >= cfg_.max_client_transactions) {
    log::warn("{}: {} client transactions open: not sent to {}", f.what, client_.size(),
              target_uri);
    f.transport_errors = true;
    return false;
  }
  auto ct = std::make_unique<client_txn>();
  std::string const branch = new_branch();
  ct->method = f.method;
  ct->key = branch + " " + ct->method;
  ct->bytes = make(via_for(dest->kind, branch));
  if (ct->bytes.empty()) {  // could not be written (`make` says why)
    f.transport_errors = true;
    return false;
  }
  ct->dest = *dest;
  ct->contact = target_uri;
  ct->fork = f.id;
  // A delivery that is not an INVITE is given up sooner than Timer F, so
  // that the sender hears "stored" (202) before its own Timer F fires.
  ct->give_up = f.delivery && f.method != "INVITE" ? cfg_.delivery_timeout : 64 * cfg_.t1;
  f.branches.push_back(ct->key);
  ++f.pending;
  std::string const key = ct->key;
  client_txn& c = *ct;
  client_.emplace(key, std::move(ct));
  log::debug("{}: sending to {} via {}", f.what, target_uri, dest->text());
  send(c.dest, c.bytes, [this, key](std::error_code) { fail_branch(key, true); });
  arm_client_timers(c);
  return true;
}

void proxy_core::arm_client_timers(client_txn& ct) {
  std::string const key = ct.key;
  // Timer B / F: no final answer within 64*T1 means unreachable.
  ct.timeout = std::make_unique<asio::steady_timer>(io_, ct.give_up);
  ct.timeout->async_wait([this, key](boost::system::error_code ec) {
    if (ec) return;
    auto c = client_.find(key);
    if (c == client_.end() || c->second->completed) return;
    log::info("{} to {}: no final answer in time", c->second->method, c->second->contact);
    fail_branch(key, false);
  });
  if (ct.dest.kind != transport_kind::udp) return;
  // Timer A / E: retransmit over UDP, doubling (non-INVITE: up to T2).
  ct.interval = cfg_.t1;
  ct.retransmit = std::make_unique<asio::steady_timer>(io_, ct.interval);
  struct again {
    proxy_core* self;
    std::string key;
    void operator()(boost::system::error_code ec) const {
      if (ec) return;
      auto c = self->client_.find(key);
      if (c == self->client_.end()) return;
      client_txn& t = *c->second;
      if (t.completed || (t.method == "INVITE" && t.provisional)) return;
      self->send(t.dest, t.bytes, nullptr);
      t.interval = t.method == "INVITE" ? 2 * t.interval : std::min(2 * t.interval, self->cfg_.t2);
      if (t.method != "INVITE" && t.provisional) t.interval = self->cfg_.t2;
      t.retransmit->expires_after(t.interval);
      t.retransmit->async_wait(*this);
    }
  };
  ct.retransmit->async_wait(again{this, key});
}

void proxy_core::send_cancel(client_txn& ct) {
  auto inv = sipsaf::parse_message(ct.bytes);
  if (!inv) return;
  // RFC 3261 §9.1: same Request-URI, top Via (branch), From, To, Call-ID; CSeq number.
  std::string c = "CANCEL " + std::string(inv->request_uri()) + " SIP/2.0\r\n";
  c += "Via: " + std::string(inv->header(field::via).value_or("")) + "\r\n";
  c += "Max-Forwards: 70\r\n";
  c += "From: " + std::string(inv->header(field::from).value_or("")) + "\r\n";
  c += "To: " + std::string(inv->header(field::to).value_or("")) + "\r\n";
  c += "Call-ID: " + std::string(inv->header(field::call_id).value_or("")) + "\r\n";
  c += "CSeq: " + std::to_string(inv->cseq() ? inv->cseq()->number : 1) + " CANCEL\r\n";
  for (auto const& row : inv->headers())
    if (row.id == field::route) c += "Route: " + std::string(row.value) + "\r\n";
  c += "Content-Length: 0\r\n\r\n";
  // Its answer is absorbed by a transaction that belongs to no fork.
  auto cancel = std::make_unique<client_txn>();
  auto const via = inv->top_via();
  cancel->key = std::string(via ? via->branch : std::string_view()) + " CANCEL";
  cancel->method = "CANCEL";
  cancel->bytes = c;
  cancel->dest = ct.dest;
  cancel->contact = ct.contact;
  client_txn& ref = *cancel;
  client_[cancel->key] = std::move(cancel);
  send(ref.dest, ref.bytes, nullptr);
  arm_client_timers(ref);
}

void proxy_core::fail_branch(std::string const& key, bool transport_error) {
  auto it = client_.find(key);
  if (it == client_.end() || it->second->completed) return;
  branch_final(*it->second, 0, {}, transport_error);
}

void proxy_core::branch_final(client_txn& ct, int code, std::string response,
                              bool transport_error) {
  ct.completed = true;
  ct.code = code;
  completed_.push_back(ct.key);
  if (ct.retransmit) ct.retransmit->cancel();
  if (ct.timeout) ct.timeout->cancel();
  // Keep it a while to absorb retransmitted answers (Timer D / K).
  // An INVITE's 2xx is retransmitted end to end on every transport (§13.3.1.4).
  auto const linger = ct.method == "INVITE"                 ? std::chrono::seconds(32)
                      : ct.dest.kind != transport_kind::udp ? std::chrono::seconds(0)
                                                            : std::chrono::seconds(5);
  ct.linger_until = steady::now() + linger;
  auto fit = forks_.find(ct.fork);
  if (fit == forks_.end()) return;
  fork_ctx& f = *fit->second;
  if (f.pending > 0) --f.pending;
  if (!f.aor.empty()) {
    if (code == 0)
      reg_.delivery_failed(f.aor, ct.contact, steady::now());
    else
      reg_.delivery_answered(f.aor, ct.contact);
  }
  if (code == 0) {
    (transport_error ? f.transport_errors : f.timeouts) = true;
  } else if (code < 300) {
    bool const first = f.best_code < 200 || f.best_code >= 300;
    f.best_code = code;
    f.best = response;
    server_txn* st = nullptr;
    if (auto s = server_.find(f.server_key); s != server_.end()) st = s->second.get();
    if (first && f.delivery) {
      // Delivered: the engine hears of it at once (it answers by relaying).
      auto const id = *f.delivery;
      f.delivery.reset();
      sipsaf::outcome o;
      engine_->on_delivery_result(id, code, o, f.adapted);
      if (!f.adapted.empty()) log::info("{}: delivered cut down: {}", f.what, f.adapted);
      apply(o, st, &f, f.what);
    } else if (st != nullptr && (first || f.method == "INVITE")) {
      // Every 2xx to an INVITE goes upstream (RFC 3261 §16.7 step 5).
      if (!f.answered || f.method == "INVITE") send_response(*st, response, code);
      f.answered = true;
    }
    if (f.method == "INVITE" && first)  // §16.7 step 10: the other branches are cancelled
      for (auto const& k : f.branches) {
        auto c = client_.find(k);
        if (c != client_.end() && !c->second->completed && c->second->provisional)
          send_cancel(*c->second);
      }
  } else if (f.best_code < 200 || f.best_code >= 300) {
    if (better(code, f.best_code)) {
      f.best_code = code;
      f.best = std::move(response);
    }
  }
  fork_maybe_done(f.id);
}

void proxy_core::fork_maybe_done(std::uint64_t id) {
  auto fit = forks_.find(id);
  if (fit == forks_.end()) return;
  fork_ctx& f = *fit->second;
  if (f.pending > 0) return;
  // A stored payload the recipient cannot take whole may have parts it can.
  if (f.delivery && f.best_code == 415 && f.adapted.empty() && send_adapted(f)) return;
  server_txn* st = nullptr;
  if (auto s = server_.find(f.server_key); s != server_.end()) st = s->second.get();
  if (f.delivery) {
    auto const d = *f.delivery;
    f.delivery.reset();
    int const code = f.best_code;  // 0: nobody answered (timeout, transport error)
    log::info("{}: delivery attempt ended with {}", f.what,
              code == 0 ? std::string(f.timeouts ? "a timeout" : "a transport error")
                        : std::to_string(code));
    sipsaf::outcome o;
    engine_->on_delivery_result(d, code, o, f.adapted);
    apply(o, st, &f, f.what);
  } else if (f.on_done) {
    auto done = std::move(f.on_done);
    f.on_done = nullptr;
    done(f.best_code, f.best);
  } else if (st != nullptr && !f.answered) {
    f.answered = true;
    if (f.best_code >= 200) {
      send_response(*st, f.best, f.best_code);
    } else if (f.timeouts) {
      log::info("{}: no answer in time: 408", f.what);
      st->decided = true;
      respond(*st, 408, "Request Timeout");
    } else {
      log::info("{}: {}", f.what,
                f.transport_errors ? "transport error: 503" : "nobody to send it to: 480");
      st->decided = true;
      respond(*st, f.transport_errors ? 503 : 480,
              f.transport_errors ? "Service Unavailable" : "Temporarily Unavailable");
    }
  }
  forks_.erase(id);
}

}  // namespace proxy
