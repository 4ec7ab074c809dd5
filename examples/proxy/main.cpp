// sipsaf-proxy: a SIP registrar and proxy with a store-and-forward service.
//
//   sipsaf-proxy --domain NAME --users FILE --profiles FILE
//                [--udp HOST:PORT] [--tcp HOST:PORT]
//                [--tls HOST:PORT --cert FILE --key FILE]
//                [--store sqlite:PATH | --store memory | --store postgresql://...]
//                [--notify imdn|notify|none]
//                [--smtp smtp://HOST:PORT] [--sms-url URL] [--sms-segments N]
//                [--mms-domain DOMAIN]
//                [--digest-algorithms LIST] [--trusted ADDR[/BITS]]...
//
// Logs to standard error. SIGHUP reloads the users and profiles files;
// SIGTERM (or SIGINT) finishes what is under way and exits 0. Exit 1: the
// configuration or a socket could not be set up; exit 2: usage.
#include "any_store.hpp"
#include "cluster.hpp"
#include "config_files.hpp"
#include "log.hpp"
#include "options.hpp"
#include "proxy.hpp"
#include "transport.hpp"

#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>

#include <malloc.h>
#include <sys/resource.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace {

auto make_address(proxy::host_port const& hp) -> std::optional<boost::asio::ip::address> {
  boost::system::error_code ec;
  auto a = boost::asio::ip::make_address(hp.host == "localhost" ? "127.0.0.1" : hp.host, ec);
  if (ec) return std::nullopt;
  return a;
}

// Room for `wanted` connections: the soft limit of open files is raised to
// the hard one; fewer connections when even that is short (a connection
// refused for want of a descriptor would refuse everyone alike).
auto open_files_for(std::size_t wanted) -> std::size_t {
  constexpr std::size_t reserve = 64;  // listeners, the store, logs
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) != 0) return wanted;
  if (r.rlim_cur < r.rlim_max && r.rlim_cur < wanted + reserve) {
    r.rlim_cur = std::min<rlim_t>(r.rlim_max, wanted + reserve);
    ::setrlimit(RLIMIT_NOFILE, &r);
    ::getrlimit(RLIMIT_NOFILE, &r);
  }
  if (r.rlim_cur == RLIM_INFINITY || r.rlim_cur >= wanted + reserve) return wanted;
  std::size_t const n = r.rlim_cur > 2 * reserve ? r.rlim_cur - reserve : r.rlim_cur / 2;
  proxy::log::warn("{} open files at most: {} connections instead of {}", r.rlim_cur, n, wanted);
  return n;
}

// TLS 1.2 and later (RFC 3261 §26.3.1 asks for TLS; RFC 8996 retires 1.0
// and 1.1), with the certificate chain and key of `--cert` and `--key`.
auto make_tls_context(std::string const& cert, std::string const& key)
    -> std::unique_ptr<boost::asio::ssl::context> {
  namespace ssl = boost::asio::ssl;
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                   ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(cert, ec);
  if (ec) {
    proxy::log::error("--cert {}: {}", cert, ec.message());
    return nullptr;
  }
  ctx->use_private_key_file(key, ssl::context::pem, ec);
  if (ec) {
    proxy::log::error("--key {}: {}", key, ec.message());
    return nullptr;
  }
  return ctx;
}

}  // namespace

