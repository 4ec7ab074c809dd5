// sip_load: the store scenario of benchmarks/lib.sh (a MESSAGE to an
// offline user, challenged with digest and answered; a 2xx counts as
// stored) sent by one thread over UDP, from several sockets at once, so that
// the generator costs the proxy under test as little of the machine as it
// can. It prints what run_sipps prints:
//
//   seconds accepted refused retransmissions unexpected
//
// (seconds from the first send to the last final answer) and, on stderr,
// its own CPU time and CPU per stored message.
//
//   sip_load --target HOST:PORT [--messages N] [--senders K] [--window W]
//            [--local-port P] [--users N] [--domain D] [--user U]
//            [--password PW] [--auth each|reuse]
//
// --auth each: every MESSAGE goes out first without credentials and is
// challenged (as sipp does). --auth reuse: after its first challenge a socket
// keeps the nonce and sends later MESSAGEs with credentials right away, the
// nonce-count one higher each time (RFC 7616 §3.4, RFC 2617 §3.2.2); a new
// challenge (stale=true, say) replaces the nonce.
#include "common/digest.hpp"

#include <sipsaf/message.hpp>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace dg = example::digest;
using steady = std::chrono::steady_clock;
using ms = std::chrono::milliseconds;

// RFC 3261 §17.1.2.2 (non-INVITE client transaction over UDP): timer E
// starts at T1 and doubles up to T2 (at T2 once a provisional response came);
// timer F gives up after 64*T1.
constexpr ms t1{500};
constexpr ms t2{4000};
constexpr ms timer_f = 64 * t1;
// Challenges one MESSAGE may answer (a stale nonce may be followed by another).
constexpr int max_challenges = 3;
constexpr std::size_t batch = 32;           // datagrams per recvmmsg / sendmmsg
constexpr std::size_t max_datagram = 2048;  // our requests are below 1 KB
constexpr std::size_t max_challenge_value = 512;

struct options {
  std::string target;
  std::uint32_t messages = 5000;
  std::uint32_t senders = 4;
  std::uint32_t window = 100;
  std::uint32_t local_port = 0;  // 0: each socket its own ephemeral port
  std::uint32_t users = 10;
  std::string domain = "example.test";
  std::string user = "alice";
  std::string password = "wonderland";
  bool reuse = false;
};

constexpr char usage[] =
    "usage: sip_load --target HOST:PORT [--messages N] [--senders K] [--window W]\n"
    "                [--local-port P] [--users N] [--domain D] [--user U] [--password PW]\n"
    "                [--auth each|reuse]\n";

auto parse_number(std::string_view s, std::uint32_t lo, std::uint32_t hi, std::uint32_t& out)
    -> bool {
  std::uint32_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < lo || v > hi) return false;
  out = v;
  return true;
}

auto parse_options(int argc, char** argv, options& o) -> bool {
  for (int i = 1; i < argc; ++i) {
    std::string_view const name = argv[i];
    if (i + 1 == argc) {
      std::fprintf(stderr, "sip_load: %s needs a value\n%s", argv[i], usage);
      return false;
    }
    std::string_view const value = argv[++i];
    bool ok = true;
    if (name == "--target")
      o.target = value;
    else if (name == "--messages")
      ok = parse_number(value, 1, 100000000, o.messages);
    else if (name == "--senders")
      ok = parse_number(value, 1, 256, o.senders);
    else if (name == "--window")
      ok = parse_number(value, 1, 10000, o.window);
    else if (name == "--local-port")
      ok = parse_number(value, 0, 65535, o.local_port);
    else if (name == "--users")
      ok = parse_number(value, 1, 1000000, o.users);
    else if (name == "--domain")
      o.domain = value;
    else if (name == "--user")
      o.user = value;
    else if (name == "--password")
      o.password = value;
    else if (name == "--auth" && (value == "each" || value == "reuse"))
      o.reuse = value == "reuse";
    else
      ok = false;
    if (!ok) {
      std::fprintf(stderr, "sip_load: bad option %s %s\n%s", argv[i - 1], argv[i], usage);
      return false;
    }
  }
  if (o.target.empty()) {
    std::fprintf(stderr, "sip_load: --target is needed\n%s", usage);
    return false;
  }
  if (o.local_port != 0 && o.local_port + o.senders - 1 > 65535) {
    std::fprintf(stderr, "sip_load: --local-port %u leaves no room for %u senders\n", o.local_port,
                 o.senders);
    return false;
  }
  return true;
}

