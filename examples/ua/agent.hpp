// sipsaf-ua: the SIP transport and transaction layer of the user agent.
//
// One socket set per agent: a UDP socket, or a TCP listener plus a
// connection to the proxy, or a TLS connection to the proxy (tls.hpp; the
// proxy reaches a TLS client on that connection only). Requests go to the proxy (the outbound proxy
// of RFC 3261 §8.1.2); requests that arrive (over UDP, the proxy's connection or a connection the
// proxy opens to the Contact address) go to a handler.
//
// Single-threaded: everything runs on one io_context, pumped by
// `run_until`, so the commands read as straight-line code.
#ifndef SIPSAF_EXAMPLES_UA_AGENT_HPP
#define SIPSAF_EXAMPLES_UA_AGENT_HPP

#include "options.hpp"
#include "tls.hpp"

#include <sipsaf/message.hpp>

#include <boost/asio.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ua {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;
using steady = std::chrono::steady_clock;

class tcp_connection;

/// A message that arrived, owning its bytes, and where an answer goes.
struct incoming {
  std::string wire;
  sipsaf::message_view msg;
  udp::endpoint from;                  // UDP: the sender
  std::weak_ptr<tcp_connection> conn;  // TCP: the connection it came on
  std::string peer;                    // "host:port", for messages
};

/// Random lower-case hex of `n` characters (tags, branches, Call-IDs).
inline auto random_token(std::size_t n) -> std::string {
  static std::mt19937_64 gen{std::random_device{}()};
  static constexpr char hex[] = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += hex[gen() & 15];
  return s;
}

class agent;

/// One TCP connection: reads with the stream framer (RFC 3261 §18.3),
/// writes through a queue.
class tcp_connection : public std::enable_shared_from_this<tcp_connection> {
 public:
  tcp_connection(tcp::socket s, agent& owner) : sock_(std::move(s)), owner_(&owner) {}
  tcp_connection(std::unique_ptr<tls_stream> s, agent& owner)
      : sock_(s->get_executor()), tls_(std::move(s)), owner_(&owner) {}
  inline void start();
  inline void send(std::string bytes);
  auto is_open() const -> bool { return open_; }
  void close() {
    open_ = false;
    boost::system::error_code ec;
    socket().close(ec);
  }
  auto peer() const -> std::string { return peer_; }

 private:
  inline void read();
  inline void write();
  auto socket() -> tcp::socket& { return tls_ ? tls_->next_layer() : sock_; }

  tcp::socket sock_;
  std::unique_ptr<tls_stream> tls_;  // TLS: the stream, over its own socket
  agent* owner_;
  std::string in_;
  std::deque<std::string> out_;
  std::array<char, 16384> chunk_{};
  bool open_ = true;
  std::string peer_;
};

/// The final outcome of a client transaction.
struct response {
  std::shared_ptr<incoming> final;  // null on timeout or transport failure
  bool timed_out = false;
};

class agent {
 public:
  using settings = net_settings;

  agent(asio::io_context& io, settings s) : io_(io), s_(std::move(s)), udp_(io), acceptor_(io) {
    auto const local = asio::ip::make_address(s_.local_host);
    proxy_addr_ = asio::ip::make_address(s_.proxy_host);
    if (s_.transport == transport_kind::udp) {
      udp_.open(local.is_v6() ? udp::v6() : udp::v4());
      udp_.bind(udp::endpoint(local, s_.local_port));
      port_ = udp_.local_endpoint().port();
      receive_udp();
    } else if (s_.transport == transport_kind::tls) {
      // No listener: the connection to the proxy is the way in (RFC 5630
      // §3.1.3); it is opened now, so that Via and Contact name its port.
      tls_ = make_tls_client_context(s_.ca_file);
      if (!connect_proxy()) throw std::runtime_error("TLS to the proxy: " + tls_error_);
    } else {
      tcp::endpoint ep(local, s_.local_port);
      acceptor_.open(ep.protocol());
      acceptor_.set_option(tcp::acceptor::reuse_address(true));
      acceptor_.bind(ep);
      acceptor_.listen();
      port_ = acceptor_.local_endpoint().port();
      accept();
    }
  }

