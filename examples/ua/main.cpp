// sipsaf-ua: a small SIP user agent for the store-and-forward service.
//
//   sipsaf-ua send   --user alice --password secret --to bob --text "hi" [--attach FILE]...
//                    [--store=do-not-store|store|store-and-forward] [--notify] [--wait-imdn S]
//   sipsaf-ua listen --user bob --password secret [--save-dir DIR] [--count N] [--timeout S]
//
// `sipsaf-ua --help` lists every option; README.md beside this file explains
// them with examples. The exit codes are part of the interface:
//   0  success (send: a 2xx, and the notification when waited for;
//      listen: stopped by a signal, --count reached, or --timeout without --count)
//   1  a final response that is not 2xx (or a refusing notification)
//   2  usage error
//   3  timed out (no final response, no notification, --count not reached)
//   4  other error (a file, the network, registration refused)
#include "../common/digest.hpp"
#include "agent.hpp"
#include "media.hpp"
#include "notification.hpp"
#include "options.hpp"
#include "output.hpp"

#include <sipsaf/ascii.hpp>
#include <sipsaf/message.hpp>
#include <sipsaf/mime.hpp>
#include <sipsaf/reason_phrase.hpp>
#include <sipsaf/rfc3841/request_disposition.hpp>

#include <fmt/format.h>
#include <boost/asio.hpp>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ua::notification;
using ua::options;
using ua::parse_options;
using ua::read_notification;
using ua::usage_error;
using ua::usage_text;

constexpr int exit_ok = 0;
constexpr int exit_refused = 1;
constexpr int exit_usage = 2;
constexpr int exit_timeout = 3;
constexpr int exit_error = 4;

// --- helpers -------------------------------------------------------------------

auto now_date() -> std::string {
  return sipsaf::format_sip_date(sipsaf::sip_date_from_epoch(std::time(nullptr)));
}

auto deadline_in(double seconds) -> ua::steady::time_point {
  return ua::steady::now() +
         std::chrono::duration_cast<ua::steady::duration>(std::chrono::duration<double>(seconds));
}

auto header_or(sipsaf::message_view const& m, std::string_view name) -> std::string {
  return std::string(m.header(name).value_or(""));
}

/// The request target for --to: a SIP URI as given, user@host, or a user
/// at the domain.
auto target_uri(std::string const& to, std::string const& domain) -> std::string {
  if (to.rfind("sip:", 0) == 0 || to.rfind("sips:", 0) == 0) return to;
  if (to.find('@') != std::string::npos) return "sip:" + to;
  return "sip:" + to + "@" + domain;
}

/// The words a response is printed with, plus the headers that explain it.
auto describe_response(sipsaf::message_view const& m) -> std::string {
  std::string s = fmt::format("  <- {} {}", m.status(), m.reason());
  for (char const* h : {"Reason", "Warning", "Accept", "Retry-After", "Min-Expires"})
    if (auto v = m.header(h)) s += fmt::format("\n       {}: {}", h, *v);
  return s;
}

auto response_event(sipsaf::message_view const& m, std::string_view method) -> ua::event {
  ua::event e("response");
  e.add("method", method).add("code", m.status()).add("reason", m.reason());
  for (char const* h : {"Reason", "Warning", "Accept", "Retry-After"})
    if (auto v = m.header(h)) e.add(sipsaf::ascii_lower(h), *v);
  return e;
}

// --- the user agent: requests with digest authentication ------------------------

class user_agent {
 public:
  user_agent(boost::asio::io_context& io, options const& o, ua::printer const& out)
      : o_(o), out_(out), agent_(io, o.net) {}

  auto net() -> ua::agent& { return agent_; }
  auto self_uri() const -> std::string { return "sip:" + o_.user + "@" + o_.domain; }

  /// A request of this user outside a dialog, its fields up to the CSeq
  /// (RFC 3261 §8.1.1); the caller adds its own, the authorization, a body.
  auto new_request(std::string const& method, std::string const& uri, std::string const& to,
                   std::string const& tag, std::string const& call_id, std::uint32_t cseq,
                   std::string const& branch) -> sipsaf::request_builder {
    sipsaf::request_builder b(method, uri);
    b.via(agent_.transport_name(), agent_.host_port(), branch + agent_.via_params());
    b.max_forwards(70);
    b.from(self_uri(), tag);
    b.to(to);
    b.call_id(call_id);
    b.cseq(cseq);
    return b;
  }