/// Appends to a fixed buffer; `ok()` turns false once something did not fit.
class writer {
 public:
  writer(char* p, std::size_t cap) : p_(p), cap_(cap) {}
  auto operator<<(std::string_view s) -> writer& {
    if (s.size() > cap_ - len_) {
      overflow_ = true;
      return *this;
    }
    std::memcpy(p_ + len_, s.data(), s.size());
    len_ += s.size();
    return *this;
  }
  auto operator<<(std::uint64_t n) -> writer& {
    char b[24];
    auto r = std::to_chars(b, b + sizeof b, n);
    return *this << std::string_view(b, static_cast<std::size_t>(r.ptr - b));
  }
  /// `s` as a quoted-string (RFC 3261 §25.1), `"` and `\` escaped.
  auto quoted(std::string_view s) -> writer& {
    *this << "\"";
    for (;;) {
      auto const esc = s.find_first_of("\"\\");
      *this << s.substr(0, esc);
      if (esc == std::string_view::npos) break;
      *this << "\\" << s.substr(esc, 1);
      s.remove_prefix(esc + 1);
    }
    return *this << "\"";
  }
  auto size() const -> std::size_t { return len_; }
  auto ok() const -> bool { return !overflow_; }

 private:
  char* p_;
  std::size_t cap_;
  std::size_t len_ = 0;
  bool overflow_ = false;
};

/// What a socket answers challenges with: the last challenge it took.
struct credentials_state {
  dg::challenge challenge;
  std::string ha1;     // H(user:realm:password), for challenge.realm
  std::string cnonce;  // ours, for this nonce
  std::uint32_t nc = 0;
  bool proxy = false;  // a 407 (Proxy-Authorization) rather than a 401
  bool known = false;
};

// One MESSAGE and its current client transaction.
struct slot {
  bool busy = false;
  std::uint32_t message = 0;  // its index: names the user, the Call-ID, the tag
  std::uint32_t cseq = 0;
  std::uint64_t serial = 0;  // of the transaction, in its branch
  int challenges = 0;
  bool proceeding = false;  // a provisional response came
  steady::time_point started, next_send;
  ms interval{0};
  std::size_t len = 0;
  std::array<char, max_datagram> wire;
};

struct sender {
  int fd = -1;
  std::uint16_t port = 0;
  std::string sent_by;  // host:port for the Via
  std::vector<slot> slots;
  std::vector<std::uint32_t> free;  // indices of idle slots
  std::vector<std::uint32_t> out;   // slots to send in this round
  credentials_state auth;
};

struct counts {
  std::uint64_t accepted = 0, refused = 0, retransmissions = 0, unexpected = 0;
  std::uint64_t challenges = 0;  // 401 and 407 answered
  std::uint64_t unparsed = 0;    // datagrams that are not a response we sent for
};

class generator {
 public:
  explicit generator(options o) : o_(std::move(o)) {}

  auto open() -> bool;
  auto run() -> void;
  auto result() const -> counts const& { return n_; }
  auto first_send() const -> steady::time_point { return first_send_; }
  auto last_final() const -> steady::time_point { return last_final_; }

 private:
  auto start_message(sender& s, std::uint32_t i) -> void;
  auto build(sender& s, std::uint32_t i) -> bool;
  auto take_challenge(sender& s, sipsaf::message_view const& m, int code) -> bool;
  auto on_datagram(sender& s, std::string_view data) -> void;
  auto finish(sender& s, std::uint32_t i, std::uint64_t* counter) -> void;
  auto fill(sender& s) -> void;
  auto flush(sender& s) -> void;
  auto timers(sender& s, steady::time_point now) -> void;
  auto may_start(sender const& s) const -> bool;

  options o_;
  std::string run_id_;  // in every Call-ID, tag and branch of this run
  sockaddr_storage peer_{};
  socklen_t peer_len_ = 0;
  std::vector<sender> senders_;
  std::uint32_t next_message_ = 0, finished_ = 0;
  std::uint64_t next_serial_ = 1;
  counts n_;
  steady::time_point now_, first_send_, last_final_;
  bool any_sent_ = false;
};

