// The registrar (RFC 3261 §10.3) with digest authentication (RFC 3261 §22,
// RFC 8760): bindings of addresses-of-record to contacts, with expiry, and
// the nonces it hands out.
#ifndef SIPSAF_EXAMPLES_PROXY_REGISTRAR_HPP
#define SIPSAF_EXAMPLES_PROXY_REGISTRAR_HPP

#include "common/digest.hpp"
#include "config_files.hpp"
#include "transport.hpp"

#include <sipsaf/message.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
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
  /// After a delivery got no answer (timeout, transport error) the contact
  /// counts as unreachable until then; each failure in a row doubles the wait.
  steady::time_point suspect_until{};
  unsigned failures = 0;
};

/// Nonces handed out in challenges: random (RAND_bytes), valid for a
/// while, and each (nonce, nonce-count) accepted once, so that a captured
/// Authorization cannot be replayed (RFC 2617 §3.2.2, RFC 8760 §2.6).
class nonce_table {
 public:
  enum class verdict { fresh, unknown, stale, replayed, wrong_algorithm };

  explicit nonce_table(std::chrono::seconds lifetime = std::chrono::seconds(300),
                       std::size_t capacity = 16384)
      : lifetime_(lifetime), capacity_(capacity) {}

  auto issue(example::digest::algorithm alg, steady::time_point now) -> std::string;
  /// Checks the nonce and nonce-count of credentials whose response was right.
  /// `fresh` records the use: the same nonce-count (or, without qop, the same
  /// nonce) is refused afterwards.
  auto use(example::digest::credentials const& c, steady::time_point now) -> verdict;
  /// Like `use`, without recording.
  auto check(example::digest::credentials const& c, steady::time_point now) const -> verdict;
  void sweep(steady::time_point now);

 private:
  struct entry {
    steady::time_point issued;
    example::digest::algorithm alg;
    std::uint64_t last_nc = 0;
    bool used_without_qop = false;
  };
  std::chrono::seconds lifetime_;
  std::size_t capacity_;
  std::unordered_map<std::string, entry> map_;
  std::deque<std::string> order_;
};

inline auto to_string(nonce_table::verdict v) -> char const* {
  switch (v) {
    case nonce_table::verdict::fresh:
      return "fresh";
    case nonce_table::verdict::unknown:
      return "unknown nonce";
    case nonce_table::verdict::stale:
      return "nonce expired";
    case nonce_table::verdict::replayed:
      return "replayed nonce";
    case nonce_table::verdict::wrong_algorithm:
      return "nonce issued for another algorithm";
  }
  return "?";
}

class registrar {
 public:
  struct config {
    std::string domain;  ///< also the realm
    std::uint32_t default_expires = 3600;
    std::uint32_t max_expires = 86400;
    std::size_t max_contacts = 16;         ///< per address-of-record
    std::size_t max_bindings = 100000;     ///< in all
    std::chrono::seconds first_retry{30};  ///< a failed contact's first wait
  };

  /// What handling one REGISTER gave.
  struct result {
    int code = 0;
    std::string response;    ///< the whole response to send
    std::string aor;         ///< the address-of-record concerned (empty if none)
    bool reachable = false;  ///< it has a live binding now
    std::string log;         ///< what happened, for the log
  };

  registrar(config c, users_file const* users) : cfg_(std::move(c)), users_(users) {}

  void set_users(users_file const* users) { users_ = users; }
  auto domain() const -> std::string const& { return cfg_.domain; }

  /// The key of a user's address-of-record: `sip:USER@DOMAIN`.
  auto aor(std::string_view user) const -> std::string {
    return "sip:" + std::string(user) + "@" + cfg_.domain;
  }
  auto user_exists(std::string_view user) const -> bool {
    return users_ != nullptr && users_->find(user) != nullptr;
  }

  /// Handles a REGISTER for `user` (the To URI's user part, already found
  /// to be in our domain).
  auto handle(sipsaf::message_view const& req, std::string_view user, peer const& from,
              steady::time_point now) -> result;

  /// The live, unsuspected bindings of `aor`, best first.
  auto contacts(std::string_view aor, steady::time_point now) const -> std::vector<binding const*>;
  auto find(std::string_view aor, std::string_view contact) -> binding*;

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
  auto challenge(sipsaf::message_view const& req, bool stale, bool legacy_first,
                 steady::time_point now) -> std::string;

  config cfg_;
  users_file const* users_;
  std::map<std::string, std::vector<binding>, std::less<>> bindings_;
  nonce_table nonces_;
};

/// True for clients known to read only the first WWW-Authenticate and to
/// speak only MD5 (sipsak 0.9, SIPp 3.6): they get the MD5 challenge first.
auto md5_only_client(sipsaf::message_view const& req) -> bool;

}  // namespace proxy

#endif  // SIPSAF_EXAMPLES_PROXY_REGISTRAR_HPP
