// The store of several proxies, one service: `postgres_store` as the engine
// sees it. The engine asks for a recipient's oldest push message (`list`)
// and for what is due (`due`); here both become claims with a lease, so
// that of all the proxies sharing the database one at a time delivers a
// message, and a proxy that dies leaves leases that fall due for the others.
// Storing a message reads its duplicate key and its recipient's usage:
// `cluster::look_ahead` reads both (and the contacts) in one statement, and
// `find` and `usage` answer from that until it is forgotten.
#ifndef SIPSAF_EXAMPLES_PROXY_CLUSTER_STORE_HPP
#define SIPSAF_EXAMPLES_PROXY_CLUSTER_STORE_HPP

#include <sipsaf/store/postgres_store.hpp>
#include <sipsaf/store/requirements.hpp>

#include <chrono>
#include <optional>
#include <string>
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
    if (!fresh() || k != ahead_->key()) return s_.find(k);
    if (ahead_->id) return ahead_->id;
    if (auto held = s_.pending_id(k)) return held;
    s_.assume_absent(k);
    return std::optional<sipsaf::message_id>{};
  }
  auto usage(std::string_view r) -> result<sipsaf::store_usage> {
    if (!fresh() || r != ahead_->recipient) return s_.usage(r);
    sipsaf::store_usage u = s_.pending_usage(r);  // held back: not in what was read
    u.messages += ahead_->use.messages;
    u.bytes += ahead_->use.bytes;
    u.push_messages += ahead_->use.push_messages;
    return u;
  }

  /// What was read ahead for one request (see the top of this file).
  struct ahead {
    std::string call_id, from_tag;
    std::uint32_t cseq = 0;
    std::optional<sipsaf::message_id> id;  ///< the message stored under that key
    sipsaf::message_id next_id = 0;        ///< drawn for it, should it be stored
    std::string recipient;
    sipsaf::store_usage use;  ///< as the database had it
    std::uint64_t flushes = 0;
    auto key() const -> sipsaf::message_key { return {call_id, cseq, from_tag}; }
  };
  void expect(ahead a) {
    if (a.next_id != 0 && s_.in_batch()) s_.offer_id(a.next_id);
    a.flushes = s_.flushes();
    ahead_ = std::move(a);
  }
  void forget_ahead() { ahead_.reset(); }

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
  // Held-back rows sent since the read: it no longer adds up.
  auto fresh() const -> bool { return ahead_ && ahead_->flushes == s_.flushes(); }
  static auto now() -> sipsaf::timestamp {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now());
  }
  sipsaf::postgres_store s_;
  std::optional<ahead> ahead_;
};

static_assert(sipsaf::is_message_store<cluster_store>::value, "cluster_store is a MessageStore");

}  // namespace proxy

#endif  // SIPSAF_EXAMPLES_PROXY_CLUSTER_STORE_HPP