auto generator::open() -> bool {
  std::string_view t = o_.target;
  auto const colon = t.rfind(':');
  if (colon == std::string_view::npos) {
    std::fprintf(stderr, "sip_load: --target %s: HOST:PORT expected\n", o_.target.c_str());
    return false;
  }
  std::string host(t.substr(0, colon));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  std::string const port(t.substr(colon + 1));
  addrinfo hints{};
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* ai = nullptr;
  if (int e = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &ai); e != 0 || ai == nullptr) {
    std::fprintf(stderr, "sip_load: --target %s: %s\n", o_.target.c_str(), ::gai_strerror(e));
    return false;
  }
  std::memcpy(&peer_, ai->ai_addr, ai->ai_addrlen);
  peer_len_ = ai->ai_addrlen;
  int const family = ai->ai_family;
  ::freeaddrinfo(ai);

  run_id_ = dg::random_hex(4);
  senders_.resize(o_.senders);
  for (std::uint32_t k = 0; k < o_.senders; ++k) {
    sender& s = senders_[k];
    s.fd = ::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s.fd < 0) {
      std::perror("sip_load: socket");
      return false;
    }
    // Room for a window of answers arriving at once.
    int const buf = 4 << 20;
    ::setsockopt(s.fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    ::setsockopt(s.fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
    if (o_.local_port != 0) {
      sockaddr_storage local{};
      socklen_t len = 0;
      auto const p = static_cast<std::uint16_t>(o_.local_port + k);
      if (family == AF_INET6) {
        auto& a = reinterpret_cast<sockaddr_in6&>(local);
        a.sin6_family = AF_INET6;
        a.sin6_addr = in6addr_loopback;
        a.sin6_port = htons(p);
        len = sizeof a;
      } else {
        auto& a = reinterpret_cast<sockaddr_in&>(local);
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(p);
        len = sizeof a;
      }
      if (::bind(s.fd, reinterpret_cast<sockaddr*>(&local), len) != 0) {
        std::fprintf(stderr, "sip_load: cannot bind port %u: %s\n", p, std::strerror(errno));
        return false;
      }
    }
    // Connected: the kernel passes on only what the target sends.
    if (::connect(s.fd, reinterpret_cast<sockaddr*>(&peer_), peer_len_) != 0) {
      std::fprintf(stderr, "sip_load: cannot reach %s: %s\n", o_.target.c_str(),
                   std::strerror(errno));
      return false;
    }
    sockaddr_storage me{};
    socklen_t me_len = sizeof me;
    ::getsockname(s.fd, reinterpret_cast<sockaddr*>(&me), &me_len);
    char ip[INET6_ADDRSTRLEN] = "";
    if (me.ss_family == AF_INET6) {
      auto const& a = reinterpret_cast<sockaddr_in6 const&>(me);
      ::inet_ntop(AF_INET6, &a.sin6_addr, ip, sizeof ip);
      s.port = ntohs(a.sin6_port);
      s.sent_by = "[" + std::string(ip) + "]:" + std::to_string(s.port);
    } else {
      auto const& a = reinterpret_cast<sockaddr_in const&>(me);
      ::inet_ntop(AF_INET, &a.sin_addr, ip, sizeof ip);
      s.port = ntohs(a.sin_port);
      s.sent_by = std::string(ip) + ":" + std::to_string(s.port);
    }
    s.slots.resize(o_.window);
    for (std::uint32_t w = o_.window; w-- > 0;) s.free.push_back(w);
    s.out.reserve(o_.window);
  }
  return true;
}

