// UDP, TCP and TLS for the proxy; see transport.hpp.
#include "transport.hpp"

#include "log.hpp"
#include "source_limits.hpp"

#include <sipsaf/message/framing.hpp>

#include <boost/asio/ssl.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <deque>
#include <optional>
#include <utility>

#include <linux/errqueue.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace proxy {

using boost::system::error_code;
using tcp = asio::ip::tcp;
using udp = asio::ip::udp;

namespace {
auto to_std(error_code const& ec) -> std::error_code {
  return std::error_code(ec.value(), std::generic_category());
}

// The UDP peer a socket address names.
auto peer_of(sockaddr_storage const& name) -> std::optional<peer> {
  peer p;
  p.kind = transport_kind::udp;
  if (name.ss_family == AF_INET) {
    auto const* s = reinterpret_cast<sockaddr_in const*>(&name);
    p.address = asio::ip::address_v4(ntohl(s->sin_addr.s_addr));
    p.port = ntohs(s->sin_port);
  } else if (name.ss_family == AF_INET6) {
    auto const* s = reinterpret_cast<sockaddr_in6 const*>(&name);
    asio::ip::address_v6::bytes_type b;
    std::memcpy(b.data(), s->sin6_addr.s6_addr, 16);
    p.address = asio::ip::address_v6(b, s->sin6_scope_id);
    p.port = ntohs(s->sin6_port);
  } else {
    return std::nullopt;
  }
  return p;
}
}  // namespace

// One TCP or TLS connection: a read buffer cut into messages, a bounded
// write queue.
class transports::connection : public std::enable_shared_from_this<connection> {
 public:
  connection(transports& t, tcp::socket s, std::uint64_t id, peer remote, bool accepted)
      : t_(t), id_(id), remote_(remote), accepted_(accepted) {
    remote_.connection = id;
    plain_ = std::make_unique<tcp::socket>(std::move(s));
    last_activity_ = partial_since_ = std::chrono::steady_clock::now();
  }

  auto id() const -> std::uint64_t { return id_; }
  auto remote() const -> peer const& { return remote_; }
  auto accepted() const -> bool { return accepted_; }
  auto last_activity() const -> std::chrono::steady_clock::time_point { return last_activity_; }

  void connect() {
    auto self = shared_from_this();
    tcp::endpoint const ep(remote_.address, remote_.port);
    socket().async_connect(ep, [this, self](error_code ec) {
      if (closed_) return;
      if (ec) {
        log::warn("TCP connect to {} failed: {}", remote_.text(), ec.message());
        if (t_.h_.unreachable) t_.h_.unreachable(remote_);
        close(ec);
        return;
      }
      connected_ = true;
      plain_->non_blocking(true, ec);
      log::debug("TCP connected to {} (connection {})", remote_.text(), id_);
      read();
      flush();
    });
  }

  void start() {
    if (remote_.kind != transport_kind::tls) {
      connected_ = true;
      error_code ignored;
      plain_->non_blocking(true, ignored);
      read();
      return;
    }
    // RFC 3261 §26.3.1: the server side of the handshake, within a deadline.
    // The TLS state (some 80 KiB with its buffers) is made only once the
    // client has sent something: a silent connection costs a socket.
    handshaking_ = true;
    auto self = shared_from_this();
    plain_->async_wait(tcp::socket::wait_read, [this, self](error_code ec) {
      if (closed_) return;
      if (ec) return close(ec);
      tls_ = std::make_unique<tls_stream>(std::move(*plain_), *t_.tls_);
      plain_.reset();
      handshake();
    });
  }

  void write(std::string bytes, std::function<void(std::error_code)> on_error) {
    if (closed_) {
      if (on_error)
        asio::post(t_.io_,
                   [on_error] { on_error(std::make_error_code(std::errc::not_connected)); });
      return;
    }
    if (out_bytes_ + bytes.size() > t_.limits_.max_write_queue ||
        t_.written_ + bytes.size() > t_.limits_.max_written) {
      // A peer that does not read must not make us hold its bytes forever.
      log::warn("{}: write queue over its bound, closing", remote_.text());
      if (on_error)
        asio::post(t_.io_,
                   [on_error] { on_error(std::make_error_code(std::errc::no_buffer_space)); });
      close(asio::error::no_buffer_space);
      return;
    }
    out_bytes_ += bytes.size();
    t_.written_ += bytes.size();
    out_.emplace_back(std::move(bytes), std::move(on_error));
    flush();
  }

