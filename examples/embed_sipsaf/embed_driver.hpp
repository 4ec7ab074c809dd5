// The program shared by the embedding examples (sipsaf-embed-sipsaf,
// sipsaf-embed-sofia, sipsaf-embed-osip2): command line, engine set-up,
// the replayed cycle, and the printed output, identical for every stack so
// that their outputs can be compared line by line.
//
// What differs between stacks is a *Glue* type (see `run`): how the stack
// parses a message, which of its types is the engine's *Request*, and how
// the stack writes the messages the engine's actions ask for. The adapter
// headers next to each program do the real work; the glue only calls them
// and turns the stack's messages into text for printing.
#ifndef SIPSAF_EXAMPLES_EMBED_DRIVER_HPP
#define SIPSAF_EXAMPLES_EMBED_DRIVER_HPP

#include <sipsaf/message/header_values.hpp>
#include <sipsaf/policy/action.hpp>
#include <sipsaf/policy/decision.hpp>
#include <sipsaf/policy/default_policy.hpp>
#include <sipsaf/policy/engine.hpp>
#include <sipsaf/policy/profile.hpp>
#include <sipsaf/policy/request.hpp>
#include <sipsaf/reason_phrase.hpp>
#include <sipsaf/store/memory_store.hpp>
#include <sipsaf/testing/models.hpp>
#include <sipsaf/time.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace embed {

/// The host our own Via header fields name (the proxy running the engine).
inline constexpr std::string_view via_host = "sf.example.net";

/// A message the stack wrote, or why it could not.
struct rendered {
  std::string wire;
  std::string error;  ///< empty on success

  static auto fail(std::string why) -> rendered { return {{}, std::move(why)}; }
};

/// What a REGISTER says: the address-of-record (To) and its contacts.
struct registration {
  std::string aor;
  std::vector<std::string> contacts;
};

struct options {
  std::string input = "-";
  std::string recipient;  ///< the directory's recipient; default: the request's To URI
  sipsaf::reachability reach = sipsaf::reachability::unreachable;
  std::vector<std::string> contacts;
  sipsaf::recipient_profile profile;
  sipsaf::operator_defaults defaults;
  std::uint64_t stored = 0;       ///< earlier push messages already waiting
  std::uint8_t gateways = 0x03;   ///< sip and email
  sipsaf::engine_options engine;  ///< notifications, disposition mode
  std::string now = "Sat, 13 Nov 2010 23:30:00 GMT";
  bool replay = false;
  std::string register_file;
  std::vector<int> delivery_codes{200};
  std::string save;  ///< a folder to write each message to, as 1.sip, 2.sip, ...
};

inline auto usage(std::string_view program) -> std::string {
  std::string u = "usage: ";
  u += program;
  u += R"( [options] [FILE | -]
Reads one SIP request (FILE, or standard input), parses it with the stack,
runs it through sipsaf's store-and-forward engine (memory store) and prints
the decision, its trace, the actions and the messages the stack would send.

recipient (the directory):
  --recipient URI            the recipient the directory knows (default: the To URI)
  --reach STATE              unreachable (default), reachable or busy
  --contact URI              a contact of the recipient (repeatable)
  --stored N                 N earlier push messages wait for the recipient
profile:
  --store-and-forward V      no | yes | notify | forward:URI | email:ADDR | mms:NUM | sms:NUM
  --accepts LIST             accepted media ranges, e.g. 'text/plain, image/*'
  --class NAME               subscriber class
  --quota-messages N  --quota-bytes N  --lifetime SECONDS
operator:
  --default-store-and-forward V  --default-accepts LIST  --store-classes A,B
  --max-message-bytes N
  --gateways LIST            sip,email,mms,sms or none (default sip,email)
  --notifications MODE       imdn (default), notify or none
  --notify-stored            also notify "stored"
  --strict                   RFC 3841 strict Request-Disposition (no store tokens)
  --now DATE                 the clock, RFC 1123 (default 'Sat, 13 Nov 2010 23:30:00 GMT')
replay (the request, while offline unless --reach says otherwise; the
recipient's REGISTER; each delivery answered by the recipient; retries):
  --replay                   replay the whole cycle
  --register FILE            the REGISTER to replay (default: one for the To URI)
  --delivery-codes LIST      the recipient's final responses, one per attempt (default 200)
output:
  --save DIR                 also write each message sent or received to DIR/1.sip, 2.sip, ...
)";
  return u;
}

