// The proxy core: construction, the directory, and our own addresses; see
// proxy.hpp. The rest of the core lives in files named for its parts.
#include "proxy.hpp"
#include "transactions.hpp"

#include "branch.hpp"
#include "common/digest.hpp"
#include "log.hpp"
#include "sip_util.hpp"

#include <sipsaf/ascii.hpp>

namespace proxy {

// --- directory ------------------------------------------------------------------

auto directory::user_of(std::string_view uri) const -> std::string {
  while (!uri.empty() && (uri.front() == ' ' || uri.front() == '<')) uri.remove_prefix(1);
  while (!uri.empty() && (uri.back() == ' ' || uri.back() == '>')) uri.remove_suffix(1);
  auto u = sipsaf::parse_uri(uri);
  if (!u || !u->is_sip() || u->user.empty() || !is_local_(*u)) return {};
  return std::string(u->user);
}

auto directory::lookup(std::string_view uri) -> sipsaf::recipient const* {
  if (sipsaf::is_gateway_key(uri)) return gateway(uri);
  std::string const user = user_of(uri);
  if (user.empty() || !reg_.user_exists(user)) return nullptr;
  return &of_user(user);
}

auto directory::of_user(std::string_view user) -> sipsaf::recipient const& {
  scratch_.key = reg_.aor(user);
  scratch_.contacts.clear();
  for (binding const* b : reg_.contacts(scratch_.key, steady::now()))
    scratch_.contacts.push_back(b->contact);
  if (shared_contacts) shared_contacts(scratch_.key, scratch_.contacts);
  if (scratch_.contacts.empty() && external_ && external_(scratch_.key))
    scratch_.contacts.push_back(scratch_.key);  // reached through the other server
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
      auth_(cfg_.domain, cfg_.digest_algorithms),
      open_per_source_(cfg_.max_transactions_per_source, cfg_.max_sources),
      failed_by_source_(cfg_.auth_backoff),
      failed_by_user_(cfg_.auth_backoff),
      dir_(reg_, [this](sipsaf::uri_view const& u) { return is_local(u); }),
      engine_timer_(io),
      sweep_timer_(io) {
  if (cfg_.nonce_secret) {
    auth_.set_nonce_key(*cfg_.nonce_secret);
    dialogs_.derive_key(*cfg_.nonce_secret);
  }
  dir_.set_profiles(&profiles_);
  gateways_.kinds = cfg_.gateways.kinds();
  dir_.set_gateway_kinds(gateways_.kinds);
  if (!cfg_.gateways.smtp_url.empty() || !cfg_.gateways.sms_url.empty())
    worker_ = std::make_unique<gateway_worker>(io_);
  policy_.defaults = profiles_.defaults;
  // A contact is where the proxy sends, connects and writes on its user's
  // behalf. It must not lead back here (the proxy's address, however
  // written, or the domain when that is a name): every request to it would
  // loop. A contact on another host than the REGISTER came from (a client
  // behind NAT, or sipp writing its interface address while it sends from
  // loopback) is reached at the registering host, never at the host it
  // names: else an account holder could point the proxy at a third party's
  // ports (no relay). A trusted peer registers for others.
  reg_.set_contact_check([this](sipsaf::uri_view const& u, peer const& from) -> contact_verdict {
    boost::system::error_code ec;
    asio::ip::make_address(cfg_.domain, ec);
    if (is_self(u.host, u.port) || (ec && sipsaf::iequals(u.host, cfg_.domain)))
      return {"is this proxy itself", {}};
    std::string err;
    auto const to = resolve(u.text, &err);
    if (!to) return {"cannot be reached: " + err, {}};
    // 0.0.0.0 reaches this host (and so perhaps this proxy); multicast and
    // broadcast reach many: none is one client's address.
    auto const& a = to->address;
    if (a.is_unspecified() || a.is_multicast() ||
        (a.is_v4() && a.to_v4() == asio::ip::address_v4::broadcast()))
      return {"is not one host's address", {}};
    if (is_self(a.to_string(), to->port)) return {"is this proxy itself", {}};
    if (from.kind == transport_kind::local || is_trusted(from.address)) return {};
    auto same_host = [](asio::ip::address a, asio::ip::address const& b) {
      if (a.is_v6() && a.to_v6().is_v4_mapped())
        a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
      return address_block{a, a.is_v4() ? 32u : 128u}.contains(b);
    };
    if (same_host(from.address, to->address)) return {};
    // UDP: the address and port it sent from (its NAT binding); TCP, TLS:
    // its connection while open, else the registering host at the port
    // the contact names.
    peer at = from;
    at.connection = 0;
    if (is_stream(from.kind)) at.port = to->port;
    return {{}, at};
  });
  engine_ = std::make_unique<engine_t>(store_, dir_, std::chrono::system_clock{}, gateways_,
                                       policy_, cfg_.engine);
}

proxy_core::~proxy_core() = default;

void proxy_core::start() {
  start_subscriptions();
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
  if (sipsaf::iequals(u.host, cfg_.domain)) return true;
  return is_self(u.host, u.port);
}

auto proxy_core::is_self(std::string_view host, std::optional<std::uint16_t> p) const -> bool {
  // The port first: most hosts checked (each Via of each request) are
  // another's, and their address need not be read.
  std::uint16_t const port = p ? *p : 5060;
  bool ours = false;
  for (auto const& l : {cfg_.udp, cfg_.tcp, cfg_.tls}) ours = ours || (l && l->second == port);
  if (!ours) return false;
  std::string h = sipsaf::ascii_lower(host);
  if (h == "localhost") h = "127.0.0.1";
  if (!h.empty() && h.front() == '[') h = h.substr(1, h.size() - 2);
  boost::system::error_code ec;
  auto a = asio::ip::make_address(h, ec);
  if (ec) return false;
  if (a.is_v6() && a.to_v6().is_v4_mapped())  // the same IPv4 host
    a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  for (auto const& l : {cfg_.udp, cfg_.tcp, cfg_.tls}) {
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
  peer p;
  // RFC 3261 §26.2.2: sips means TLS all the way; transport=tls (RFC 3261
  // §19.1.1, deprecated for sips by RFC 5630 §3.1.2) says TLS for this hop.
  p.kind = sipsaf::iequals(u->scheme, "sips") ? transport_kind::tls : transport_kind::udp;
  if (auto t = u->param("transport")) {
    if (sipsaf::iequals(*t, "tcp")) {
      if (p.kind == transport_kind::udp) p.kind = transport_kind::tcp;
    } else if (sipsaf::iequals(*t, "tls")) {
      p.kind = transport_kind::tls;
    } else if (!sipsaf::iequals(*t, "udp")) {
      *error = "transport " + std::string(*t) + " is not offered";
      return std::nullopt;
    }
  }
  std::string host(u->host);
  if (!host.empty() && host.front() == '[') host = host.substr(1, host.size() - 2);
  if (sipsaf::iequals(host, "localhost")) host = "127.0.0.1";
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
  p.port = u->port ? *u->port : (p.kind == transport_kind::tls ? 5061 : 5060);
  return p;
}

auto proxy_core::listener(transport_kind k) const -> std::pair<asio::ip::address, std::uint16_t> {
  if (k == transport_kind::tls && cfg_.tls) return *cfg_.tls;
  if (k == transport_kind::tcp && cfg_.tcp) return *cfg_.tcp;
  return cfg_.udp ? *cfg_.udp : cfg_.tcp ? *cfg_.tcp : *cfg_.tls;
}

auto proxy_core::via_for(transport_kind k, std::string const& branch) const -> std::string {
  auto const l = listener(k);
  std::string host = l.first.is_unspecified() ? "127.0.0.1" : l.first.to_string();
  if (l.first.is_v6()) host = "[" + host + "]";
  return std::string("SIP/2.0/") + to_string(k) + " " + host + ":" + std::to_string(l.second) +
         ";branch=" + branch;
}

auto proxy_core::record_route(transport_kind k, std::string const& token) const -> std::string {
  // The way back in for the next hop: over TLS when the request leaves over
  // TLS (RFC 3261 §26.3.2.2), else UDP when offered.
  if (k != transport_kind::tls) k = cfg_.udp ? transport_kind::udp : transport_kind::tcp;
  auto const l = listener(k);
  std::string host = l.first.is_unspecified() ? "127.0.0.1" : l.first.to_string();
  if (l.first.is_v6()) host = "[" + host + "]";
  std::string rr = "<sip:" + host + ":" + std::to_string(l.second);
  if (k == transport_kind::tls)
    rr += ";transport=tls";
  else if (!cfg_.udp)
    rr += ";transport=tcp";
  if (!token.empty()) rr += ";dlg=" + token;  // dialog_token.hpp
  return rr + ";lr>";
}

auto proxy_core::new_branch() -> std::string {
  // RFC 3261 §8.1.1.7: the magic cookie, then bits nobody can predict (branch.hpp).
  return new_branch_value();
}

auto proxy_core::new_token() -> std::string {
  return example::digest::random_hex(8);
}

}  // namespace proxy
