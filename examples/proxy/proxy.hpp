// The proxy core: transactions (RFC 3261 §17), routing (§16), the registrar
// for REGISTER, and the store-and-forward engine for requests that carry a
// payload to a local user. Transport-independent: messages come in through
// `on_message`, go out through `transports::send`.
#ifndef SIPSAF_EXAMPLES_PROXY_PROXY_HPP
#define SIPSAF_EXAMPLES_PROXY_PROXY_HPP

#include "any_store.hpp"
#include "config_files.hpp"
#include "dialog_token.hpp"
#include "digest_auth.hpp"
#include "gateways.hpp"
#include "log_limit.hpp"
#include "reachability.hpp"
#include "registrar.hpp"
#include "source_limits.hpp"
#include "transport.hpp"
#include "trusted_peers.hpp"

#include <sipsaf/ascii.hpp>
#include <sipsaf/message.hpp>
#include <sipsaf/mime/adapt.hpp>
#include <sipsaf/policy.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace proxy {

class cluster;

/// The engine's *Directory*: local users, their live contacts (from the
/// registrar) and their profiles (from the profiles file).
class directory {
 public:
  directory(registrar& reg, std::function<bool(sipsaf::uri_view const&)> is_local)
      : reg_(reg), is_local_(std::move(is_local)) {}

  void set_profiles(profiles_file const* p) { profiles_ = p; }
  /// Several proxies: appends the contacts other proxies registered.
  std::function<void(std::string const& aor, std::vector<std::string>& contacts)> shared_contacts;
  /// Reachability learnt from another server (--reg-event, --presence): a
  /// user without contacts here but reachable there is reached at its AOR.
  void set_external(std::function<bool(std::string_view aor)> f) { external_ = std::move(f); }
  /// The kinds of forward target the gateways take (`gateway_config::kinds`).
  void set_gateway_kinds(std::uint8_t k) { gateway_kinds_ = k; }

  /// The recipient a URI names (an AOR key, a To or Request-URI), or null
  /// when it is not a local user. Valid until the next call.
  auto lookup(std::string_view uri) -> sipsaf::recipient const*;
  /// The recipient for a local user name.
  auto of_user(std::string_view user) -> sipsaf::recipient const&;
  /// The user name of a local URI, or empty.
  auto user_of(std::string_view uri) const -> std::string;
  /// The queue of a gateway target (`email:ADDRESS`, `sms:+NUMBER`): always
  /// reachable through its gateway; null when no gateway takes that kind.
  auto gateway(std::string_view key) -> sipsaf::recipient const*;

 private:
  registrar& reg_;
  std::function<bool(sipsaf::uri_view const&)> is_local_;
  profiles_file const* profiles_ = nullptr;
  std::function<bool(std::string_view)> external_;
  std::uint8_t gateway_kinds_ = 0;
  sipsaf::recipient scratch_;
};

/// The engine's *Gateways*: `forward:SIP-URI` targets, which the proxy
/// sends itself, and the e-mail and SMS targets of the configured gateways
/// (gateways.cpp). The hand-off is recorded here and carried out once the
/// engine call has returned (the engine is not re-entrant).
class sip_gateways {
 public:
  struct handoff {
    sipsaf::forward_kind kind = sipsaf::forward_kind::sip;
    std::string target;  ///< the SIP URI, e-mail address or number
    std::string bytes;   ///< the request as received
  };
  auto can_forward(sipsaf::forward_kind k) const noexcept -> bool {
    return (kinds & (1u << static_cast<unsigned>(k))) != 0;
  }
  template <class Request>
  auto forward(Request const& r, sipsaf::forward_target const& t) -> std::error_code {
    if (!can_forward(t.kind)) return make_error_code(sipsaf::errc::unsupported);
    auto&& bytes = sipsaf::request_traits<Request>::bytes(r);
    pending.push_back(handoff{t.kind, t.address, std::string(std::string_view(bytes))});
    return {};
  }
  std::vector<handoff> pending;
  std::uint8_t kinds = 1u << static_cast<unsigned>(sipsaf::forward_kind::sip);
};

using engine_t = sipsaf::store_forward_engine<any_store&, directory&, std::chrono::system_clock,
                                              sip_gateways&, sipsaf::default_policy&>;