inline auto split_list(std::string_view s) -> std::vector<std::string> {
  std::vector<std::string> out;
  std::size_t b = 0;
  while (b <= s.size()) {
    std::size_t e = s.find(',', b);
    if (e == std::string_view::npos) e = s.size();
    std::string_view item = s.substr(b, e - b);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    b = e + 1;
  }
  return out;
}

inline auto parse_number(std::string_view s, std::uint64_t& out) -> bool {
  if (s.empty() || s.size() > 18) return false;
  std::uint64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  out = n;
  return true;
}

/// Reads the command line into `o`; false with `why` on a bad one.
inline auto parse_options(int argc, char** argv, options& o, std::string& why) -> bool {
  bool have_input = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view const a = argv[i];
    auto value = [&](std::string_view& v) -> bool {
      if (i + 1 >= argc) {
        why = std::string(a) + " needs a value";
        return false;
      }
      v = argv[++i];
      return true;
    };
    auto number = [&](std::uint64_t& n) -> bool {
      std::string_view v;
      if (!value(v)) return false;
      if (!parse_number(v, n)) {
        why = std::string(a) + ": not a number: " + std::string(v);
        return false;
      }
      return true;
    };
    auto setting = [&](sipsaf::store_and_forward& s) -> bool {
      std::string_view v;
      if (!value(v)) return false;
      auto r = sipsaf::parse_store_and_forward(v);
      if (!r) {
        why = std::string(a) + ": " + r.error().message();
        return false;
      }
      s = *r;
      return true;
    };
    auto ranges = [&](std::optional<sipsaf::media_ranges>& m) -> bool {
      std::string_view v;
      if (!value(v)) return false;
      auto r = sipsaf::media_ranges::parse(v);
      if (!r) {
        why = std::string(a) + ": " + r.error().message();
        return false;
      }
      m = std::move(*r);
      return true;
    };
    std::string_view v;
    std::uint64_t n = 0;
    if (a == "--recipient") {
      if (!value(v)) return false;
      o.recipient = std::string(v);
    } else if (a == "--reach") {
      if (!value(v)) return false;
      if (v == "unreachable")
        o.reach = sipsaf::reachability::unreachable;
      else if (v == "reachable")
        o.reach = sipsaf::reachability::reachable;
      else if (v == "busy")
        o.reach = sipsaf::reachability::busy;
      else
        return why = "--reach: unreachable, reachable or busy", false;
    } else if (a == "--contact") {
      if (!value(v)) return false;
      o.contacts.emplace_back(v);
    } else if (a == "--stored") {
      if (!number(o.stored)) return false;
    } else if (a == "--store-and-forward") {
      if (!setting(o.profile.store)) return false;
    } else if (a == "--accepts") {
      if (!ranges(o.profile.accepts)) return false;
    } else if (a == "--class") {
      if (!value(v)) return false;
      o.profile.subscriber_class = std::string(v);
    } else if (a == "--quota-messages") {
      if (!number(n)) return false;
      o.profile.quota_messages = n;
    } else if (a == "--quota-bytes") {
      if (!number(n)) return false;
      o.profile.quota_bytes = n;
    } else if (a == "--lifetime") {
      if (!number(n)) return false;
      o.profile.max_lifetime = std::chrono::seconds(static_cast<std::int64_t>(n));
    } else if (a == "--default-store-and-forward") {
      if (!setting(o.defaults.store)) return false;
    } else if (a == "--default-accepts") {
      if (!ranges(o.defaults.accepts)) return false;
    } else if (a == "--store-classes") {
      if (!value(v)) return false;
      o.defaults.store_classes = split_list(v);
    } else if (a == "--max-message-bytes") {
      if (!number(o.defaults.max_message_bytes)) return false;
    } else if (a == "--gateways") {
      if (!value(v)) return false;
      o.gateways = 0;
      for (auto const& k : split_list(v)) {
        if (k == "sip")
          o.gateways |= 1u << static_cast<unsigned>(sipsaf::forward_kind::sip);
        else if (k == "email")
          o.gateways |= 1u << static_cast<unsigned>(sipsaf::forward_kind::email);
        else if (k == "mms")
          o.gateways |= 1u << static_cast<unsigned>(sipsaf::forward_kind::mms);
        else if (k == "sms")
          o.gateways |= 1u << static_cast<unsigned>(sipsaf::forward_kind::sms);
        else if (k != "none")
          return why = "--gateways: sip, email, mms, sms or none", false;
      }
    } else if (a == "--notifications") {
      if (!value(v)) return false;
      if (v == "imdn")
        o.engine.notifications = sipsaf::notification_mode::imdn;
      else if (v == "notify")
        o.engine.notifications = sipsaf::notification_mode::notify;
      else if (v == "none")
        o.engine.notifications = sipsaf::notification_mode::none;
      else
        return why = "--notifications: imdn, notify or none", false;
    } else if (a == "--notify-stored") {
      o.engine.notify_stored = true;
    } else if (a == "--strict") {
      o.engine.disposition.mode = sipsaf::disposition_mode::strict;
    } else if (a == "--now") {
      if (!value(v)) return false;
      o.now = std::string(v);
    } else if (a == "--replay") {
      o.replay = true;
    } else if (a == "--register") {
      if (!value(v)) return false;
      o.register_file = std::string(v);
    } else if (a == "--delivery-codes") {
      if (!value(v)) return false;
      o.delivery_codes.clear();
      for (auto const& c : split_list(v)) {
        if (!parse_number(c, n) || n < 100 || n > 699)
          return why = "--delivery-codes: status codes 100..699", false;
        o.delivery_codes.push_back(static_cast<int>(n));
      }
      if (o.delivery_codes.empty()) return why = "--delivery-codes: at least one code", false;
    } else if (a == "--save") {
      if (!value(v)) return false;
      o.save = std::string(v);
    } else if (a == "-h" || a == "--help") {
      return why.clear(), false;
    } else if (a.size() > 1 && a.front() == '-') {
      return why = "unknown option " + std::string(a), false;
    } else {
      if (have_input) return why = "one request at a time", false;
      o.input = std::string(a);
      have_input = true;
    }
  }
  return true;
}