  /// A request built for a CSeq number and a branch, plus the
  /// authorization header fields to add.
  using build_fn = std::function<sipsaf::result<std::string>(
      std::uint32_t cseq, std::string const& branch,
      std::vector<std::pair<std::string, std::string>> const& auth)>;

  struct outcome {
    std::shared_ptr<ua::incoming> final;
    bool timed_out = false;
    bool failed = false;  // could not build or send
  };

  /// Sends a request and answers digest challenges (RFC 3261 §22.2, §22.3):
  /// a 401 gets Authorization, a 407 Proxy-Authorization, with the first
  /// challenge offered (RFC 8760 §2.4: in the server's order of preference)
  /// whose algorithm we may use. A second challenge after fresh credentials
  /// ends it (wrong password), unless it says stale=true (RFC 2617 §3.2.1).
  auto request(std::string const& method, std::string const& uri, std::uint32_t& cseq,
               build_fn const& build, double timeout_s) -> outcome {
    bool fresh_sent = false;
    for (int attempt = 0; attempt < 5; ++attempt) {
      std::vector<std::pair<std::string, std::string>> auth;
      if (challenge_ && o_.password) {
        auto cred = example::digest::answer(*challenge_, o_.user, *o_.password, method, uri,
                                            example::digest::random_hex(8), ++nc_);
        auth.emplace_back(proxy_challenge_ ? "Proxy-Authorization" : "Authorization",
                          example::digest::to_string(cred));
      }
      std::string const branch = ua::agent::new_branch();
      auto wire = build(cseq, branch, auth);
      if (!wire) {
        out_.print(ua::event("error").add("what", "cannot build the request"),
                   fmt::format("error: cannot build the {} request: {} at byte {}", method,
                               sipsaf::to_string(wire.error().code), wire.error().offset));
        return {nullptr, false, true};
      }
      if (o_.verbose) out_.say("--- sent\n" + *wire);
      auto r = agent_.transact(
          *wire, branch, method, deadline_in(timeout_s), [&](ua::incoming const& p) {
            if (o_.verbose) out_.say("--- received\n" + p.wire);
            out_.print(response_event(p.msg, method), describe_response(p.msg));
          });
      ++cseq;
      if (!r.final) {
        if (r.timed_out)
          out_.print(ua::event("timeout").add("method", method),
                     fmt::format("  no final response to {} within {} s", method, timeout_s));
        else
          out_.print(ua::event("error").add("what", "cannot reach the proxy"),
                     fmt::format("error: cannot send to the proxy {}:{}", o_.net.proxy_host,
                                 o_.net.proxy_port));
        return {nullptr, r.timed_out, !r.timed_out};
      }
      auto const& m = r.final->msg;
      if (o_.verbose) out_.say("--- received\n" + r.final->wire);
      out_.print(response_event(m, method), describe_response(m));
      int const code = m.status();
      if ((code != 401 && code != 407) || !o_.password) return {r.final, false, false};
      auto c = pick_challenge(m, code == 407 ? "Proxy-Authenticate" : "WWW-Authenticate");
      if (!c) {
        out_.say("     (no challenge this agent can answer)");
        return {r.final, false, false};
      }
      if (fresh_sent && !c->stale) {
        out_.say("     (credentials refused)");
        return {r.final, false, false};
      }
      challenge_ = c;
      proxy_challenge_ = code == 407;
      nc_ = 0;
      fresh_sent = true;
      out_.say(fmt::format("     answering the {} challenge as {}", to_string(c->alg), o_.user));
    }
    return {nullptr, false, true};
  }

