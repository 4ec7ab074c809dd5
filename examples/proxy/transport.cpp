// UDP and TCP for the proxy; see transport.hpp.
#include "transport.hpp"

#include "log.hpp"

#include <sipsaf/message/framing.hpp>

#include <array>
#include <cstring>
#include <deque>
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
}  // namespace

// One TCP connection: a read buffer cut into messages, a bounded write queue.
class transports::connection : public std::enable_shared_from_this<connection> {
 public:
  connection(transports& t, tcp::socket s, std::uint64_t id, peer remote)
      : t_(t), sock_(std::move(s)), id_(id), remote_(remote) {
    remote_.connection = id;
    remote_.kind = transport_kind::tcp;
    last_activity_ = std::chrono::steady_clock::now();
  }

  auto id() const -> std::uint64_t { return id_; }
  auto remote() const -> peer const& { return remote_; }

  void connect() {
    auto self = shared_from_this();
    tcp::endpoint const ep(remote_.address, remote_.port);
    sock_.async_connect(ep, [this, self](error_code ec) {
      if (closed_) return;
      if (ec) {
        log::warn("TCP connect to {} failed: {}", remote_.text(), ec.message());
        if (t_.h_.unreachable) t_.h_.unreachable(remote_);
        close(ec);
        return;
      }
      connected_ = true;
      log::debug("TCP connected to {} (connection {})", remote_.text(), id_);
      read();
      flush();
    });
  }

  void start() {
    connected_ = true;
    read();
  }

  void write(std::string bytes, std::function<void(std::error_code)> on_error) {
    if (closed_) {
      if (on_error)
        asio::post(t_.io_,
                   [on_error] { on_error(std::make_error_code(std::errc::not_connected)); });
      return;
    }
    if (out_bytes_ + bytes.size() > t_.limits_.max_write_queue) {
      // A peer that does not read must not make us hold its bytes forever.
      log::warn("{}: write queue over {} bytes, closing", remote_.text(),
                t_.limits_.max_write_queue);
      if (on_error)
        asio::post(t_.io_,
                   [on_error] { on_error(std::make_error_code(std::errc::no_buffer_space)); });
      close(asio::error::no_buffer_space);
      return;
    }
    out_bytes_ += bytes.size();
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
    sock_.shutdown(tcp::socket::shutdown_both, ignored);
    sock_.close(ignored);
    for (auto& w : out_)
      if (w.second) {
        auto cb = std::move(w.second);
        auto e = ec ? to_std(ec) : std::make_error_code(std::errc::connection_aborted);
        asio::post(t_.io_, [cb, e] { cb(e); });
      }
    out_.clear();
    out_bytes_ = 0;
    t_.buffered_ -= in_.size();
    in_.clear();
    std::uint64_t const id = id_;
    transports* t = &t_;
    asio::post(t_.io_, [t, id] { t->remove_connection(id); });
  }

  // Called once a second by the owner: a half-received message that takes
  // too long, or a connection silent for too long, is closed.
  void check(std::chrono::steady_clock::time_point now) {
    if (closed_) return;
    if (!in_.empty() && now - partial_since_ > t_.limits_.message_timeout) {
      log::warn("{}: a message was not finished within {} s, closing", remote_.text(),
                t_.limits_.message_timeout.count());
      if (t_.h_.stream_error) t_.h_.stream_error(remote_, in_, "message not finished in time");
      close_after_writes();
      return;
    }
    if (now - last_activity_ > t_.limits_.idle_timeout) {
      log::info("{}: idle, closing", remote_.text());
      close({});
    }
  }

  auto pending() const -> std::size_t { return out_bytes_; }

 private:
  void read() {
    if (!reading_ || closed_) return;
    auto self = shared_from_this();
    sock_.async_read_some(asio::buffer(chunk_), [this, self](error_code ec, std::size_t n) {
      if (closed_) return;
      if (ec) {
        if (ec != asio::error::eof) log::debug("{}: read: {}", remote_.text(), ec.message());
        close(ec);
        return;
      }
      last_activity_ = std::chrono::steady_clock::now();
      if (in_.empty()) partial_since_ = last_activity_;
      in_.append(chunk_.data(), n);
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
    });
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
        // can (400, 413), then close.
        log::warn("{}: {}; closing", remote_.text(), f.error().message());
        if (t_.h_.stream_error) t_.h_.stream_error(remote_, in_, f.error().message());
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
    if (t_.h_.batch_end) t_.h_.batch_end();
  }

  void flush() {
    if (writing_ || !connected_ || closed_ || out_.empty()) return;
    writing_ = true;
    auto self = shared_from_this();
    asio::async_write(sock_, asio::buffer(out_.front().first),
                      [this, self](error_code ec, std::size_t) {
                        writing_ = false;
                        if (closed_) return;
                        if (ec) {
                          log::warn("{}: write: {}", remote_.text(), ec.message());
                          close(ec);
                          return;
                        }
                        last_activity_ = std::chrono::steady_clock::now();
                        out_bytes_ -= out_.front().first.size();
                        out_.pop_front();
                        if (out_.empty() && close_when_drained_) {
                          close({});
                          return;
                        }
                        flush();
                      });
  }