inline auto read_input(std::string const& name, std::string& out) -> bool {
  if (name == "-") {
    out.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    return true;
  }
  std::error_code ec;
  if (std::filesystem::is_directory(name, ec)) return false;
  std::ifstream f(name, std::ios::binary);
  if (!f) return false;
  std::ostringstream all;
  all << f.rdbuf();
  if (f.bad()) return false;
  out = std::move(all).str();
  return true;
}

/// The user part and host of a SIP URI ("sip:bob@example.com").
/// When a stored delivery's message arrived, if the engine said (the Date
/// a delivery carries when the request had none).
inline auto arrival(sipsaf::deliver_action const& a) -> std::optional<sipsaf::timestamp> {
  if (a.arrived == sipsaf::timestamp{}) return std::nullopt;
  return a.arrived;
}

inline auto uri_user(std::string_view uri) -> std::string {
  std::size_t const colon = uri.find(':');
  std::size_t const at = uri.find('@');
  if (colon == std::string_view::npos || at == std::string_view::npos || at < colon) return "user";
  return std::string(uri.substr(colon + 1, at - colon - 1));
}
inline auto uri_host(std::string_view uri) -> std::string {
  std::size_t const at = uri.find('@');
  std::size_t b = at == std::string_view::npos ? uri.find(':') : at;
  if (b == std::string_view::npos) return std::string(uri);
  std::size_t const e = uri.find_first_of(";?>", b + 1);
  return std::string(uri.substr(b + 1, e == std::string_view::npos ? e : e - b - 1));
}

/// Writes a message indented by two spaces, one line per SIP line.
inline void print_wire(std::ostream& os, std::string_view wire) {
  std::size_t b = 0;
  while (b < wire.size()) {
    std::size_t e = wire.find('\n', b);
    std::size_t next = e == std::string_view::npos ? wire.size() : e + 1;
    if (e == std::string_view::npos) e = wire.size();
    if (e > b && wire[e - 1] == '\r') --e;
    os << "  " << wire.substr(b, e - b) << '\n';
    b = next;
  }
}