struct core_config {
  std::string domain;
  /// Our addresses (for Via sent-by, Record-Route, and to know a URI is ours).
  std::optional<std::pair<asio::ip::address, std::uint16_t>> udp, tcp, tls;
  sipsaf::engine_options engine;
  gateway_config gateways;            ///< e-mail and SMS (gateways.hpp)
  std::chrono::milliseconds t1{500};  ///< RFC 3261 §17.1.1.1
  std::chrono::milliseconds t2{4000};
  std::chrono::seconds timer_c{180};  ///< an INVITE ringing longer is cancelled (§16.6 step 11)
  /// A MESSAGE (INFO) delivery without an answer by then counts as not
  /// reached: shorter than Timer F, so the sender gets its 202 in time.
  std::chrono::milliseconds delivery_timeout{10000};
  /// Offered in this order in each challenge (RFC 8760 §2.4). MD5 alone by
  /// default: the clients people run give up on anything else (README).
  std::vector<example::digest::algorithm> digest_algorithms{example::digest::md5};
  /// Peers whose requests are taken without a challenge (`--trusted`).
  std::vector<address_block> trusted;
  /// The nonce key the proxies of one service share (`--nonce-secret`);
  /// none: a key of this process's own.
  std::optional<nonce_key> nonce_secret;
  std::size_t max_server_transactions = 20000;
  /// Open (unanswered) server transactions of one address: room for a full
  /// batch of datagrams (transport.cpp reads up to 1024 at once).
  std::size_t max_transactions_per_source = 1024;
  std::size_t max_sources = 4096;          ///< addresses holding transactions at once
  failure_backoff::config auth_backoff{};  ///< failed authentications, per source and user
  std::size_t max_client_transactions = 20000;
  std::size_t max_udp_message = 65535;
  std::size_t max_tcp_message = 4 * 1024 * 1024 + 64 * 1024;
  /// Another server tells reachability (RFC 3680 reg, RFC 3856 presence)
  /// and is the outbound proxy for deliveries to users it serves.
  std::string reg_event_uri, presence_uri;
  std::chrono::seconds subscription_expires{600};
};

class proxy_core {
 public:
  proxy_core(asio::io_context& io, core_config cfg, transports& tr, any_store& store,
             users_file users, profiles_file profiles);
  ~proxy_core();

  // From the transports.
  void on_message(std::string_view bytes, peer const& from);
  void on_stream_error(peer const& from, std::string_view bytes, sipsaf::errc code,
                       std::string const& reason);
  void on_unreachable(peer const& to);
  /// Whether a registration is reached over stream connection `id`.
  auto carries_registration(std::uint64_t id) const -> bool { return reg_.uses_connection(id); }
  void batch_begin();
  void batch_end();

  /// Starts the timers and runs the engine once (expiries due while down).
  void start();
  /// New users and profiles (SIGHUP).
  void reload(users_file users, profiles_file profiles);
  /// Several proxies, one service (cluster.hpp): shared registrations and
  /// wake-ups; `cluster_wake` runs the engine for what another proxy announced.
  void attach_cluster(cluster& c);
  void cluster_wake(std::vector<std::string> const& aors);
  /// Stops taking requests, finishes what is under way (at most `grace`),
  /// then calls `done`.
  void shutdown(std::chrono::milliseconds grace, std::function<void()> done);

 private:
  struct server_txn;
  struct client_txn;
  struct fork_ctx;

  // Requests.
  void on_request(std::unique_ptr<server_txn> st, sipsaf::message_view m, peer const& from);
  void route(server_txn& st);

  // Admission (admission.cpp): who sent it, may they, and where may it go.
  auto admit(server_txn& st) -> bool;
  auto authenticate(server_txn& st, bool registrar) -> std::optional<std::string>;
  void carry_identity(server_txn& st, std::string const& identity);
  auto may_send_to(peer const& source, std::string_view target) const -> bool;
  auto is_loop(sipsaf::message_view const& m) const -> bool;
  auto is_trusted(asio::ip::address const& a) const -> bool;
  template <class... A>
  void refusal_log(std::string_view kind, fmt::format_string<A...> f, A&&... a);
  void route_ack(sipsaf::message_view const& m, peer const& from);
  void handle_cancel(sipsaf::message_view const& m, peer const& from);
  void handle_register(server_txn& st, std::string_view user, std::string const& how);
  void to_local_user(server_txn& st, std::string const& user);
  void originate(std::string bytes, std::string what);

  // Reachability from another server (reachability_glue.cpp).
  void start_subscriptions();
  auto handle_notify(server_txn& st) -> bool;
  auto sent_by_us(sipsaf::message_view const& m) const -> bool;
  auto outbound_for(std::string const& aor, std::string const& target) -> std::optional<peer>;
  void watch(std::string const& aor);

  // Responses.
  void on_response(sipsaf::message_view const& m, peer const& from);
  /// A request whose storing failed: 503 while the shared store is out of
  /// reach (RFC 3261 §21.5.4), else 500.
  void respond_store_failed(server_txn& st);
  void respond(server_txn& st, int code, std::string_view reason,
               std::vector<std::pair<std::string, std::string>> extra = {}, bool durable = false);
  void send_response(server_txn& st, std::string bytes, int code, bool durable = false);

