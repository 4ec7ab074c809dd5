// Incoming messages and server transactions (RFC 3261 §17.2): framing
// errors, retransmissions, the table bound, and the answers we send.
#include "proxy.hpp"
#include "transactions.hpp"

#include <algorithm>
#include "log.hpp"
#include "sip_util.hpp"

namespace proxy {

using sipsaf::field;

auto proxy_core::server_key(sipsaf::message_view const& m, bool for_invite) const -> std::string {
  std::string_view const method = for_invite ? std::string_view("INVITE") : m.method();
  auto via = m.top_via();
  if (via && via->has_rfc3261_branch()) {  // RFC 3261 §17.2.3
    std::string k;
    k.reserve(via->branch.size() + via->host.size() + method.size() + 8);
    k.append(via->branch).append(" ").append(via->host).append(":");
    k.append(std::to_string(via->port ? *via->port : 0)).append(" ").append(method);
    return k;
  }
  // RFC 2543 peers: Call-ID, CSeq number, From tag and the top Via.
  std::string k = std::string(m.header(field::call_id).value_or("")) + " ";
  if (auto c = m.cseq()) k += std::to_string(c->number);
  if (auto f = m.from()) k += " " + std::string(f->tag);
  if (auto v = m.header(field::via)) k += " " + std::string(*v);
  return k.append(" ").append(method);
}

// --- incoming --------------------------------------------------------------------------------

void proxy_core::on_message(std::string_view bytes, peer const& from) {
  sipsaf::message_options o;
  o.max_message_bytes = is_stream(from.kind) ? cfg_.max_tcp_message : cfg_.max_udp_message;
  o.max_body_bytes = o.max_message_bytes;
  o.require_content_length = is_stream(from.kind);
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
  // RFC 3261 §18.3, §20.14: two Content-Length values that differ leave the
  // body's end in doubt on every transport: refused like a parse error.
  std::optional<sipsaf::parse_error> refused;
  std::string why;
  if (!m) {
    refused = m.error();
    why = refused->message();
  } else if (auto v = m->validate(); !v) {  // every typed field, as RFC 4475 asks
    refused = v.error();
    why = refused->message();
  } else if (auto cl = m->content_length();
             !cl && cl.error().code == sipsaf::errc::conflicting_headers) {
    refused = cl.error();
    why = "Content-Length values differ";
  }
  if (refused) {
    auto resp = refusal_from_raw(bytes, refused->code, why);
    // Logged, but at a bounded rate: a flood of garbage must not flood the log.
    refusal_log("malformed", "{}: {} byte message refused ({}): {}", from.text(), bytes.size(), why,
                resp.empty() ? "dropped" : "answered " + resp.substr(8, 3));
    if (!resp.empty()) send(from, std::move(resp), nullptr);
    return;
  }
  if (m->is_response())
    on_response(*m, from);
  else if (st)
    on_request(std::move(st), std::move(*m), from);
}

void proxy_core::on_stream_error(peer const& from, std::string_view bytes, sipsaf::errc code,
                                 std::string const& reason) {
  auto resp = refusal_from_raw(bytes, code, reason);
  if (!resp.empty()) tr_.send(from, std::move(resp));
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
  // One source's share of the table (an address, whatever its ports).
  source_slot slot;
  if (from.kind != transport_kind::local) {
    std::string const src = address_text(source_of(from.address));
    if (!open_per_source_.acquire(src)) {
      ++stats_.refused;
      refusal_log("per-source", "{}: {} refused: {} transactions of this address open", from.text(),
                  method, open_per_source_.held(src));
      answer_stateless(503, "Service Unavailable", "5");
      return;
    }
    slot = source_slot(&open_per_source_, src);
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
    refusal_log("table-full", "{}: {} refused: {} transactions open", from.text(), method,
                server_.size());
    answer_stateless(503, "Service Unavailable", "5");
    return;
  }
  st->key = key;
  st->slot = std::move(slot);
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
    st.slot = source_slot();  // answered: no longer open, out of the source's share
    st.finished = steady::now();
    answered_.push_back(st.key);
  }
  st.code = std::max(st.code, code);
  // The engine's decisions are logged with their trace already.
  if (code >= 200 && st.method != "REGISTER" && !st.decided) {
    if (st.identity.empty() && !st.trusted)  // a stranger's request: its lines are rate-limited
      refusal_log("answered", "{}: answered {}", st.what, code);
    else
      log::info("{}: answered {}", st.what, code);
  }
  if (st.source.kind == transport_kind::local) return;
  send(st.source, st.response, nullptr, durable ? st.key : std::string());
  // A stranger's request, refused or answered by the proxy itself, is not
  // kept for its retransmissions (each would get a fresh answer of the same
  // kind): a flood of them then holds no memory. (An INVITE is kept: its
  // ACK must find it.)
  if (code >= 200 && st.identity.empty() && !st.trusted && st.method != "INVITE" && st.fork == 0)
    asio::post(io_, [this, key = st.key] {
      auto it = server_.find(key);
      if (it != server_.end() && forks_.count(it->second->fork) == 0) server_.erase(it);
    });
}

}  // namespace proxy
