// Admission: who sent a request, whether they may, and where it may go
// (design: every request is hostile until authenticated).
//
// - REGISTER is always digest-authenticated (401), for the To user only.
// - A request from a user of our domain is challenged (407, RFC 3261 §22.3)
//   unless it proves that user; proven as another user than its From: 403.
// - A request from another domain is taken only from a trusted peer
//   (`--trusted`); from anyone else: 403.
// - An in-dialog request that follows our Record-Route, with the token of
//   its dialog (dialog_token.hpp), toward the dialog's other party, is taken
//   as it is: it can only reach a registered contact (no relay) and is
//   never stored.
// - An OPTIONS to the proxy itself is answered without credentials.
// - P-Asserted-Identity (RFC 3325 §5) is removed unless a trusted peer
//   wrote it; the identity we proved is written in its place, so what is
//   forwarded or stored says who was proven to send it.
// - Failed authentications lock out the source (and, for sources that
//   failed, the user name) for a doubling time (source_limits.hpp).
#include "proxy.hpp"
#include "transactions.hpp"

#include "log.hpp"
#include "sip_util.hpp"

#include <sipsaf/ascii.hpp>

namespace proxy {

using sipsaf::field;

namespace {

auto is_asserted_identity(sipsaf::message_field const& row) -> bool {
  return row.id == field::unknown && sipsaf::iequals(row.name, "P-Asserted-Identity");
}

auto bare_uri(std::string_view uri) -> std::string_view {
  while (!uri.empty() && (uri.front() == ' ' || uri.front() == '<')) uri.remove_prefix(1);
  while (!uri.empty() && (uri.back() == ' ' || uri.back() == '>')) uri.remove_suffix(1);
  return uri;
}

}  // namespace

auto proxy_core::is_trusted(asio::ip::address const& a) const -> bool {
  return any_contains(cfg_.trusted, a);
}

auto proxy_core::is_loop(sipsaf::message_view const& m) const -> bool {
  auto vias = m.via();
  if (!vias) return false;
  for (auto const& v : *vias)
    if (is_self(v.host, v.port)) return true;
  return false;
}

auto proxy_core::may_send_to(peer const& source, std::string_view target) const -> bool {
  if (source.kind == transport_kind::local) return true;  // our own: notices, configured forwards
  target = bare_uri(target);
  if (reg_.is_contact(target)) return true;  // a registered contact of one of our users
  // A configured peer, named by its address (no name is looked up for a stranger).
  auto u = sipsaf::parse_uri(target);
  if (!u) return false;
  std::string host(u->host);
  if (!host.empty() && host.front() == '[') host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  auto const a = asio::ip::make_address(host, ec);
  return !ec && is_trusted(a) && !is_self(u->host, u->port);
}

auto proxy_core::admit(server_txn& st) -> bool {
  sipsaf::message_view const& m = *st.req;
  st.trusted = is_trusted(st.source.address);
  auto const from = m.from();
  auto const to = m.to();
  sipsaf::uri_view const& ru = m.request_uri_parts();
  auto const routes = m.values("Route");
  auto forbid = [&](std::string const& why) {
    ++stats_.refused;
    st.decided = true;
    refusal_log("forbidden", "{}: {}: 403", st.what, why);
    respond(st, 403, "Forbidden", {{"Warning", "399 sipsaf-proxy \"" + why + "\""}});
    return false;
  };

  if (st.method == "REGISTER") {
    if (!is_local(to->uri) && !is_local(ru)) return forbid("not our domain");
    auto user = authenticate(st, true);
    if (!user) return false;
    if (to->uri.user != *user)
      return forbid("'" + *user + "' may not register '" + std::string(to->uri.user) + "'");
    st.identity = reg_.aor(*user);
    return true;
  }
  if (st.method == "OPTIONS" && is_local(ru) && ru.user.empty() && routes.empty())
    return true;  // a ping: answered here, nothing is sent on
  if (st.trusted) {
    // A peer of the trust domain: its assertion stands; else its From.
    for (auto const& row : m.headers())
      if (is_asserted_identity(row)) st.identity = std::string(bare_uri(row.value));
    if (st.identity.empty()) st.identity = std::string(from->uri.text);
    return true;
  }
  if (!to->tag.empty() && !routes.empty()) {
    // A dialog of ours, toward its other party (its To user's AOR or one of
    // that user's contacts; a peer when the To is not ours): one party
    // cannot use the token to reach a third user as the other.
    auto to_party = [&] {
      std::string target(ru.text);
      if (routes.size() > 1)
        if (auto second = sipsaf::parse_name_addr(routes[1]))
          target = std::string(second->uri.text);
      std::string const user = dir_.user_of(to->uri.text);
      if (user.empty()) return !reg_.is_contact(target);
      return dir_.user_of(target) == user || reg_.find(reg_.aor(user), target) != nullptr;
    };
    auto first = sipsaf::parse_name_addr(routes[0]);
    if (first && is_local(first->uri) && dialogs_.follows(m, first->uri) && to_party()) {
      carry_identity(st, {});
      return true;
    }
  }
  if (!is_local(from->uri)) return forbid("the sender's domain is not served here");
  auto user = authenticate(st, false);
  if (!user) return false;
  if (from->uri.user != *user)
    return forbid("authenticated as '" + *user + "', not as the From user");
  st.identity = reg_.aor(*user);
  carry_identity(st, "<" + st.identity + ">");
  return true;
}

auto proxy_core::authenticate(server_txn& st, bool registrar) -> std::optional<std::string> {
  auto const now = steady::now();
  std::string const src = address_text(source_of(st.source.address));
  int const code = registrar ? 401 : 407;
  auto locked_out = [&](std::string const& what, std::chrono::seconds left) {
    ++stats_.refused;
    st.decided = true;
    refusal_log("locked", "{}: {} locked out for {} s after failed authentications: 403", st.what,
                what, left.count());
    respond(st, 403, "Forbidden",
            {{"Retry-After", std::to_string(std::max<long long>(1, left.count()))},
             {"Warning", "399 sipsaf-proxy \"too many failed authentications\""}});
    return std::nullopt;
  };
  if (failed_by_source_.locked(src, now))
    return locked_out("this address", failed_by_source_.remaining(src, now));

  auto const r = auth_.verify(
      *st.req, registrar ? field::authorization : field::proxy_authorization, &users_,
      [this](std::string_view uri) {
        auto u = sipsaf::parse_uri(uri);  // this domain or this proxy's address
        return u && u->is_sip() && is_local(*u);
      },
      now);
  switch (r.what) {
    case digest_auth::status::ok:
      // A user under attack stays reachable for sources that never failed.
      if (failed_by_user_.locked(r.user, now) && failed_by_source_.failures(src, now) > 0)
        return locked_out("user '" + r.user + "'", failed_by_user_.remaining(r.user, now));
      failed_by_user_.succeeded(r.user);
      return r.user;
    case digest_auth::status::malformed:
      failed_by_source_.failed(src, now);
      ++stats_.refused;
      st.decided = true;
      refusal_log("auth-failed", "{}: {}: 400", st.what, r.why);
      respond(st, 400, "Bad Request", {{"Warning", "399 sipsaf-proxy \"" + r.why + "\""}});
      return std::nullopt;
    case digest_auth::status::failed:
      failed_by_source_.failed(src, now);
      if (!r.user.empty()) failed_by_user_.failed(r.user, now);
      refusal_log("auth-failed", "{}: {}: {}", st.what, r.why, code);
      break;
    case digest_auth::status::none:
    case digest_auth::status::stale:
      refusal_log("challenge", "{}: {}: challenged ({})", st.what, r.why, code);
      break;
  }
  ++stats_.challenged;
  st.decided = true;
  std::string response = auth_.challenge(*st.req, code, r.what == digest_auth::status::stale, now);
  if (response.empty()) {
    respond(st, 500, "Server Internal Error");
    return std::nullopt;
  }
  send_response(st, std::move(response), code);
  return std::nullopt;
}

void proxy_core::carry_identity(server_txn& st, std::string const& identity) {
  bool asserted = false;
  for (auto const& row : st.req->headers()) asserted = asserted || is_asserted_identity(row);
  if (!asserted && identity.empty()) return;
  rewrite rw;
  rw.strip_asserted_identity = true;
  rw.asserted_identity = identity;
  std::string bytes = write_rewritten(*st.req, rw);
  sipsaf::message_options o;
  o.max_message_bytes = o.max_body_bytes = bytes.size();
  std::string old = std::exchange(st.bytes, std::move(bytes));
  auto m = sipsaf::parse_message(st.bytes, o);
  if (!m) {  // cannot happen (we wrote it); keep the request as it came
    log::error("{}: rewritten request does not parse: {}", st.what, m.error().message());
    st.bytes = std::move(old);  // the same buffer, which the view still points into
    return;
  }
  st.req = std::move(*m);
}

}  // namespace proxy