  /// "UDP" or "TCP", for Via (RFC 3261 §18.1.1).
  auto transport_name() const -> std::string_view {
    return s_.transport == transport_kind::udp   ? "UDP"
           : s_.transport == transport_kind::tcp ? "TCP"
                                                 : "TLS";
  }
  auto local_port() const -> std::uint16_t { return port_; }
  auto host_port() const -> std::string {
    return host_literal(s_.local_host) + ":" + std::to_string(port_);
  }
  /// Where the proxy reaches this agent (RFC 3261 §10.2.1).
  auto contact_uri(std::string_view user) const -> std::string {
    std::string u = "sip:" + std::string(user) + "@" + host_port();
    if (s_.transport == transport_kind::tcp) u += ";transport=tcp";
    if (s_.transport == transport_kind::tls) u += ";transport=tls";
    return u;
  }
  /// A branch with the RFC 3261 §8.1.1.7 magic cookie.
  static auto new_branch() -> std::string { return "z9hG4bK" + random_token(20); }
  /// The top Via for a request of this agent; `;rport` asks for the
  /// source port in responses (RFC 3581), which loopback UDP needs not,
  /// but NATs do.
  auto via_params() const -> std::string {
    return s_.transport == transport_kind::udp ? ";rport" : "";
  }

  /// Requests that arrive go here; the handler answers with `respond`.
  void on_request(std::function<void(std::shared_ptr<incoming> const&)> h) {
    handler_ = std::move(h);
  }
  /// Requests that arrive after a stop was asked are still answered (the
  /// handler is called); `stop` only makes interruptible waits return.
  void stop() { stop_ = true; }
  auto stopping() const -> bool { return stop_; }

  /// Sends a request to the proxy and waits for its final response
  /// (RFC 3261 §17.1): retransmitted over UDP (Timer A/E, doubling from T1 =
  /// 500 ms up to T2 = 4 s; INVITE stops at the first provisional), given
  /// up after `deadline` (Timer B/F). Provisional responses go to
  /// `provisional`.
  auto transact(std::string wire, std::string const& branch, std::string const& method,
                steady::time_point deadline, std::function<void(incoming const&)> provisional = {})
      -> response {
    auto t = std::make_shared<client_tx>(io_);
    t->wire = wire;
    t->method = method;
    t->provisional = std::move(provisional);
    clients_[branch] = t;
    if (!send_to_proxy(wire)) {
      clients_.erase(branch);
      return response{nullptr, false};
    }
    if (s_.transport == transport_kind::udp) arm_retransmit(t, std::chrono::milliseconds(500));
    run_until([&] { return t->final != nullptr; }, deadline, false);
    t->timer.cancel();
    clients_.erase(branch);
    if (!t->final) return response{nullptr, true};
    if (method == "INVITE" && t->final->msg.status() >= 300) completed_invites_[branch] = t->final;
    return response{t->final, false};
  }

  /// Sends bytes to the proxy outside any transaction (ACK for a 2xx,
  /// RFC 3261 §13.2.2.4).
  auto send_to_proxy(std::string const& wire) -> bool {
    if (s_.transport == transport_kind::udp) {
      boost::system::error_code ec;
      udp_.send_to(asio::buffer(wire), udp::endpoint(proxy_addr_, s_.proxy_port), 0, ec);
      return !ec;
    }
    if (s_.transport == transport_kind::tls) {
      if ((!proxy_conn_ || !proxy_conn_->is_open()) && !connect_proxy()) return false;
    } else if (!proxy_conn_ || !proxy_conn_->is_open()) {
      tcp::socket sock(io_);
      boost::system::error_code ec;
      sock.connect(tcp::endpoint(proxy_addr_, s_.proxy_port), ec);
      if (ec) return false;
      proxy_conn_ = std::make_shared<tcp_connection>(std::move(sock), *this);
      proxy_conn_->start();
    }
    proxy_conn_->send(wire);
    return true;
  }

  /// Answers a request that arrived: over the connection it came on, or to
  /// the UDP source address (RFC 3261 §18.2.2 with RFC 3581 rport).
  /// Retransmissions of that request get the same answer again.
  void respond(incoming const& req, std::string wire) {
    remember_answer(req, wire);
    send_back(req, wire);
  }

  /// Runs the I/O until `done()` holds or `deadline` passes; an
  /// interruptible wait also ends when a stop was asked. Returns `done()`.
  template <class Done>
  auto run_until(Done&& done, steady::time_point deadline, bool interruptible = true) -> bool {
    while (!done()) {
      if (interruptible && stop_) return false;
      if (steady::now() >= deadline) return done();
      if (io_.stopped()) io_.restart();
      io_.run_one_until(std::min(deadline, steady::now() + std::chrono::milliseconds(200)));
    }
    return true;
  }

  // --- called by the connections --------------------------------------------
  void deliver(std::shared_ptr<incoming> m) {
    if (m->msg.is_response())
      on_response(m);
    else
      on_incoming_request(m);
  }
  void connection_closed(tcp_connection* c) {
    if (proxy_conn_.get() == c) proxy_conn_.reset();
    for (auto it = accepted_.begin(); it != accepted_.end();)
      it = it->get() == c ? accepted_.erase(it) : it + 1;
  }