  /// REGISTER this agent's contact for `expires` seconds (0 removes it,
  /// RFC 3261 §10.2.2). Returns the final response code (0: none).
  auto register_contact(std::uint32_t expires) -> int {
    if (reg_call_id_.empty()) reg_call_id_ = ua::random_token(24) + "@" + agent_.host_port();
    if (reg_tag_.empty()) reg_tag_ = ua::random_token(12);
    std::string const registrar = "sip:" + o_.domain;
    std::string const contact = agent_.contact_uri(o_.user);
    out_.say(fmt::format("  -> REGISTER {} as {} at {} (expires {})", registrar, self_uri(),
                         contact, expires));
    auto build = [&](std::uint32_t cseq, std::string const& branch,
                     std::vector<std::pair<std::string, std::string>> const& auth) {
      auto b = new_request("REGISTER", registrar, self_uri(), reg_tag_, reg_call_id_, cseq, branch);
      b.contact(contact);
      b.expires(expires);
      for (auto const& [n, v] : auth) b.header(n, v);
      b.header("User-Agent", "sipsaf-ua");
      return b.build();
    };
    auto r = request("REGISTER", registrar, reg_cseq_, build, o_.timeout.value_or(32));
    if (!r.final) return 0;
    int code = r.final->msg.status();
    // RFC 3261 §10.2.8: 423 Interval Too Brief names the shortest lifetime.
    if (code == 423 && expires != 0) {
      auto min = r.final->msg.header("Min-Expires");
      auto v = min ? sipsaf::parse_delta_seconds(*min) : sipsaf::result<std::uint32_t>(0u);
      if (v && *v > expires) {
        expires = *v;
        r = request("REGISTER", registrar, reg_cseq_, build, o_.timeout.value_or(32));
        if (!r.final) return 0;
        code = r.final->msg.status();
      }
    }
    if (code >= 200 && code < 300) {
      // The lifetime granted: our Contact's expires in the 200 (RFC 3261
      // §10.2.4), else its Expires, else what was asked.
      granted_ = expires;
      if (auto e = r.final->msg.expires()) granted_ = *e;
      if (auto c = r.final->msg.contact())
        for (auto const& entry : c->entries)
          if (entry.address.uri.text == contact && entry.expires) granted_ = *entry.expires;
      ua::event e(expires == 0 ? "unregistered" : "registered");
      e.add("aor", self_uri()).add("contact", contact).add("expires", static_cast<int>(granted_));
      out_.print(e, expires == 0 ? fmt::format("unregistered {}", self_uri())
                                 : fmt::format("registered {} at {}", self_uri(), contact));
      registered_ = expires != 0;
    }
    return code;
  }
  auto registered() const -> bool { return registered_; }
  /// The registration lifetime the registrar granted last.
  auto granted() const -> std::uint32_t { return granted_; }

 private:
  auto pick_challenge(sipsaf::message_view const& m, std::string_view header)
      -> std::optional<example::digest::challenge> {
    for (auto const* row : m.rows(header)) {
      auto c = example::digest::parse_challenge(row->value);
      if (!c) continue;
      bool const ok = o_.algorithm == "any" ||
                      (o_.algorithm == "md5" && c->alg == example::digest::md5) ||
                      (o_.algorithm == "sha-256" && c->alg == example::digest::sha256);
      if (ok) return *c;
    }
    return std::nullopt;
  }

  options const& o_;
  ua::printer const& out_;
  ua::agent agent_;
  std::optional<example::digest::challenge> challenge_;
  bool proxy_challenge_ = false;
  std::uint32_t nc_ = 0;
  std::string reg_call_id_;
  std::string reg_tag_;
  std::uint32_t reg_cseq_ = 1;
  bool registered_ = false;
  std::uint32_t granted_ = 0;
};

// --- the socket and the signals every command opens ----------------------------

struct session {
  boost::asio::io_context io;
  std::optional<user_agent> ua;
  std::optional<boost::asio::signal_set> signals;
};

/// Opens the agent's socket (or listener) and lets SIGINT and SIGTERM stop
/// it, so that a command ends as it would on its own (un-registering first).
auto open_session(session& s, options const& o, ua::printer const& out) -> bool {
  try {
    s.ua.emplace(s.io, o, out);
  } catch (std::exception const& e) {
    std::cerr << "sipsaf-ua: cannot open the socket: " << e.what() << "\n";
    return false;
  }
  s.signals.emplace(s.io, SIGINT, SIGTERM);
  s.signals->async_wait([&s](boost::system::error_code ec, int) {
    if (!ec) s.ua->net().stop();
  });
  return true;
}

