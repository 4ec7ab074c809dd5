// Trusted peers (`--trusted ADDR[/BITS]`): the addresses whose requests are
// taken without a challenge (RFC 3261 §22.3 leaves to the proxy whom it
// trusts) and whose P-Asserted-Identity is kept (RFC 3325 §2, the trust
// domain). Everyone else is a stranger until authenticated.
#ifndef SIPSAF_EXAMPLES_PROXY_TRUSTED_PEERS_HPP
#define SIPSAF_EXAMPLES_PROXY_TRUSTED_PEERS_HPP

#include <boost/asio/ip/address.hpp>

#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace proxy {

/// An address block: `net/bits` (a single address when bits is the full length).
struct address_block {
  boost::asio::ip::address net;
  unsigned bits = 0;

  auto contains(boost::asio::ip::address a) const -> bool {
    // An IPv4 address seen as IPv4-mapped IPv6 is the same peer.
    if (a.is_v6() && a.to_v6().is_v4_mapped())
      a = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6());
    if (a.is_v4() != net.is_v4()) return false;
    auto match = [&](auto const& x, auto const& y) {
      for (unsigned i = 0; i < bits; ++i) {
        unsigned const byte = i / 8, bit = 7 - i % 8;
        if (((x[byte] >> bit) & 1) != ((y[byte] >> bit) & 1)) return false;
      }
      return true;
    };
    return a.is_v4() ? match(a.to_v4().to_bytes(), net.to_v4().to_bytes())
                     : match(a.to_v6().to_bytes(), net.to_v6().to_bytes());
  }
};

/// `ADDR` or `ADDR/BITS`; nullopt when it is neither.
inline auto parse_address_block(std::string_view s) -> std::optional<address_block> {
  address_block b;
  std::string_view addr = s;
  std::optional<unsigned> bits;
  if (auto slash = s.find('/'); slash != std::string_view::npos) {
    addr = s.substr(0, slash);
    std::string_view const n = s.substr(slash + 1);
    unsigned v = 0;
    auto [p, ec] = std::from_chars(n.data(), n.data() + n.size(), v);
    if (n.empty() || ec != std::errc() || p != n.data() + n.size()) return std::nullopt;
    bits = v;
  }
  boost::system::error_code ec;
  b.net = boost::asio::ip::make_address(std::string(addr), ec);
  if (ec) return std::nullopt;
  unsigned const full = b.net.is_v4() ? 32 : 128;
  b.bits = bits.value_or(full);
  if (b.bits > full) return std::nullopt;
  return b;
}

inline auto any_contains(std::vector<address_block> const& blocks,
                         boost::asio::ip::address const& a) -> bool {
  for (auto const& b : blocks)
    if (b.contains(a)) return true;
  return false;
}

}  // namespace proxy

#endif  // SIPSAF_EXAMPLES_PROXY_TRUSTED_PEERS_HPP
