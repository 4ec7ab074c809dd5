// The records the proxy core keeps per transaction (RFC 3261 §17) and per
// forwarded request (§16.7), shared by the core's source files.
#ifndef SIPSAF_EXAMPLES_PROXY_TRANSACTIONS_HPP
#define SIPSAF_EXAMPLES_PROXY_TRANSACTIONS_HPP

#include "log.hpp"
#include "proxy.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace proxy {

/// A request we received (RFC 3261 §17.2): its bytes, where answers go, the
/// last answer (re-sent when the request is retransmitted).
struct proxy_core::server_txn {
  std::string key;
  std::string bytes;  // owns the request; `req` points into it
  std::optional<sipsaf::message_view> req;
  peer source;
  std::string method;
  std::string what;  // for the log
  std::string response;
  int code = 0;
  steady::time_point created{}, finished{};
  std::uint64_t fork = 0;
  bool pop_route = false;
  bool decided = false;  // the engine decided (and logged) its answer
  bool trusted = false;  // from a trusted peer, or our own
  std::string identity;  // the sender proven (a SIP URI), empty when none
  source_slot slot;      // its share of the source's transactions
};

/// A request we sent (RFC 3261 §17.1): retransmitted over UDP until
/// answered, given up after Timer B/F.
struct proxy_core::client_txn {
  std::string key;  // branch + " " + method
  std::string method;
  std::string bytes;
  peer dest;
  std::string contact;  // where it was sent (the target URI)
  std::uint64_t fork = 0;
  std::unique_ptr<asio::steady_timer> retransmit, timeout;
  std::chrono::milliseconds interval{};
  std::chrono::milliseconds give_up{32000};  // Timer B / F
  bool provisional = false;
  bool completed = false;
  int code = 0;
  std::string ack;  // our ACK to a non-2xx final response to INVITE
  steady::time_point linger_until{};
};

/// One request sent on to one or more targets, waiting for the best answer.
struct proxy_core::fork_ctx {
  std::uint64_t id = 0;
  std::string server_key;  // the request being answered; empty for our own
  std::string what;
  std::string method;
  std::optional<sipsaf::delivery_id> delivery;  // the engine's attempt, to report
  std::string aor;                              // the recipient, for contact bookkeeping
  std::vector<std::string> branches;
  std::size_t pending = 0;
  int best_code = 0;
  std::string best;  // the best final response, our Via removed
  bool answered = false;
  bool timeouts = false;
  bool transport_errors = false;
  // A stored delivery, kept to be sent again cut down when the recipient
  // answers 415 with an Accept list (RFC 3261 §21.4.16).
  std::string stored;                        // the stored request's bytes
  std::vector<std::string> contacts;         // where it goes
  std::optional<sipsaf::timestamp> arrived;  // its Date, when it has none
  std::string adapted;                       // what the cut-down payload delivered and left out
  /// For a request of our own (a SUBSCRIBE): the final code (0: none) and response.
  std::function<void(int, std::string const&)> on_done;
};

/// A line about a stranger's request (a refusal, a challenge, a dropped
/// response): at most so many a second of each kind, then a count.
template <class... A>
void proxy_core::refusal_log(std::string_view kind, fmt::format_string<A...> f, A&&... a) {
  auto const now = steady::now();
  for (auto const& [k, n] : log_limit_.take_reports(now))
    log::warn("{} more lines of kind '{}' not logged in the last second", n, k);
  if (log_limit_.allow(kind, now)) log::info(f, std::forward<A>(a)...);
}

}  // namespace proxy

#endif  // SIPSAF_EXAMPLES_PROXY_TRANSACTIONS_HPP