// --- notifications --------------------------------------------------------------

void print_notification(ua::printer const& out, notification const& n,
                        sipsaf::message_view const& m) {
  ua::event e("notification");
  e.add("kind", n.kind).add("status", n.status).add("message_id", n.message_id);
  e.add("from", header_or(m, "From")).add("body", m.body());
  if (!n.note.empty()) e.add("note", n.note);
  out.print(
      e, fmt::format("notification ({}) from {}: message {} {}{}", n.kind, header_or(m, "From"),
                     n.message_id, n.status, n.note.empty() ? std::string() : " (" + n.note + ")"));
}

// Answers requests that are not the point of the current command.
void answer_other(ua::agent& net, ua::incoming const& req) {
  auto const method = req.msg.method();
  if (method == "ACK") return;
  int code = 200;
  if (method == "INVITE")
    code = 486;
  else if (method != "MESSAGE" && method != "NOTIFY" && method != "OPTIONS" && method != "BYE" &&
           method != "INFO" && method != "CANCEL")
    code = 405;
  sipsaf::response_builder b(req.msg, code, sipsaf::reason_phrase(code));
  if (code == 405) b.header("Allow", "MESSAGE, NOTIFY, OPTIONS, BYE, INFO, ACK");
  if (auto w = b.build()) net.respond(req, *w);
}

// --- send -----------------------------------------------------------------------