  transports& t_;
  tcp::socket sock_;
  std::uint64_t id_;
  peer remote_;
  std::array<char, 64 * 1024> chunk_{};
  std::string in_;
  std::deque<std::pair<std::string, std::function<void(std::error_code)>>> out_;
  std::size_t out_bytes_ = 0;
  bool writing_ = false;
  bool connected_ = false;
  bool closed_ = false;
  bool reading_ = true;
  bool close_when_drained_ = false;
  std::chrono::steady_clock::time_point last_activity_, partial_since_;
};

transports::transports(asio::io_context& io, transport_limits limits, handlers h)
    : io_(io), limits_(limits), h_(std::move(h)), udp_buffer_(limits.max_datagram) {}

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

void transports::open_tcp(asio::ip::address const& a, std::uint16_t port) {
  tcp::endpoint const ep(a, port);
  acceptor_ = std::make_unique<tcp::acceptor>(io_);
  acceptor_->open(ep.protocol());
  acceptor_->set_option(tcp::acceptor::reuse_address(true));
  acceptor_->bind(ep);
  acceptor_->listen();
  accept();
  // Once a second: timeouts of half-received messages and idle connections.
  auto timer = std::make_shared<asio::steady_timer>(io_);
  struct ticker {
    transports* t;
    std::shared_ptr<asio::steady_timer> timer;
    void operator()(error_code ec) const {
      if (ec || !t->acceptor_) return;
      auto const now = std::chrono::steady_clock::now();
      auto copy = t->connections_;  // check() may remove entries
      for (auto& c : copy) c.second->check(now);
      timer->expires_after(std::chrono::seconds(1));
      timer->async_wait(*this);
    }
  };
  timer->expires_after(std::chrono::seconds(1));
  timer->async_wait(ticker{this, timer});
}

void transports::receive_udp() {
  if (!udp_ || !receiving_) return;
  udp_->async_wait(udp::socket::wait_read, [this](error_code ec) {
    if (ec == asio::error::operation_aborted || !udp_ || !receiving_) return;
    if (h_.batch_begin) h_.batch_begin();
    // Read what is there, up to a batch: their stored messages are committed together.
    for (std::size_t i = 0; i < limits_.burst && receiving_; ++i) {
      error_code e;
      std::size_t const n = udp_->receive_from(asio::buffer(udp_buffer_), udp_from_, 0, e);
      if (e == asio::error::would_block || e == asio::error::try_again) break;
      if (e) {
        handle_udp_error();
        continue;
      }
      peer from{transport_kind::udp, udp_from_.address(), udp_from_.port(), 0};
      if (h_.message) h_.message(std::string_view(udp_buffer_.data(), n), from);
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
      p.address = asio::ip::address_v6(b);
      p.port = ntohs(s->sin6_port);
    } else {
      continue;
    }
    log::info("UDP {} is unreachable (ICMP)", p.text());
    if (h_.unreachable) asio::post(io_, [this, p] { h_.unreachable(p); });
  }
}

void transports::accept() {
  if (!acceptor_ || !receiving_) return;
  acceptor_->async_accept([this](error_code ec, tcp::socket s) {
    if (ec == asio::error::operation_aborted || !acceptor_) return;
    if (!ec) {
      error_code e;
      auto remote = s.remote_endpoint(e);
      if (e) {
        accept();
        return;
      }
      if (connections_.size() >= limits_.max_connections) {
        log::warn("{}: refused, {} connections open already", remote.address().to_string(),
                  connections_.size());
        s.close(e);
      } else {
        peer p{transport_kind::tcp, remote.address(), remote.port(), 0};
        auto c = add_connection(std::move(s), false, p);
        log::debug("{} accepted (connection {})", c->remote().text(), c->id());
        c->start();
      }
    } else {
      log::warn("TCP accept: {}", ec.message());
    }
    accept();
  });
}

auto transports::add_connection(tcp::socket s, bool, peer const& remote)
    -> std::shared_ptr<connection> {
  auto c = std::make_shared<connection>(*this, std::move(s), ++last_id_, remote);
  connections_.emplace(c->id(), c);
  return c;
}

void transports::remove_connection(std::uint64_t id) {
  connections_.erase(id);
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
      error_code ec;
      udp_->send_to(asio::buffer(bytes), udp::endpoint(to.address, to.port), 0, ec);
      if (ec) {
        log::warn("UDP send to {}: {}", to.text(), ec.message());
        fail(to_std(ec));
      }
      return;
    }
    case transport_kind::tcp: {
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
      if (!c) {
        if (!receiving_ && !acceptor_) return fail(std::make_error_code(std::errc::not_connected));
        if (connections_.size() >= limits_.max_connections)
          return fail(std::make_error_code(std::errc::too_many_files_open));
        peer p = to;
        p.connection = 0;
        c = add_connection(tcp::socket(io_), true, p);
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
  acceptor_.reset();
  if (udp_) udp_->cancel(ignored);
  for (auto& c : connections_) c.second->stop_reading();
}

void transports::close() {
  receiving_ = false;
  error_code ignored;
  if (acceptor_) acceptor_->close(ignored);
  acceptor_.reset();
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