// The request of slot `i` for its current CSeq and a new branch, with
// credentials when the sender holds a challenge (RFC 3261 §8.1.1, §22.2).
auto generator::build(sender& s, std::uint32_t i) -> bool {
  slot& sl = s.slots[i];
  sl.serial = next_serial_++;
  std::uint32_t const user = sl.message % o_.users;
  char uri_buf[256];
  writer uri(uri_buf, sizeof uri_buf);
  uri << "sip:u" << std::uint64_t(user) << "@" << o_.domain;
  std::string_view const ruri(uri_buf, uri.size());

  writer w(sl.wire.data(), sl.wire.size());
  w << "MESSAGE " << ruri << " SIP/2.0\r\n";
  // The branch names the sender, the slot and the transaction: an answer
  // finds its transaction without a table (RFC 3261 §17.1.3).
  w << "Via: SIP/2.0/UDP " << s.sent_by << ";branch=z9hG4bK" << run_id_ << "."
    << std::uint64_t(&s - senders_.data()) << "." << std::uint64_t(i) << "." << sl.serial << "\r\n";
  w << "Max-Forwards: 70\r\n";
  w << "From: <sip:" << o_.user << "@" << o_.domain << ">;tag=" << run_id_ << "-"
    << std::uint64_t(sl.message) << "\r\n";
  w << "To: <" << ruri << ">\r\n";
  w << "Call-ID: " << run_id_ << "-" << std::uint64_t(sl.message) << "@" << s.sent_by << "\r\n";
  w << "CSeq: " << std::uint64_t(sl.cseq) << " MESSAGE\r\n";
  if (s.auth.known) {
    credentials_state& a = s.auth;
    char nc[9];
    std::snprintf(nc, sizeof nc, "%08x", ++a.nc);
    dg::response_input in;
    in.alg = dg::md5;
    in.realm = a.challenge.realm;
    in.nonce = a.challenge.nonce;
    in.cnonce = a.cnonce;
    in.nc = nc;
    in.qop = "auth";
    in.method = "MESSAGE";
    in.uri = ruri;
    std::string const response = dg::response_from_ha1(in, a.ha1);
    w << (a.proxy ? "Proxy-Authorization" : "Authorization") << ": Digest username=";
    w.quoted(o_.user) << ", realm=";
    w.quoted(a.challenge.realm) << ", nonce=";
    w.quoted(a.challenge.nonce) << ", uri=";
    w.quoted(ruri) << ", response=\"" << response << "\", algorithm=MD5, cnonce=\"" << a.cnonce
                   << "\", qop=auth, nc=" << std::string_view(nc, 8);
    if (!a.challenge.opaque.empty()) {
      w << ", opaque=";
      w.quoted(a.challenge.opaque);
    }
    w << "\r\n";
  }
  w << "Request-Disposition: store-and-forward-if-not-reached\r\n";
  w << "Content-Type: text/plain\r\n";
  // The body: "load message CALL-ID for USER" and a line end.
  char body_buf[256];
  writer body(body_buf, sizeof body_buf);
  body << "load message " << run_id_ << "-" << std::uint64_t(sl.message) << "@" << s.sent_by
       << " for u" << std::uint64_t(user) << "\r\n";
  w << "Content-Length: " << std::uint64_t(body.size()) << "\r\n\r\n";
  w << std::string_view(body_buf, body.size());
  if (!w.ok() || !uri.ok() || !body.ok()) return false;
  sl.len = w.size();
  sl.started = now_;
  sl.interval = t1;
  sl.next_send = now_ + t1;
  sl.proceeding = false;
  s.out.push_back(i);
  return true;
}

// In reuse mode a socket without a nonce sends one MESSAGE at a time until
// its first challenge: that is what a user agent does.
auto generator::may_start(sender const& s) const -> bool {
  if (s.free.empty() || next_message_ == o_.messages) return false;
  if (o_.reuse && !s.auth.known) return s.free.size() == s.slots.size();
  return true;
}

auto generator::start_message(sender& s, std::uint32_t i) -> void {
  slot& sl = s.slots[i];
  sl.busy = true;
  sl.message = next_message_++;
  sl.cseq = 1;
  sl.challenges = 0;
  if (!o_.reuse) s.auth.known = false;  // each MESSAGE is challenged first
  if (!build(s, i)) finish(s, i, &n_.unexpected);
}

auto generator::fill(sender& s) -> void {
  while (may_start(s)) {
    std::uint32_t const i = s.free.back();
    s.free.pop_back();
    start_message(s, i);
  }
}

auto generator::finish(sender& s, std::uint32_t i, std::uint64_t* counter) -> void {
  ++*counter;
  s.slots[i].busy = false;
  s.free.push_back(i);
  ++finished_;
  last_final_ = now_;
}