inline void print_rendered(std::ostream& os, rendered const& r) {
  if (!r.error.empty())
    os << "  (the stack could not write it: " << r.error << ")\n";
  else
    print_wire(os, r.wire);
}

/// The engine and everything around it, for one run.
struct world {
  using engine_type =
      sipsaf::store_forward_engine<sipsaf::memory_store&, sipsaf::static_directory&,
                                   sipsaf::manual_clock&, sipsaf::recording_gateways&>;

  sipsaf::memory_store store;
  sipsaf::static_directory directory;
  sipsaf::manual_clock clock;
  sipsaf::recording_gateways gateways;
  engine_type engine;

  world(options const& o, sipsaf::timestamp now)
      : clock(now),
        gateways(o.gateways),
        engine(store, directory, clock, gateways, sipsaf::default_policy{o.defaults}, o.engine) {}
};

/// A stored message for `key` that was there before the run (`--stored`).
inline auto earlier_message(std::string const& key, std::uint64_t i, sipsaf::timestamp now)
    -> sipsaf::stored_message {
  std::string const n = std::to_string(i);
  sipsaf::stored_message m;
  m.env.recipient = key;
  m.env.sender = "sip:earlier@example.com";
  m.env.to = key;
  m.env.call_id = "earlier-" + n + "@example.com";
  m.env.cseq = 1;
  m.env.from_tag = "e" + n;
  m.env.mode = sipsaf::delivery_mode::push;
  m.env.arrived = now - std::chrono::hours(1);
  m.env.expires_at = now + std::chrono::hours(24);
  m.bytes =
      "MESSAGE " + key + " SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKearlier" + n +
      "\r\nMax-Forwards: 70\r\nFrom: <sip:earlier@example.com>;tag=e" + n + "\r\nTo: <" + key +
      ">\r\nCall-ID: earlier-" + n +
      "@example.com\r\nCSeq: 1 MESSAGE\r\nContent-Type: text/plain\r\nContent-Length: 7\r\n\r\n"
      "earlier";
  return m;
}

// The table keeps one row per line, as Markdown needs.
// clang-format off
/// The run, over a *Glue* type `G`:
///
/// | Expression | Type | Semantics |
/// |---|---|---|
/// | `G::name` | `char const*` | the stack's name |
/// | `G::version()` | `std::string` | its version |
/// | `G::message` | | a movable owner of one parsed message |
/// | `G::parse(w, why)` | `std::optional<G::message>` | parses the bytes `w` with the stack |
/// | `G::request(m)` | `R const&` | the stack's own type, a model of *Request* |
/// | `G::status(m)` | `int` | a response's status code (0 for a request) |
/// | `G::registration(m)` | `registration` | the AOR and contacts of a REGISTER |
/// | `G::response(m, code, reason, accept, tag)` | `rendered` | the stack's response to `m` |
/// | `G::proxy(m, target, branch)` | `rendered` | `m` proxied to `target` |
/// | `G::delivery(a, target, branch)` | `rendered` | the stored request of `deliver_action a` as a new MESSAGE |
/// | `G::notification(n, branch, tag, call_id)` | `rendered` | the IMDN or NOTIFY |
// clang-format on
template <class G>
class runner {
 public:
  using message = typename G::message;

  runner(options o, sipsaf::timestamp now, std::ostream& os)
      : opt_(std::move(o)), w_(opt_, now), os_(os) {}

  /// One request, decided with the recipient as the options describe it.
  auto single(message const& m) -> int {
    setup(m, opt_.reach);
    sipsaf::outcome out;
    w_.engine.on_request(G::request(m), out);
    report(out, &m);
    return 0;
  }

