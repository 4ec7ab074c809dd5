// sipsaf-ua: the command line. `parse_options` turns the arguments into
// `options` or throws `usage_error` with a message for the user; it opens
// nothing, so it is tested on its own.
#ifndef SIPSAF_EXAMPLES_UA_OPTIONS_HPP
#define SIPSAF_EXAMPLES_UA_OPTIONS_HPP

#include <sipsaf/ascii.hpp>
#include <sipsaf/mime/media_type.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace ua {

enum class transport_kind { udp, tcp, tls };

/// Where the agent listens and where its requests go.
struct net_settings {
  transport_kind transport = transport_kind::udp;
  std::string proxy_host = "127.0.0.1";
  std::uint16_t proxy_port = 5060;
  std::string local_host = "127.0.0.1";
  std::uint16_t local_port = 0;
  std::string ca_file;  ///< TLS: the CA the proxy's certificate must chain to
};

inline constexpr char const* usage_text = R"(usage: sipsaf-ua send   --user NAME --to USER [options]
       sipsaf-ua listen --user NAME [options]
       sipsaf-ua ping   [options]
       sipsaf-ua --help

A small SIP user agent for the sipsaf store-and-forward proxy.

Common options:
  --proxy HOST:PORT       where requests go (default 127.0.0.1:5060)
  --transport udp|tcp|tls (default udp)
  --ca FILE               tls: the CA the proxy's certificate must chain to
                          (default: the system's CAs)
  --local HOST[:PORT]     local address to bind and put in Via and Contact
                          (default 127.0.0.1, any free port)
  --domain NAME           the proxy's domain, the digest realm (default example.test)
  --user NAME             who this agent is: sip:NAME@DOMAIN (required)
  --password SECRET       answer digest challenges (RFC 3261 §22; MD5 or SHA-256,
                          RFC 8760); without it a challenge ends the request
  --algorithm ALG         answer only challenges of ALG: md5 | sha-256 | any
                          (default any: the first one offered that is supported)
  --timeout SECONDS       send: how long to wait for a final response (default 32);
                          listen: how long to run (default: until a signal)
  --json                  print one JSON object per line instead of plain words
  --verbose               also print every message sent and received
  --quiet                 print nothing but errors (the exit code tells)

send: sends one MESSAGE (or INVITE or INFO) and prints the responses.
  --to USER|URI           the recipient: bob, bob@host or sip:bob@host (required)
  --method M              MESSAGE | INVITE | INFO (default MESSAGE)
  --text TEXT             the text of the message
  --content-type TYPE     the type of the text (default text/plain;charset=UTF-8)
  --body-file FILE        send FILE as the whole body, typed by its extension
                          (or by --content-type)
  --attach FILE           attach FILE (repeatable): the body becomes multipart/mixed,
                          the text first, each file with its media type (by extension),
                          as binary (SIP is 8-bit clean, RFC 3261 §7.4)
  --base64                send attached files base64-encoded (RFC 2045 §6.8) instead
  --store CMD             do-not-store | store | store-and-forward
                          (store-and-forward-if-not-reached) in Request-Disposition
  --notify                ask to be told when it is delivered (Request-Disposition: notify)
  --disposition VALUE     more Request-Disposition directives, as written
  --expires SECONDS       the message's lifetime (Expires, RFC 3428)
  --header 'NAME: VALUE'  add a header field (repeatable)
  --call-id ID            use this Call-ID (default: a random one)
  --wait-imdn SECONDS     after a 202, wait this long for the delivery notification
                          (IMDN, RFC 5438, or the NOTIFY of the proxy's notify mode)
                          and print it; registers --user at this agent meanwhile
  --register              register --user at this agent while sending

listen: registers, prints each message that arrives, saves its attachments,
answers 200, and un-registers on exit (SIGINT, SIGTERM, --count, --timeout).
  --save-dir DIR          where attachments (decoded parts) are saved (default .)
  --count N               exit after N messages
  --expires SECONDS       registration lifetime asked for (default 3600; refreshed)
  --answer CODE           answer messages with CODE (default 200)
  --fail-first N          answer the first N messages with --fail-code instead
  --fail-code CODE        (default 480)
  --accept TYPES          take only bodies of these types (an Accept list, e.g.
                          text/plain): others get 415 with it (RFC 3261 §21.4.16)
  --no-register           do not register: just listen at --local
  --no-unregister         leave the registration in place on exit
  --fetch                 after registering, ask for the messages kept for pull
                          (`store`): an empty MESSAGE to one's own address

ping: sends OPTIONS to the proxy (RFC 3261 §11) and prints the answer; exit 0
when any final response came, 3 when none did within --timeout (default 2).
)";

struct options {
  std::string command;
  net_settings net;
  std::string domain = "example.test";
  std::string user;
  std::optional<std::string> password;
  std::string algorithm = "any";
  std::optional<double> timeout;
  bool json = false;
  bool verbose = false;
  bool quiet = false;
  // send
  std::string to;
  std::string method = "MESSAGE";
  std::optional<std::string> text;
  std::optional<std::string> content_type;
  std::optional<std::string> body_file;
  std::vector<std::string> attach;
  bool base64 = false;  // attachments base64-encoded instead of binary
  std::string store;
  bool notify = false;
  std::vector<std::string> dispositions;
  std::optional<std::uint32_t> expires;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string call_id;
  std::optional<double> wait_imdn;
  bool register_while_sending = false;
  // listen
  std::string save_dir = ".";
  std::optional<long> count;
  std::uint32_t reg_expires = 3600;
  int answer = 200;
  long fail_first = 0;
  int fail_code = 480;
  std::optional<std::string> accept;  // media ranges taken; others get 415
  bool no_register = false;
  bool no_unregister = false;
  bool fetch = false;
};

struct usage_error {
  std::string what;
};

inline auto split_host_port(std::string_view s, std::uint16_t default_port)
    -> std::optional<std::pair<std::string, std::uint16_t>> {
  std::string host;
  std::string_view port;
  if (!s.empty() && s.front() == '[') {  // [v6]:port
    auto close = s.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = std::string(s.substr(1, close - 1));
    s.remove_prefix(close + 1);
    if (!s.empty()) {
      if (s.front() != ':') return std::nullopt;
      port = s.substr(1);
    }
  } else {
    auto colon = s.rfind(':');
    host = std::string(s.substr(0, colon));
    if (colon != std::string_view::npos) port = s.substr(colon + 1);
  }
  if (host.empty()) return std::nullopt;
  if (port.empty()) return std::pair{host, default_port};
  unsigned long v = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<unsigned long>(c - '0');
    if (v > 65535) return std::nullopt;
  }
  return std::pair{host, static_cast<std::uint16_t>(v)};
}