  /// Stops reading; closes once the write queue is empty.
  void close_after_writes() {
    reading_ = false;
    close_when_drained_ = true;
    if (out_.empty() && !writing_) close({});
  }

  void stop_reading() { reading_ = false; }

  void close(error_code ec) {
    if (closed_) return;
    closed_ = true;
    error_code ignored;
    socket().shutdown(tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
    for (auto& w : out_)
      if (w.second) {
        auto cb = std::move(w.second);
        auto e = ec ? to_std(ec) : std::make_error_code(std::errc::connection_aborted);
        asio::post(t_.io_, [cb, e] { cb(e); });
      }
    out_.clear();
    t_.written_ -= out_bytes_;
    out_bytes_ = 0;
    t_.buffered_ -= in_.size();
    in_.clear();
    std::uint64_t const id = id_;
    transports* t = &t_;
    asio::post(t_.io_, [t, id] { t->remove_connection(id); });
  }

  // Called once a second by the owner: a handshake or a half-received
  // message that takes too long, or a connection silent for too long, is
  // closed.
  void check(std::chrono::steady_clock::time_point now) {
    if (closed_) return;
    if (handshaking_ && now - partial_since_ > t_.limits_.handshake_timeout) {
      log::debug("{}: TLS handshake not finished in time, closing", remote_.text());
      close({});
      return;
    }
    if (!in_.empty() && now - partial_since_ > t_.limits_.message_timeout) {
      t_.log_limit_.write(log::level::warn, "slow",
                          "{}: a message was not finished within {} s, closing", remote_.text(),
                          t_.limits_.message_timeout.count());
      if (t_.h_.stream_error)
        t_.h_.stream_error(remote_, in_, sipsaf::errc::need_more, "message not finished in time");
      close_after_writes();
      return;
    }
    auto const idle = now - last_activity_;
    if (idle > t_.limits_.idle_timeout) {
      t_.log_limit_.write(log::level::info, "idle", "{}: idle, closing", remote_.text());
      close({});
      return;
    }
    // A connection that carries no registration is nobody's way back: it
    // may not stay open for hours (asked again after each idle period).
    if (accepted_ && idle > t_.limits_.unregistered_idle_timeout && now >= next_ask_) {
      if (carries_registration()) {
        next_ask_ = now + t_.limits_.unregistered_idle_timeout;
      } else {
        log::debug("{}: silent and carries no registration, closing", remote_.text());
        close({});
      }
    }
  }

  auto carries_registration() const -> bool {
    return t_.h_.carries_registration && t_.h_.carries_registration(id_);
  }
  auto pending() const -> std::size_t { return out_bytes_; }
  auto closed() const -> bool { return closed_; }

 private:
  using tls_stream = asio::ssl::stream<tcp::socket>;

  void handshake() {
    auto self = shared_from_this();
    tls_->async_handshake(asio::ssl::stream_base::server, [this, self](error_code ec) {
      if (closed_) return;
      handshaking_ = false;
      if (ec) {
        log::debug("{}: TLS handshake: {}", remote_.text(), ec.message());
        close(ec);
        return;
      }
      connected_ = true;
      last_activity_ = std::chrono::steady_clock::now();
      read();
      flush();
    });
  }

  auto socket() -> tcp::socket& { return tls_ ? tls_->next_layer() : *plain_; }

  void read() {
    if (!reading_ || closed_) return;
    auto self = shared_from_this();
    if (tls_) {
      tls_chunk_.resize(16 * 1024);  // one TLS record (RFC 8446 §5.1)
      tls_->async_read_some(asio::buffer(tls_chunk_), [this, self](error_code ec, std::size_t n) {
        if (closed_) return;
        if (ec) return read_failed(ec);
        received(tls_chunk_.data(), n);
      });
      return;
    }
    // Plain TCP: wait until there is something, then read it into the
    // shared buffer, so that a silent connection costs no buffer.
    plain_->async_wait(tcp::socket::wait_read, [this, self](error_code ec) {
      if (closed_) return;
      if (ec) return read_failed(ec);
      auto& buf = t_.stream_buffer_;
      std::size_t const n = plain_->read_some(asio::buffer(buf), ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again) return read();
      if (ec) return read_failed(ec);
      received(buf.data(), n);
    });
  }

  void read_failed(error_code ec) {
    if (ec != asio::error::eof && ec != asio::ssl::error::stream_truncated)
      log::debug("{}: read: {}", remote_.text(), ec.message());
    close(ec);
  }

  void received(char const* data, std::size_t n) {
    last_activity_ = std::chrono::steady_clock::now();
    if (in_.empty()) partial_since_ = last_activity_;
    in_.append(data, n);
    t_.buffered_ += n;
    if (t_.buffered_ > t_.limits_.max_buffered) {
      log::warn("{}: all connections together buffer over {} bytes, closing this one",
                remote_.text(), t_.limits_.max_buffered);
      close({});
      return;
    }
    if (!reading_) return;
    cut_messages();
    read();
  }

  void cut_messages() {
    sipsaf::message_options opts;
    opts.max_message_bytes = t_.limits_.max_stream_message;
    opts.max_body_bytes = t_.limits_.max_stream_message;
    if (t_.h_.batch_begin) t_.h_.batch_begin();
    while (!closed_ && reading_) {
      auto f = sipsaf::frame_message(in_, opts);
      if (!f) {
        // RFC 3261 §18.3: the stream cannot be resynchronised; answer if we
        // can (400, 413, 505), then close.
        t_.log_limit_.write(log::level::warn, "framing", "{}: {}; closing", remote_.text(),
                            f.error().message());
        if (t_.h_.stream_error)
          t_.h_.stream_error(remote_, in_, f.error().code, f.error().message());
        close_after_writes();
        break;
      }
      if (!f->complete) {
        in_.erase(0, f->skip);  // CRLF keep-alives (RFC 5626 §3.5.1)
        t_.buffered_ -= f->skip;
        break;
      }
      std::string msg = in_.substr(f->skip, f->size);
      in_.erase(0, f->consumed());
      t_.buffered_ -= f->consumed();
      partial_since_ = std::chrono::steady_clock::now();
      if (t_.h_.message) t_.h_.message(msg, remote_);
    }
    if (in_.empty()) std::string().swap(in_);  // an idle connection keeps no buffer
    if (t_.h_.batch_end) t_.h_.batch_end();
  }

  void flush() {
    if (writing_ || !connected_ || closed_ || out_.empty()) return;
    writing_ = true;
    auto self = shared_from_this();
    auto done = [this, self](error_code ec, std::size_t) {
      writing_ = false;
      if (closed_) return;
      if (ec) {
        t_.log_limit_.write(log::level::warn, "write", "{}: write: {}", remote_.text(),
                            ec.message());
        close(ec);
        return;
      }
      last_activity_ = std::chrono::steady_clock::now();
      out_bytes_ -= out_.front().first.size();
      t_.written_ -= out_.front().first.size();
      out_.pop_front();
      if (out_.empty() && close_when_drained_) {
        close({});
        return;
      }
      flush();
    };
    if (tls_)
      asio::async_write(*tls_, asio::buffer(out_.front().first), std::move(done));
    else
      asio::async_write(*plain_, asio::buffer(out_.front().first), std::move(done));
  }

  transports& t_;
  std::unique_ptr<tcp::socket> plain_;
  std::unique_ptr<tls_stream> tls_;
  std::uint64_t id_;
  peer remote_;
  bool accepted_;
  std::vector<char> tls_chunk_;
  std::string in_;
  std::deque<std::pair<std::string, std::function<void(std::error_code)>>> out_;
  std::size_t out_bytes_ = 0;
  bool writing_ = false;
  bool connected_ = false;
  bool closed_ = false;
  bool reading_ = true;
  bool handshaking_ = false;
  bool close_when_drained_ = false;
  std::chrono::steady_clock::time_point last_activity_, partial_since_, next_ask_{};
};

transports::transports(asio::io_context& io, transport_limits limits, handlers h)
    : io_(io),
      limits_(limits),
      h_(std::move(h)),
      udp_buffer_(new char[udp_slots * limits.max_datagram]),
      stream_buffer_(64 * 1024) {}

transports::~transports() {
  close();
}

void transports::open_udp(asio::ip::address const& a, std::uint16_t port) {
  udp_ = std::make_unique<udp::socket>(io_);
  udp::endpoint const ep(a, port);
  udp_->open(ep.protocol());
  udp_->bind(ep);
  udp_->non_blocking(true);
  boost::system::error_code ignored;
  udp_->set_option(asio::socket_base::receive_buffer_size(limits_.udp_receive_buffer), ignored);
  // Learn of ICMP "port unreachable" at once (Linux IP_RECVERR): a contact
  // that is gone fails its delivery now, not after 32 s of Timer F.
  int on = 1;
  if (a.is_v4())
    ::setsockopt(udp_->native_handle(), IPPROTO_IP, IP_RECVERR, &on, sizeof on);
  else
    ::setsockopt(udp_->native_handle(), IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof on);
  receive_udp();
}

namespace {
auto listen_on(asio::io_context& io, asio::ip::address const& a, std::uint16_t port)
    -> std::unique_ptr<tcp::acceptor> {
  tcp::endpoint const ep(a, port);
  auto acc = std::make_unique<tcp::acceptor>(io);
  acc->open(ep.protocol());
  acc->set_option(tcp::acceptor::reuse_address(true));
  acc->bind(ep);
  acc->listen();
  return acc;
}
}  // namespace

void transports::open_tcp(asio::ip::address const& a, std::uint16_t port) {
  acceptor_ = listen_on(io_, a, port);
  accept(*acceptor_, transport_kind::tcp);
  start_ticker();
}

void transports::open_tls(asio::ip::address const& a, std::uint16_t port, asio::ssl::context& ctx) {
  tls_ = &ctx;
  tls_acceptor_ = listen_on(io_, a, port);
  accept(*tls_acceptor_, transport_kind::tls);
  start_ticker();
}

void transports::start_ticker() {
  if (ticking_) return;
  ticking_ = true;
  // Once a second: timeouts of handshakes, half-received messages and idle
  // connections.
  auto timer = std::make_shared<asio::steady_timer>(io_);
  struct ticker {
    transports* t;
    std::shared_ptr<asio::steady_timer> timer;
    void operator()(error_code ec) const {
      if (ec || !t->receiving_) return;
      t->tick();
      timer->expires_after(std::chrono::seconds(1));
      timer->async_wait(*this);
    }
  };
  timer->expires_after(std::chrono::seconds(1));
  timer->async_wait(ticker{this, timer});
}

void transports::tick() {
  auto const now = std::chrono::steady_clock::now();
  auto copy = connections_;  // check() may remove entries
  for (auto& c : copy) c.second->check(now);
  log_limit_.report(now);
  if (refused_ > 0) {  // one line a second, however many were refused
    log::warn("{} connections refused in the last second ({} open)", refused_, connections_.size());
    refused_ = 0;
  }
}

void transports::receive_udp() {
  if (!udp_ || !receiving_) return;
  udp_->async_wait(udp::socket::wait_read, [this](error_code ec) {
    if (ec == asio::error::operation_aborted || !udp_ || !receiving_) return;
    if (h_.batch_begin) h_.batch_begin();
    // Read what is there, up to a burst: their stored messages are committed
    // together. Several datagrams a system call (recvmmsg): one recvfrom
    // each cost about a twentieth of a stored message's CPU.
    std::array<mmsghdr, udp_slots> msgs{};
    std::array<iovec, udp_slots> iov{};
    std::array<sockaddr_storage, udp_slots> names{};
    std::size_t const slot = limits_.max_datagram;
    for (std::size_t done = 0; done < limits_.burst && receiving_ && udp_;) {
      auto const want = static_cast<unsigned>(std::min(udp_slots, limits_.burst - done));
      for (unsigned i = 0; i < want; ++i) {
        iov[i] = iovec{udp_buffer_.get() + i * slot, slot};
        msgs[i].msg_hdr = msghdr{};
        msgs[i].msg_hdr.msg_name = &names[i];
        msgs[i].msg_hdr.msg_namelen = sizeof names[i];
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
      }
      int const got = ::recvmmsg(udp_->native_handle(), msgs.data(), want, MSG_DONTWAIT, nullptr);
      if (got < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        if (errno == EINTR) continue;
        handle_udp_error();  // an ICMP error of an earlier send, or worse
        ++done;
        continue;
      }
      if (got == 0) break;
      done += static_cast<std::size_t>(got);
      for (int i = 0; i < got && receiving_; ++i) {
        auto from = peer_of(names[static_cast<std::size_t>(i)]);
        if (!from) continue;
        if (h_.message)
          h_.message(std::string_view(udp_buffer_.get() + static_cast<std::size_t>(i) * slot,
                                      msgs[static_cast<std::size_t>(i)].msg_len),
                     *from);
      }
      if (static_cast<unsigned>(got) < want) break;  // the socket is drained
    }
    if (h_.batch_end) h_.batch_end();
    receive_udp();
  });
}

void transports::handle_udp_error() {
  // The error queue names the destination of each datagram that bounced.
  for (int i = 0; i < 64; ++i) {
    char data[256];
    char control[512];
    sockaddr_storage name{};
    iovec iov{data, sizeof data};
    msghdr msg{};
    msg.msg_name = &name;
    msg.msg_namelen = sizeof name;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    if (::recvmsg(udp_->native_handle(), &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) break;
    auto const found = peer_of(name);
    if (!found) continue;
    peer const& p = *found;
    log_limit_.write(log::level::info, "icmp", "UDP {} is unreachable (ICMP)", p.text());
    if (h_.unreachable) asio::post(io_, [this, p] { h_.unreachable(p); });
  }
}

void transports::accept(tcp::acceptor& acc, transport_kind kind) {
  if (!receiving_) return;
  acc.async_accept([this, &acc, kind](error_code ec, tcp::socket s) {
    if (ec == asio::error::operation_aborted || !receiving_) return;
    if (!ec) {
      error_code e;
      auto remote = s.remote_endpoint(e);
      if (!e && admit(remote.address())) {
        peer p{kind, remote.address(), remote.port(), 0};
        auto c = add_connection(std::move(s), true, p);
        log::debug("{} accepted (connection {})", c->remote().text(), c->id());
        c->start();
      } else {
        ++refused_;
        s.close(e);
      }
    } else {
      log::warn("{} accept: {}", to_string(kind), ec.message());
    }
    accept(acc, kind);
  });
}

auto transports::admit(asio::ip::address const& from) -> bool {
  auto const it = per_source_.find(source_of(from));
  if (it != per_source_.end() && it->second >= limits_.max_connections_per_source) return false;
  return connections_.size() < limits_.max_connections || evict_one();
}

// At the global bound: the accepted connection silent the longest that
// carries no registration and has nothing to write makes room.
auto transports::evict_one() -> bool {
  std::vector<connection*> idle;
  for (auto const& c : connections_)
    if (c.second->accepted() && !c.second->closed() && c.second->pending() == 0)
      idle.push_back(c.second.get());
  std::sort(idle.begin(), idle.end(), [](connection const* a, connection const* b) {
    return a->last_activity() < b->last_activity();
  });
  for (connection* c : idle)
    if (!c->carries_registration()) {
      log::debug("{}: closed to make room for a new connection", c->remote().text());
      c->close({});
      remove_connection(c->id());
      return true;
    }
  return false;
}

auto transports::add_connection(tcp::socket s, bool accepted, peer const& remote)
    -> std::shared_ptr<connection> {
  auto c = std::make_shared<connection>(*this, std::move(s), ++last_id_, remote, accepted);
  connections_.emplace(c->id(), c);
  if (accepted) ++per_source_[source_of(remote.address)];
  return c;
}

void transports::remove_connection(std::uint64_t id) {
  auto const it = connections_.find(id);
  if (it == connections_.end()) return;
  if (it->second->accepted()) {
    auto const s = per_source_.find(source_of(it->second->remote().address));
    if (s != per_source_.end() && --s->second == 0) per_source_.erase(s);
  }
  connections_.erase(it);
}

void transports::flush_datagrams() {
  holding_ = false;
  std::vector<datagram> out = std::move(held_datagrams_);
  held_datagrams_.clear();
  constexpr std::size_t chunk = 64;
  std::array<mmsghdr, chunk> msgs;
  std::array<iovec, chunk> iov;
  int tries = 0;  // of the first datagram not sent yet
  for (std::size_t first = 0; first < out.size();) {
    std::size_t const n = std::min(chunk, out.size() - first);
    for (std::size_t i = 0; i < n; ++i) {
      datagram& d = out[first + i];
      iov[i] = iovec{d.bytes.data(), d.bytes.size()};
      msgs[i] = mmsghdr{};
      msgs[i].msg_hdr.msg_name = d.to.data();
      msgs[i].msg_hdr.msg_namelen = static_cast<socklen_t>(d.to.size());
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int const sent =
        udp_ ? ::sendmmsg(udp_->native_handle(), msgs.data(), static_cast<unsigned>(n), 0) : -1;
    if (sent > 0) {
      first += static_cast<std::size_t>(sent);
      tries = 0;
      continue;
    }
    int const err = udp_ ? errno : EAFNOSUPPORT;
    if (err == EINTR) continue;
    // As in `send`: an ICMP error for an earlier datagram is not this one's.
    if ((err == ECONNREFUSED || err == EHOSTUNREACH || err == ENETUNREACH) && ++tries < 4) {
      handle_udp_error();
      continue;
    }
    std::error_code const e(err, std::generic_category());
    datagram& d = out[first++];
    tries = 0;
    log::warn("UDP send to {}: {}",
              peer{transport_kind::udp, d.to.address(), d.to.port(), 0}.text(), e.message());
    if (d.on_error) asio::post(io_, [cb = std::move(d.on_error), e] { cb(e); });
  }
}

void transports::send(peer const& to, std::string bytes,
                      std::function<void(std::error_code)> on_error) {
  auto fail = [&](std::error_code e) {
    if (on_error) asio::post(io_, [on_error, e] { on_error(e); });
  };
  switch (to.kind) {
    case transport_kind::local:
      return;
    case transport_kind::udp: {
      if (!udp_) return fail(std::make_error_code(std::errc::address_family_not_supported));
      if (holding_) {
        held_datagrams_.push_back(
            datagram{udp::endpoint(to.address, to.port), std::move(bytes), std::move(on_error)});
        return;
      }
      error_code ec;
      // An ICMP error for an earlier datagram (IP_RECVERR) fails the next
      // call on the socket, whatever its destination: a stranger whose
      // port is closed would make our answers to others fail. Such an
      // error is not this datagram's (a send learns nothing of its own
      // destination): the error queue says whose it is, and the send is
      // tried again.
      for (int tries = 0; tries < 4; ++tries) {
        udp_->send_to(asio::buffer(bytes), udp::endpoint(to.address, to.port), 0, ec);
        if (ec != asio::error::connection_refused && ec != asio::error::host_unreachable &&
            ec != asio::error::network_unreachable)
          break;
        handle_udp_error();
      }
      if (ec) {
        log::warn("UDP send to {}: {}", to.text(), ec.message());
        fail(to_std(ec));
      }
      return;
    }
    case transport_kind::tcp:
    case transport_kind::tls: {
      std::shared_ptr<connection> c;
      if (to.connection != 0) {
        auto it = connections_.find(to.connection);
        if (it != connections_.end()) c = it->second;
      }
      if (!c)
        for (auto& e : connections_)
          if (e.second->remote().same_endpoint(to)) {
            c = e.second;
            break;
          }
      if (!c && to.kind == transport_kind::tls) {
        // A TLS client is reached on the connection it opened (RFC 5630 §3.1.3);
        // opening one to it would need a certificate it could present.
        log::info("{}: no TLS connection open", to.text());
        return fail(std::make_error_code(std::errc::not_connected));
      }
      if (!c) {
        if (!receiving_) return fail(std::make_error_code(std::errc::not_connected));
        // A delivery the proxy decided on goes before an idle stranger's
        // connection: a flood at the bound must not stop deliveries.
        if (connections_.size() >= limits_.max_connections && !evict_one())
          return fail(std::make_error_code(std::errc::too_many_files_open));
        peer p = to;
        p.connection = 0;
        c = add_connection(tcp::socket(io_), false, p);
        c->write(std::move(bytes), std::move(on_error));
        c->connect();
        return;
      }
      c->write(std::move(bytes), std::move(on_error));
      return;
    }
  }
}

void transports::stop_receiving() {
  receiving_ = false;
  error_code ignored;
  if (acceptor_) acceptor_->close(ignored);
  if (tls_acceptor_) tls_acceptor_->close(ignored);
  acceptor_.reset();
  tls_acceptor_.reset();
  if (udp_) udp_->cancel(ignored);
  for (auto& c : connections_) c.second->stop_reading();
}

void transports::close() {
  receiving_ = false;
  error_code ignored;
  if (acceptor_) acceptor_->close(ignored);
  if (tls_acceptor_) tls_acceptor_->close(ignored);
  acceptor_.reset();
  tls_acceptor_.reset();
  if (udp_) udp_->close(ignored);
  auto copy = connections_;
  for (auto& c : copy) c.second->close({});
  connections_.clear();
}

auto transports::pending_writes() const -> std::size_t {
  std::size_t n = 0;
  for (auto const& c : connections_) n += c.second->pending();
  return n;
}

}  // namespace proxy