int main(int argc, char** argv) {
  // The store's statements allocate and free at the top of the heap for each
  // message; with glibc's default trim threshold (128 KiB) every one of them
  // gave the memory back to the kernel and asked for it again (brk, page
  // faults: a tenth of the CPU under load). Up to 8 MiB stay with us.
  mallopt(M_TRIM_THRESHOLD, 8 << 20);
  mallopt(M_TOP_PAD, 1 << 20);
  proxy::options opt;
  std::string const err =
      proxy::parse_options(std::vector<std::string>(argv + 1, argv + argc), opt);
  if (opt.help) {
    std::fputs(proxy::usage_text, stdout);
    return 0;
  }
  if (!err.empty()) {
    std::fprintf(stderr, "sipsaf-proxy: %s\n%s", err.c_str(), proxy::usage_text);
    return 2;
  }
  if (char const* d = std::getenv("SIPSAF_PROXY_DEBUG"); d != nullptr && *d != '0')
    proxy::log::threshold = proxy::log::level::debug;

  // The files: any error names the file and the line, and nothing starts.
  auto users = proxy::load_users(opt.users_file);
  if (!users) {
    proxy::log::error("{}", users.error().text());
    return 1;
  }
  proxy::gateway_config gateways;
  gateways.smtp_url = opt.smtp_url;
  gateways.sms_url = opt.sms_url;
  gateways.mms_domain = opt.mms_domain;
  gateways.helo = opt.domain;
  gateways.sms_max_segments = opt.sms_segments;
  if (!opt.mms_domain.empty() && opt.smtp_url.empty()) {
    proxy::log::error("--mms-domain needs --smtp: MM4 goes through the MTA");
    return 1;
  }
  if ((!opt.smtp_url.empty() || !opt.sms_url.empty()) && !proxy::gateways_available()) {
    proxy::log::error("--smtp and --sms-url need a build with libcurl");
    return 1;
  }
  auto profiles = proxy::load_profiles(opt.profiles_file, gateways.kinds());
  if (!profiles) {
    proxy::log::error("{}", profiles.error().text());
    return 1;
  }

  // The store: SQLite (durable) by default.
  std::unique_ptr<proxy::any_store> store;
  if (opt.memory_store) {
    store = std::make_unique<proxy::any_store>(sipsaf::memory_store());
  } else if (!opt.postgres_uri.empty()) {
    sipsaf::postgres_store_options po;
    po.lease = std::chrono::seconds(opt.lease_seconds);
    std::string why;
    auto s = sipsaf::postgres_store::open(opt.postgres_uri, po, &why);
    if (!s) {
      proxy::log::error("cannot open the PostgreSQL store: {}: {}", s.error().message(), why);
      return 1;
    }
    store = std::make_unique<proxy::any_store>(proxy::cluster_store(std::move(*s)));
  } else {
    auto s = sipsaf::sqlite_store::open(opt.sqlite_path);
    if (!s) {
      proxy::log::error("{}: cannot open the store: {}", opt.sqlite_path, s.error().message());
      return 1;
    }
    store = std::make_unique<proxy::any_store>(std::move(*s));
  }

  proxy::core_config cfg;
  cfg.domain = opt.domain;
  if (opt.udp) {
    auto a = make_address(*opt.udp);
    if (!a) {
      proxy::log::error("--udp {}: not an IP address", opt.udp->host);
      return 1;
    }
    cfg.udp = std::make_pair(*a, opt.udp->port);
  }
  if (opt.tcp) {
    auto a = make_address(*opt.tcp);
    if (!a) {
      proxy::log::error("--tcp {}: not an IP address", opt.tcp->host);
      return 1;
    }
    cfg.tcp = std::make_pair(*a, opt.tcp->port);
  }
  std::unique_ptr<boost::asio::ssl::context> tls;
  if (opt.tls) {
    auto a = make_address(*opt.tls);
    if (!a) {
      proxy::log::error("--tls {}: not an IP address", opt.tls->host);
      return 1;
    }
    cfg.tls = std::make_pair(*a, opt.tls->port);
    tls = make_tls_context(opt.cert_file, opt.key_file);
    if (!tls) return 1;
  }
  cfg.engine.notifications = opt.notify == "imdn"     ? sipsaf::notification_mode::imdn
                             : opt.notify == "notify" ? sipsaf::notification_mode::notify
                                                      : sipsaf::notification_mode::none;
  cfg.engine.retry.initial = std::chrono::seconds(opt.retry_seconds);
  cfg.reg_event_uri = opt.reg_event;
  cfg.presence_uri = opt.presence;
  cfg.subscription_expires = std::chrono::seconds(opt.subscription_expires);
  cfg.max_client_transactions = opt.max_client_transactions;
  cfg.gateways = gateways;
  cfg.digest_algorithms.clear();
  for (auto const& a : opt.digest_algorithms)
    cfg.digest_algorithms.push_back(*example::digest::parse_algorithm(a));  // checked by options
  for (auto const& t : opt.trusted) {
    auto b = proxy::parse_address_block(t);
    if (!b) {
      proxy::log::error("--trusted {}: expected ADDR or ADDR/BITS", t);
      return 1;
    }
    cfg.trusted.push_back(*b);
  }
  if (!opt.nonce_secret.empty()) {
    proxy::nonce_key key{};
    std::string why;
    if (!proxy::load_nonce_secret(opt.nonce_secret, key, why)) {
      proxy::log::error("--nonce-secret {}", why);
      return 1;
    }
    cfg.nonce_secret = key;
  }

  boost::asio::io_context io;
  std::unique_ptr<proxy::proxy_core> core;
  proxy::transport_limits limits;
  limits.max_connections = open_files_for(opt.max_connections);
  limits.max_connections_per_source = opt.connections_per_source;
  limits.unregistered_idle_timeout = std::chrono::seconds(opt.idle_unregistered_seconds);
  proxy::transports::handlers h;
  h.message = [&](std::string_view bytes, proxy::peer const& from) {
    core->on_message(bytes, from);
  };
  h.stream_error = [&](proxy::peer const& from, std::string_view bytes, sipsaf::errc code,
                       std::string const& why) { core->on_stream_error(from, bytes, code, why); };
  h.unreachable = [&](proxy::peer const& to) { core->on_unreachable(to); };
  h.carries_registration = [&](std::uint64_t id) { return core->carries_registration(id); };
  h.batch_begin = [&] { core->batch_begin(); };
  h.batch_end = [&] { core->batch_end(); };
  proxy::transports tr(io, limits, std::move(h));
  core = std::make_unique<proxy::proxy_core>(io, cfg, tr, *store, std::move(*users),
                                             std::move(*profiles));
  std::unique_ptr<proxy::cluster> cluster;
  if (auto* shared = store->cluster()) {
    cluster = std::make_unique<proxy::cluster>(
        io, *shared, [&](std::vector<std::string> const& aors) { core->cluster_wake(aors); });
    core->attach_cluster(*cluster);
  }
  try {
    if (cfg.udp) tr.open_udp(cfg.udp->first, cfg.udp->second);
    if (cfg.tcp) tr.open_tcp(cfg.tcp->first, cfg.tcp->second);
    if (cfg.tls) tr.open_tls(cfg.tls->first, cfg.tls->second, *tls);
  } catch (boost::system::system_error const& e) {
    proxy::log::error("cannot listen: {}", e.what());
    return 1;
  }
  std::string algs, peers;
  for (auto const& a : opt.digest_algorithms) algs += (algs.empty() ? "" : ",") + a;
  for (auto const& t : opt.trusted) peers += " " + t;
  proxy::log::info("digest {}; trusted peers:{}", algs, peers.empty() ? " none" : peers);
  std::string on;
  for (auto const& [name, hp] : {std::pair{"UDP", opt.udp}, {"TCP", opt.tcp}, {"TLS", opt.tls}})
    if (hp)
      on += (on.empty() ? "" : ", ") + std::string(name) + " " + hp->host + ":" +
            std::to_string(hp->port);
  proxy::log::info("sipsaf-proxy for {} on {}; store {}; notifications {}", opt.domain, on,
                   opt.memory_store ? std::string("memory")
                   : !opt.postgres_uri.empty()
                       ? "PostgreSQL (shared, as " + store->cluster()->db().owner() + ")"
                       : "sqlite:" + opt.sqlite_path,
                   opt.notify);
  core->start();
  if (cluster) {
    if (auto ec = cluster->start()) {
      proxy::log::error("cannot share registrations through PostgreSQL: {}", ec.message());
      return 1;
    }
  }

  boost::asio::signal_set signals(io, SIGTERM, SIGINT, SIGHUP);
  std::function<void(boost::system::error_code, int)> on_signal;
  bool stopping = false;
  on_signal = [&](boost::system::error_code ec, int sig) {
    if (ec) return;
    if (sig == SIGHUP) {
      auto u = proxy::load_users(opt.users_file);
      auto p = proxy::load_profiles(opt.profiles_file, gateways.kinds());
      if (!u)
        proxy::log::error("reload refused, keeping the old files: {}", u.error().text());
      else if (!p)
        proxy::log::error("reload refused, keeping the old files: {}", p.error().text());
      else
        core->reload(std::move(*u), std::move(*p));
      signals.async_wait(on_signal);
      return;
    }
    if (stopping) return;
    stopping = true;
    proxy::log::info("signal {}: finishing what is under way", sig);
    core->shutdown(std::chrono::seconds(8), [&] {
      signals.cancel();
      io.stop();
    });
  };
  signals.async_wait(on_signal);
  io.run();
  cluster.reset();
  core.reset();
  tr.close();
  return 0;
}