inline auto to_number(std::string const& opt, std::string const& v, double lo, double hi)
    -> double {
  char* end = nullptr;
  double const d = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || !(d >= lo && d <= hi))
    throw usage_error{fmt::format("{}: expected a number from {} to {}, got '{}'", opt, lo, hi, v)};
  return d;
}

/// Reads the command line (without the program name); throws usage_error.
inline auto parse_options(std::vector<std::string> const& args) -> options {
  options o;
  if (args.empty()) throw usage_error{"a command is required: send or listen"};
  o.command = args[0];
  if (o.command == "--help" || o.command == "-h" || o.command == "help") {
    o.command = "help";
    return o;
  }
  if (o.command != "send" && o.command != "listen" && o.command != "ping")
    throw usage_error{"unknown command '" + o.command + "': expected send, listen or ping"};
  bool const send = o.command == "send";
  for (std::size_t i = 1; i < args.size(); ++i) {
    std::string name = args[i];
    std::optional<std::string> inline_value;
    if (auto eq = name.find('='); name.rfind("--", 0) == 0 && eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    auto value = [&]() -> std::string {
      if (inline_value) return *inline_value;
      if (i + 1 >= args.size()) throw usage_error{name + " needs a value"};
      return args[++i];
    };
    auto flag = [&] {
      if (inline_value) throw usage_error{name + " takes no value"};
    };
    auto only = [&](bool for_send) {
      if (for_send != send || o.command == "ping")
        throw usage_error{name + " is an option of '" + (for_send ? "send" : "listen") + "'"};
    };
    if (name == "--help" || name == "-h") {
      o.command = "help";
      return o;
    } else if (name == "--proxy") {
      auto hp = split_host_port(value(), 5060);
      if (!hp) throw usage_error{"--proxy: expected HOST:PORT"};
      std::tie(o.net.proxy_host, o.net.proxy_port) = *hp;
    } else if (name == "--transport") {
      auto t = value();
      if (t == "udp" || t == "UDP")
        o.net.transport = transport_kind::udp;
      else if (t == "tcp" || t == "TCP")
        o.net.transport = transport_kind::tcp;
      else if (t == "tls" || t == "TLS")
        o.net.transport = transport_kind::tls;
      else
        throw usage_error{"--transport: expected udp, tcp or tls"};
    } else if (name == "--ca") {
      o.net.ca_file = value();
    } else if (name == "--local") {
      auto hp = split_host_port(value(), 0);
      if (!hp) throw usage_error{"--local: expected HOST[:PORT]"};
      std::tie(o.net.local_host, o.net.local_port) = *hp;
    } else if (name == "--domain") {
      o.domain = value();
    } else if (name == "--user") {
      o.user = value();
    } else if (name == "--password") {
      o.password = value();
    } else if (name == "--algorithm") {
      o.algorithm = sipsaf::ascii_lower(value());
      if (o.algorithm != "any" && o.algorithm != "md5" && o.algorithm != "sha-256")
        throw usage_error{"--algorithm: expected md5, sha-256 or any"};
    } else if (name == "--timeout") {
      o.timeout = to_number(name, value(), 0, 1e7);
    } else if (name == "--json") {
      flag();
      o.json = true;
    } else if (name == "--verbose") {
      flag();
      o.verbose = true;
    } else if (name == "--quiet") {
      flag();
      o.quiet = true;
    } else if (name == "--to") {
      only(true);
      o.to = value();
    } else if (name == "--method") {
      only(true);
      o.method = value();
      if (o.method != "MESSAGE" && o.method != "INVITE" && o.method != "INFO")
        throw usage_error{"--method: expected MESSAGE, INVITE or INFO"};
    } else if (name == "--text") {
      only(true);
      o.text = value();
    } else if (name == "--content-type") {
      only(true);
      o.content_type = value();
      if (!sipsaf::parse_media_type(*o.content_type))
        throw usage_error{"--content-type: not a media type: " + *o.content_type};
    } else if (name == "--body-file") {
      only(true);
      o.body_file = value();
    } else if (name == "--attach") {
      only(true);
      o.attach.push_back(value());
    } else if (name == "--base64") {
      only(true);
      flag();
      o.base64 = true;
    } else if (name == "--store") {
      only(true);
      auto v = sipsaf::ascii_lower(value());
      if (v == "store-and-forward") v = "store-and-forward-if-not-reached";
      if (v != "do-not-store" && v != "store" && v != "store-and-forward-if-not-reached")
        throw usage_error{"--store: expected do-not-store, store or store-and-forward"};
      o.store = v;
    } else if (name == "--notify") {
      only(true);
      flag();
      o.notify = true;
    } else if (name == "--disposition") {
      only(true);
      o.dispositions.push_back(value());
    } else if (name == "--expires") {
      auto v = static_cast<std::uint32_t>(to_number(name, value(), 0, 4294967295.0));
      if (send)
        o.expires = v;
      else
        o.reg_expires = v;
    } else if (name == "--header") {
      only(true);
      auto h = value();
      auto colon = h.find(':');
      if (colon == std::string::npos || colon == 0)
        throw usage_error{"--header: expected 'NAME: VALUE'"};
      std::string v = h.substr(colon + 1);
      while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.erase(0, 1);
      o.headers.emplace_back(h.substr(0, colon), v);
    } else if (name == "--call-id") {
      only(true);
      o.call_id = value();
    } else if (name == "--wait-imdn") {
      only(true);
      o.wait_imdn = to_number(name, value(), 0, 1e7);
    } else if (name == "--register") {
      only(true);
      flag();
      o.register_while_sending = true;
    } else if (name == "--save-dir") {
      only(false);
      o.save_dir = value();
    } else if (name == "--count") {
      only(false);
      o.count = static_cast<long>(to_number(name, value(), 1, 1e9));
    } else if (name == "--answer") {
      only(false);
      o.answer = static_cast<int>(to_number(name, value(), 200, 699));
    } else if (name == "--fail-first") {
      only(false);
      o.fail_first = static_cast<long>(to_number(name, value(), 0, 1e9));
    } else if (name == "--fail-code") {
      only(false);
      o.fail_code = static_cast<int>(to_number(name, value(), 300, 699));
    } else if (name == "--accept") {
      only(false);
      o.accept = value();
      if (!sipsaf::parse_media_ranges(*o.accept))
        throw usage_error{"--accept: not a list of media types: " + *o.accept};
    } else if (name == "--no-register") {
      only(false);
      flag();
      o.no_register = true;
    } else if (name == "--fetch") {
      only(false);
      flag();
      o.fetch = true;
    } else if (name == "--no-unregister") {
      only(false);
      flag();
      o.no_unregister = true;
    } else {
      throw usage_error{"unknown option '" + args[i] + "'"};
    }
  }
  if (o.command == "ping" && o.user.empty()) o.user = "ping";
  if (o.user.empty()) throw usage_error{"--user is required"};
  if (send) {
    if (o.to.empty()) throw usage_error{"--to is required"};
    if (o.body_file && (!o.attach.empty() || o.text))
      throw usage_error{"--body-file cannot be combined with --text or --attach"};
    if (!o.text && !o.body_file && o.attach.empty()) o.text = "";
  }
  return o;
}

}  // namespace ua

#endif  // SIPSAF_EXAMPLES_UA_OPTIONS_HPP
