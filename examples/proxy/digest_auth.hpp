// Digest authentication of a request (RFC 3261 §22, RFC 8760): the
// challenge (401 WWW-Authenticate from the registrar, 407
// Proxy-Authenticate from the proxy, §22.3) and the check of the
// credentials that answer it. Known and unknown user names take the same
// path and get the same answers, so that a stranger cannot tell which exist.
#ifndef SIPSAF_EXAMPLES_PROXY_DIGEST_AUTH_HPP
#define SIPSAF_EXAMPLES_PROXY_DIGEST_AUTH_HPP

#include "common/digest.hpp"
#include "config_files.hpp"
#include "nonce.hpp"

#include <sipsaf/message.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace proxy {

class digest_auth {
 public:
  using clock = std::chrono::steady_clock;

  enum class status {
    none,       ///< no credentials for our realm (or for an algorithm not offered): challenge
    ok,         ///< proven: `user` sent it
    stale,      ///< right password; old, replayed or foreign nonce: challenge with stale=TRUE
    failed,     ///< wrong password, unknown user, wrong uri: challenge again
    malformed,  ///< the header does not parse: 400
  };
  struct result {
    status what = status::none;
    std::string user;  ///< the user the credentials name (normalised), when any
    std::string why;   ///< for the log
  };

  /// `algorithms`: offered in this order (RFC 8760 §2.4: most preferred first).
  digest_auth(std::string realm, std::vector<example::digest::algorithm> algorithms)
      : realm_(realm), algorithms_(std::move(algorithms)), nonces_(std::move(realm)) {}

  /// Nonces under a key the proxies of one service share (nonce.hpp).
  void set_nonce_key(nonce_key const& key) { nonces_.set_key(key); }

  auto realm() const -> std::string const& { return realm_; }
  auto algorithms() const -> std::vector<example::digest::algorithm> const& { return algorithms_; }

  /// The whole 401 or 407 response to `req`, one challenge per algorithm.
  auto challenge(sipsaf::message_view const& req, int code, bool stale, clock::time_point now) const
      -> std::string {
    sipsaf::response_builder b(req, code,
                               code == 407 ? "Proxy Authentication Required" : "Unauthorized");
    for (auto const& alg : algorithms_) {
      example::digest::challenge c;
      c.realm = realm_;
      c.alg = alg;
      c.nonce = nonces_.issue(alg, wall(now));
      c.stale = stale;
      b.header(code == 407 ? "Proxy-Authenticate" : "WWW-Authenticate",
               example::digest::to_string(c));
    }
    auto r = b.build();
    return r ? *r : std::string();
  }

  /// Checks the credentials of `req` in `header` (Authorization or
  /// Proxy-Authorization). `uri_ok` says whether a digest `uri` other than
  /// the Request-URI names this service (the domain, the proxy's address);
  /// the response is always computed over the `uri` the client sent.
  auto verify(sipsaf::message_view const& req, sipsaf::field header, users_file const* users,
              std::function<bool(std::string_view)> const& uri_ok, clock::time_point now)
      -> result {
    namespace dg = example::digest;
    result out;
    std::optional<dg::credentials> cred;
    for (auto const& row : req.headers()) {
      if (row.id != header) continue;
      auto c = dg::parse_credentials(row.value);
      if (!c) {
        if (c.error().code == sipsaf::errc::unsupported) continue;  // another scheme/algorithm
        out.what = status::malformed;
        out.why = "credentials do not parse: " + c.error().message();
        return out;
      }
      if (c->realm == realm_ && offered(c->alg)) {
        cred = std::move(*c);
        break;
      }
    }
    if (!cred) {
      out.why = "no credentials";
      return out;
    }
    // Some clients write the user as `user@domain` (sipsak even `user@`):
    // the digest covers the name as sent, so the password proves the same.
    std::string_view name = cred->username;
    if (auto at = name.find('@'); at != std::string_view::npos) {
      std::string_view const host = name.substr(at + 1);
      if (host.empty() || sipsaf::iequals(host, realm_)) name = name.substr(0, at);
    }
    out.user = std::string(name);
    out.what = status::failed;
    if (!sipsaf::iequals(cred->uri, req.request_uri()) && !(uri_ok && uri_ok(cred->uri))) {
      out.why = "digest uri '" + cred->uri + "' names neither the Request-URI nor this service";
      return out;
    }
    auto const v = nonces_.check(cred->nonce, cred->alg, wall(now));
    // An unknown user is checked against a password nobody has: the same
    // work and the same answer as a wrong password.
    std::string const* password = users ? users->find(out.user) : nullptr;
    bool const right =
        dg::verify(*cred, password ? *password : unknown_user_password_, req.method(), req.body());
    if (!right || password == nullptr) {
      out.why =
          "wrong password or unknown user '" + out.user + "' (" + dg::to_string(cred->alg) + ")";
      return out;
    }
    // A nonce that is not ours under a right digest is one this proxy gave
    // before a restart (a new key) or a stranger's replay: stale, so that a
    // client keeping its nonce is asked again rather than counted as guessing
    // (RFC 7616 §3.3: stale for an invalid nonce with a valid digest).
    if (v == stateless_nonces::verdict::forged) {
      out.what = status::stale;
      out.why = "a nonce that is not ours";
      return out;
    }
    if (v == stateless_nonces::verdict::stale) {
      out.what = status::stale;
      out.why = "nonce expired";
      return out;
    }
    auto const u = nonces_.use(cred->nonce, cred->qop.empty() ? "" : cred->nc, wall(now));
    if (u != stateless_nonces::verdict::fresh) {
      out.what = status::stale;
      out.why = to_string(u);
      return out;
    }
    out.what = status::ok;
    out.why = "authenticated with " + dg::to_string(cred->alg);
    return out;
  }

 private:
  // Nonces carry wall-clock time (read by other proxies); `now` is steady.
  static auto wall(clock::time_point now) -> stateless_nonces::clock::time_point {
    return stateless_nonces::clock::now() +
           std::chrono::duration_cast<stateless_nonces::clock::duration>(now - clock::now());
  }

  auto offered(example::digest::algorithm a) const -> bool {
    for (auto const& x : algorithms_)
      if (x == a) return true;
    return false;
  }

  std::string realm_;
  std::vector<example::digest::algorithm> algorithms_;
  stateless_nonces nonces_;
  std::string const unknown_user_password_ = example::digest::random_hex(16);
};

}  // namespace proxy

#endif  // SIPSAF_EXAMPLES_PROXY_DIGEST_AUTH_HPP
