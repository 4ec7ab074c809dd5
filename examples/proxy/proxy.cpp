// The proxy core; see proxy.hpp.
#include "proxy.hpp"

#include "common/digest.hpp"
#include "log.hpp"
#include "sip_util.hpp"

#include <algorithm>
#include <cstdlib>
#include <utility>

namespace proxy {

using sipsaf::field;
using steady = std::chrono::steady_clock;

namespace {

template <class... F>
struct overloaded : F... {
  using F::operator()...;
};
template <class... F>
overloaded(F...) -> overloaded<F...>;

auto now_ms() -> sipsaf::timestamp {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

// RFC 3261 §16.7 step 6: among final responses, a 6xx wins, else the lowest class.
auto better(int code, int than) -> bool {
  if (than == 0) return true;
  if (than >= 600) return false;
  if (code >= 600) return true;
  return code / 100 < than / 100;
}

auto is_payload_method(std::string_view m) -> bool {
  return m == "MESSAGE" || m == "INVITE" || m == "INFO";
}

}  // namespace

// --- transaction state --------------------------------------------------------

/// A request we received (RFC 3261 §17.2): its bytes, where answers go, the
/// last answer (re-sent when the request is retransmitted).
struct proxy_core::server_txn {
  std::string key;
  std::string bytes;  // owns the request; `req` points into it
  std::optional<sipsaf::message_view> req;
  peer source;
  std::string method;
  std::string what;  // for the log
  std::string response;
  int code = 0;
  steady::time_point created{}, finished{};
  std::uint64_t fork = 0;
  bool pop_route = false;
  bool decided = false;  // the engine decided (and logged) its answer
};

/// A request we sent (RFC 3261 §17.1): retransmitted over UDP until
/// answered, given up after Timer B/F.
struct proxy_core::client_txn {
  std::string key;  // branch + " " + method
  std::string method;
  std::string bytes;
  peer dest;
  std::string contact;  // where it was sent (the target URI)
  std::uint64_t fork = 0;
  std::unique_ptr<asio::steady_timer> retransmit, timeout;
  std::chrono::milliseconds interval{};
  std::chrono::milliseconds give_up{32000};  // Timer B / F
  bool provisional = false;
  bool completed = false;
  int code = 0;
  std::string ack;  // our ACK to a non-2xx final response to INVITE
  steady::time_point linger_until{};
};

/// One request sent on to one or more targets, waiting for the best answer.
struct proxy_core::fork_ctx {
  std::uint64_t id = 0;
  std::string server_key;  // the request being answered; empty for our own
  std::string what;
  std::string method;
  std::optional<sipsaf::delivery_id> delivery;  // the engine's attempt, to report
  std::string aor;                              // the recipient, for contact bookkeeping
  std::vector<std::string> branches;
  std::size_t pending = 0;
  int best_code = 0;
  std::string best;  // the best final response, our Via removed
  bool answered = false;
  bool timeouts = false;
  bool transport_errors = false;
};

// --- directory ------------------------------------------------------------------

auto directory::user_of(std::string_view uri) const -> std::string {
  while (!uri.empty() && (uri.front() == ' ' || uri.front() == '<')) uri.remove_prefix(1);
  while (!uri.empty() && (uri.back() == ' ' || uri.back() == '>')) uri.remove_suffix(1);
  auto u = sipsaf::parse_uri(uri);
  if (!u || !u->is_sip() || u->user.empty() || !is_local_(*u)) return {};
  return std::string(u->user);
}

auto directory::lookup(std::string_view uri) -> sipsaf::recipient const* {
  std::string const user = user_of(uri);
  if (user.empty() || !reg_.user_exists(user)) return nullptr;
  return &of_user(user);
}

auto directory::of_user(std::string_view user) -> sipsaf::recipient const& {
  scratch_.key = reg_.aor(user);
  scratch_.contacts.clear();
  for (binding const* b : reg_.contacts(scratch_.key, steady::now()))
    scratch_.contacts.push_back(b->contact);
  scratch_.reach = scratch_.contacts.empty() ? sipsaf::reachability::unreachable
                                             : sipsaf::reachability::reachable;
  scratch_.profile = profiles_ ? profiles_->find(user) : sipsaf::recipient_profile{};
  return scratch_;
}

// --- construction -------------------------------------------------------------------

proxy_core::proxy_core(asio::io_context& io, core_config cfg, transports& tr, any_store& store,
                       users_file users, profiles_file profiles)
    : io_(io),
      cfg_(std::move(cfg)),
      tr_(tr),
      store_(store),
      users_(std::move(users)),
      profiles_(std::move(profiles)),
      reg_(registrar::config{cfg_.domain, 3600, 86400, 16, 100000,
                             std::chrono::duration_cast<std::chrono::seconds>(
                                 cfg_.engine.retry.initial)},
           &users_),
      dir_(reg_, [this](sipsaf::uri_view const& u) { return is_local(u); }),
      engine_timer_(io),
      sweep_timer_(io) {
  dir_.set_profiles(&profiles_);
  policy_.defaults = profiles_.defaults;
  token_prefix_ = example::digest::random_hex(4);
  engine_ = std::make_unique<engine_t>(store_, dir_, std::chrono::system_clock{}, gateways_,
                                       policy_, cfg_.engine);
}

proxy_core::~proxy_core() = default;

void proxy_core::start() {
  sweep();
  sipsaf::outcome o;
  engine_->on_timer(o);
  apply(o, nullptr, nullptr, "start");
}

void proxy_core::reload(users_file users, profiles_file profiles) {
  users_ = std::move(users);
  profiles_ = std::move(profiles);
  reg_.set_users(&users_);
  dir_.set_profiles(&profiles_);
  policy_.defaults = profiles_.defaults;
  log::info("reloaded: {} users, {} profiles", users_.passwords.size(), profiles_.users.size());
}

// --- helpers ----------------------------------------------------------------------------

auto proxy_core::is_local(sipsaf::uri_view const& u) const -> bool {
  std::string const host = lower(u.host);
  if (host == lower(cfg_.domain)) return true;
  std::string h = host;
  if (h == "localhost") h = "127.0.0.1";
  if (!h.empty() && h.front() == '[') h = h.substr(1, h.size() - 2);
  boost::system::error_code ec;
  auto const a = asio::ip::make_address(h, ec);
  if (ec) return false;
  std::uint16_t const port = u.port ? *u.port : 5060;
  for (auto const& l : {cfg_.udp, cfg_.tcp}) {
    if (!l || l->second != port) continue;
    if (l->first == a || (l->first.is_unspecified() && (a.is_loopback() || a == l->first)))
      return true;
  }
  return false;
}

auto proxy_core::resolve(std::string_view uri, std::string* error) -> std::optional<peer> {
  while (!uri.empty() && (uri.front() == ' ' || uri.front() == '<')) uri.remove_prefix(1);
  while (!uri.empty() && (uri.back() == ' ' || uri.back() == '>')) uri.remove_suffix(1);
  auto u = sipsaf::parse_uri(uri);
  if (!u || !u->is_sip()) {
    *error = "not a SIP URI";
    return std::nullopt;
  }
  if (sipsaf::detail::msg::iequals(u->scheme, "sips")) {
    *error = "sips (TLS) is not offered";
    return std::nullopt;
  }
  peer p;
  p.kind = transport_kind::udp;
  if (auto t = u->param("transport")) {
    if (sipsaf::detail::msg::iequals(*t, "tcp")) {
      p.kind = transport_kind::tcp;
    } else if (!sipsaf::detail::msg::iequals(*t, "udp")) {
      *error = "transport " + std::string(*t) + " is not offered";
      return std::nullopt;
    }
  }
  std::string host(u->host);
  if (!host.empty() && host.front() == '[') host = host.substr(1, host.size() - 2);
  if (lower(host) == "localhost") host = "127.0.0.1";
  boost::system::error_code ec;
  p.address = asio::ip::make_address(host, ec);
  if (ec) {
    // A name: resolved here, synchronously (a production proxy would do
    // RFC 3263 NAPTR/SRV lookups, asynchronously).
    asio::ip::udp::resolver r(io_);
    auto results = r.resolve(host, "", ec);
    if (ec || results.empty()) {
      *error = "cannot resolve " + host;
      return std::nullopt;
    }
    p.address = results.begin()->endpoint().address();
  }
  p.port = u->port ? *u->port : 5060;
  return p;
}

auto proxy_core::via_for(transport_kind k, std::string const& branch) const -> std::string {
  auto const& l = (k == transport_kind::tcp && cfg_.tcp) ? cfg_.tcp
                  : cfg_.udp                             ? cfg_.udp
                                                         : cfg_.tcp;
  std::string host = l->first.is_unspecified() ? "127.0.0.1" : l->first.to_string();
  if (l->first.is_v6()) host = "[" + host + "]";
  return std::string("SIP/2.0/") + (k == transport_kind::tcp ? "TCP " : "UDP ") + host + ":" +
         std::to_string(l->second) + ";branch=" + branch;
}

auto proxy_core::record_route() const -> std::string {
  auto const& l = cfg_.udp ? cfg_.udp : cfg_.tcp;
  std::string host = l->first.is_unspecified() ? "127.0.0.1" : l->first.to_string();
  if (l->first.is_v6()) host = "[" + host + "]";
  std::string rr = "<sip:" + host + ":" + std::to_string(l->second);
  if (!cfg_.udp) rr += ";transport=tcp";
  return rr + ";lr>";
}

auto proxy_core::new_branch() -> std::string {
  // RFC 3261 §8.1.1.7: the magic cookie, then unique within this proxy's lifetime.
  return "z9hG4bK" + token_prefix_ + "." + std::to_string(++counter_);
}

auto proxy_core::new_token() -> std::string {
  return example::digest::random_hex(8);
}

auto proxy_core::server_key(sipsaf::message_view const& m, bool for_invite) const -> std::string {
  std::string method = for_invite ? "INVITE" : std::string(m.method());
  auto via = m.top_via();
  if (via && via->has_rfc3261_branch())  // RFC 3261 §17.2.3
    return std::string(via->branch) + " " + std::string(via->host) + ":" +
           std::to_string(via->port ? *via->port : 0) + " " + method;
  // RFC 2543 peers: Call-ID, CSeq number, From tag and the top Via.
  std::string k = std::string(m.header(field::call_id).value_or("")) + " ";
  if (auto c = m.cseq()) k += std::to_string(c->number);
  if (auto f = m.from()) k += " " + std::string(f->tag);
  if (auto v = m.header(field::via)) k += " " + std::string(*v);
  return k + " " + method;
}

void proxy_core::send(peer const& to, std::string bytes,
                      std::function<void(std::error_code)> on_error, std::string durable_key) {
  if (batch_depth_ > 0) {
    held_.push_back(held_send{to, std::move(bytes), std::move(on_error), std::move(durable_key)});
    return;
  }
  tr_.send(to, std::move(bytes), std::move(on_error));
}

void proxy_core::batch_begin() {
  log::hold();
  if (batch_depth_ == 0) batch_started_ = steady::now();
  if (batch_depth_++ == 0)
    if (auto ec = store_.begin_batch()) log::error("store: cannot begin a batch: {}", ec.message());
}

void proxy_core::batch_end() {
  if (--batch_depth_ > 0) {
    log::release();
    return;
  }
  auto const t_commit = steady::now();
  auto const ec = store_.commit_batch();
  if (batch_stores_ > 0) {
    auto const us = [](steady::duration d) {
      return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
    };
    log::debug("batch: {} stored; handling took {} us, the commit {} us", batch_stores_,
               us(t_commit - batch_started_), us(steady::now() - t_commit));
    ++stats_.commits;
    stats_.batched += batch_stores_;
    batch_stores_ = 0;
  }
  std::vector<held_send> held = std::move(held_);
  held_.clear();
  std::size_t refused = 0;
  for (auto& h : held) {
    if (ec && !h.durable_key.empty()) {
      // The store did not make it durable: the 202 must not go out.
      auto it = server_.find(h.durable_key);
      if (it != server_.end()) {
        ++refused;
        respond(*it->second, 500, "Server Internal Error");
        continue;
      }
    }
    tr_.send(h.to, std::move(h.bytes), std::move(h.on_error));
  }
  if (ec) log::error("store: commit failed: {}; {} answers became 500", ec.message(), refused);
  log::release();
}

// --- incoming --------------------------------------------------------------------------------

void proxy_core::on_message(std::string_view bytes, peer const& from) {
  sipsaf::message_options o;
  o.max_message_bytes =
      from.kind == transport_kind::tcp ? cfg_.max_tcp_message : cfg_.max_udp_message;
  o.max_body_bytes = o.max_message_bytes;
  o.require_content_length = from.kind == transport_kind::tcp;
  // A request is parsed once, in the storage of the transaction it may start
  // (the view points into it); a response where it lies.
  std::unique_ptr<server_txn> st;
  std::string_view text = bytes;
  if (bytes.substr(0, 4) != "SIP/") {
    st = std::make_unique<server_txn>();
    st->bytes.assign(bytes.data(), bytes.size());
    text = st->bytes;
  }
  auto m = sipsaf::parse_message(text, o);
  if (!m) {
    auto const c = m.error().code;
    bool const big = c == sipsaf::errc::body_too_large || c == sipsaf::errc::message_too_large;
    int const code = big ? 413 : 400;
    std::string warning =
        "Warning: 399 sipsaf-proxy \"" + m.error().message() + "\"";  // RFC 3261 §20.43
    auto resp = error_response_from_raw(bytes, code,
                                        big ? "Request Entity Too Large" : "Bad Request", warning);
    // Logged, but at most 20 a second: a flood of garbage must not flood the log.
    auto const now = steady::now();
    if (now - bad_window_ > std::chrono::seconds(1)) {
      if (bad_suppressed_ > 0)
        log::warn("{} more malformed messages refused without a log line", bad_suppressed_);
      bad_window_ = now;
      bad_logged_ = bad_suppressed_ = 0;
    }
    if (bad_logged_ < 20) {
      ++bad_logged_;
      log::warn("{}: {} byte message refused ({}): {}", from.text(), bytes.size(),
                m.error().message(), resp.empty() ? "dropped" : "answered " + std::to_string(code));
    } else {
      ++bad_suppressed_;
    }
    if (!resp.empty()) send(from, std::move(resp), nullptr);
    return;
  }
  if (m->is_response())
    on_response(*m, from);
  else if (st)
    on_request(std::move(st), std::move(*m), from);
}

void proxy_core::on_stream_error(peer const& from, std::string_view bytes,
                                 std::string const& reason) {
  bool const big = reason.find("large") != std::string::npos ||
                   reason.find("long") != std::string::npos ||
                   reason.find("too many") != std::string::npos;
  auto resp = error_response_from_raw(bytes, big ? 413 : 400,
                                      big ? "Request Entity Too Large" : "Bad Request",
                                      "Warning: 399 sipsaf-proxy \"" + reason + "\"");
  if (!resp.empty()) tr_.send(from, std::move(resp));
}

void proxy_core::on_unreachable(peer const& to) {
  std::vector<std::string> keys;
  for (auto const& c : client_)
    if (!c.second->completed && c.second->dest.same_endpoint(to)) keys.push_back(c.first);
  for (auto const& k : keys) fail_branch(k, true);
}

void proxy_core::on_request(std::unique_ptr<server_txn> st, sipsaf::message_view m,
                            peer const& from) {
  auto via = m.top_via();
  if (!via) {
    log::warn("{}: {} without Via: dropped", from.text(), m.method());
    return;
  }
  auto answer_stateless = [&](int code, std::string_view reason, std::string_view extra = {}) {
    sipsaf::response_builder b(m, code, reason);
    if (!extra.empty()) b.header("Retry-After", extra);
    if (auto r = b.build()) send(from, std::move(*r), nullptr);
  };
  // RFC 3261 §16.3: the checks before anything else.
  if (!m.from() || !m.to() || !m.call_id() || !m.cseq()) {
    log::warn("{}: {} lacks From, To, Call-ID or CSeq: 400", from.text(), m.method());
    answer_stateless(400, "Bad Request");
    return;
  }
  std::string const method(m.method());
  if (method == "ACK") {
    auto it = server_.find(server_key(m, true));
    if (it != server_.end() && it->second->code >= 300) return;  // our own final answer's ACK
    route_ack(m, from);
    return;
  }
  std::string const key = server_key(m, false);
  if (auto it = server_.find(key); it != server_.end()) {
    server_txn& st = *it->second;  // a retransmission (RFC 3261 §17.2.1, §17.2.2)
    if (!st.response.empty()) send(st.source, st.response, nullptr);
    return;
  }
  if (stopping_) {
    answer_stateless(503, "Service Unavailable", "30");
    return;
  }
  // Bounded: answered transactions are forgotten oldest first when room is
  // needed (a retransmission that comes after is handled again, and the
  // engine recognises it as a duplicate); only when every one is still
  // under way is the request refused.
  for (std::size_t n = answered_.size();
       n > 0 && server_.size() >= cfg_.max_server_transactions && !answered_.empty(); --n) {
    auto it = server_.find(answered_.front());
    answered_.pop_front();
    if (it == server_.end()) continue;
    if (forks_.count(it->second->fork) != 0)
      answered_.push_back(it->first);  // still at work (more 2xx may follow): later
    else
      server_.erase(it);
  }
  if (server_.size() >= cfg_.max_server_transactions) {
    log::warn("{}: {} refused: {} transactions open", from.text(), method, server_.size());
    answer_stateless(503, "Service Unavailable", "5");
    return;
  }
  st->key = key;
  st->source = from;
  st->method = method;
  st->created = steady::now();
  st->what = method + " " + std::string(m.request_uri()) + " from " + from.text();
  st->req = std::move(m);
  server_txn& s = *st;
  server_.emplace(key, std::move(st));
  if (method == "CANCEL") {
    handle_cancel(*s.req, from);
    return;
  }
  if (method == "INVITE") respond(s, 100, "Trying");  // RFC 3261 §16.2: quiet the retransmissions
  route(s);
}

void proxy_core::route(server_txn& st) {
  sipsaf::message_view const& m = *st.req;
  // RFC 3261 §16.3 step 3 and §16.6 step 3: Max-Forwards.
  if (m.find(field::max_forwards) != nullptr) {
    auto mf = m.max_forwards();
    if (mf && *mf == 0) {
      log::info("{}: Max-Forwards is 0: 483", st.what);
      respond(st, 483, "Too Many Hops");
      return;
    }
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
    fork_ctx& f = new_fork(&st, st.what);
    proxy_to(st, f, {*next_hop}, "");
    return;
  }
  sipsaf::uri_view const& ru = m.request_uri_parts();
  if (st.method == "REGISTER") {
    auto to = m.to();
    if (!is_local(to->uri) && !is_local(ru)) {
      log::info("{}: not our domain: 403", st.what);
      respond(st, 403, "Forbidden");
      return;
    }
    handle_register(st, to->uri.user);
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
  fork_ctx& f = new_fork(&st, st.what);
  proxy_to(st, f, {std::string(ru.text)}, "");
}

void proxy_core::handle_register(server_txn& st, std::string_view user) {
  auto r = reg_.handle(*st.req, user, st.source, steady::now());
  log::info("REGISTER {} from {}: {} ({})", r.aor.empty() ? std::string(user) : r.aor,
            st.source.text(), r.code, r.log);
  if (r.response.empty()) {
    respond(st, 500, "Server Internal Error");
    return;
  }
  send_response(st, std::move(r.response), r.code);
  if (r.code == 200 && r.reachable) {
    sipsaf::outcome o;
    engine_->on_reachable(r.aor, o);
    apply(o, nullptr, nullptr, r.aor + " registered");
  }
}

void proxy_core::to_local_user(server_txn& st, std::string const& user) {
  sipsaf::message_view const& m = *st.req;
  if (!reg_.user_exists(user)) {
    log::info("{}: no user '{}': 404", st.what, user);
    respond(st, 404, "Not Found");
    return;
  }
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
    auto const r = engine_request::of(m);
    sipsaf::outcome o;
    engine_->on_request(r, who, o);
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
  // An ACK for a 2xx goes end to end, statelessly (RFC 3261 §16.11, §13.2.2.4).
  bool pop = false;
  std::string target(m.request_uri());
  auto routes = m.values("Route");
  if (!routes.empty()) {
    auto first = sipsaf::parse_name_addr(routes[0]);
    if (first && is_local(first->uri)) {
      pop = true;
      if (routes.size() > 1)
        if (auto second = sipsaf::parse_name_addr(routes[1]))
          target = std::string(second->uri.text);
    } else if (first) {
      target = std::string(first->uri.text);
    }
  }
  if (!pop || routes.size() <= 1) {
    sipsaf::uri_view const& ru = m.request_uri_parts();
    if (is_local(ru) && !ru.user.empty()) {
      auto c = reg_.contacts(reg_.aor(ru.user), steady::now());
      if (c.empty()) return;
      target = c.front()->contact;
    }
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

// --- responses ----------------------------------------------------------------------------

void proxy_core::respond(server_txn& st, int code, std::string_view reason,
                         std::vector<std::pair<std::string, std::string>> extra, bool durable) {
  sipsaf::response_builder b(*st.req, code, reason);
  for (auto& h : extra) b.header(h.first, h.second);
  auto r = b.build();
  if (!r) {
    log::error("{}: cannot build a {} response: {}", st.what, code, r.error().message());
    return;
  }
  send_response(st, std::move(*r), code, durable);
}

void proxy_core::send_response(server_txn& st, std::string bytes, int code, bool durable) {
  if (st.code >= 200 && code >= 200 && !(st.method == "INVITE" && code < 300)) return;
  st.response = std::move(bytes);
  if (code >= 200 && st.code < 200) {
    st.finished = steady::now();
    answered_.push_back(st.key);
  }
  st.code = std::max(st.code, code);
  // The engine's decisions are logged with their trace already.
  if (code >= 200 && st.method != "REGISTER" && !st.decided)
    log::info("{}: answered {}", st.what, code);
  if (st.source.kind == transport_kind::local) return;
  send(st.source, st.response, nullptr, durable ? st.key : std::string());
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
  bool const ours = via->branch.rfind("z9hG4bK" + token_prefix_, 0) == 0;
  if (it == client_.end()) {
    // Not a transaction of ours (any more): a 2xx to INVITE retransmitted
    // end to end goes on by the next Via (RFC 3261 §16.7 step 5, §18.2.2).
    if (!ours) return;
    auto vias = m.via();
    if (!vias || vias->size() < 2) return;
    auto const& next = (*vias)[1];
    std::string host(next.received.empty() ? next.host : next.received);
    if (!host.empty() && host.front() == '[') host = host.substr(1, host.size() - 2);
    boost::system::error_code ec;
    peer to;
    to.address = asio::ip::make_address(host, ec);
    if (ec) return;
    to.kind = sipsaf::detail::msg::iequals(next.transport, "TCP") ? transport_kind::tcp
                                                                  : transport_kind::udp;
    to.port = next.port ? *next.port : 5060;
    if (auto rp = next.param("rport"); rp && !rp->empty())
      to.port = static_cast<std::uint16_t>(std::atoi(std::string(*rp).c_str()));
    send(to, write_rewritten(m, strip), nullptr);
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
  (void)from;
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
    std::optional<peer> flow;
    if (!aor.empty())
      if (binding* b = reg_.find(aor, target))
        if (b->source.kind == transport_kind::tcp && b->source.connection != 0 &&
            tr_.is_open(b->source.connection))
          flow = b->source;  // reach a TCP client on the connection it registered over
    start_branch(f, target, flow, [&](std::string const& via) {
      rewrite rw;
      if (!aor.empty()) rw.request_uri = target;  // §16.6 step 2: retarget to the contact
      rw.top_via = via;
      rw.via_params = received;
      rw.pop_route = st.pop_route;
      rw.max_forwards = max_forwards;
      if (dialog_creating) rw.record_route = record_route();  // §16.6 step 4: stay on the path
      return write_rewritten(m, rw);
    });
  }
  if (f.pending == 0) {
    std::uint64_t const id = f.id;
    asio::post(io_, [this, id] { fork_maybe_done(id); });
  }
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
  if (ct.retransmit) ct.retransmit->cancel();
  if (ct.timeout) ct.timeout->cancel();
  // Keep it a while to absorb retransmitted answers (Timer D / K).
  auto const linger = ct.dest.kind != transport_kind::udp ? std::chrono::seconds(0)
                      : ct.method == "INVITE"             ? std::chrono::seconds(32)
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
      engine_->on_delivery_result(id, code, o);
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
    engine_->on_delivery_result(d, code, o);
    apply(o, st, &f, f.what);
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

// --- the engine
// ------------------------------------------------------------------------------------

void proxy_core::apply(sipsaf::outcome& o, server_txn* st, fork_ctx* f, std::string const& about) {
  // A log line per decision, with its trace.
  if (!o.log.empty()) log::info("{}: {}", about, o.log);
  if (st != nullptr && o.decided) st->decided = true;
  bool const stored = o.find<sipsaf::store_action>() != nullptr;
  for (auto& a : o.actions) {
    std::visit(overloaded{
                   [&](sipsaf::respond_action& r) {
                     if (st == nullptr) return;
                     if (r.relay) {
                       if (f != nullptr && !f->best.empty() && !f->answered) {
                         send_response(*st, f->best, f->best_code);
                         f->answered = true;
                       }
                       return;
                     }
                     std::vector<std::pair<std::string, std::string>> extra;
                     if (!r.accept.empty())
                       extra.emplace_back("Accept", r.accept);  // RFC 3261 §21.4.13
                     respond(*st, r.code, r.reason, std::move(extra), stored && r.code < 300);
                     if (f != nullptr) f->answered = true;
                   },
                   [&](sipsaf::deliver_action& d) {
                     if (!d.live) {
                       deliver_stored(d);
                       return;
                     }
                     if (st == nullptr) {  // nothing to proxy: report the attempt as failed
                       auto const id = d.id;
                       asio::post(io_, [this, id] {
                         sipsaf::outcome again;
                         engine_->on_delivery_result(id, 0, again);
                         apply(again, nullptr, nullptr, "delivery");
                       });
                       return;
                     }
                     fork_ctx& nf = new_fork(st, st->what);
                     nf.delivery = d.id;
                     nf.aor = d.recipient;
                     proxy_to(*st, nf, d.contacts, d.recipient);
                   },
                   [&](sipsaf::store_action& s) {
                     ++stats_.stored;
                     if (batch_depth_ > 0) ++batch_stores_;
                     log::info("{}: stored as #{} for {} ({} delivery, kept until {}{})", about,
                               s.id, s.recipient, sipsaf::to_string(s.mode),
                               sipsaf::format_rfc3339(s.expires_at),
                               s.notify ? ", sender to be notified" : "");
                   },
                   [&](sipsaf::forward_action& fw) {
                     log::info("{}: handed to {}", about, sipsaf::to_string(fw.target));
                   },
                   [&](sipsaf::notify_action& n) { notify_sender(n); },
                   [&](sipsaf::schedule_action& s) { arm_engine_timer(s.at); },
                   [&](sipsaf::expire_action& e) {
                     log::info("message #{} for {} removed undelivered ({}): {}", e.id, e.recipient,
                               sipsaf::to_string(e.status), e.reason);
                   },
                   [&](sipsaf::fault_action& e) { log::error("{}: {}", about, e.what); },
               },
               a);
  }
  run_gateways();
}

void proxy_core::deliver_stored(sipsaf::deliver_action const& a) {
  std::string what = "stored #" + std::to_string(a.message) + " for " + a.recipient + " (attempt " +
                     std::to_string(a.attempt) + ")";
  fork_ctx& f = new_fork(nullptr, what);
  f.method = "MESSAGE";
  f.delivery = a.id;
  f.aor = a.recipient;
  auto orig = sipsaf::parse_message(a.bytes);
  if (!orig) {
    // Bytes that no longer parse cannot be delivered: refuse them for good.
    log::error("{}: the stored request does not parse ({}): refused", what, orig.error().message());
    f.best_code = 400;
    std::uint64_t const id = f.id;
    asio::post(io_, [this, id] { fork_maybe_done(id); });
    return;
  }
  std::string date_fallback;
  if (orig->find(field::date) == nullptr) {
    if (auto got = engine_->store().get(a.message); got && *got)
      date_fallback = sipsaf::format_sip_date((*got)->env.arrived);
  }
  std::uint32_t const cseq = orig->cseq() ? orig->cseq()->number : 1;
  for (auto const& contact : a.contacts) {
    std::optional<peer> flow;
    if (binding* b = reg_.find(a.recipient, contact))
      if (b->source.kind == transport_kind::tcp && b->source.connection != 0 &&
          tr_.is_open(b->source.connection))
        flow = b->source;
    start_branch(f, contact, flow, [&](std::string const& via) {
      // A new MESSAGE carrying the original body and the headers that
      // describe it, with the original Call-ID, CSeq number and From tag so
      // that the recipient can drop a duplicate (at-least-once delivery).
      std::string out = "MESSAGE " + contact + " SIP/2.0\r\n";
      detail::add_row(out, "Via", via);
      detail::add_row(out, "Max-Forwards", "70");
      for (auto const& row : orig->headers()) {
        switch (row.id) {
          case field::from:
          case field::to:
          case field::call_id:
          case field::date:
          case field::content_type:
          case field::request_disposition:
          case field::expires:
          case field::subject:
          case field::content_disposition:
          case field::content_encoding:
          case field::content_language:
          case field::mime_version:
          case field::priority:
          case field::in_reply_to:
          case field::reply_to:
          case field::organization:
          case field::unknown:
            detail::add_row(out, row.id == field::unknown ? row.name : sipsaf::field_name(row.id),
                            row.value);
            break;
          default:
            break;
        }
      }
      detail::add_row(out, "CSeq", std::to_string(cseq) + " MESSAGE");
      if (!date_fallback.empty()) detail::add_row(out, "Date", date_fallback);
      detail::add_row(out, "Content-Length", std::to_string(orig->body().size()));
      out += "\r\n";
      out += orig->body();
      return out;
    });
  }
  if (f.pending == 0) {
    std::uint64_t const id = f.id;
    asio::post(io_, [this, id] { fork_maybe_done(id); });
  }
}

void proxy_core::notify_sender(sipsaf::notify_action const& n) {
  sipsaf::request_builder b(n.method, n.to);
  b.max_forwards(70)
      .from(n.about, new_token())
      .to(n.to)
      .call_id(new_token() + "@" + cfg_.domain)
      .cseq(1);
  b.header("Date", sipsaf::format_sip_date(now_ms()));
  if (!n.content_disposition.empty()) b.header("Content-Disposition", n.content_disposition);
  if (!n.event.empty()) {
    b.header("Event", n.event);
    b.header("Subscription-State", "terminated;reason=noresource");  // RFC 6665 §8.2.3
  }
  b.body(n.content_type, n.body);
  auto bytes = b.build();
  std::string what = std::string(sipsaf::to_string(n.status)) + " notification (" + n.method +
                     ") to " + n.to + " about #" + std::to_string(n.message);
  if (!bytes) {
    log::error("{}: cannot be written: {}", what, bytes.error().message());
    return;
  }
  log::info("{}: sending", what);
  originate(std::move(*bytes), what);
}

void proxy_core::run_gateways() {
  auto pending = std::move(gateways_.pending);
  gateways_.pending.clear();
  for (auto& h : pending) {
    auto orig = sipsaf::parse_message(h.bytes);
    if (!orig) continue;
    // A new request to the forwarding address (fresh Call-ID: it is a new
    // message for the new recipient), with the original sender, payload
    // and store command.
    sipsaf::request_builder b("MESSAGE", h.target);
    b.max_forwards(70);
    b.header("From", orig->header(field::from).value_or(""));
    b.to(h.target).call_id(new_token() + "@" + cfg_.domain).cseq(1);
    for (field f : {field::date, field::request_disposition, field::expires, field::subject,
                    field::content_disposition})
      for (auto const& row : orig->headers())
        if (row.id == f) b.header(sipsaf::field_name(f), row.value);
    b.header("Diversion", "<" + std::string(orig->request_uri()) + ">;reason=unavailable");
    b.body(orig->header(field::content_type).value_or("text/plain"), orig->body());
    auto bytes = b.build();
    std::string what =
        "forward of " + std::string(orig->header(field::call_id).value_or("")) + " to " + h.target;
    if (!bytes) {
      log::error("{}: cannot be written: {}", what, bytes.error().message());
      continue;
    }
    originate(std::move(*bytes), what);
  }
}

void proxy_core::arm_engine_timer(sipsaf::timestamp at) {
  engine_timer_at_ = at;
  engine_timer_.expires_at(std::chrono::time_point_cast<std::chrono::system_clock::duration>(at));
  engine_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    engine_timer_at_.reset();
    sipsaf::outcome o;
    engine_->on_timer(o);
    apply(o, nullptr, nullptr, "timer");
  });
}

// --- housekeeping
// ---------------------------------------------------------------------------------

void proxy_core::sweep() {
  auto const now = steady::now();
  // Answered transactions leave in the order they were answered, after
  // Timer J (64*T1 on UDP, RFC 3261 §17.2.2; at once on TCP, kept a moment).
  while (!answered_.empty()) {
    auto it = server_.find(answered_.front());
    if (it == server_.end()) {
      answered_.pop_front();
      continue;
    }
    server_txn const& s = *it->second;
    auto const linger = s.source.kind == transport_kind::udp ? 64 * cfg_.t1 : cfg_.t1;
    if (now - s.finished <= linger || forks_.count(s.fork) != 0) break;
    server_.erase(it);
    answered_.pop_front();
  }
  // Now and then, anything stuck without an answer for 5 minutes goes too.
  if (now - last_full_sweep_ > std::chrono::minutes(1)) {
    last_full_sweep_ = now;
    for (auto it = server_.begin(); it != server_.end();) {
      server_txn const& s = *it->second;
      bool const stuck = now - s.created > std::chrono::minutes(5) && forks_.count(s.fork) == 0;
      it = stuck ? server_.erase(it) : std::next(it);
    }
  }
  for (auto it = client_.begin(); it != client_.end();)
    it = (it->second->completed && now >= it->second->linger_until) ? client_.erase(it)
                                                                    : std::next(it);
  for (auto const& aor : reg_.sweep(now)) {
    sipsaf::outcome o;
    engine_->on_reachable(aor, o);
    apply(o, nullptr, nullptr, aor + " worth trying again");
  }
  sweep_timer_.expires_after(std::chrono::milliseconds(500));
  sweep_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) sweep();
  });
}

void proxy_core::shutdown(std::chrono::milliseconds grace, std::function<void()> done) {
  stopping_ = true;
  tr_.stop_receiving();
  log::info("shutting down: {} requests under way", forks_.size());
  shutdown_done_ = std::move(done);
  shutdown_deadline_ = steady::now() + grace;
  shutdown_timer_ = std::make_unique<asio::steady_timer>(io_);
  shutdown_step();
}

void proxy_core::shutdown_step() {
  auto const now = steady::now();
  if (!flushing_) {
    bool idle = true;
    for (auto const& f : forks_)
      if (f.second->pending > 0) idle = false;
    if (!idle && now < shutdown_deadline_) {
      shutdown_timer_->expires_after(std::chrono::milliseconds(50));
      shutdown_timer_->async_wait([this](boost::system::error_code ec) {
        if (!ec) shutdown_step();
      });
      return;
    }
    // What did not finish in time: a live delivery is decided as not
    // reached (stored, then 202), anything else is answered as unanswered.
    // Stored messages stay stored and are tried again after the restart.
    std::vector<std::uint64_t> ids;
    for (auto const& f : forks_) ids.push_back(f.first);
    for (auto id : ids) {
      auto it = forks_.find(id);
      if (it == forks_.end()) continue;
      for (auto const& k : it->second->branches) {
        auto c = client_.find(k);
        if (c != client_.end()) c->second->completed = true;
      }
      it->second->pending = 0;
      it->second->timeouts = true;
      fork_maybe_done(id);
    }
    engine_timer_.cancel();
    sweep_timer_.cancel();
    flushing_ = true;
    flush_deadline_ = now + std::chrono::seconds(2);
  }
  if (tr_.pending_writes() == 0 || now >= flush_deadline_) {
    log::info("shut down; {} messages stored in this run ({} in {} group commits)", stats_.stored,
              stats_.batched, stats_.commits);
    auto done = std::move(shutdown_done_);
    shutdown_done_ = nullptr;
    if (done) done();
    return;
  }
  shutdown_timer_->expires_after(std::chrono::milliseconds(50));
  shutdown_timer_->async_wait([this](boost::system::error_code ec) {
    if (!ec) shutdown_step();
  });
}

}  // namespace proxy
