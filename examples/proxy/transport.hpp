// UDP and TCP for the proxy (RFC 3261 §18), on Boost.Asio, one thread.
//
// What comes in is handed to the proxy whole: a datagram, or a message cut
// from a TCP stream by `sipsaf::frame_message`. Everything is bounded: the
// number of connections, the bytes a connection may buffer in each
// direction, how long a half-received message may take. A slow peer only
// ever delays itself: reads and writes are asynchronous.
#ifndef SIPSAF_EXAMPLES_PROXY_TRANSPORT_HPP
#define SIPSAF_EXAMPLES_PROXY_TRANSPORT_HPP

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

namespace proxy {

namespace asio = boost::asio;

enum class transport_kind : std::uint8_t { udp, tcp, local };

inline auto to_string(transport_kind k) -> char const* {
  return k == transport_kind::udp ? "UDP" : k == transport_kind::tcp ? "TCP" : "local";
}

/// The other end of a message: where it came from, or where it goes.
struct peer {
  transport_kind kind = transport_kind::udp;
  asio::ip::address address;
  std::uint16_t port = 0;
  /// TCP: the connection a message came on (0: none, connect anew).
  std::uint64_t connection = 0;

  auto text() const -> std::string {
    std::string a = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
    return std::string(to_string(kind)) + ":" + a + ":" + std::to_string(port);
  }
  auto same_endpoint(peer const& o) const -> bool {
    return kind == o.kind && address == o.address && port == o.port;
  }
};

struct transport_limits {
  std::size_t max_datagram = 65535;
  std::size_t max_stream_message = 4 * 1024 * 1024 + 64 * 1024;  ///< one message on TCP
  std::size_t max_connections = 256;
  std::size_t max_write_queue = 8 * 1024 * 1024;  ///< per connection; beyond: close it
  std::size_t max_buffered = 64 * 1024 * 1024;    ///< read buffers of all connections
  std::chrono::seconds message_timeout{30};       ///< a message must arrive within this
  std::chrono::seconds idle_timeout{2 * 3600};    ///< a silent connection is closed
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
    std::function<void(peer const&, std::string_view bytes, std::string const& reason)>
        stream_error;
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

  /// Sends `bytes` to `to`: UDP as one datagram; TCP on the connection named
  /// (or the one open to that address, or a new one). `on_error` (optional)
  /// is called later, never from inside `send`, when it could not be sent.
  void send(peer const& to, std::string bytes,
            std::function<void(std::error_code)> on_error = nullptr);

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
  void accept();
  auto add_connection(asio::ip::tcp::socket s, bool connecting, peer const& remote)
      -> std::shared_ptr<connection>;
  void remove_connection(std::uint64_t id);

  asio::io_context& io_;
  transport_limits limits_;
  handlers h_;
  std::unique_ptr<asio::ip::udp::socket> udp_;
  std::unique_ptr<asio::ip::tcp::acceptor> acceptor_;
  std::vector<char> udp_buffer_;
  asio::ip::udp::endpoint udp_from_;
  std::map<std::uint64_t, std::shared_ptr<connection>> connections_;
  std::uint64_t last_id_ = 0;
  std::size_t buffered_ = 0;
  bool receiving_ = true;
};

}  // namespace proxy

#endif  // SIPSAF_EXAMPLES_PROXY_TRANSPORT_HPP