auto run_send(options const& o, ua::printer const& out) -> int {
  // The body first: a missing file is a usage matter, found before any traffic.
  std::string text_type = o.content_type.value_or("text/plain;charset=UTF-8");
  ua::outgoing_body body;
  if (o.body_file) {
    auto data = ua::read_file(*o.body_file);
    if (!data) {
      std::cerr << "sipsaf-ua: cannot read " << *o.body_file << "\n";
      return exit_error;
    }
    body.content_type = o.content_type.value_or(ua::media_type_for(*o.body_file));
    body.body = std::move(*data);
  } else {
    std::vector<ua::attachment> files;
    for (auto const& f : o.attach) {
      auto data = ua::read_file(f);
      if (!data) {
        std::cerr << "sipsaf-ua: cannot read " << f << "\n";
        return exit_error;
      }
      fs::path p(f);
      files.push_back({p.filename().string(), ua::media_type_for(f), std::move(*data)});
    }
    auto b = ua::make_body(o.text.value_or(""), text_type, files, o.base64);
    if (!b) {
      std::cerr << "sipsaf-ua: cannot build the body: " << sipsaf::to_string(b.error().code)
                << "\n";
      return exit_error;
    }
    body = std::move(*b);
    if (o.text && o.text->empty() && files.empty()) body.content_type.clear();
  }

  session s;
  if (!open_session(s, o, out)) return exit_error;
  auto& uac = s.ua;
  auto& net = uac->net();

  std::vector<notification> notes;
  std::string call_id =
      o.call_id.empty() ? ua::random_token(24) + "@" + net.host_port() : o.call_id;
  net.on_request([&](std::shared_ptr<ua::incoming> const& req) {
    if (o.verbose) out.say("--- received\n" + req->wire);
    if (auto n = read_notification(req->msg)) {
      if (auto w = sipsaf::make_response(req->msg, 200, "OK")) net.respond(*req, *w);
      print_notification(out, *n, req->msg);
      if (n->message_id == call_id || n->message_id.empty()) notes.push_back(*n);
      return;
    }
    answer_other(net, *req);
  });

  double const timeout = o.timeout.value_or(32);
  bool const want_register = o.password && (o.register_while_sending || o.wait_imdn);
  if (o.wait_imdn && !o.password)
    out.say(
        "  (without --password this agent cannot register: the notification will wait "
        "for the next registration of " +
        uac->self_uri() + ")");
  if (want_register) {
    auto const exp = static_cast<std::uint32_t>(std::max(60.0, o.wait_imdn.value_or(0) + timeout));
    int const code = uac->register_contact(exp);
    if (code < 200 || code >= 300) {
      out.print(ua::event("error").add("what", "registration failed").add("code", code),
                fmt::format("error: could not register {} (answer {})", uac->self_uri(), code));
      return code == 0 ? exit_timeout : exit_error;
    }
  }
  auto unregister = [&] {
    if (uac->registered()) uac->register_contact(0);
  };

  std::string const uri = target_uri(o.to, o.domain);
  std::string const tag = ua::random_token(12);
  std::string disposition = o.store;
  if (o.notify) disposition += disposition.empty() ? "notify" : ", notify";
  for (auto const& d : o.dispositions) disposition += (disposition.empty() ? "" : ", ") + d;
  std::uint32_t cseq = 1;
  std::string const date = now_date();

  {
    std::string words = fmt::format("  -> {} {} from {}", o.method, uri, uac->self_uri());
    if (!disposition.empty()) words += fmt::format("\n       Request-Disposition: {}", disposition);
    if (!body.content_type.empty())
      words +=
          fmt::format("\n       Content-Type: {} ({} bytes)", body.content_type, body.body.size());
    ua::event e("request");
    e.add("method", o.method).add("uri", uri).add("call_id", call_id);
    e.add("request_disposition", disposition).add("content_type", body.content_type);
    e.add("body_bytes", body.body.size());
    out.print(e, words);
  }

  auto build = [&](std::uint32_t n, std::string const& branch,
                   std::vector<std::pair<std::string, std::string>> const& auth) {
    auto b = uac->new_request(o.method, uri, uri, tag, call_id, n, branch);
    b.header("Date", date);
    // RFC 3261 §8.1.1.8: an INVITE carries a Contact; RFC 3428 §4: a
    // MESSAGE does not.
    if (o.method == "INVITE") b.contact(net.contact_uri(o.user));
    if (!disposition.empty()) b.request_disposition(std::string_view(disposition));
    if (o.expires) b.expires(*o.expires);
    for (auto const& [hn, hv] : o.headers) b.header(hn, hv);
    for (auto const& [hn, hv] : auth) b.header(hn, hv);
    b.header("User-Agent", "sipsaf-ua");
    if (!body.content_type.empty() || !body.body.empty()) b.body(body.content_type, body.body);
    return b.build();
  };
  auto r = uac->request(o.method, uri, cseq, build, timeout);
  if (!r.final) {
    unregister();
    return r.timed_out ? exit_timeout : exit_error;
  }
  int const code = r.final->msg.status();

  // RFC 3261 §13.2.2.4: a 2xx to INVITE is ACKed end to end; this agent
  // only carries a payload, so it ends the call at once with BYE.
  if (o.method == "INVITE" && code >= 200 && code < 300) {
    auto const& resp = r.final->msg;
    std::string target = uri;
    if (auto c = resp.contact(); c && !c->entries.empty())
      target = std::string(c->entries.front().address.uri.text);
    std::vector<std::string> route;
    for (auto rr : resp.values("Record-Route")) route.insert(route.begin(), std::string(rr));
    std::string const to = header_or(resp, "To");
    std::uint32_t const invite_cseq = cseq - 1;
    auto in_dialog = [&](std::string const& method, std::uint32_t n, std::string const& branch,
                         std::vector<std::pair<std::string, std::string>> const& auth) {
      sipsaf::request_builder b(method, target);
      b.via(net.transport_name(), net.host_port(), branch + net.via_params());
      b.max_forwards(70);
      for (auto const& rt : route) b.header("Route", rt);
      b.from(uac->self_uri(), tag);
      b.header("To", to);
      b.call_id(call_id);
      b.cseq(n);
      for (auto const& [hn, hv] : auth) b.header(hn, hv);
      return b.build();
    };
    if (auto ack = in_dialog("ACK", invite_cseq, ua::agent::new_branch(), {})) {
      net.send_to_proxy(*ack);
      out.say(fmt::format("  -> ACK {}", target));
    }
    std::uint32_t bye_cseq = invite_cseq + 1;
    out.say(fmt::format("  -> BYE {}", target));
    uac->request(
        "BYE", target, bye_cseq,
        [&](std::uint32_t n, std::string const& branch,
            std::vector<std::pair<std::string, std::string>> const& auth) {
          return in_dialog("BYE", n, branch, auth);
        },
        std::min(timeout, 8.0));
  }

  int rc = code >= 200 && code < 300 ? exit_ok : exit_refused;
  if (code == 202 && o.wait_imdn) {
    out.say(fmt::format("  waiting up to {} s for the delivery notification...", *o.wait_imdn));
    auto final_note = [&]() -> notification const* {
      for (auto const& n : notes)
        if (n.final) return &n;
      return nullptr;
    };
    net.run_until([&] { return final_note() != nullptr; }, deadline_in(*o.wait_imdn));
    if (auto const* n = final_note()) {
      rc = n->status == "delivered" || n->status == "processed" ? exit_ok : exit_refused;
    } else {
      out.print(ua::event("timeout").add("what", "notification"),
                "  no delivery notification arrived in time");
      rc = exit_timeout;
    }
  }
  unregister();
  return rc;
}

