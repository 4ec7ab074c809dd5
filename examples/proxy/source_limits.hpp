// Fair shares: what one source (an IPv4 address, an IPv6 /64) or one user
// name may take of what every client needs. Each table is bounded in
// entries, so that a flood from many addresses costs a bounded amount of
// memory too.
#ifndef SIPSAF_EXAMPLES_PROXY_SOURCE_LIMITS_HPP
#define SIPSAF_EXAMPLES_PROXY_SOURCE_LIMITS_HPP

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <string>
#include <unordered_map>
#include <utility>

namespace proxy {

/// The unit of fairness: an IPv4 address, or the /64 of an IPv6 one (a
/// single host commonly holds a whole /64, so its addresses are one source).
/// Connections, transactions and failed authentications are counted by it.
inline auto source_of(boost::asio::ip::address const& a) -> boost::asio::ip::address {
  if (!a.is_v6() || a.to_v6().is_v4_mapped()) return a;
  auto b = a.to_v6().to_bytes();
  std::fill(b.begin() + 8, b.end(), 0);
  return boost::asio::ip::address_v6(b);
}

/// Things a source holds at once (open server transactions): `acquire`
/// refuses the one past `per_source`, and refuses a new source once
/// `max_sources` hold something.
class per_source_count {
 public:
  per_source_count(std::size_t per_source, std::size_t max_sources)
      : per_source_(per_source), max_sources_(max_sources) {}

  auto acquire(std::string const& source) -> bool {
    auto it = held_.find(source);
    if (it == held_.end()) {
      if (held_.size() >= max_sources_) return false;
      it = held_.emplace(source, 0).first;
    }
    if (it->second >= per_source_) return false;
    ++it->second;
    return true;
  }
  void release(std::string const& source) {
    auto it = held_.find(source);
    if (it == held_.end()) return;
    if (--it->second == 0) held_.erase(it);
  }
  auto held(std::string const& source) const -> std::size_t {
    auto it = held_.find(source);
    return it == held_.end() ? 0 : it->second;
  }
  auto sources() const -> std::size_t { return held_.size(); }
  auto limit() const -> std::size_t { return per_source_; }

 private:
  std::size_t per_source_, max_sources_;
  std::unordered_map<std::string, std::size_t> held_;
};

/// One thing held from a `per_source_count`, given back when destroyed
/// (a server transaction holds one for its whole life).
class source_slot {
 public:
  source_slot() = default;
  source_slot(per_source_count* from, std::string source)
      : from_(from), source_(std::move(source)) {}
  source_slot(source_slot&& o) noexcept
      : from_(std::exchange(o.from_, nullptr)), source_(std::move(o.source_)) {}
  auto operator=(source_slot&& o) noexcept -> source_slot& {
    if (this != &o) {
      reset();
      from_ = std::exchange(o.from_, nullptr);
      source_ = std::move(o.source_);
    }
    return *this;
  }
  source_slot(source_slot const&) = delete;
  auto operator=(source_slot const&) -> source_slot& = delete;
  ~source_slot() { reset(); }

 private:
  void reset() {
    if (from_ != nullptr) from_->release(source_);
    from_ = nullptr;
  }
  per_source_count* from_ = nullptr;
  std::string source_;
};

/// Failed authentications of one key (a source address or a user name):
/// the first `free_failures` cost nothing, each one after that locks the
/// key out twice as long as the one before (1 s, 2 s, 4 s ... `max_lock`).
/// A key forgets its failures after `forget_after` without one. Beyond
/// `max_keys` the least recently failed key is forgotten.
class failure_backoff {
 public:
  using clock = std::chrono::steady_clock;

  struct config {
    unsigned free_failures = 5;
    std::chrono::seconds max_lock{300};
    std::chrono::seconds forget_after{600};
    std::size_t max_keys = 16384;
  };

  failure_backoff() = default;
  explicit failure_backoff(config c) : cfg_(c) {}

  /// Locked out now? (Then the request is refused without checking it.)
  auto locked(std::string const& key, clock::time_point now) const -> bool {
    auto it = map_.find(key);
    return it != map_.end() && now < it->second.locked_until;
  }
  /// How long the lock-out still runs.
  auto remaining(std::string const& key, clock::time_point now) const -> std::chrono::seconds {
    auto it = map_.find(key);
    if (it == map_.end() || now >= it->second.locked_until) return std::chrono::seconds(0);
    return std::chrono::ceil<std::chrono::seconds>(it->second.locked_until - now);
  }
  auto failures(std::string const& key, clock::time_point now) const -> unsigned {
    auto it = map_.find(key);
    if (it == map_.end() || now - it->second.last > cfg_.forget_after) return 0;
    return it->second.failures;
  }

  void failed(std::string const& key, clock::time_point now) {
    auto it = map_.find(key);
    if (it == map_.end()) {
      if (map_.size() >= cfg_.max_keys) evict();
      it = map_.emplace(key, entry{}).first;
    } else if (now - it->second.last > cfg_.forget_after) {
      it->second = entry{};
    }
    entry& e = it->second;
    e.last = now;
    ++e.failures;
    if (e.failures > cfg_.free_failures) {
      unsigned const n = std::min(e.failures - cfg_.free_failures - 1, 16u);
      auto lock = std::min<std::chrono::seconds>(std::chrono::seconds(1u << n), cfg_.max_lock);
      e.locked_until = now + lock;
    }
  }
  void succeeded(std::string const& key) { map_.erase(key); }
  auto size() const -> std::size_t { return map_.size(); }

 private:
  struct entry {
    unsigned failures = 0;
    clock::time_point last{};
    clock::time_point locked_until{};
  };
  void evict() {
    auto oldest = map_.begin();
    for (auto it = map_.begin(); it != map_.end(); ++it)
      if (it->second.last < oldest->second.last) oldest = it;
    if (oldest != map_.end()) map_.erase(oldest);
  }

  config cfg_{};
  std::unordered_map<std::string, entry> map_;
};

}  // namespace proxy

#endif  // SIPSAF_EXAMPLES_PROXY_SOURCE_LIMITS_HPP