// Takes the first MD5 challenge of a 401 (WWW-Authenticate) or 407
// (Proxy-Authenticate) answer for the sender (RFC 3261 §22.2, §22.3).
auto generator::take_challenge(sender& s, sipsaf::message_view const& m, int code) -> bool {
  sipsaf::field const want =
      code == 407 ? sipsaf::field::proxy_authenticate : sipsaf::field::www_authenticate;
  for (auto const& row : m.headers()) {
    if (row.id != want || row.value.size() > max_challenge_value) continue;
    auto c = dg::parse_challenge(row.value);
    if (!c || c->alg != dg::md5 || !c->qop_auth) continue;
    credentials_state& a = s.auth;
    if (a.ha1.empty() || a.challenge.realm != c->realm)
      a.ha1 = dg::ha1(dg::hash::md5, o_.user, c->realm, o_.password);
    a.challenge = std::move(*c);
    a.cnonce = dg::random_hex(8);
    a.nc = 0;
    a.proxy = code == 407;
    a.known = true;
    return true;
  }
  return false;
}

auto generator::on_datagram(sender& s, std::string_view data) -> void {
  auto m = sipsaf::parse_message(data);
  if (!m || !m->is_response()) {
    ++n_.unparsed;
    return;
  }
  auto via = m->top_via();
  auto cseq = m->cseq();
  if (!via || !cseq || cseq->method != "MESSAGE") {
    ++n_.unparsed;
    return;
  }
  // z9hG4bK RUN . SENDER . SLOT . SERIAL
  std::string_view b = via->branch;
  std::string_view const prefix = "z9hG4bK";
  if (b.substr(0, prefix.size()) != prefix || b.substr(prefix.size(), run_id_.size()) != run_id_) {
    ++n_.unparsed;
    return;
  }
  b.remove_prefix(prefix.size() + run_id_.size());
  std::uint64_t part[3] = {};
  for (auto& p : part) {
    if (b.empty() || b.front() != '.') break;
    b.remove_prefix(1);
    auto [end, ec] = std::from_chars(b.data(), b.data() + b.size(), p);
    if (ec != std::errc()) break;
    b.remove_prefix(static_cast<std::size_t>(end - b.data()));
  }
  if (!b.empty() || &senders_[part[0] % senders_.size()] != &s || part[1] >= s.slots.size()) {
    ++n_.unparsed;
    return;
  }
  auto const i = static_cast<std::uint32_t>(part[1]);
  slot& sl = s.slots[i];
  if (!sl.busy || sl.serial != part[2]) return;  // a late copy of an answer already taken
  int const code = m->status();
  if (code < 200) {
    sl.proceeding = true;
    return;
  }
  if (code < 300) return finish(s, i, &n_.accepted);
  if (code == 503) return finish(s, i, &n_.refused);
  if ((code == 401 || code == 407) && sl.challenges < max_challenges) {
    // Credentials made for this MESSAGE's own challenge and refused mean a
    // wrong password, unless the nonce only went stale (RFC 7616 §3.3:
    // stale=true). Credentials reused from an earlier challenge may name a
    // nonce the server no longer takes (a restart, another key): the new
    // challenge is answered, as a user agent does.
    if (take_challenge(s, *m, code) && (sl.challenges == 0 || s.auth.challenge.stale)) {
      ++sl.challenges;
      ++n_.challenges;
      ++sl.cseq;
      if (build(s, i)) return;
    }
    s.auth.known = false;  // refused: the next MESSAGE starts without credentials
  }
  finish(s, i, &n_.unexpected);
}

auto generator::flush(sender& s) -> void {
  std::size_t done = 0;
  while (done < s.out.size()) {
    std::array<mmsghdr, batch> msgs{};
    std::array<iovec, batch> iov{};
    std::size_t const n = std::min(batch, s.out.size() - done);
    for (std::size_t j = 0; j < n; ++j) {
      slot& sl = s.slots[s.out[done + j]];
      iov[j] = {sl.wire.data(), sl.len};
      msgs[j].msg_hdr.msg_iov = &iov[j];
      msgs[j].msg_hdr.msg_iovlen = 1;
    }
    int const sent = ::sendmmsg(s.fd, msgs.data(), static_cast<unsigned>(n), 0);
    if (sent <= 0) {
      // A full buffer or an ICMP error from an earlier datagram: what was
      // not sent goes out on its retransmission timer.
      if (sent < 0 && errno == EINTR) continue;
      break;
    }
    done += static_cast<std::size_t>(sent);
  }
  if (!any_sent_ && !s.out.empty()) {
    any_sent_ = true;
    first_send_ = now_;
  }
  s.out.clear();
}

