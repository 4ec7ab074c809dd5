// The store-and-forward engine's actions carried out: answers, live and
// stored deliveries, notifications to the sender, forwards, the engine timer.
#include "proxy.hpp"
#include "transactions.hpp"

#include "log.hpp"
#include "sip_util.hpp"

namespace proxy {

using sipsaf::field;

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

}  // namespace

void proxy_core::apply(sipsaf::outcome& o, server_txn* st, fork_ctx* f, std::string const& about) {
  // A log line per decision, with its trace.
  if (!o.log.empty()) log::info("{}: {}", about, o.log);
  if (st != nullptr && o.decided) st->decided = true;
  // A hand-off to an e-mail or SMS gateway is stored (gateways.cpp) before
  // its 202 may go out, as a stored message is.
  bool gateway_handoff = false;
  for (auto const& h : gateways_.pending)
    gateway_handoff = gateway_handoff || h.kind != sipsaf::forward_kind::sip;
  bool const stored = o.find<sipsaf::store_action>() != nullptr || gateway_handoff;
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
                     if (r.code == 500 && store_.unavailable()) {
                       respond_store_failed(*st);
                       if (f != nullptr) f->answered = true;
                       return;
                     }
                     // Written by the library, a 415's Accept list included.
                     if (auto w = sipsaf::make_response(*st->req, r))
                       send_response(*st, std::move(*w), r.code, stored && r.code < 300);
                     else
                       log::error("{}: cannot build a {} response: {}", st->what, r.code,
                                  w.error().message());
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
                     watch(s.recipient);
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
  if (sipsaf::is_gateway_key(a.recipient)) return deliver_by_gateway(a);
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
  f.stored = a.bytes;
  f.contacts = a.contacts;
  if (a.arrived != sipsaf::timestamp{}) f.arrived = a.arrived;
  send_stored(f, *orig, std::nullopt);
  if (f.pending == 0) {
    std::uint64_t const id = f.id;
    asio::post(io_, [this, id] { fork_maybe_done(id); });
  }
}

// The stored request as a new MESSAGE to each contact of the fork, written
// by the library (sipsaf::make_stored_delivery keeps the header fields
// sipsaf::stored_delivery_fields lists: the original Call-ID, CSeq number
// and From tag let the recipient drop a duplicate, at-least-once delivery),
// with the original body or the cut-down one.
void proxy_core::send_stored(fork_ctx& f, sipsaf::message_view const& orig,
                             std::optional<sipsaf::delivery_payload> cut) {
  for (auto const& contact : f.contacts) {
    auto const outbound = outbound_for(f.aor, contact);
    auto const flow = flow_for(f.aor, contact);
    start_branch(f, contact, flow, [&](std::string const& via) {
      sipsaf::stored_delivery_options o;
      o.via = via;
      if (outbound) o.route = outbound_route_;
      o.arrived = f.arrived;
      o.payload = cut;
      o.also_keep = {"P-Asserted-Identity"};  // the identity this proxy proved (admission.cpp)
      auto wire = sipsaf::make_stored_delivery(orig, contact, o);
      if (!wire)
        log::error("{}: cannot be written for {}: {}", f.what, contact, wire.error().message());
      return wire ? std::move(*wire) : std::string();
    });
  }
}

// RFC 3261 §21.4.16: a 415 lists in Accept what the recipient takes. A
// payload with such parts (the text beside a photo) is sent again with them
// and a line naming what was left out; with none, the 415 stands.
auto proxy_core::send_adapted(fork_ctx& f) -> bool {
  auto resp = sipsaf::parse_message(f.best);
  auto orig = sipsaf::parse_message(f.stored);
  if (f.stored.empty() || !resp || !orig || !resp->header("Accept")) return false;
  std::string const accept = resp->combined("Accept");
  auto cut = sipsaf::adapt_payload(orig->header("Content-Type").value_or(""), orig->body(), accept);
  if (!cut || !cut->changed) {
    log::info("{}: 415, the recipient accepts {}: no part of the payload fits", f.what, accept);
    return false;
  }
  f.adapted = cut->summary();
  log::info("{}: 415, the recipient accepts {}: sent again cut down, {}", f.what, accept,
            f.adapted);
  f.best_code = 0;
  f.best.clear();
  f.timeouts = f.transport_errors = false;
  send_stored(f, *orig, sipsaf::delivery_payload{cut->content_type, cut->body});
  return f.pending > 0;
}

void proxy_core::notify_sender(sipsaf::notify_action const& n) {
  // No Via: originate() adds its own.
  auto bytes =
      sipsaf::make_notification(n, {}, new_token(), new_token() + "@" + cfg_.domain, now_ms());
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
    if (h.kind != sipsaf::forward_kind::sip) {
      hand_to_gateway(h);
      continue;
    }
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

}  // namespace proxy