  /// The whole cycle: the request (while the recipient is offline, unless
  /// --reach says otherwise), the answers to any delivery, the recipient's
  /// REGISTER, then each delivery answered by the recipient and each retry,
  /// until nothing is left to do.
  auto replay(message const& m) -> int {
    setup(m, opt_.reach);
    os_ << "== step 1: the request arrives while " << key_ << " is "
        << sipsaf::to_string(opt_.reach) << '\n';
    sipsaf::outcome out;
    w_.engine.on_request(G::request(m), out);
    report(out, &m);
    drain(false);

    std::string reg;
    if (!opt_.register_file.empty()) {
      if (!read_input(opt_.register_file, reg)) {
        std::cerr << "cannot read " << opt_.register_file << '\n';
        return 2;
      }
    } else {
      reg = default_register();
    }
    std::string why;
    auto parsed = G::parse(reg, why);
    if (!parsed) {
      std::cerr << G::name << " refused the REGISTER: " << why << '\n';
      return 1;
    }
    registration r = G::registration(*parsed);
    os_ << "== step " << step_++ << ": REGISTER " << r.aor;
    for (auto const& c : r.contacts) os_ << " at " << c;
    os_ << '\n';
    w_.directory.set_contacts(r.aor, r.contacts);
    w_.engine.on_reachable(r.aor, out);
    report(out, nullptr);
    if (pending_.empty() && w_.store.usage(key_)->messages > 0) {
      os_ << "== step " << step_++ << ": " << key_ << " fetches its stored messages\n";
      w_.engine.on_fetch(r.aor, 16, out);
      report(out, nullptr);
    }
    drain(true);
    os_ << "== end: " << w_.store.usage(key_)->messages << " message(s) stored for " << key_
        << '\n';
    return 0;
  }

  /// Prints a message the stack wrote (and saves it with --save).
  void show(rendered const& r) {
    print_rendered(os_, r);
    if (opt_.save.empty()) return;
    std::string const file = opt_.save + "/" + std::to_string(++saved_) + ".sip";
    std::ofstream f(file, std::ios::binary);
    f << (r.error.empty() ? r.wire : "unwritten: " + r.error);
    if (!f) std::cerr << "cannot write " << file << '\n';
  }

  /// Keeps the request so that a relayed answer can be written later.
  void keep_origin(message m) { origin_ = std::move(m); }

 private:
  /// Answers each delivery in flight as the recipient would (the stack
  /// writes the response and reads its status back); with `timers`, moves
  /// the clock to each wake-up the engine asks for while messages wait.
  void drain(bool timers) {
    sipsaf::outcome out;
    std::string why;
    for (int guard = 0; guard < 40; ++guard) {
      if (pending_.empty()) {
        // Nothing in flight: wait for the engine's next wake-up, as long as
        // something is still held for the recipient.
        if (!timers || !wake_ || w_.store.usage(key_)->messages == 0) return;
        os_ << "== step " << step_++ << ": the clock moves to " << sipsaf::format_rfc3339(*wake_)
            << '\n';
        w_.clock.set(*wake_);
        wake_.reset();
        w_.engine.on_timer(out);
        report(out, nullptr);
        continue;
      }
      delivery d = std::move(pending_.front());
      pending_.pop_front();
      int const code = opt_.delivery_codes[std::min(attempts_, opt_.delivery_codes.size() - 1)];
      ++attempts_;
      os_ << "== step " << step_++ << ": " << d.target << " answers delivery " << d.id << " with "
          << code << '\n';
      rendered answer = rendered::fail("nothing was sent");
      int got = code;
      if (d.sent) {
        answer = G::response(*d.sent, code, sipsaf::reason_phrase(code), {},
                             "rcpt-" + std::to_string(d.id));
        if (answer.error.empty()) {
          auto back = G::parse(answer.wire, why);
          got = back ? G::status(*back) : 0;
        }
      }
      os_ << "receive: response " << got << '\n';
      show(answer);
      w_.engine.on_delivery_result(d.id, got, out);
      report(out, origin_ ? &*origin_ : nullptr);
    }
  }

  struct delivery {
    sipsaf::delivery_id id = 0;
    std::string target;
    std::optional<message> sent;  // the delivered request, parsed back
  };

  void setup(message const& m, sipsaf::reachability reach) {
    using T = sipsaf::request_traits<std::decay_t<decltype(G::request(m))>>;
    auto&& to = T::to_uri(G::request(m));
    std::string const to_uri(std::string_view{to});
    key_ = sipsaf::static_directory::normalize(opt_.recipient.empty() ? to_uri : opt_.recipient);
    sipsaf::recipient who;
    who.key = key_;
    who.profile = opt_.profile;
    // A request whose To the stack could not read names nobody the
    // directory knows (the engine answers 404).
    if (!key_.empty()) w_.directory.set(who);
    if (opt_.contacts.empty()) opt_.contacts.push_back("sip:" + uri_user(key_) + "@192.0.2.7:5060");
    if (reach != sipsaf::reachability::unreachable)
      w_.directory.set_contacts(key_, opt_.contacts, reach);
    for (std::uint64_t i = 1; i <= opt_.stored; ++i)
      (void)w_.store.put(earlier_message(key_, i, w_.clock.now()));
    print_request(m);
  }

