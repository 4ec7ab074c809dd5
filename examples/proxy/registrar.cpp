// The registrar; see registrar.hpp.
#include "registrar.hpp"

#include "log.hpp"
#include "sip_util.hpp"

#include <sipsaf/ascii.hpp>
#include <sipsaf/time.hpp>

#include <algorithm>

namespace proxy {

auto registrar::handle(sipsaf::message_view const& req, std::string_view user, peer const& from,
                       steady::time_point now, std::string const& how) -> result {
  result out;
  auto answer = [&](int code, std::string_view reason, std::string log_text,
                    std::vector<std::pair<std::string, std::string>> extra = {}) {
    sipsaf::response_builder b(req, code, reason);
    for (auto& h : extra) b.header(h.first, h.second);
    auto r = b.build();
    out.code = code;
    out.response = r ? *r : std::string();
    out.log = std::move(log_text);
    return out;
  };

  if (!user_exists(user))
    return answer(404, "Not Found", "no such user '" + std::string(user) + "'");
  out.aor = aor(user);

  // --- bindings (RFC 3261 §10.3 steps 6-8) ---
  auto call_id = req.call_id();
  auto cseq = req.cseq();
  if (!call_id || !cseq) return answer(400, "Bad Request", "no Call-ID or CSeq");
  std::uint32_t header_expires = cfg_.default_expires;
  if (req.find(sipsaf::field::expires) != nullptr) {
    auto e = req.expires();
    if (!e) return answer(400, "Bad Request", "Expires does not parse");
    header_expires = *e;
  }
  auto& list = bindings_[out.aor];
  // Expired bindings are gone (RFC 3261 §10.3: a registrar removes them).
  list.erase(
      std::remove_if(list.begin(), list.end(), [&](binding const& b) { return b.expires <= now; }),
      list.end());
  std::string changes;
  if (req.find(sipsaf::field::contact) != nullptr) {
    auto contacts = req.contact();
    if (!contacts) return answer(400, "Bad Request", "Contact does not parse");
    if (contacts->star) {
      // `Contact: *` needs Expires: 0 and no other contact (step 6).
      if (!contacts->entries.empty() || header_expires != 0)
        return answer(400, "Bad Request", "Contact: * needs Expires: 0 and nothing else");
      for (auto const& b : list)
        if (b.call_id == *call_id && cseq->number <= b.cseq)
          return answer(500, "Server Internal Error", "out-of-order REGISTER (CSeq)");
      changes = "removed all " + std::to_string(list.size()) + " contacts";
      out.removed_all = true;
      list.clear();
    } else {
      std::vector<contact_verdict> verdicts(contacts->entries.size());
      for (std::size_t i = 0; i < contacts->entries.size(); ++i) {
        auto const& c = contacts->entries[i];
        bool const removal = (c.expires ? *c.expires : header_expires) == 0;
        if (removal || !cfg_.check_contact) continue;
        verdicts[i] = cfg_.check_contact(c.address.uri, from);
        if (auto const& why = verdicts[i].refused; !why.empty())
          return answer(403, "Forbidden", "contact " + std::string(c.address.uri.text) + " " + why,
                        {{"Warning", "399 sipsaf-proxy \"contact " + why + "\""}});
      }
      for (std::size_t i = 0; i < contacts->entries.size(); ++i) {
        auto const& c = contacts->entries[i];
        std::string const uri(c.address.uri.text);
        std::uint32_t expires = c.expires ? *c.expires : header_expires;
        expires = std::min(expires, cfg_.max_expires);
        auto it = std::find_if(list.begin(), list.end(),
                               [&](binding const& b) { return b.contact == uri; });
        if (it != list.end() && it->call_id == *call_id && cseq->number <= it->cseq)
          return answer(500, "Server Internal Error", "out-of-order REGISTER (CSeq)");
        if (expires == 0) {
          out.removed.push_back(uri);
          if (it != list.end()) {
            list.erase(it);
            changes += " -" + uri;
          }
          continue;
        }
        if (it == list.end()) {
          if (list.size() >= cfg_.max_contacts)
            return answer(
                403, "Forbidden",
                "more than " + std::to_string(cfg_.max_contacts) + " contacts for " + out.aor);
          if (binding_count() >= cfg_.max_bindings)
            return answer(503, "Service Unavailable", "the registrar is full",
                          {{"Retry-After", "60"}});
          list.push_back(binding{});
          it = list.end() - 1;
          changes += " +" + uri;
        } else {
          changes += " ~" + uri;
        }
        it->contact = uri;
        it->call_id = std::string(*call_id);
        it->cseq = cseq->number;
        it->q = c.q ? *c.q : 1000;
        it->expires = now + std::chrono::seconds(expires);
        it->source = from;
        it->reach_at = verdicts[i].reach_at;
        // A TCP connection is the way back to this contact when the contact
        // is the registering client itself (its Via sent-by, RFC 5923's
        // `alias`) or asks for it (`ob`, RFC 5626 §5): then a client behind
        // an ephemeral port is reached on the connection it opened. A TLS
        // connection always is: a contact registered over TLS gets what is
        // sent to it over TLS (RFC 5630 §3.1.3), and only that connection
        // has been authenticated by the handshake.
        if (from.kind == transport_kind::tcp) {
          bool same = c.address.uri.param("ob").has_value();
          if (auto v = req.top_via()) {
            same = same || v->param("alias").has_value();
            std::uint16_t const vp = v->port ? *v->port : 5060;
            std::uint16_t const cp = c.address.uri.port ? *c.address.uri.port : 5060;
            same = same || (sipsaf::iequals(v->host, c.address.uri.host) && vp == cp);
          }
          // Behind NAT the connection is the only way back.
          if (!same && !it->reach_at) it->source.connection = 0;
        }
        it->suspect_until = {};
        it->failures = 0;
      }
    }
  }
  std::stable_sort(list.begin(), list.end(),
                   [](binding const& a, binding const& b) { return a.q > b.q; });
  // The 200 lists every current binding with its remaining time (step 8).
  std::vector<std::pair<std::string, std::string>> extra;
  for (auto const& b : list) {
    auto const left = std::chrono::duration_cast<std::chrono::seconds>(b.expires - now).count();
    extra.emplace_back("Contact", "<" + b.contact + ">;expires=" + std::to_string(left));
  }
  extra.emplace_back(
      "Date", sipsaf::format_sip_date(std::chrono::time_point_cast<std::chrono::milliseconds>(
                  std::chrono::system_clock::now())));
  out.reachable = !list.empty();
  std::size_t const n = list.size();
  if (list.empty()) bindings_.erase(out.aor);
  answer(200, "OK",
         how + "; " +
             (changes.empty() ? std::string("no change") : changes.substr(changes[0] == ' ')) +
             "; " + std::to_string(n) + (n == 1 ? " contact" : " contacts") + " now",
         std::move(extra));
  return out;
}

auto registrar::contacts(std::string_view aor, steady::time_point now) const
    -> std::vector<binding const*> {
  std::vector<binding const*> out;
  auto it = bindings_.find(aor);
  if (it == bindings_.end()) return out;
  for (auto const& b : it->second)
    if (b.expires > now && b.suspect_until <= now) out.push_back(&b);
  return out;
}

auto registrar::find(std::string_view aor, std::string_view contact) -> binding* {
  auto it = bindings_.find(aor);
  if (it == bindings_.end()) return nullptr;
  for (auto& b : it->second)
    if (b.contact == contact) return &b;
  return nullptr;
}

void registrar::forget_others(std::string_view aor, std::vector<std::string> const& kept) {
  auto it = bindings_.find(aor);
  if (it == bindings_.end()) return;
  auto& list = it->second;
  list.erase(std::remove_if(list.begin(), list.end(),
                            [&](binding const& b) {
                              return std::find(kept.begin(), kept.end(), b.contact) == kept.end();
                            }),
             list.end());
  if (list.empty()) bindings_.erase(it);
}

void registrar::delivery_failed(std::string_view aor, std::string_view contact,
                                steady::time_point now) {
  binding* b = find(aor, contact);
  if (b == nullptr) return;
  ++b->failures;
  auto wait = cfg_.first_retry;
  for (unsigned i = 1; i < b->failures && wait < std::chrono::hours(1); ++i) wait *= 2;
  wait = std::min<std::chrono::seconds>(wait, std::chrono::hours(1));
  b->suspect_until = now + wait;
  log::info("contact {} of {} did not answer ({} in a row): unreachable for {} s", contact, aor,
            b->failures, wait.count());
}

void registrar::delivery_answered(std::string_view aor, std::string_view contact) {
  if (binding* b = find(aor, contact)) {
    b->failures = 0;
    b->suspect_until = {};
  }
}

auto registrar::sweep(steady::time_point now) -> std::vector<std::string> {
  std::vector<std::string> back;
  for (auto it = bindings_.begin(); it != bindings_.end();) {
    auto& list = it->second;
    bool retry = false;
    for (auto b = list.begin(); b != list.end();) {
      if (b->expires <= now) {
        log::info("binding {} of {} expired", b->contact, it->first);
        b = list.erase(b);
        continue;
      }
      if (b->suspect_until != steady::time_point{} && b->suspect_until <= now) {
        b->suspect_until = {};
        retry = true;
      }
      ++b;
    }
    if (retry) back.push_back(it->first);
    if (list.empty())
      it = bindings_.erase(it);
    else
      ++it;
  }
  return back;
}

auto registrar::find_contact(std::string_view uri) const -> binding const* {
  for (auto const& e : bindings_)
    for (auto const& b : e.second)
      if (b.contact == uri) return &b;
  return nullptr;
}

auto registrar::binding_count() const -> std::size_t {
  std::size_t n = 0;
  for (auto const& e : bindings_) n += e.second.size();
  return n;
}

auto registrar::uses_connection(std::uint64_t id) const -> bool {
  for (auto const& e : bindings_)
    for (auto const& b : e.second)
      if (b.source.connection == id && is_stream(b.source.kind)) return true;
  return false;
}

}  // namespace proxy
