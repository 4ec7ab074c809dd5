// Reachability learnt from another server (RFC 6665 subscriptions): with
// `--reg-event URI` (RFC 3680 `reg`) or `--presence URI` (RFC 3856, PIDF
// basic status), sipsaf-proxy is not the registrar. For each recipient with
// stored messages it subscribes at URI, keeps the subscription alive, and
// says "reachable" when the server reports an active contact (or `open`).
// The proxy core then delivers through URI as the outbound proxy.
#ifndef SIPSAF_EXAMPLES_PROXY_REACHABILITY_HPP
#define SIPSAF_EXAMPLES_PROXY_REACHABILITY_HPP

#include "transport.hpp"

#include <sipsaf/message.hpp>
#include <sipsaf/reachability/reginfo.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace proxy {

class subscriptions {
 public:
  enum class package { reg, presence };

  struct config {
    package event = package::reg;
    std::string server;                 ///< the URI subscribed at (sip:HOST:PORT), also the Route
    std::string contact;                ///< our Contact URI for the dialog
    std::string from;                   ///< our From URI (sip:sipsaf@DOMAIN)
    std::chrono::seconds expires{600};  ///< asked for in each SUBSCRIBE
    std::chrono::seconds retry{30};     ///< after a refused SUBSCRIBE
    std::size_t max_subscriptions = 10000;  ///< one per recipient with stored messages
  };

  /// What the manager needs from the proxy core.
  struct hooks {
    /// Send a request of ours to the server: `make` writes it around the Via
    /// it is given; `done` gets the final code (0: no answer) and response.
    std::function<void(std::string what, std::function<std::string(std::string const& via)> make,
                       std::function<void(int code, std::string const& response)> done)>
        send;
    /// The recipient is reachable now (the engine's on_reachable).
    std::function<void(std::string const& aor)> reachable;
    /// Whether messages are stored for the recipient.
    std::function<bool(std::string const& aor)> has_pending;
  };

  subscriptions(asio::io_context& io, config c, hooks h);
  ~subscriptions();

  /// A message was stored for `aor`: subscribe unless already subscribed.
  void watch(std::string const& aor);
  /// What the last NOTIFY said (false when nothing is known).
  auto reachable(std::string_view aor) const -> bool;
  /// A NOTIFY arrived: the response code to send (200, or 481 when it
  /// belongs to no subscription of ours, RFC 6665 §4.1.3).
  auto on_notify(sipsaf::message_view const& m) -> int;
  /// True when the NOTIFY's Event names our package.
  auto is_ours(sipsaf::message_view const& m) const -> bool;

  auto event_name() const -> char const* { return cfg_.event == package::reg ? "reg" : "presence"; }

 private:
  struct sub;
  void subscribe(sub& s, std::chrono::seconds expires);
  void on_answer(std::string const& aor, std::uint64_t generation, int code,
                 std::string const& response, bool unsubscribing);
  void schedule(sub& s, std::chrono::steady_clock::duration after);
  void on_timer(std::string const& aor, std::uint64_t generation);
  void restart(sub& s, std::chrono::steady_clock::duration after);
  void apply_body(sub& s, sipsaf::message_view const& m);
  void housekeeping();
  void forget(sub& s);
  void end(std::map<std::string, std::unique_ptr<sub>, std::less<>>::iterator it);

  asio::io_context& io_;
  config cfg_;
  hooks hooks_;
  std::map<std::string, std::unique_ptr<sub>, std::less<>> subs_;  // by AOR
  std::map<std::string, std::string, std::less<>> by_call_id_;     // Call-ID -> AOR
  std::set<std::string> ended_;                                    // recently ended Call-IDs
  std::deque<std::string> ended_order_;
  asio::steady_timer housekeeping_;
};

/// `sip:user@host` of a URI, lower-cased host, for comparing addresses of
/// record written differently (`<sip:Bob@Example.test;transport=udp>`).
auto aor_key(std::string_view uri) -> std::string;

}  // namespace proxy

#endif  // SIPSAF_EXAMPLES_PROXY_REACHABILITY_HPP