// --- listen ---------------------------------------------------------------------

/// Prints one received message and saves its attachments.
void show_message(ua::printer const& out, options const& o, ua::incoming const& req, long n,
                  int answered) {
  auto const& m = req.msg;
  fs::path const dir = o.save_dir;
  std::string const ctype = header_or(m, "Content-Type");
  auto parts =
      m.body().empty() ? std::vector<ua::received_part>{} : ua::split_body(ctype, m.body());
  std::string text;
  std::string parts_json = "[";
  std::string words = fmt::format("message {} ({}) from {}", n, m.method(), header_or(m, "From"));
  for (char const* h : {"To", "Date", "Request-Disposition", "Expires", "Content-Type"})
    if (auto v = m.header(h)) words += fmt::format("\n  {}: {}", h, *v);
  int index = 0;
  for (auto const& p : parts) {
    ++index;
    std::string saved;
    if (p.is_text) {
      if (!text.empty()) text += "\n";
      text += p.data;
      words += "\n  text: " + p.data;
    } else {
      std::string const fallback =
          fmt::format("part-{}-{}.{}", n, index, ua::extension_for(p.type));
      std::string const name = ua::safe_filename(p.filename, fallback);
      if (auto path = ua::save_unique(dir, name, p.data)) saved = path->string();
      words += fmt::format("\n  attachment {} ({}, {} bytes, sha256 {})", name, p.type,
                           p.data.size(), ua::sha256_hex(p.data));
      words += saved.empty() ? "\n    could not be saved" : "\n    saved to " + saved;
    }
    if (!p.error.empty()) words += "\n    (could not be decoded: " + p.error + ")";
    if (parts_json.size() > 1) parts_json += ",";
    ua::event pe("");
    pe.add("type", p.type).add("content_type", p.full_type).add("filename", p.filename);
    pe.add("size", p.data.size()).add("sha256", ua::sha256_hex(p.data)).add("saved", saved);
    pe.add("text", p.is_text).add("error", p.error);
    parts_json += pe.json();
  }
  parts_json += "]";
  ua::event e("message");
  e.add("n", static_cast<long long>(n)).add("method", m.method());
  e.add("from", header_or(m, "From")).add("to", header_or(m, "To"));
  e.add("call_id", header_or(m, "Call-ID")).add("cseq", header_or(m, "CSeq"));
  e.add("date", header_or(m, "Date"));
  e.add("request_disposition", m.combined("Request-Disposition"));
  e.add("expires", header_or(m, "Expires"));
  e.add("content_type", ctype).add("body", m.body()).add("text", text);
  e.add("answer", answered).add("peer", req.peer);
  e.add_raw("parts", parts_json);
  out.print(e, words);
}