  /// Parses bytes that arrived; bad ones are dropped (RFC 3261 §18.3 for
  /// streams: a framing error closes the connection, done by the caller).
  static auto parse(std::string bytes, bool stream) -> std::shared_ptr<incoming> {
    auto m = std::make_shared<incoming>();
    m->wire = std::move(bytes);
    sipsaf::message_options o;
    o.require_content_length = stream;
    auto r = sipsaf::parse_message(m->wire, o);
    if (!r) return nullptr;
    m->msg = std::move(*r);
    return m;
  }

 private:
  struct client_tx {
    explicit client_tx(asio::io_context& io) : timer(io) {}
    std::string wire;
    std::string method;
    std::function<void(incoming const&)> provisional;
    std::shared_ptr<incoming> final;
    bool got_provisional = false;
    asio::steady_timer timer;
  };

  // TLS: connects and completes the handshake (the proxy's certificate
  // checked); on failure says why in `tls_error_`.
  auto connect_proxy() -> bool {
    boost::system::error_code ec;
    auto s = connect_tls(io_, *tls_, tcp::endpoint(proxy_addr_, s_.proxy_port), s_.proxy_host, ec);
    if (!s) {
      tls_error_ = ec.message();
      return false;
    }
    port_ = s->next_layer().local_endpoint(ec).port();
    proxy_conn_ = std::make_shared<tcp_connection>(std::move(s), *this);
    proxy_conn_->start();
    return true;
  }

  static auto host_literal(std::string const& h) -> std::string {
    return h.find(':') != std::string::npos ? "[" + h + "]" : h;
  }

  void arm_retransmit(std::shared_ptr<client_tx> const& t, std::chrono::milliseconds interval) {
    t->timer.expires_after(interval);
    std::weak_ptr<client_tx> weak = t;
    t->timer.async_wait([this, weak, interval](boost::system::error_code ec) {
      auto t = weak.lock();
      if (ec || !t || t->final) return;
      // RFC 3261 §17.1.1.2: an INVITE is not retransmitted after a 1xx.
      if (t->method == "INVITE" && t->got_provisional) return;
      send_to_proxy(t->wire);
      arm_retransmit(t, std::min(interval * 2, std::chrono::milliseconds(4000)));
    });
  }

