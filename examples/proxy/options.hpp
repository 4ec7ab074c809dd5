// The proxy's command line:
//
//   sipsaf-proxy --domain NAME --users FILE --profiles FILE
//                [--udp HOST:PORT] [--tcp HOST:PORT]
//                [--store sqlite:PATH | --store memory | --store postgresql://...]
//                [--notify imdn|notify|none] [--retry SECONDS] [--lease SECONDS]
//                [--digest-algorithms LIST] [--trusted ADDR[/BITS]]...
//                [--nonce-secret FILE]
//                [--tls HOST:PORT --cert FILE --key FILE]
//                [--max-connections N] [--connections-per-source N]
//                [--max-client-transactions N]
//                [--idle-unregistered SECONDS]
//                [--reg-event SIP-URI] [--presence SIP-URI] [--subscription-expires SECONDS]
//                [--smtp smtp://HOST:PORT] [--sms-url URL] [--sms-segments N]
//                [--mms-domain DOMAIN]
//
// `--store postgresql://...` (a libpq connection URI; `postgres://` too):
// messages and registrations in PostgreSQL, shared by every proxy started
// with the same URI. `--lease`: how long a claimed message stays with the
// proxy delivering it (60 s); when that proxy dies, another delivers after it.
// `--nonce-secret FILE`: the key of the digest nonces, the same file for
// every proxy of a service, so that a challenge one proxy sent can be
// answered at another (at least 32 random bytes, readable by the owner only).
//
// Defaults: UDP and TCP on 127.0.0.1:5060, no TLS, `--store sqlite:sipsaf.db`,
// `--notify imdn`, first retry after 30 s, 1024 connections (fewer when
// the limit of open files is lower), 64 per source, a
// silent connection that carries no registration closed after 300 s.
// `--udp none` or `--tcp none` turns a transport off. Both `--opt value`
// and `--opt=value` work.
#ifndef SIPSAF_EXAMPLES_PROXY_OPTIONS_HPP
#define SIPSAF_EXAMPLES_PROXY_OPTIONS_HPP

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace proxy {

struct host_port {
  std::string host;
  std::uint16_t port = 5060;
};

struct options {
  std::string domain;
  std::string users_file;
  std::string profiles_file;
  std::optional<host_port> udp = host_port{"127.0.0.1", 5060};
  std::optional<host_port> tcp = host_port{"127.0.0.1", 5060};
  bool memory_store = false;
  std::string sqlite_path = "sipsaf.db";
  std::string postgres_uri;  // set: the shared PostgreSQL store
  unsigned lease_seconds = 60;
  std::string notify = "imdn";  // imdn | notify | none
  unsigned retry_seconds = 30;
  std::optional<host_port> tls;  ///< off unless given, with a certificate and its key
  std::string cert_file, key_file;
  unsigned max_connections = 1024;
  unsigned connections_per_source = 64;
  unsigned max_client_transactions = 20000;  ///< requests sent and not yet forgotten
  unsigned idle_unregistered_seconds = 300;
  std::string reg_event, presence;  // another server tells reachability (SIP URI)
  unsigned subscription_expires = 600;
  std::string smtp_url;       // e-mail targets: the MTA (libcurl SMTP)
  std::string sms_url;        // SMS targets: Kannel's sendsms, with username and password
  unsigned sms_segments = 6;  // the most segments one SMS message takes
  std::string mms_domain;     // MMS targets: their MMS Relay/Server, reached by MM4 over --smtp
  /// Digest algorithms offered, in order (RFC 8760 §2.4); see the README's table.
  std::vector<std::string> digest_algorithms{"MD5"};
  std::vector<std::string> trusted;  ///< ADDR or ADDR/BITS, checked by main
  std::string nonce_secret;          ///< a file, checked by main
  bool help = false;
};

inline constexpr char const* usage_text =
    "usage: sipsaf-proxy --domain NAME --users FILE --profiles FILE\n"
    "                    [--udp HOST:PORT|none] [--tcp HOST:PORT|none]\n"
    "                    [--store sqlite:PATH | --store memory | --store postgresql://...]\n"
    "                    [--notify imdn|notify|none] [--retry SECONDS] [--lease SECONDS]\n"
    "                    [--tls HOST:PORT --cert FILE --key FILE]\n"
    "                    [--max-connections N] [--connections-per-source N]\n"
    "                    [--max-client-transactions N]\n"
    "                    [--idle-unregistered SECONDS]\n"
    "                    [--reg-event SIP-URI] [--presence SIP-URI]\n"
    "                    [--subscription-expires SECONDS]\n"
    "                    [--smtp smtp://HOST:PORT] [--sms-url URL] [--sms-segments N]\n"
    "                    [--mms-domain DOMAIN]\n"

    "                    [--digest-algorithms md5|sha-256,md5|...] [--trusted ADDR[/BITS]]...\n"
    "                    [--nonce-secret FILE]\n";

/// `HOST:PORT`, `[V6]:PORT`, or `HOST` (port 5060).
inline auto parse_host_port(std::string_view s) -> std::optional<host_port> {
  host_port hp;
  std::string_view port;
  if (!s.empty() && s.front() == '[') {
    auto const close = s.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    hp.host = std::string(s.substr(1, close - 1));
    std::string_view rest = s.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = rest.substr(1);
    }
  } else {
    auto const colon = s.rfind(':');
    hp.host = std::string(s.substr(0, colon));
    if (colon != std::string_view::npos) port = s.substr(colon + 1);
    if (colon != std::string_view::npos && port.empty()) return std::nullopt;
  }
  if (hp.host.empty()) return std::nullopt;
  if (!port.empty()) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
    if (ec != std::errc() || p != port.data() + port.size() || v == 0 || v > 65535)
      return std::nullopt;
    hp.port = static_cast<std::uint16_t>(v);
  }
  return hp;
}

