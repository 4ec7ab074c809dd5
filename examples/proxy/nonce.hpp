// Stateless digest nonces (RFC 7616 §3.3, RFC 8760 §2.4): a nonce is the
// time it was issued, 64 random bits (each nonce is new, so its counts are
// its own) and an HMAC over both, the realm and the algorithm, under a key
// drawn at start. Checking one needs no table, so a
// flood of unauthenticated requests cannot push a client's nonce out.
// Replays are caught by the nonce-count (RFC 7616 §3.4): the last count seen
// is kept only for nonces whose credentials were right, in a bounded table.
#ifndef SIPSAF_EXAMPLES_PROXY_NONCE_HPP
#define SIPSAF_EXAMPLES_PROXY_NONCE_HPP

#include "common/digest.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

namespace proxy {

class stateless_nonces {
 public:
  using clock = std::chrono::steady_clock;
  enum class verdict { fresh, stale, forged, replayed };

  explicit stateless_nonces(std::string realm,
                            std::chrono::seconds lifetime = std::chrono::seconds(300),
                            std::size_t max_tracked = 65536)
      : realm_(std::move(realm)), lifetime_(lifetime), max_tracked_(max_tracked) {
    if (RAND_bytes(key_.data(), static_cast<int>(key_.size())) != 1)
      throw std::runtime_error("RAND_bytes failed");
  }

  /// `SECONDS.SALT.MAC`: seconds on this process's steady clock, 64 random
  /// bits, 128 bits of MAC.
  auto issue(example::digest::algorithm alg, clock::time_point now) const -> std::string {
    std::string const t = std::to_string(seconds(now)) + "." + example::digest::random_hex(8);
    return t + "." + mac(t, alg);
  }

  /// Is the nonce ours, for this algorithm, and young enough?
  auto check(std::string_view nonce, example::digest::algorithm alg, clock::time_point now) const
      -> verdict {
    auto const dot = nonce.find('.');
    if (dot == std::string_view::npos || dot == 0 || dot > 19) return verdict::forged;
    auto const dot2 = nonce.find('.', dot + 1);
    if (dot2 == std::string_view::npos) return verdict::forged;
    for (char c : nonce.substr(0, dot))
      if (c < '0' || c > '9') return verdict::forged;
    std::string const t(nonce.substr(0, dot2));
    if (!example::digest::constant_time_equal(mac(t, alg), nonce.substr(dot2 + 1)))
      return verdict::forged;
    std::uint64_t const issued = std::stoull(std::string(nonce.substr(0, dot)));
    std::uint64_t const n = seconds(now);
    if (issued > n || n - issued > static_cast<std::uint64_t>(lifetime_.count()))
      return verdict::stale;
    return verdict::fresh;
  }

  /// After a right response: records the nonce-count (`nc`, 8 hex digits;
  /// empty without qop) and says `replayed` when it does not rise.
  auto use(std::string_view nonce, std::string_view nc, clock::time_point now) -> verdict {
    prune(now);
    std::uint64_t const count = nc.empty() ? 0 : std::stoull(std::string(nc), nullptr, 16);
    std::uint64_t const issued = std::stoull(std::string(nonce.substr(0, nonce.find('.'))));
    auto it = seen_.find(std::string(nonce));
    if (it == seen_.end()) {
      // Forgotten to make room: whatever it was used for cannot be told apart.
      if (issued <= forgotten_up_to_) return verdict::stale;
      while (seen_.size() >= max_tracked_ && !order_.empty()) forget_oldest();
      seen_.emplace(std::string(nonce), entry{issued, count});
      order_.emplace_back(std::string(nonce));
      return verdict::fresh;
    }
    // Without qop there is no count: a nonce serves once (RFC 2617 §3.2.2).
    if (count == 0 || count <= it->second.last_nc) return verdict::replayed;
    it->second.last_nc = count;
    return verdict::fresh;
  }

  auto tracked() const -> std::size_t { return seen_.size(); }
  auto lifetime() const -> std::chrono::seconds { return lifetime_; }

 private:
  struct entry {
    std::uint64_t issued;
    std::uint64_t last_nc;
  };

  static auto seconds(clock::time_point t) -> std::uint64_t {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
  }

  auto mac(std::string_view t, example::digest::algorithm alg) const -> std::string {
    std::string data(t);
    data.append(":").append(realm_).append(":").append(example::digest::to_string(alg));
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
         reinterpret_cast<unsigned char const*>(data.data()), data.size(), out, &len);
    static constexpr char hexdigits[] = "0123456789abcdef";
    std::string s;
    for (unsigned i = 0; i < 16 && i < len; ++i) {
      s += hexdigits[out[i] >> 4];
      s += hexdigits[out[i] & 15];
    }
    return s;
  }

  void forget_oldest() {
    auto it = seen_.find(order_.front());
    if (it != seen_.end()) {
      forgotten_up_to_ = std::max(forgotten_up_to_, it->second.issued);
      seen_.erase(it);
    }
    order_.pop_front();
  }

  // Expired nonces are refused by `check` anyway: their counts can go.
  void prune(clock::time_point now) {
    std::uint64_t const n = seconds(now);
    while (!order_.empty()) {
      auto it = seen_.find(order_.front());
      if (it != seen_.end() && n - it->second.issued <= 2 * std::uint64_t(lifetime_.count())) break;
      if (it != seen_.end()) seen_.erase(it);
      order_.pop_front();
    }
  }

  std::array<unsigned char, 32> key_{};
  std::string realm_;
  std::chrono::seconds lifetime_;
  std::size_t max_tracked_;
  std::unordered_map<std::string, entry> seen_;
  std::deque<std::string> order_;
  std::uint64_t forgotten_up_to_ = 0;
};

inline auto to_string(stateless_nonces::verdict v) -> char const* {
  switch (v) {
    case stateless_nonces::verdict::fresh:
      return "fresh";
    case stateless_nonces::verdict::stale:
      return "nonce expired";
    case stateless_nonces::verdict::forged:
      return "not a nonce of ours";
    case stateless_nonces::verdict::replayed:
      return "replayed nonce count";
  }
  return "?";
}

}  // namespace proxy

#endif  // SIPSAF_EXAMPLES_PROXY_NONCE_HPP