auto generator::timers(sender& s, steady::time_point now) -> void {
  for (std::uint32_t i = 0; i < s.slots.size(); ++i) {
    slot& sl = s.slots[i];
    if (!sl.busy) continue;
    if (now - sl.started >= timer_f) {
      finish(s, i, &n_.unexpected);
      continue;
    }
    if (now < sl.next_send) continue;
    sl.interval = sl.proceeding ? t2 : std::min(2 * sl.interval, t2);
    sl.next_send = now + sl.interval;
    ++n_.retransmissions;
    s.out.push_back(i);
  }
}

auto generator::run() -> void {
  int const ep = ::epoll_create1(EPOLL_CLOEXEC);
  for (std::uint32_t k = 0; k < senders_.size(); ++k) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u32 = k;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, senders_[k].fd, &ev);
  }
  std::array<mmsghdr, batch> msgs{};
  std::array<iovec, batch> iov{};
  // Answers are far below this; a longer datagram arrives cut (MSG_TRUNC)
  // and is not a response we count.
  std::vector<std::array<char, 8192>> bufs(batch);
  std::vector<epoll_event> events(senders_.size());
  for (std::size_t j = 0; j < batch; ++j) {  // the kernel sets msg_len and msg_flags
    iov[j] = {bufs[j].data(), bufs[j].size()};
    msgs[j].msg_hdr.msg_iov = &iov[j];
    msgs[j].msg_hdr.msg_iovlen = 1;
  }
  now_ = steady::now();
  for (auto& s : senders_) {
    fill(s);
    flush(s);
  }
  steady::time_point next_scan = now_ + ms(10);
  while (finished_ < o_.messages) {
    int const ready = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), 10);
    now_ = steady::now();
    for (int e = 0; e < ready; ++e) {
      sender& s = senders_[events[e].data.u32];
      for (;;) {
        int const got = ::recvmmsg(s.fd, msgs.data(), batch, MSG_DONTWAIT, nullptr);
        if (got <= 0) break;  // empty, or an ICMP error for an earlier send
        for (int j = 0; j < got; ++j) {
          if (msgs[j].msg_hdr.msg_flags & MSG_TRUNC)
            ++n_.unparsed;
          else
            on_datagram(s, std::string_view(bufs[j].data(), msgs[j].msg_len));
        }
        if (static_cast<std::size_t>(got) < batch) break;
      }
      fill(s);
      flush(s);
    }
    if (now_ >= next_scan) {
      for (auto& s : senders_) {
        timers(s, now_);
        fill(s);
        flush(s);
      }
      next_scan = now_ + ms(10);
    }
  }
  ::close(ep);
}

/// User and system CPU seconds of this process so far.
struct cpu_time {
  double user = 0, system = 0;
  static auto now() -> cpu_time {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    auto sec = [](timeval t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
    return {sec(u.ru_utime), sec(u.ru_stime)};
  }
};

}  // namespace

int main(int argc, char** argv) {
  options o;
  if (!parse_options(argc, argv, o)) return 2;
  generator g(o);
  if (!g.open()) return 1;
  cpu_time const cpu0 = cpu_time::now();
  g.run();
  cpu_time const cpu1 = cpu_time::now();
  double const user = cpu1.user - cpu0.user, system = cpu1.system - cpu0.system;
  double const cpu = user + system;
  counts const& n = g.result();
  double const secs = std::chrono::duration<double>(g.last_final() - g.first_send()).count();
  std::printf("%.3f %llu %llu %llu %llu\n", secs, static_cast<unsigned long long>(n.accepted),
              static_cast<unsigned long long>(n.refused),
              static_cast<unsigned long long>(n.retransmissions),
              static_cast<unsigned long long>(n.unexpected));
  std::fprintf(stderr,
               "sip_load: %.3f s of CPU (user %.3f, system %.3f), %.2f us per stored message "
               "(%llu stored, %llu challenges answered, %llu datagrams not ours)\n",
               cpu, user, system, n.accepted ? 1e6 * cpu / double(n.accepted) : 0.0,
               static_cast<unsigned long long>(n.accepted),
               static_cast<unsigned long long>(n.challenges),
               static_cast<unsigned long long>(n.unparsed));
  return 0;
}
