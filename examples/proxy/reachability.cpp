#include "reachability.hpp"

#include "common/digest.hpp"
#include "log.hpp"
#include "sip_util.hpp"

#include <sipsaf/ascii.hpp>
#include <sipsaf/reachability/pidf.hpp>

#include <charconv>

namespace proxy {

namespace {

// Call-ID and tag of our subscriptions: unguessable (CSPRNG), so that
// nobody can write a NOTIFY into a dialog they have not seen.
auto random_token() -> std::string {
  return example::digest::random_hex(8);
}

/// `Subscription-State` (RFC 6665 §8.2.3): the state, `expires`,
/// `reason` and `retry-after` parameters.
struct subscription_state {
  std::string state;
  std::string reason;
  std::optional<unsigned> retry_after;
};

auto trim(std::string_view v) -> std::string_view {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

auto parse_subscription_state(std::string_view v) -> subscription_state {
  subscription_state s;
  bool first = true;
  while (true) {
    auto const semi = v.find(';');
    std::string_view const part = trim(v.substr(0, semi));
    if (first) {
      s.state = sipsaf::ascii_lower(part);
      first = false;
    } else {
      auto const eq = part.find('=');
      std::string const name = sipsaf::ascii_lower(trim(part.substr(0, eq)));
      std::string_view const value =
          eq == std::string_view::npos ? std::string_view() : trim(part.substr(eq + 1));
      if (name == "reason") s.reason = sipsaf::ascii_lower(value);
      unsigned n = 0;
      auto const [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (name == "retry-after" && ec == std::errc() && ptr == value.data() + value.size())
        s.retry_after = n;
    }
    if (semi == std::string_view::npos) break;
    v.remove_prefix(semi + 1);
  }
  return s;
}

auto with_lr(std::string const& uri) -> std::string {
  return uri.find(";lr") == std::string::npos ? "<" + uri + ";lr>" : "<" + uri + ">";
}

}  // namespace

auto aor_key(std::string_view uri) -> std::string {
  while (!uri.empty() && (uri.front() == ' ' || uri.front() == '<')) uri.remove_prefix(1);
  while (!uri.empty() && (uri.back() == ' ' || uri.back() == '>')) uri.remove_suffix(1);
  auto u = sipsaf::parse_uri(uri);
  if (!u || u->user.empty()) return std::string(uri);
  return sipsaf::ascii_lower(u->scheme) + ":" + std::string(u->user) + "@" +
         sipsaf::ascii_lower(u->host);
}

struct subscriptions::sub {
  std::string aor;
  std::string call_id, from_tag, to_tag, remote_target;
  std::uint32_t cseq = 0;
  std::uint32_t notify_cseq = 0;
  bool confirmed = false;  // a 2xx or a NOTIFY came: the dialog exists
  bool reachable = false;
  sipsaf::reginfo_tracker tracker;
  std::uint64_t generation = 0;  // answers and timers of an older dialog are ignored
  std::unique_ptr<asio::steady_timer> timer;
};

subscriptions::subscriptions(asio::io_context& io, config c, hooks h)
    : io_(io), cfg_(std::move(c)), hooks_(std::move(h)), housekeeping_(io) {
  housekeeping();
}

subscriptions::~subscriptions() = default;

void subscriptions::watch(std::string const& aor_in) {
  std::string const aor = aor_key(aor_in);
  if (subs_.count(aor) != 0) return;
  if (subs_.size() >= cfg_.max_subscriptions) {
    log::warn("{} event: {} subscriptions held; {} not watched", event_name(), subs_.size(), aor);
    return;
  }
  auto s = std::make_unique<sub>();
  s->aor = aor;
  s->timer = std::make_unique<asio::steady_timer>(io_);
  sub& ref = *s;
  subs_.emplace(aor, std::move(s));
  restart(ref, std::chrono::seconds(0));
}

auto subscriptions::reachable(std::string_view aor) const -> bool {
  auto it = subs_.find(aor_key(aor));
  return it != subs_.end() && it->second->reachable;
}

auto subscriptions::is_ours(sipsaf::message_view const& m) const -> bool {
  auto ev = m.header("Event");
  if (!ev) ev = m.header("o");  // compact form (RFC 6665 §8.2.1)
  if (!ev) return false;
  std::string_view v = trim(ev->substr(0, ev->find(';')));
  return sipsaf::iequals(v, event_name());
}

void subscriptions::restart(sub& s, std::chrono::steady_clock::duration after) {
  // A new dialog: new Call-ID and tag (RFC 6665 §4.1.2.1), nothing known yet.
  forget(s);
  s.call_id = random_token() + "@sipsaf";
  s.from_tag = random_token().substr(0, 10);
  s.to_tag.clear();
  s.remote_target.clear();
  s.cseq = 0;
  s.notify_cseq = 0;
  s.confirmed = false;
  s.reachable = false;
  s.tracker.reset();
  ++s.generation;
  by_call_id_[s.call_id] = s.aor;
  schedule(s, after);
}

void subscriptions::end(decltype(subs_)::iterator it) {
  // Nothing stored any more: the subscription ends (RFC 6665 §4.1.2.3).
  sub& s = *it->second;
  log::info("{} event: nothing stored for {}: unsubscribing", event_name(), s.aor);
  if (s.confirmed) subscribe(s, std::chrono::seconds(0));
  forget(s);
  subs_.erase(it);
}

void subscriptions::forget(sub& s) {
  // The last NOTIFY of an ended dialog still gets its 200 (RFC 6665
  // §4.1.3 asks for 481 only for a dialog never known).
  if (s.call_id.empty()) return;
  by_call_id_.erase(s.call_id);
  if (ended_.insert(s.call_id).second) ended_order_.push_back(s.call_id);
  while (ended_order_.size() > 1024) {
    ended_.erase(ended_order_.front());
    ended_order_.pop_front();
  }
}

void subscriptions::schedule(sub& s, std::chrono::steady_clock::duration after) {
  s.timer->cancel();
  s.timer->expires_after(after);
  s.timer->async_wait([this, aor = s.aor, g = s.generation](boost::system::error_code ec) {
    if (!ec) on_timer(aor, g);
  });
}

void subscriptions::on_timer(std::string const& aor, std::uint64_t generation) {
  auto it = subs_.find(aor);
  if (it == subs_.end() || it->second->generation != generation) return;
  sub& s = *it->second;
  if (!hooks_.has_pending(aor)) {
    end(it);
    return;
  }
  subscribe(s, cfg_.expires);
}

void subscriptions::subscribe(sub& s, std::chrono::seconds expires) {
  ++s.cseq;
  bool const unsubscribing = expires.count() == 0;
  std::string const target = s.confirmed && !s.remote_target.empty() ? s.remote_target : s.aor;
  std::string const accept =
      cfg_.event == package::reg ? "application/reginfo+xml" : "application/pidf+xml";
  std::string bytes_tail;
  rows::add_row(bytes_tail, "Max-Forwards", "70");
  rows::add_row(bytes_tail, "Route", with_lr(cfg_.server));
  rows::add_row(bytes_tail, "From", "<" + cfg_.from + ">;tag=" + s.from_tag);
  rows::add_row(bytes_tail, "To", "<" + s.aor + ">" + (s.to_tag.empty() ? "" : ";tag=" + s.to_tag));
  rows::add_row(bytes_tail, "Call-ID", s.call_id);
  rows::add_row(bytes_tail, "CSeq", std::to_string(s.cseq) + " SUBSCRIBE");
  rows::add_row(bytes_tail, "Contact", "<" + cfg_.contact + ">");
  rows::add_row(bytes_tail, "Event", event_name());
  rows::add_row(bytes_tail, "Accept", accept);
  rows::add_row(bytes_tail, "Expires", std::to_string(expires.count()));
  rows::add_row(bytes_tail, "Content-Length", "0");
  bytes_tail += "\r\n";
  std::string what =
      fmt::format("SUBSCRIBE {} ({}, expires {})", s.aor, event_name(), expires.count());
  log::debug("{}: sending", what);
  hooks_.send(
      what,
      [target, tail = std::move(bytes_tail)](std::string const& via) {
        return "SUBSCRIBE " + target + " SIP/2.0\r\nVia: " + via + "\r\n" + tail;
      },
      [this, aor = s.aor, g = s.generation, unsubscribing](int code, std::string const& response) {
        on_answer(aor, g, code, response, unsubscribing);
      });
}

void subscriptions::on_answer(std::string const& aor, std::uint64_t generation, int code,
                              std::string const& response, bool unsubscribing) {
  if (unsubscribing) return;  // the subscription is gone already
  auto it = subs_.find(aor);
  if (it == subs_.end() || it->second->generation != generation) return;
  sub& s = *it->second;
  if (code >= 200 && code < 300) {
    std::chrono::seconds granted = cfg_.expires;
    if (auto r = sipsaf::parse_message(response)) {
      if (auto to = r->to(); to && s.to_tag.empty()) s.to_tag = std::string(to->tag);
      if (auto c = r->contact(); c && !c->entries.empty() && s.remote_target.empty())
        s.remote_target = std::string(c->entries.front().address.uri.text);
      if (auto e = r->expires()) granted = std::chrono::seconds(*e);
    }
    s.confirmed = true;
    // Refresh well before the end (RFC 6665 §4.1.2.2), and at least a second apart.
    auto const refresh =
        std::max<std::chrono::steady_clock::duration>(std::chrono::seconds(1), granted * 3 / 4);
    log::info("{} event: subscribed for {} ({} s)", event_name(), aor, granted.count());
    schedule(s, refresh);
    return;
  }
  if (code == 481 || (s.confirmed && (code == 0 || code == 408))) {
    // The server no longer knows the dialog (RFC 6665 §4.1.2.2), e.g. it
    // restarted: a new subscription at once.
    log::info("{} event: subscription for {} lost ({}): subscribing again", event_name(), aor,
              code == 0 ? std::string("no answer") : std::to_string(code));
    restart(s, std::chrono::seconds(code == 481 ? 0 : 1));
    return;
  }
  log::warn("{} event: SUBSCRIBE for {} answered {}: trying again in {} s", event_name(), aor,
            code == 0 ? std::string("nothing") : std::to_string(code), cfg_.retry.count());
  restart(s, cfg_.retry);
}

auto subscriptions::on_notify(sipsaf::message_view const& m) -> int {
  auto const call_id = m.call_id();
  auto const to = m.to();
  auto const from = m.from();
  if (!call_id || !to || !from) return 400;
  auto it = by_call_id_.find(*call_id);
  if (it == by_call_id_.end()) return ended_.count(std::string(*call_id)) != 0 ? 200 : 481;
  auto sit = subs_.find(it->second);
  if (sit == subs_.end() || sit->second->from_tag != to->tag) return 481;
  sub& s = *sit->second;
  // The NOTIFY may come before the SUBSCRIBE's 2xx (RFC 6665 §4.1.2.4): it
  // establishes the dialog just as well.
  if (s.to_tag.empty()) s.to_tag = std::string(from->tag);
  if (s.to_tag != from->tag) return 481;  // another fork of the subscription: not ours
  if (s.remote_target.empty())
    if (auto c = m.contact(); c && !c->entries.empty())
      s.remote_target = std::string(c->entries.front().address.uri.text);
  s.confirmed = true;
  auto const cseq = m.cseq();
  if (cseq && s.notify_cseq != 0 && cseq->number <= s.notify_cseq) return 200;  // an old one
  if (cseq) s.notify_cseq = cseq->number;
  apply_body(s, m);
  auto const st = parse_subscription_state(m.header("Subscription-State").value_or("active"));
  if (st.state == "terminated") {
    // RFC 6665 §4.1.3: after deactivated or timeout, subscribe again at
    // once; otherwise wait (retry-after, or our retry interval).
    bool const at_once = st.reason.empty() || st.reason == "deactivated" || st.reason == "timeout";
    auto const wait = st.retry_after ? std::chrono::seconds(*st.retry_after)
                      : at_once      ? std::chrono::seconds(0)
                                     : cfg_.retry;
    log::info("{} event: subscription for {} terminated ({}): again in {} s", event_name(), s.aor,
              st.reason.empty() ? "no reason" : st.reason, wait.count());
    bool const was = s.reachable;
    restart(s, wait);
    s.reachable = was;  // what the last document said still holds until we hear more
  }
  return 200;
}

void subscriptions::apply_body(sub& s, sipsaf::message_view const& m) {
  if (m.body().empty()) return;  // e.g. a first NOTIFY before anything is published
  auto const type = sipsaf::ascii_lower(m.header(sipsaf::field::content_type).value_or(""));
  bool const was = s.reachable;
  if (cfg_.event == package::reg) {
    if (type.rfind("application/reginfo+xml", 0) != 0) return;
    auto doc = sipsaf::parse_reginfo(m.body());
    if (!doc) {
      log::warn("reg event for {}: body refused: {}", s.aor, doc.error().message());
      return;
    }
    for (auto& r : doc->registrations) r.aor = aor_key(r.aor);
    if (s.tracker.apply(*doc) == sipsaf::reginfo_outcome::gap) {
      // Versions missed: a refresh brings full state (RFC 3680 §5.2).
      log::info("reg event for {}: version gap, asking for full state", s.aor);
      subscribe(s, cfg_.expires);
      return;
    }
    s.reachable = s.tracker.reachable(s.aor);
  } else {
    if (type.rfind("application/pidf+xml", 0) != 0) return;
    auto doc = sipsaf::parse_pidf(m.body());
    if (!doc) {
      log::warn("presence event for {}: body refused: {}", s.aor, doc.error().message());
      return;
    }
    s.reachable = doc->open();
  }
  log::info("{} event: {} is {}{}", event_name(), s.aor, s.reachable ? "reachable" : "unreachable",
            was == s.reachable ? " (unchanged)" : "");
  // Every report of an active contact is worth a delivery attempt (a
  // re-registration after a failed attempt, too), as a REGISTER is.
  if (s.reachable) asio::post(io_, [this, aor = s.aor] { hooks_.reachable(aor); });
}

void subscriptions::housekeeping() {
  // Subscriptions whose recipient has nothing stored any more end now
  // rather than at their next refresh.
  std::vector<std::string> done;
  for (auto const& [aor, s] : subs_)
    if (s->confirmed && !hooks_.has_pending(aor)) done.push_back(aor);
  for (auto const& aor : done) end(subs_.find(aor));
  housekeeping_.expires_after(std::chrono::seconds(2));
  housekeeping_.async_wait([this](boost::system::error_code ec) {
    if (!ec) housekeeping();
  });
}

}  // namespace proxy
