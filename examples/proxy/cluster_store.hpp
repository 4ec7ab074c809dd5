// The store of several proxies, one service: `postgres_store` as the engine
// sees it. The engine asks for a recipient's oldest push message (`list`)
// and for what is due (`due`); here both become claims with a lease, so
// that of all the proxies sharing the database one at a time delivers a
// message, and a proxy that dies leaves leases that fall due for the others.
#ifndef SIPSAF_EXAMPLES_PROXY_CLUSTER_STORE_HPP
#define SIPSAF_EXAMPLES_PROXY_CLUSTER_STORE_HPP

#include <sipsaf/store/postgres_store.hpp>
#include <sipsaf/store/requirements.hpp>

#include <chrono>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace proxy {

class cluster_store {
 public:
  template <class T>
  using result = sipsaf::result<T, std::error_code>;

  explicit cluster_store(sipsaf::postgres_store s) : s_(std::move(s)) {}

  auto put(sipsaf::stored_message const& m) -> result<sipsaf::message_id> { return s_.put(m); }
  auto get(sipsaf::message_id id) -> result<std::optional<sipsaf::stored_message>> {
    return s_.get(id);
  }
  auto erase(sipsaf::message_id id) -> result<bool> { return s_.erase(id); }
  auto find(sipsaf::message_key const& k) -> result<std::optional<sipsaf::message_id>> {
    return s_.find(k);
  }
  auto usage(std::string_view r) -> result<sipsaf::store_usage> { return s_.usage(r); }

  /// Push messages: claimed, so that only this proxy delivers them until it
  /// erases or reschedules them or the lease ends. The engine sees them as
  /// waiting (no retry time): the lease is the store's business.
  auto list(std::string_view r, sipsaf::delivery_mode m, std::size_t n)
      -> result<std::vector<sipsaf::envelope>> {
    if (m != sipsaf::delivery_mode::push) return s_.list(r, m, n);
    auto got = s_.claim(r, now(), n);
    if (got)
      for (auto& e : *got) e.next_attempt.reset();
    return got;
  }
  auto reschedule(sipsaf::message_id id, std::optional<sipsaf::timestamp> next, std::uint32_t a)
      -> result<bool> {
    return s_.reschedule(id, next, a);
  }
  /// Due messages (retry times, and leases of proxies that died): claimed.
  auto due(sipsaf::timestamp t, std::size_t n) -> result<std::vector<sipsaf::envelope>> {
    return s_.claim_due(t, n);
  }
  auto expired(sipsaf::timestamp t, std::size_t n) -> result<std::vector<sipsaf::envelope>> {
    return s_.expired(t, n);
  }
  auto next_due() -> result<std::optional<sipsaf::timestamp>> { return s_.next_due(); }

  auto db() noexcept -> sipsaf::postgres_store& { return s_; }
  auto db() const noexcept -> sipsaf::postgres_store const& { return s_; }

 private:
  static auto now() -> sipsaf::timestamp {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now());
  }
  sipsaf::postgres_store s_;
};

static_assert(sipsaf::is_message_store<cluster_store>::value, "cluster_store is a MessageStore");

}  // namespace proxy

#endif  // SIPSAF_EXAMPLES_PROXY_CLUSTER_STORE_HPP
