// UDP, TCP and TLS for the proxy (RFC 3261 §18, §26), on Boost.Asio, one
// thread; TLS is Asio's SSL stream over OpenSSL.
//
// What comes in is handed to the proxy whole: a datagram, or a message cut
// from a TCP or TLS stream by `sipsaf::frame_message`. Everything is
// bounded: the connections of one source and of all together, the bytes a
// connection may buffer in each direction (and all connections together),
// how long a handshake or a half-received message may take, and how long a
// connection that carries no registration may stay silent. A slow peer only
// ever delays itself: reads and writes are asynchronous. An idle plain TCP
// connection holds no read buffer: it waits for readability and then reads
// into one buffer shared by all.
#ifndef SIPSAF_EXAMPLES_PROXY_TRANSPORT_HPP
#define SIPSAF_EXAMPLES_PROXY_TRANSPORT_HPP

#include "log_limit.hpp"

#include <sipsaf/error.hpp>

#include <boost/asio.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace boost::asio::ssl {
class context;  // <boost/asio/ssl.hpp> (OpenSSL) only where TLS is set up
}

namespace proxy {

namespace asio = boost::asio;

/// `a` as `address::to_string` writes it. IPv4 without inet_ntop and its
/// sprintf: a request's source was written three times, a twentieth of the
/// CPU of a stored message.
inline auto address_text(boost::asio::ip::address const& a) -> std::string {
  if (!a.is_v4()) return a.to_string();
  auto const b = a.to_v4().to_bytes();
  char buf[16];
  char* p = buf;
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i > 0) *p++ = '.';
    unsigned const v = b[i];
    if (v >= 100) *p++ = static_cast<char>('0' + v / 100);
    if (v >= 10) *p++ = static_cast<char>('0' + v / 10 % 10);
    *p++ = static_cast<char>('0' + v % 10);
  }
  return std::string(buf, p);
}

enum class transport_kind : std::uint8_t { udp, tcp, tls, local };

inline auto to_string(transport_kind k) -> char const* {
  switch (k) {
    case transport_kind::udp:
      return "UDP";
    case transport_kind::tcp:
      return "TCP";
    case transport_kind::tls:
      return "TLS";
    default:
      return "local";
  }
}

/// TCP and TLS: messages are framed by Content-Length on a connection.
inline auto is_stream(transport_kind k) -> bool {
  return k == transport_kind::tcp || k == transport_kind::tls;
}

/// The other end of a message: where it came from, or where it goes.
struct peer {
  transport_kind kind = transport_kind::udp;
  asio::ip::address address;
  std::uint16_t port = 0;
  /// TCP, TLS: the connection a message came on (0: none, connect anew).
  std::uint64_t connection = 0;

  auto text() const -> std::string {
    std::string t(to_string(kind));
    t += address.is_v6() ? ":[" : ":";
    t += address_text(address);
    t += address.is_v6() ? "]:" : ":";
    t += std::to_string(port);
    return t;
  }
  auto same_endpoint(peer const& o) const -> bool {
    return kind == o.kind && address == o.address && port == o.port;
  }
};

struct transport_limits {
  std::size_t max_datagram = 65535;
  std::size_t max_stream_message = 4 * 1024 * 1024 + 64 * 1024;  ///< one message on TCP
  /// All connections together; at the bound a new one from a source that
  /// has few replaces the longest-silent one that carries no registration.
  std::size_t max_connections = 1024;
  /// Accepted connections from one source (an IPv4 address, an IPv6 /64):
  /// beyond, the source's next connection is refused at once.
  std::size_t max_connections_per_source = 64;
  std::size_t max_write_queue = 8 * 1024 * 1024;  ///< per connection; beyond: close it
  std::size_t max_written = 64 * 1024 * 1024;     ///< write queues of all connections
  std::size_t max_buffered = 64 * 1024 * 1024;    ///< read buffers of all connections
  std::chrono::seconds message_timeout{30};       ///< a message must arrive within this
  std::chrono::seconds handshake_timeout{10};     ///< a TLS handshake must end within this
  std::chrono::seconds idle_timeout{2 * 3600};    ///< a silent connection is closed
  /// A silent accepted connection that carries no registration is closed
  /// after this: longer than an INVITE may ring (Timer C, RFC 3261 §16.6
  /// step 11), so a caller waiting for its answer keeps its connection.
  std::chrono::seconds unregistered_idle_timeout{300};
  /// Datagrams handled per batch: their stored messages share one commit
  /// (one fsync), so a larger batch stores more per second.
  std::size_t burst = 1024;
  int udp_receive_buffer = 8 * 1024 * 1024;  ///< SO_RCVBUF: room for a batch while committing
};

