// sipsaf-ua over TLS (RFC 3261 §26.3.1, RFC 5630): the client side of the
// handshake with the proxy, on Asio's SSL stream over OpenSSL. The proxy's
// certificate must chain to `--ca FILE` (the system's CAs without it) and
// name the host the agent connects to; TLS 1.2 at least.
#ifndef SIPSAF_EXAMPLES_UA_TLS_HPP
#define SIPSAF_EXAMPLES_UA_TLS_HPP

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include <memory>
#include <string>

namespace ua {

using tls_stream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;

/// A client context that verifies peers against `ca_file`, or against the
/// system's default CAs when it is empty. Throws `boost::system::system_error`
/// when the file cannot be read.
inline auto make_tls_client_context(std::string const& ca_file)
    -> std::shared_ptr<boost::asio::ssl::context> {
  namespace ssl = boost::asio::ssl;
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  if (ca_file.empty())
    ctx->set_default_verify_paths();
  else
    ctx->load_verify_file(ca_file);
  ctx->set_verify_mode(ssl::verify_peer);
  return ctx;
}

/// Connects to `to` and completes the handshake; the certificate must name
/// `host` (a DNS name or an IP address, RFC 6125). Null with `ec` set when
/// either fails (a certificate not trusted is `ec`'s verify failure).
inline auto connect_tls(boost::asio::io_context& io, boost::asio::ssl::context& ctx,
                        boost::asio::ip::tcp::endpoint const& to, std::string const& host,
                        boost::system::error_code& ec) -> std::unique_ptr<tls_stream> {
  auto s = std::make_unique<tls_stream>(io, ctx);
  s->set_verify_callback(boost::asio::ssl::host_name_verification(host));
  // SNI only for names (RFC 6066 §3: not for address literals).
  boost::system::error_code not_ip;
  boost::asio::ip::make_address(host, not_ip);
  if (not_ip) SSL_set_tlsext_host_name(s->native_handle(), host.c_str());
  s->next_layer().connect(to, ec);
  if (ec) return nullptr;
  s->handshake(boost::asio::ssl::stream_base::client, ec);
  if (ec) return nullptr;
  return s;
}

}  // namespace ua

#endif  // SIPSAF_EXAMPLES_UA_TLS_HPP
