// Stateless digest nonces (RFC 7616 §3.3, RFC 8760 §2.4): a nonce is the
// time it was issued, 64 random bits (each nonce is new, so its counts are
// its own) and an HMAC over both, the realm and the algorithm, under a key
// drawn at start or read from a file several proxies share
// (`load_nonce_secret`). Checking one needs no table, so a
// flood of unauthenticated requests cannot push a client's nonce out.
// Times are wall-clock seconds: proxies on several machines read each
// other's nonces (a few seconds of clock skew are forgiven).
// Replays are caught by the nonce-count (RFC 7616 §3.4): the last count seen
// is kept only for nonces whose credentials were right, in a bounded table.
// That table is each proxy's own: sharing it would cost a database round
// trip on every authenticated request. So a captured (nonce, count) can be
// replayed at most once at each other proxy of the service, and only within
// the nonce's lifetime (300 s); a replayed MESSAGE keeps its Call-ID, CSeq
// and From tag (the digest covers neither), so the store's duplicate key
// drops it.
#ifndef SIPSAF_EXAMPLES_PROXY_NONCE_HPP
#define SIPSAF_EXAMPLES_PROXY_NONCE_HPP

#include "common/digest.hpp"

#include <openssl/sha.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

namespace proxy {

using nonce_key = std::array<unsigned char, 32>;

/// Reads the nonce key several proxies share: a file of at least 32 bytes
/// (e.g. `head -c 32 /dev/urandom > FILE`) that only its owner may read,
/// hashed to the key. An error says what is wrong, for the operator.
inline auto load_nonce_secret(std::string const& path, nonce_key& key, std::string& why) -> bool {
  constexpr std::size_t least = 32, most = 4096;
  int const fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    why = path + ": cannot open: " + std::strerror(errno);
    return false;
  }
  auto fail = [&](std::string text) {
    ::close(fd);
    why = path + ": " + std::move(text);
    return false;
  };
  struct stat st {};
  if (::fstat(fd, &st) != 0) return fail(std::string("cannot stat: ") + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return fail("not a regular file");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return fail(std::string("others may read or change it (mode ") + mode +
                "); the secret must be the owner's only: chmod 600 " + path);
  }
  std::string data(most + 1, '\0');
  std::size_t got = 0;
  while (got < data.size()) {
    ssize_t const n = ::read(fd, &data[got], data.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(std::string("cannot read: ") + std::strerror(errno));
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  data.resize(got);
  while (!data.empty() && (data.back() == '\n' || data.back() == '\r')) data.pop_back();
  if (data.size() < least || data.size() > most) {
    why = path + ": holds " + std::to_string(data.size()) + " bytes; expected " +
          std::to_string(least) + " to " + std::to_string(most) +
          " random bytes (head -c 32 /dev/urandom > " + path + ")";
    return false;
  }
  SHA256(reinterpret_cast<unsigned char const*>(data.data()), data.size(), key.data());
  OPENSSL_cleanse(data.data(), data.size());
  return true;
}

class stateless_nonces {
 public:
  using clock = std::chrono::system_clock;
  enum class verdict { fresh, stale, forged, replayed };

  explicit stateless_nonces(std::string realm,
                            std::chrono::seconds lifetime = std::chrono::seconds(300),
                            std::size_t max_tracked = 65536)
      : mac_(example::digest::random_key<std::tuple_size_v<nonce_key>>()),
        realm_(std::move(realm)),
        lifetime_(lifetime),
        max_tracked_(max_tracked) {}

  /// From now on nonces are made and checked with `key` (shared by the
  /// proxies of one service); the ones issued before no longer check.
  void set_key(nonce_key const& key) { mac_ = example::digest::hmac_sha256(key); }

  /// `SECONDS.SALT.MAC`: seconds since 1970, 64 random bits, 128 bits of MAC.
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
    if (issued > n + max_skew || (n > issued && n - issued > std::uint64_t(lifetime_.count())))
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
    return mac_.hex128(data);
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
      if (it != seen_.end() &&
          (n <= it->second.issued || n - it->second.issued <= 2 * std::uint64_t(lifetime_.count())))
        break;
      if (it != seen_.end()) seen_.erase(it);
      order_.pop_front();
    }
  }

  // Another proxy's clock may run this far ahead of ours.
  static constexpr std::uint64_t max_skew = 5;

  example::digest::hmac_sha256 mac_;  // keyed once: a MAC per challenge and per check
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