class transports {
 public:
  struct handlers {
    /// A whole message (a datagram, or one cut from a stream).
    std::function<void(std::string_view, peer const&)> message;
    /// A stream that cannot be read on (`reason`); `bytes` is what was
    /// buffered. The proxy may answer with `send` before the close.
    std::function<void(peer const&, std::string_view bytes, sipsaf::errc code,
                       std::string const& reason)>
        stream_error;
    /// Whether a registration is reached over connection `id` (such a
    /// connection is kept open while silent, up to `idle_timeout`).
    std::function<bool(std::uint64_t id)> carries_registration;
    /// A destination proved unreachable (ICMP error, refused connection).
    std::function<void(peer const&)> unreachable;
    /// Around a batch of messages read in one go: the proxy makes the
    /// batch's stored messages durable in one commit.
    std::function<void()> batch_begin, batch_end;
  };

  transports(asio::io_context& io, transport_limits limits, handlers h);
  ~transports();
  transports(transports const&) = delete;
  auto operator=(transports const&) -> transports& = delete;

  /// Opens the listening sockets; throws `boost::system::system_error`.
  void open_udp(asio::ip::address const& a, std::uint16_t port);
  void open_tcp(asio::ip::address const& a, std::uint16_t port);
  /// TLS (server side only: a TLS contact is reached on the connection it
  /// opened). `ctx` holds the certificate and key and outlives `*this`.
  void open_tls(asio::ip::address const& a, std::uint16_t port, asio::ssl::context& ctx);

  /// Sends `bytes` to `to`: UDP as one datagram; TCP on the connection named
  /// (or the one open to that address, or a new one); TLS on the connection
  /// named or open to that address, never a new one. `on_error` (optional)
  /// is called later, never from inside `send`, when it could not be sent.
  void send(peer const& to, std::string bytes,
            std::function<void(std::error_code)> on_error = nullptr);

  /// Between these two, UDP sends are queued, then sent together: one
  /// system call (sendmmsg) for many datagrams, as after a group commit.
  void hold_datagrams() { holding_ = true; }
  void flush_datagrams();

  /// Stops reading new messages (listening sockets and connections' reads);
  /// pending writes still go out.
  void stop_receiving();
  /// Closes everything.
  void close();
  /// Bytes still waiting to be written on TCP connections.
  auto pending_writes() const -> std::size_t;
  auto connection_count() const -> std::size_t { return connections_.size(); }
  auto is_open(std::uint64_t connection) const -> bool {
    return connections_.count(connection) != 0;
  }

 private:
  class connection;
  friend class connection;

  void receive_udp();
  void handle_udp_error();
  void accept(asio::ip::tcp::acceptor& a, transport_kind kind);
  auto admit(asio::ip::address const& source) -> bool;
  auto evict_one() -> bool;
  void start_ticker();
  void tick();
  auto add_connection(asio::ip::tcp::socket s, bool accepted, peer const& remote)
      -> std::shared_ptr<connection>;
  void remove_connection(std::uint64_t id);

  asio::io_context& io_;
  transport_limits limits_;
  handlers h_;
  std::unique_ptr<asio::ip::udp::socket> udp_;
  std::unique_ptr<asio::ip::tcp::acceptor> acceptor_, tls_acceptor_;
  asio::ssl::context* tls_ = nullptr;
  struct datagram {
    asio::ip::udp::endpoint to;
    std::string bytes;
    std::function<void(std::error_code)> on_error;
  };
  std::vector<datagram> held_datagrams_;
  bool holding_ = false;
  /// Datagrams are read up to `udp_slots` per system call (recvmmsg), each
  /// into its own slot of `max_datagram` bytes. Not zeroed: a page is resident
  /// only once a datagram has reached it.
  static constexpr std::size_t udp_slots = 16;
  std::unique_ptr<char[]> udp_buffer_;
  std::vector<char> stream_buffer_;  ///< plain TCP reads land here first
  std::map<std::uint64_t, std::shared_ptr<connection>> connections_;
  std::map<asio::ip::address, std::size_t> per_source_;  ///< accepted, by source
  std::uint64_t last_id_ = 0;
  std::size_t buffered_ = 0;
  std::size_t written_ = 0;
  std::size_t refused_ = 0;  ///< connections refused since the last log line
  /// What strangers make us log (bad framing, ICMP errors, slow or idle
  /// peers): a bounded number of lines a second per kind.
  log_limiter log_limit_;
  bool receiving_ = true;
  bool ticking_ = false;
};

}  // namespace proxy

#endif  // SIPSAF_EXAMPLES_PROXY_TRANSPORT_HPP