  // Forking and client transactions.
  auto new_fork(server_txn* st, std::string what) -> fork_ctx&;
  /// Where a request for `target` (a contact of `aor` or the AOR itself;
  /// with no `aor`, whatever it names) goes instead of the address the URI
  /// names (nothing: there).
  auto flow_for(std::string const& aor, std::string const& target) -> std::optional<peer>;
  auto start_branch(fork_ctx& f, std::string const& target_uri, std::optional<peer> flow,
                    std::function<std::string(std::string const& via)> make) -> bool;
  void proxy_to(server_txn& st, fork_ctx& f, std::vector<std::string> const& contacts,
                std::string const& aor);
  void branch_final(client_txn& ct, int code, std::string response, bool transport_error);
  void fork_maybe_done(std::uint64_t fork_id);
  void arm_client_timers(client_txn& ct);
  void send_cancel(client_txn& ct);
  void fail_branch(std::string const& key, bool transport_error);

  // The engine.
  void apply(sipsaf::outcome& o, server_txn* st, fork_ctx* f, std::string const& about);
  void deliver_stored(sipsaf::deliver_action const& a);
  void send_stored(fork_ctx& f, sipsaf::message_view const& orig,
                   std::optional<sipsaf::delivery_payload> cut);
  auto send_adapted(fork_ctx& f) -> bool;
  void notify_sender(sipsaf::notify_action const& n);
  void run_gateways();
  void hand_to_gateway(sip_gateways::handoff const& h);  // gateways.cpp
  void deliver_by_gateway(sipsaf::deliver_action const& a);
  void arm_engine_timer(sipsaf::timestamp at);

  // Helpers.
  auto is_local(sipsaf::uri_view const& u) const -> bool;
  auto is_self(std::string_view host, std::optional<std::uint16_t> port) const -> bool;
  auto resolve(std::string_view uri, std::string* error) -> std::optional<peer>;
  auto via_for(transport_kind k, std::string const& branch) const -> std::string;
  auto listener(transport_kind k) const -> std::pair<asio::ip::address, std::uint16_t>;
  auto record_route(transport_kind k, std::string const& token) const -> std::string;
  auto new_branch() -> std::string;
  auto new_token() -> std::string;
  auto server_key(sipsaf::message_view const& m, bool for_invite) const -> std::string;
  void send(peer const& to, std::string bytes, std::function<void(std::error_code)> on_error,
            std::string durable_key = {});
  void sweep();
  void shutdown_step();

  asio::io_context& io_;
  core_config cfg_;
  transports& tr_;
  any_store& store_;
  users_file users_;
  profiles_file profiles_;
  registrar reg_;
  digest_auth auth_;
  dialog_tokens dialogs_;
  per_source_count open_per_source_;
  failure_backoff failed_by_source_, failed_by_user_;
  log_limiter log_limit_;
  directory dir_;
  sip_gateways gateways_;
  sipsaf::default_policy policy_;
  std::unique_ptr<engine_t> engine_;
  cluster* cluster_ = nullptr;
  std::vector<std::unique_ptr<subscriptions>> watchers_;  // --reg-event, --presence
  std::vector<asio::ip::address> notifiers_;              // each one's server: its NOTIFYs' source
  std::optional<peer> outbound_;                          // the server they name
  std::string outbound_route_;                            // its Route value

  std::unordered_map<std::string, std::unique_ptr<server_txn>> server_;
  std::deque<std::string> answered_;  // server transactions in the order they were answered
  std::unordered_map<std::string, std::unique_ptr<client_txn>> client_;
  std::deque<std::string> completed_;  // client transactions in the order they completed
  std::unordered_map<std::uint64_t, std::unique_ptr<fork_ctx>> forks_;
  std::uint64_t last_fork_ = 0;
  std::uint64_t counter_ = 0;

  asio::system_timer engine_timer_;
  std::optional<sipsaf::timestamp> engine_timer_at_;
  asio::steady_timer sweep_timer_;
  std::chrono::steady_clock::time_point last_full_sweep_{};

  // Group commit: sends held back until the batch's stored messages are durable.
  struct held_send {
    peer to;
    std::string bytes;
    std::function<void(std::error_code)> on_error;
    std::string durable_key;  // a server transaction whose answer needs the commit
  };
  int batch_depth_ = 0;
  std::size_t batch_stores_ = 0;
  std::chrono::steady_clock::time_point batch_started_{};
  struct {
    std::uint64_t stored = 0, batched = 0, commits = 0;
    std::uint64_t unmatched_responses = 0, challenged = 0, refused = 0;
  } stats_;
  std::vector<held_send> held_;
  bool stopping_ = false;
  bool flushing_ = false;
  std::function<void()> shutdown_done_;
  steady::time_point shutdown_deadline_{}, flush_deadline_{};
  std::unique_ptr<asio::steady_timer> shutdown_timer_;
  std::unique_ptr<gateway_worker> worker_;  // last: stopped first
};

}  // namespace proxy

#endif  // SIPSAF_EXAMPLES_PROXY_PROXY_HPP