/// A host name of letters, digits and inner hyphens in dot-separated labels
/// (RFC 1123 §2.1), e.g. `mms.example.test`.
inline auto is_domain_name(std::string_view s) -> bool {
  if (s.empty() || s.size() > 253) return false;
  std::size_t label = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char const c = s[i];
    if (c == '.') {
      if (label == 0 || s[i - 1] == '-') return false;
      label = 0;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               (c == '-' && label > 0)) {
      if (++label > 63) return false;
    } else {
      return false;
    }
  }
  return label > 0 && s.back() != '-';
}

/// Parses argv; on an error returns a message for standard error.
inline auto parse_options(std::vector<std::string> const& args, options& o) -> std::string {
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string name = args[i];
    std::string value;
    bool has_value = false;
    if (name == "--help" || name == "-h") {
      o.help = true;
      continue;
    }
    if (name.rfind("--", 0) != 0) return "unexpected argument '" + name + "'";
    auto const eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    } else if (i + 1 < args.size()) {
      value = args[++i];
      has_value = true;
    }
    if (!has_value) return name + " needs a value";
    if (name == "--domain") {
      o.domain = value;
    } else if (name == "--users") {
      o.users_file = value;
    } else if (name == "--profiles") {
      o.profiles_file = value;
    } else if (name == "--udp" || name == "--tcp") {
      auto& slot = name == "--udp" ? o.udp : o.tcp;
      if (value == "none") {
        slot.reset();
      } else {
        auto hp = parse_host_port(value);
        if (!hp) return name + " " + value + ": expected HOST:PORT";
        slot = *hp;
      }
    } else if (name == "--store") {
      if (value == "memory") {
        o.memory_store = true;
      } else if (value.rfind("sqlite:", 0) == 0 && value.size() > 7) {
        o.memory_store = false;
        o.sqlite_path = value.substr(7);
      } else if (value.rfind("postgresql://", 0) == 0 || value.rfind("postgres://", 0) == 0) {
        o.memory_store = false;
        o.postgres_uri = value;
      } else {
        return "--store " + value + ": expected sqlite:PATH, memory or postgresql://...";
      }
    } else if (name == "--notify") {
      if (value != "imdn" && value != "notify" && value != "none")
        return "--notify " + value + ": expected imdn, notify or none";
      o.notify = value;
    } else if (name == "--retry" || name == "--max-connections" ||
               name == "--connections-per-source" || name == "--idle-unregistered" ||
               name == "--subscription-expires" || name == "--max-client-transactions") {
      unsigned v = 0;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (ec != std::errc() || p != value.data() + value.size() || v == 0)
        return name + " " + value + ": expected a positive number";
      (name == "--retry"                     ? o.retry_seconds
       : name == "--max-connections"         ? o.max_connections
       : name == "--connections-per-source"  ? o.connections_per_source
       : name == "--subscription-expires"    ? o.subscription_expires
       : name == "--max-client-transactions" ? o.max_client_transactions
                                             : o.idle_unregistered_seconds) = v;
    } else if (name == "--tls") {
      auto hp = parse_host_port(value);
      if (!hp) return name + " " + value + ": expected HOST:PORT";
      o.tls = *hp;
    } else if (name == "--reg-event" || name == "--presence") {
      if (value.rfind("sip:", 0) != 0 || value.size() <= 4)
        return name + " " + value + ": expected a SIP URI (sip:HOST:PORT)";
      (name == "--reg-event" ? o.reg_event : o.presence) = value;
    } else if (name == "--cert") {
      o.cert_file = value;
    } else if (name == "--key") {
      o.key_file = value;
    } else if (name == "--lease") {
      unsigned v = 0;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (ec != std::errc() || p != value.data() + value.size() || v == 0 || v > 86400)
        return "--lease " + value + ": expected 1 to 86400 seconds";
      o.lease_seconds = v;
    } else if (name == "--smtp") {
      if (value.rfind("smtp://", 0) != 0 && value.rfind("smtps://", 0) != 0)
        return "--smtp " + value + ": expected smtp://HOST:PORT";
      o.smtp_url = value;
    } else if (name == "--sms-url") {
      if (value.rfind("http://", 0) != 0 && value.rfind("https://", 0) != 0)
        return "--sms-url " + value + ": expected an http:// URL (Kannel's sendsms)";
      o.sms_url = value;
    } else if (name == "--mms-domain") {
      if (!is_domain_name(value))
        return "--mms-domain " + value + ": expected a domain name (the MMS Relay/Server's)";
      o.mms_domain = value;
    } else if (name == "--sms-segments") {
      unsigned v = 0;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (ec != std::errc() || p != value.data() + value.size() || v == 0 || v > 255)
        return "--sms-segments " + value + ": expected 1 to 255";
      o.sms_segments = v;
    } else if (name == "--digest-algorithms") {
      o.digest_algorithms.clear();
      std::string_view rest = value;
      while (true) {
        auto const comma = rest.find(',');
        std::string item(rest.substr(0, comma));
        for (char& c : item)
          if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        if (item != "MD5" && item != "SHA-256" && item != "SHA-512-256")
          return "--digest-algorithms " + value +
                 ": expected md5, sha-256 or sha-512-256, "
                 "comma-separated, most preferred first";
        o.digest_algorithms.push_back(item);
        if (comma == std::string_view::npos) break;
        rest = rest.substr(comma + 1);
      }
    } else if (name == "--trusted") {
      o.trusted.push_back(value);
    } else if (name == "--nonce-secret") {
      o.nonce_secret = value;
    } else {
      return "unknown option " + name;
    }
  }
  if (o.help) return {};
  if (o.domain.empty()) return "--domain is required";
  if (o.users_file.empty()) return "--users is required";
  if (o.profiles_file.empty()) return "--profiles is required";
  if (!o.udp && !o.tcp && !o.tls) return "at least one of --udp, --tcp and --tls must be on";
  if (o.tls && (o.cert_file.empty() || o.key_file.empty())) return "--tls needs --cert and --key";
  return {};
}

}  // namespace proxy

#endif  // SIPSAF_EXAMPLES_PROXY_OPTIONS_HPP