  void receive_udp() {
    udp_.async_receive_from(
        asio::buffer(datagram_), udp_from_, [this](boost::system::error_code ec, std::size_t n) {
          if (ec == asio::error::operation_aborted) return;
          if (!ec && n > 0) {
            if (auto m = parse(std::string(datagram_.data(), n), false)) {
              m->from = udp_from_;
              m->peer = udp_from_.address().to_string() + ":" + std::to_string(udp_from_.port());
              deliver(m);
            }
          }
          receive_udp();
        });
  }

  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket s) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) {
        auto c = std::make_shared<tcp_connection>(std::move(s), *this);
        accepted_.push_back(c);
        c->start();
      }
      accept();
    });
  }

  void on_response(std::shared_ptr<incoming> const& m) {
    auto via = m->msg.top_via();
    auto cseq = m->msg.cseq();
    if (!via || !cseq) return;
    auto it = clients_.find(std::string(via->branch));
    if (it == clients_.end()) {
      // A retransmitted final response to an INVITE we already ACKed
      // (non-2xx): ACK again (RFC 3261 §17.1.1.2).
      auto done = completed_invites_.find(std::string(via->branch));
      if (done != completed_invites_.end() && m->msg.status() >= 300)
        send_to_proxy(ack_for(*done->second));
      return;
    }
    auto& t = *it->second;
    if (cseq->method != t.method) return;  // RFC 3261 §17.1.3
    if (m->msg.status() < 200) {
      t.got_provisional = true;
      if (t.provisional) t.provisional(*m);
      return;
    }
    if (t.final) return;
    t.final = m;
    // RFC 3261 §17.1.1.3: the client transaction ACKs a non-2xx final
    // response to INVITE itself, with the INVITE's branch.
    if (t.method == "INVITE" && m->msg.status() >= 300) {
      ack_source_ = t.wire;
      send_to_proxy(ack_for(*m));
    }
  }

  // The ACK for a non-2xx response: Request-URI, Call-ID, From, CSeq
  // number and top Via of the INVITE; To of the response (RFC 3261 §17.1.1.3).
  auto ack_for(incoming const& resp) -> std::string {
    auto inv = sipsaf::parse_message(ack_source_);
    if (!inv) return {};
    sipsaf::request_builder b("ACK", inv->request_uri());
    if (auto v = inv->find(sipsaf::field::via)) b.header("Via", v->value);
    b.max_forwards(70);
    b.header("From", inv->header(sipsaf::field::from).value_or(""));
    b.header("To", resp.msg.header(sipsaf::field::to).value_or(""));
    b.call_id(inv->header(sipsaf::field::call_id).value_or(""));
    if (auto c = inv->cseq()) b.cseq(c->number);
    auto w = b.build();
    return w ? *w : std::string();
  }

  void on_incoming_request(std::shared_ptr<incoming> const& m) {
    auto via = m->msg.top_via();
    if (!via) return;  // RFC 3261 §8.2: cannot be answered
    std::string const key = std::string(via->branch) + " " + std::string(m->msg.method());
    // A retransmission (RFC 3261 §17.2): the same answer again.
    for (auto const& a : answers_)
      if (a.first == key) {
        send_back(*m, a.second);
        return;
      }
    // ACK of a non-2xx we sent matches that INVITE's transaction: absorb.
    if (m->msg.method() == "ACK") {
      for (auto const& a : answers_)
        if (a.first == std::string(via->branch) + " INVITE") return;
    }
    if (handler_) handler_(m);
  }

  void remember_answer(incoming const& req, std::string const& wire) {
    auto via = req.msg.top_via();
    if (!via) return;
    answers_.emplace_back(std::string(via->branch) + " " + std::string(req.msg.method()), wire);
    if (answers_.size() > 1024) answers_.pop_front();
  }

  void send_back(incoming const& req, std::string const& wire) {
    if (s_.transport == transport_kind::udp) {
      boost::system::error_code ec;
      udp_.send_to(asio::buffer(wire), req.from, 0, ec);
      return;
    }
    if (auto c = req.conn.lock(); c && c->is_open()) c->send(wire);
  }

  asio::io_context& io_;
  settings s_;
  asio::ip::address proxy_addr_;
  udp::socket udp_;
  udp::endpoint udp_from_;
  std::array<char, 65536> datagram_{};
  tcp::acceptor acceptor_;
  std::shared_ptr<tcp_connection> proxy_conn_;
  std::shared_ptr<asio::ssl::context> tls_;
  std::string tls_error_;
  std::vector<std::shared_ptr<tcp_connection>> accepted_;
  std::uint16_t port_ = 0;
  std::map<std::string, std::shared_ptr<client_tx>> clients_;
  std::map<std::string, std::shared_ptr<incoming>> completed_invites_;
  std::string ack_source_;
  std::deque<std::pair<std::string, std::string>> answers_;
  std::function<void(std::shared_ptr<incoming> const&)> handler_;
  bool stop_ = false;
};

inline void tcp_connection::start() {
  boost::system::error_code ec;
  auto ep = socket().remote_endpoint(ec);
  if (!ec) peer_ = ep.address().to_string() + ":" + std::to_string(ep.port());
  read();
}

inline void tcp_connection::read() {
  auto self = shared_from_this();
  auto on_read = [self](boost::system::error_code ec, std::size_t n) {
    if (ec) {
      self->open_ = false;
      self->owner_->connection_closed(self.get());
      return;
    }
    self->in_.append(self->chunk_.data(), n);
    for (;;) {
      auto f = sipsaf::frame_message(self->in_);
      if (!f) {  // RFC 3261 §18.3: a stream that cannot be framed is closed
        self->close();
        self->owner_->connection_closed(self.get());
        return;
      }
      if (!f->complete) {
        self->in_.erase(0, f->skip);
        break;
      }
      std::string one(f->message(self->in_));
      self->in_.erase(0, f->consumed());
      if (auto m = agent::parse(std::move(one), true)) {
        m->conn = self;
        m->peer = self->peer_;
        self->owner_->deliver(m);
      }
    }
    if (self->open_) self->read();
  };
  if (tls_)
    tls_->async_read_some(asio::buffer(chunk_), std::move(on_read));
  else
    sock_.async_read_some(asio::buffer(chunk_), std::move(on_read));
}

inline void tcp_connection::send(std::string bytes) {
  if (!open_) return;
  out_.push_back(std::move(bytes));
  if (out_.size() == 1) write();
}

inline void tcp_connection::write() {
  auto self = shared_from_this();
  auto on_written = [self](boost::system::error_code ec, std::size_t) {
    if (ec) {
      self->close();
      return;
    }
    self->out_.pop_front();
    if (!self->out_.empty()) self->write();
  };
  if (tls_)
    asio::async_write(*tls_, asio::buffer(out_.front()), std::move(on_written));
  else
    asio::async_write(sock_, asio::buffer(out_.front()), std::move(on_written));
}

}  // namespace ua

#endif  // SIPSAF_EXAMPLES_UA_AGENT_HPP