auto run_listen(options const& o, ua::printer const& out) -> int {
  session s;
  if (!open_session(s, o, out)) return exit_error;
  auto& uas = s.ua;
  auto& net = uas->net();

  long received = 0;
  long failed = 0;
  // The same Call-ID, CSeq and From tag again is a duplicate (a new
  // transaction for the same request, RFC 3261 §8.2.2.2): answered, shown
  // as such, not counted or saved again.
  std::set<std::tuple<std::string, std::string, std::string>> seen;

  net.on_request([&](std::shared_ptr<ua::incoming> const& req) {
    auto const& m = req->msg;
    if (o.verbose) out.say("--- received\n" + req->wire);
    std::string const method(m.method());
    // IMDN MESSAGEs and NOTIFYs are notifications, not messages: shown as
    // such, not counted or saved.
    if (auto n = read_notification(m)) {
      if (auto w = sipsaf::make_response(m, 200, "OK")) net.respond(*req, *w);
      print_notification(out, *n, m);
      return;
    }
    if (method != "MESSAGE" && method != "INFO" && method != "INVITE") {
      answer_other(net, *req);
      return;
    }
    auto answer = [&](int code, std::string_view accept = {}) {
      std::string_view reason = sipsaf::reason_phrase(code);
      if (reason.empty()) reason = code < 300 ? "OK" : "Refused";
      sipsaf::response_builder b(m, code, reason);
      if (method == "INVITE" && code < 300)
        b.header("Contact", "<" + net.contact_uri(o.user) + ">");
      if (!accept.empty()) b.header("Accept", accept);
      if (auto w = b.build()) net.respond(*req, *w);
    };
    auto from = m.from();
    auto key = std::make_tuple(header_or(m, "Call-ID"), header_or(m, "CSeq"),
                               from ? std::string(from->tag) : std::string());
    if (seen.count(key)) {
      answer(o.answer);
      ua::event e("duplicate");
      e.add("call_id", std::get<0>(key)).add("cseq", std::get<1>(key)).add("body", m.body());
      out.print(e, fmt::format("duplicate of an earlier message (Call-ID {}), answered again",
                               std::get<0>(key)));
      return;
    }
    if (failed < o.fail_first) {
      ++failed;
      answer(o.fail_code);
      ua::event e("refused");
      e.add("code", o.fail_code).add("call_id", std::get<0>(key)).add("body", m.body());
      out.print(e, fmt::format("refused a message from {} with {} (as asked, {} of {})",
                               header_or(m, "From"), o.fail_code, failed, o.fail_first));
      return;
    }
    if (o.accept && !m.body().empty()) {
      // A phone that takes only some types, as baresip takes only text/plain:
      // 415 with what it accepts (RFC 3261 §21.4.16).
      auto ranges = sipsaf::parse_media_ranges(*o.accept);
      auto ct = m.content_type();
      if (ranges && !(ct && sipsaf::accepts(*ranges, *ct))) {
        answer(415, *o.accept);
        ua::event e("refused");
        e.add("code", 415)
            .add("call_id", std::get<0>(key))
            .add("content_type", header_or(m, "Content-Type"));
        out.print(e, fmt::format("refused a {} message from {} with 415 (accepts {})",
                                 header_or(m, "Content-Type"), header_or(m, "From"), *o.accept));
        return;
      }
    }
    seen.insert(key);
    answer(o.answer);
    ++received;
    show_message(out, o, *req, received, o.answer);
  });

  if (!o.no_register) {
    int const code = uas->register_contact(o.reg_expires);
    if (code < 200 || code >= 300) {
      out.print(ua::event("error").add("what", "registration failed").add("code", code),
                fmt::format("error: could not register {} (answer {})", uas->self_uri(), code));
      return code == 0 ? exit_timeout : exit_error;
    }
  } else {
    out.print(ua::event("listening").add("contact", net.contact_uri(o.user)),
              fmt::format("listening at {}", net.contact_uri(o.user)));
  }
  if (o.fetch) {
    // Pull (`store`): the messages wait until their recipient asks. The ask
    // is an empty MESSAGE from the user to its own address-of-record; the
    // proxy answers it and delivers what it keeps to the registered contacts.
    std::string const self = uas->self_uri();
    std::string const tag = ua::random_token(12);
    std::string const call_id = ua::random_token(24) + "@" + net.host_port();
    std::uint32_t cseq = 1;
    out.say(fmt::format("  -> MESSAGE {} (fetch the messages kept for pull)", self));
    auto r = uas->request(
        "MESSAGE", self, cseq,
        [&](std::uint32_t n, std::string const& branch,
            std::vector<std::pair<std::string, std::string>> const& auth) {
          auto b = uas->new_request("MESSAGE", self, self, tag, call_id, n, branch);
          for (auto const& [hn, hv] : auth) b.header(hn, hv);
          b.header("User-Agent", "sipsaf-ua");
          return b.build();
        },
        o.timeout.value_or(32));
    int const code = r.final ? r.final->msg.status() : 0;
    out.print(ua::event("fetched").add("code", code),
              fmt::format("fetch answered {}",
                          code == 0 ? std::string("nothing") : std::to_string(code)));
  }
  auto const end = o.timeout ? deadline_in(*o.timeout) : ua::steady::time_point::max();
  auto half = [&] {
    return uas->granted() == 0 ? ua::steady::time_point::max()
                               : deadline_in(std::max(1.0, uas->granted() / 2.0));
  };
  auto refresh = o.no_register ? ua::steady::time_point::max() : half();
  bool timed_out = false;
  for (;;) {
    auto until = std::min(end, refresh);
    net.run_until([&] { return o.count && received >= *o.count; }, until);
    if (o.count && received >= *o.count) break;
    if (net.stopping()) break;
    auto const now = ua::steady::now();
    if (now >= end) {
      timed_out = true;
      break;
    }
    if (now >= refresh) {
      uas->register_contact(o.reg_expires);  // RFC 3261 §10.2.4 refresh
      refresh = half();
    }
  }
  // A short grace to answer an ACK, a BYE or a retransmission of the last
  // message (RFC 3261 §17.2: the answer is cached and sent again).
  net.run_until([] { return false; }, deadline_in(0.5), false);
  if (!o.no_register && !o.no_unregister && uas->registered()) uas->register_contact(0);
  ua::event e("done");
  e.add("received", static_cast<long long>(received));
  out.print(e, fmt::format("{} message{} received", received, received == 1 ? "" : "s"));
  if (timed_out && o.count) return exit_timeout;
  return exit_ok;
}