  void print_request(message const& m) {
    auto const& r = G::request(m);
    using T = sipsaf::request_traits<std::decay_t<decltype(r)>>;
    auto sv = [](auto&& v) { return std::string(std::string_view(v)); };
    os_ << "stack: " << G::name << ' ' << G::version() << '\n';
    os_ << "request: " << sv(T::method(r)) << " from " << sv(T::from_uri(r)) << " (tag "
        << sv(T::from_tag(r)) << ") to " << sv(T::to_uri(r)) << ", Call-ID " << sv(T::call_id(r))
        << ", CSeq " << sipsaf::request_cseq(r).value_or(0) << ", "
        << std::string_view(T::bytes(r)).size() << " bytes, body "
        << std::string_view(T::body(r)).size() << " bytes\n";
    std::string rd;
    sipsaf::for_each_request_disposition_row(r, [&](std::string_view row) {
      if (!rd.empty()) rd += " | ";
      rd += row;
    });
    os_ << "headers: Content-Type '" << sv(T::content_type(r)) << "', Date '" << sv(T::date(r))
        << "', Expires '" << sv(T::expires(r)) << "', Request-Disposition '" << rd << "'\n";
  }

  auto default_register() const -> std::string {
    std::string const host = uri_host(key_);
    std::string reg = "REGISTER sip:" + host +
                      " SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bKreg1\r\n"
                      "Max-Forwards: 70\r\nFrom: <" +
                      key_ + ">;tag=reg1\r\nTo: <" + key_ +
                      ">\r\nCall-ID: reg-1@192.0.2.7\r\nCSeq: 1 REGISTER\r\n";
    for (auto const& c : opt_.contacts) reg += "Contact: <" + c + ">\r\n";
    reg += "Expires: 3600\r\nContent-Length: 0\r\n\r\n";
    return reg;
  }

  void report(sipsaf::outcome const& out, message const* request) {
    if (out.decided) {
      sipsaf::decision const& d = *out.decided;
      os_ << "decision: " << sipsaf::to_string(d.what);
      if (d.what == sipsaf::verdict::store) os_ << ' ' << sipsaf::to_string(d.mode);
      if (d.notify) os_ << ", notify";
      os_ << '\n';
      if (d.code != 0)
        os_ << "code: " << d.code << ' ' << d.reason << '\n';
      else
        os_ << "code: none\n";
      os_ << "rule: " << sipsaf::to_string(d.trace.fired) << '\n';
      os_ << "trace: " << out.log << '\n';
    }
    for (auto const& a : out.actions) std::visit([&](auto const& x) { act(x, request); }, a);
  }

  void act(sipsaf::respond_action const& a, message const* request) {
    if (a.relay)
      os_ << "action: relay the recipient's " << a.code << '\n';
    else
      os_ << "action: respond " << a.code << ' ' << a.reason
          << (a.accept.empty() ? std::string() : " (Accept: " + a.accept + ")") << '\n';
    if (request == nullptr) return;
    std::string const reason = a.relay ? std::string(sipsaf::reason_phrase(a.code)) : a.reason;
    os_ << "send: response " << a.code << ' ' << reason << " to the sender\n";
    show(G::response(*request, a.code, reason, a.accept, "sf-" + tag_of(*request)));
  }

