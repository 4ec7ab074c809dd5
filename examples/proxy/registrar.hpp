// The registrar (RFC 3261 §10.3): bindings of addresses-of-record to
// contacts, with expiry. The REGISTER it is given has been authenticated
// (digest_auth.hpp) for the user whose bindings it changes.
#ifndef SIPSAF_EXAMPLES_PROXY_REGISTRAR_HPP
#define SIPSAF_EXAMPLES_PROXY_REGISTRAR_HPP

#include "config_files.hpp"
#include "transport.hpp"

#include <sipsaf/message.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace proxy {

using steady = std::chrono::steady_clock;

/// One contact registered for an address-of-record.
struct binding {
  std::string contact;  ///< the Contact URI as registered
  std::string call_id;  ///< of the REGISTER that set it (RFC 3261 §10.3 step 7)
  std::uint32_t cseq = 0;
  std::uint16_t q = 1000;  ///< preference in thousandths (RFC 3261 §20.10)
  steady::time_point expires;
  peer source;  ///< where the REGISTER came from: a TCP/TLS connection is reused to reach it
  /// Set when the contact names another host than the one the REGISTER came
  /// from (a client behind NAT, or one that wrote an address it does not
  /// send from): requests for it go here, to the registering host, never to
  /// the host the contact names (RFC 3581 §4 answers the same way).
  std::optional<peer> reach_at;
  /// After a delivery got no answer (timeout, transport error) the contact
  /// counts as unreachable until then; each failure in a row doubles the wait.
  steady::time_point suspect_until{};
  unsigned failures = 0;
};

/// What the proxy makes of a contact registered from some address: refused
/// (403 with the reason), or taken, and then reached at `reach_at` when set.
struct contact_verdict {
  std::string refused;
  std::optional<peer> reach_at;
};

class registrar {
 public:
  struct config {
    std::string domain;  ///< also the realm
    std::uint32_t default_expires = 3600;
    std::uint32_t max_expires = 86400;
    std::size_t max_contacts = 16;         ///< per address-of-record
    std::size_t max_bindings = 100000;     ///< in all
    std::chrono::seconds first_retry{30};  ///< a failed contact's first wait
    std::function<contact_verdict(sipsaf::uri_view const&, peer const& from)> check_contact{};
  };

  /// What handling one REGISTER gave.
  struct result {
    int code = 0;
    std::string response;    ///< the whole response to send
    std::string aor;         ///< the address-of-record concerned (empty if none)
    bool reachable = false;  ///< it has a live binding now
    /// Contacts the REGISTER removed (Expires: 0), whether bound here or
    /// not; `removed_all` for `Contact: *`. Several proxies: they go from
    /// the shared bindings too, wherever they registered.
    std::vector<std::string> removed;
    bool removed_all = false;
    std::string log;  ///< what happened, for the log
  };

  registrar(config c, users_file const* users) : cfg_(std::move(c)), users_(users) {}

  void set_users(users_file const* users) { users_ = users; }
  /// The proxy will send, connect and write to a contact on its user's
  /// behalf: `f` says whether it may and where.
  void set_contact_check(std::function<contact_verdict(sipsaf::uri_view const&, peer const&)> f) {
    cfg_.check_contact = std::move(f);
  }
  /// Is `uri` a registered contact of one of our users? (A request may be
  /// sent there: an in-dialog request to a party of a dialog we proxied.)
  auto is_contact(std::string_view uri) const -> bool { return find_contact(uri) != nullptr; }
  auto find_contact(std::string_view uri) const -> binding const*;
  auto domain() const -> std::string const& { return cfg_.domain; }

  /// The key of a user's address-of-record: `sip:USER@DOMAIN`.
  auto aor(std::string_view user) const -> std::string {
    return "sip:" + std::string(user) + "@" + cfg_.domain;
  }
  auto user_exists(std::string_view user) const -> bool {
    return users_ != nullptr && users_->find(user) != nullptr;
  }

  /// Handles a REGISTER for `user` (the To URI's user part, in our domain,
  /// proven by the sender's credentials); `how` says how, for the log.
  auto handle(sipsaf::message_view const& req, std::string_view user, peer const& from,
              steady::time_point now, std::string const& how) -> result;

  /// The live, unsuspected bindings of `aor`, best first.
  auto contacts(std::string_view aor, steady::time_point now) const -> std::vector<binding const*>;
  auto find(std::string_view aor, std::string_view contact) -> binding*;
  /// Drops the bindings of `aor` whose contact `kept` no longer has
  /// (removed through another proxy).
  void forget_others(std::string_view aor, std::vector<std::string> const& kept);

  /// A delivery to this contact got no answer / got one.
  void delivery_failed(std::string_view aor, std::string_view contact, steady::time_point now);
  void delivery_answered(std::string_view aor, std::string_view contact);

  /// Removes expired bindings and nonces; returns the addresses-of-record
  /// whose contacts are worth trying again (a suspicion ran out).
  auto sweep(steady::time_point now) -> std::vector<std::string>;

  auto binding_count() const -> std::size_t;
  /// Whether a binding is reached over stream connection `id` (the
  /// transports keep such a connection open while it is silent).
  auto uses_connection(std::uint64_t id) const -> bool;

 private:
  config cfg_;
  users_file const* users_;
  std::map<std::string, std::vector<binding>, std::less<>> bindings_;
};

}  // namespace proxy

#endif  // SIPSAF_EXAMPLES_PROXY_REGISTRAR_HPP
