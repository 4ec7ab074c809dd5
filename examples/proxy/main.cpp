// sipsaf-proxy: a SIP registrar and proxy with a store-and-forward service.
//
//   sipsaf-proxy --domain NAME --users FILE --profiles FILE
//                [--udp HOST:PORT] [--tcp HOST:PORT]
//                [--store sqlite:PATH | --store memory] [--notify imdn|notify|none]
//
// Logs to standard error. SIGHUP reloads the users and profiles files;
// SIGTERM (or SIGINT) finishes what is under way and exits 0. Exit 1: the
// configuration or a socket could not be set up; exit 2: usage.
#include "any_store.hpp"
#include "config_files.hpp"
#include "log.hpp"
#include "options.hpp"
#include "proxy.hpp"
#include "transport.hpp"

#include <boost/asio/signal_set.hpp>

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

}  // namespace

int main(int argc, char** argv) {
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
  auto profiles = proxy::load_profiles(opt.profiles_file);
  if (!profiles) {
    proxy::log::error("{}", profiles.error().text());
    return 1;
  }

  // The store: SQLite (durable) by default.
  std::unique_ptr<proxy::any_store> store;
  if (opt.memory_store) {
    store = std::make_unique<proxy::any_store>(sipsaf::memory_store());
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
  cfg.engine.notifications = opt.notify == "imdn"     ? sipsaf::notification_mode::imdn
                             : opt.notify == "notify" ? sipsaf::notification_mode::notify
                                                      : sipsaf::notification_mode::none;
  cfg.engine.retry.initial = std::chrono::seconds(opt.retry_seconds);

  boost::asio::io_context io;
  std::unique_ptr<proxy::proxy_core> core;
  proxy::transport_limits limits;
  proxy::transports::handlers h;
  h.message = [&](std::string_view bytes, proxy::peer const& from) {
    core->on_message(bytes, from);
  };
  h.stream_error = [&](proxy::peer const& from, std::string_view bytes, std::string const& why) {
    core->on_stream_error(from, bytes, why);
  };
  h.unreachable = [&](proxy::peer const& to) { core->on_unreachable(to); };
  h.batch_begin = [&] { core->batch_begin(); };
  h.batch_end = [&] { core->batch_end(); };
  proxy::transports tr(io, limits, std::move(h));
  core = std::make_unique<proxy::proxy_core>(io, cfg, tr, *store, std::move(*users),
                                             std::move(*profiles));
  try {
    if (cfg.udp) tr.open_udp(cfg.udp->first, cfg.udp->second);
    if (cfg.tcp) tr.open_tcp(cfg.tcp->first, cfg.tcp->second);
  } catch (boost::system::system_error const& e) {
    proxy::log::error("cannot listen: {}", e.what());
    return 1;
  }
  proxy::log::info("sipsaf-proxy for {} on {}{}{}; store {}; notifications {}", opt.domain,
                   opt.udp ? "UDP " + opt.udp->host + ":" + std::to_string(opt.udp->port) : "",
                   opt.udp && opt.tcp ? ", " : "",
                   opt.tcp ? "TCP " + opt.tcp->host + ":" + std::to_string(opt.tcp->port) : "",
                   opt.memory_store ? "memory" : "sqlite:" + opt.sqlite_path, opt.notify);
  core->start();

  boost::asio::signal_set signals(io, SIGTERM, SIGINT, SIGHUP);
  std::function<void(boost::system::error_code, int)> on_signal;
  bool stopping = false;
  on_signal = [&](boost::system::error_code ec, int sig) {
    if (ec) return;
    if (sig == SIGHUP) {
      auto u = proxy::load_users(opt.users_file);
      auto p = proxy::load_profiles(opt.profiles_file);
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
  core.reset();
  tr.close();
  return 0;
}