  void act(sipsaf::deliver_action const& a, message const* request) {
    os_ << "action: deliver #" << a.id << " to " << a.recipient << " at "
        << (a.contacts.empty() ? std::string("(no contact)") : a.contacts.front());
    if (a.live)
      os_ << " (the request itself)\n";
    else
      os_ << " (stored message " << a.message << ", " << sipsaf::to_string(a.mode) << ", attempt "
          << a.attempt << ", " << a.bytes.size() << " bytes)\n";
    if (a.contacts.empty()) return;
    std::string const branch = "z9hG4bK-sf-" + std::to_string(a.id);
    rendered r = rendered::fail("the request being handled is not at hand");
    if (a.live && request != nullptr)
      r = G::proxy(*request, a.contacts.front(), branch);
    else if (!a.live)
      r = G::delivery(a, a.contacts.front(), branch);
    os_ << "send: " << (a.live ? "proxied request" : "MESSAGE") << " to " << a.contacts.front()
        << '\n';
    show(r);
    delivery d;
    d.id = a.id;
    d.target = a.contacts.front();
    if (r.error.empty()) {
      std::string why;
      d.sent = G::parse(r.wire, why);
    }
    pending_.push_back(std::move(d));
  }

  void act(sipsaf::store_action const& a, message const*) {
    os_ << "action: store message " << a.id << " for " << a.recipient << ", "
        << sipsaf::to_string(a.mode) << ", until " << sipsaf::format_rfc3339(a.expires_at)
        << (a.notify ? ", notify" : "") << '\n';
  }

  void act(sipsaf::forward_action const& a, message const*) {
    os_ << "action: forward to " << sipsaf::to_string(a.target) << " (the gateway took it)\n";
  }

  void act(sipsaf::notify_action const& a, message const*) {
    os_ << "action: notify " << a.to << ": " << sipsaf::to_string(a.status) << " (" << a.method
        << ", " << a.content_type << ")\n";
    std::string const n = std::to_string(a.message) + "-" + sipsaf::to_string(a.status);
    os_ << "send: " << a.method << " to " << a.to << '\n';
    show(G::notification(a, "z9hG4bK-sf-n" + n, "sf-n" + n,
                         "notify-" + n + "@" + std::string(via_host)));
  }

  void act(sipsaf::schedule_action const& a, message const*) {
    os_ << "action: wake up at " << sipsaf::format_rfc3339(a.at) << '\n';
    wake_ = a.at;
  }

  void act(sipsaf::expire_action const& a, message const*) {
    os_ << "action: remove message " << a.id << " for " << a.recipient << ": "
        << sipsaf::to_string(a.status) << " (" << a.reason << ")\n";
  }

  void act(sipsaf::fault_action const& a, message const*) {
    os_ << "action: fault: " << a.what << '\n';
  }

  auto tag_of(message const& m) const -> std::string {
    using T = sipsaf::request_traits<std::decay_t<decltype(G::request(m))>>;
    return std::string(std::string_view(T::from_tag(G::request(m))));
  }

  options opt_;
  world w_;
  std::ostream& os_;
  std::string key_;
  std::deque<delivery> pending_;
  std::optional<sipsaf::timestamp> wake_;
  std::optional<message> origin_;
  unsigned saved_ = 0;
  int step_ = 2;
  std::size_t attempts_ = 0;
};

/// The whole program: options, input, the stack's parse, then one run.
template <class G>
auto run(int argc, char** argv, std::string_view program) -> int {
  options o;
  std::string why;
  if (!parse_options(argc, argv, o, why)) {
    if (why.empty()) {  // --help
      std::cout << usage(program);
      return 0;
    }
    std::cerr << program << ": " << why << '\n' << usage(program);
    return 2;
  }
  auto now = sipsaf::parse_sip_timestamp(o.now);
  if (!now) {
    std::cerr << program << ": --now: " << now.error().message() << '\n';
    return 2;
  }
  std::string wire;
  if (!read_input(o.input, wire)) {
    std::cerr << program << ": cannot read " << o.input << '\n';
    return 2;
  }
  auto m = G::parse(wire, why);
  if (!m) {
    std::cout << "stack: " << G::name << ' ' << G::version() << '\n';
    std::cout << "error: the stack refused the request\n";
    std::cerr << program << ": " << G::name << " refused the request: " << why << '\n';
    return 1;
  }
  bool const replay = o.replay;
  runner<G> r(std::move(o), *now, std::cout);
  if (!replay) return r.single(*m);
  auto again = G::parse(wire, why);  // kept for answers that come later
  if (again) r.keep_origin(std::move(*again));
  return r.replay(*m);
}

}  // namespace embed

#endif  // SIPSAF_EXAMPLES_EMBED_DRIVER_HPP