// --- ping -----------------------------------------------------------------------

auto run_ping(options const& o, ua::printer const& out) -> int {
  session s;
  if (!open_session(s, o, out)) return exit_error;
  auto& uac = s.ua;
  std::string const uri = "sip:" + o.domain;
  std::string const tag = ua::random_token(12);
  std::string const call_id = ua::random_token(24) + "@" + uac->net().host_port();
  std::uint32_t cseq = 1;
  out.say(fmt::format("  -> OPTIONS {}", uri));
  auto r = uac->request(
      "OPTIONS", uri, cseq,
      [&](std::uint32_t n, std::string const& branch,
          std::vector<std::pair<std::string, std::string>> const& auth) {
        auto b = uac->new_request("OPTIONS", uri, uri, tag, call_id, n, branch);
        for (auto const& [hn, hv] : auth) b.header(hn, hv);
        b.header("Accept", "application/sdp");
        return b.build();
      },
      o.timeout.value_or(2));
  if (r.final) return exit_ok;
  return r.timed_out ? exit_timeout : exit_error;
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  try {
    o = parse_options(std::vector<std::string>(argv + 1, argv + argc));
  } catch (usage_error const& e) {
    std::string_view const u = usage_text;
    std::cerr << "sipsaf-ua: " << e.what << "\n"
              << u.substr(0, u.find("\n\n") + 1) << "Run 'sipsaf-ua --help' for the options.\n";
    return exit_usage;
  }
  if (o.command == "help") {
    std::cout << usage_text;
    return exit_ok;
  }
  ua::printer out;
  out.json = o.json;
  out.quiet = o.quiet;
  try {
    if (o.command == "ping") return run_ping(o, out);
    return o.command == "send" ? run_send(o, out) : run_listen(o, out);
  } catch (std::exception const& e) {
    std::cerr << "sipsaf-ua: " << e.what() << "\n";
    return exit_error;
  }
}
