// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_STORE_MEMORY_STORE_HPP
#define SIPSAF_STORE_MEMORY_STORE_HPP

/// @file
/// `memory_store`: a *MessageStore* that lives in the process's memory.

#include <sipsaf/config.hpp>
#include <sipsaf/result.hpp>
#include <sipsaf/store/message.hpp>
#include <sipsaf/store/requirements.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

SIPSAF_BEGIN_NAMESPACE

/// A *MessageStore* held in memory: fast, and gone when the process ends.
///
/// For tests, for embedding where the stack has its own persistence, and
/// for deployments that accept losing stored messages on a restart. Every
/// operation succeeds (errors are only those of the allocator, as
/// exceptions); "durable" here means "visible to every later call".
///
/// @par Complexity
/// `put`, `erase`, `reschedule`: O(log n). `find`, `usage`: O(1) on average,
/// no allocation. `list`, `due`, `expired`: O(log n + k) for k results.
///
/// @par Thread safety
/// None: one thread at a time, like the engine that calls it.
class memory_store {
 public:
  memory_store() = default;
  memory_store(memory_store const&) = delete;
  auto operator=(memory_store const&) -> memory_store& = delete;
  memory_store(memory_store&&) = default;
  auto operator=(memory_store&&) -> memory_store& = default;

  auto put(stored_message const& m) -> result<message_id, std::error_code> {
    if (message_id const dup = find_id(m.env.key())) return dup;
    auto rec = std::make_unique<stored_message>(m);
    message_id const id = ++last_id_;
    rec->env.id = id;
    rec->env.size = rec->bytes.size();
    stored_message* const p = rec.get();
    messages_.emplace(id, std::move(rec));
    by_key_.emplace(hash_value(p->env.key()), p);
    recipient_entry& r = recipient(p->env.recipient);
    r.ids.insert(id);
    r.use.messages += 1;
    r.use.bytes += p->env.size;
    if (p->env.mode == delivery_mode::push) r.use.push_messages += 1;
    if (p->env.next_attempt) due_.emplace(*p->env.next_attempt, id);
    expiry_.emplace(p->env.expires_at, id);
    return id;
  }

  auto get(message_id id) -> result<std::optional<stored_message>, std::error_code> {
    auto it = messages_.find(id);
    if (it == messages_.end()) return std::optional<stored_message>{};
    return std::optional<stored_message>(*it->second);
  }

  auto erase(message_id id) -> result<bool, std::error_code> {
    auto it = messages_.find(id);
    if (it == messages_.end()) return false;
    stored_message* const p = it->second.get();
    auto range = by_key_.equal_range(hash_value(p->env.key()));
    for (auto k = range.first; k != range.second; ++k) {
      if (k->second == p) {
        by_key_.erase(k);
        break;
      }
    }
    auto r = recipients_.find(std::string_view(p->env.recipient));
    if (r != recipients_.end()) {
      recipient_entry& e = *r->second;
      e.ids.erase(id);
      e.use.messages -= 1;
      e.use.bytes -= p->env.size;
      if (p->env.mode == delivery_mode::push) e.use.push_messages -= 1;
      if (e.ids.empty()) recipients_.erase(r);
    }
    if (p->env.next_attempt) due_.erase({*p->env.next_attempt, id});
    expiry_.erase({p->env.expires_at, id});
    messages_.erase(it);
    return true;
  }

  auto find(message_key const& k) -> result<std::optional<message_id>, std::error_code> {
    message_id const id = find_id(k);
    return id != 0 ? std::optional<message_id>(id) : std::nullopt;
  }

  auto usage(std::string_view recipient) -> result<store_usage, std::error_code> {
    auto r = recipients_.find(recipient);
    if (r == recipients_.end()) return store_usage{};
    return r->second->use;
  }

  auto list(std::string_view recipient, delivery_mode mode, std::size_t limit)
      -> result<std::vector<envelope>, std::error_code> {
    std::vector<envelope> out;
    auto r = recipients_.find(recipient);
    if (r == recipients_.end()) return out;
    for (message_id id : r->second->ids) {
      if (out.size() >= limit) break;
      stored_message const& m = *messages_.at(id);
      if (m.env.mode == mode) out.push_back(m.env);
    }
    return out;
  }

  auto reschedule(message_id id, std::optional<timestamp> next, std::uint32_t attempts)
      -> result<bool, std::error_code> {
    auto it = messages_.find(id);
    if (it == messages_.end()) return false;
    envelope& e = it->second->env;
    if (e.next_attempt) due_.erase({*e.next_attempt, id});
    e.next_attempt = next;
    e.attempts = attempts;
    if (next) due_.emplace(*next, id);
    return true;
  }

  auto due(timestamp now, std::size_t limit) -> result<std::vector<envelope>, std::error_code> {
    return collect(due_, now, limit);
  }

  auto expired(timestamp now, std::size_t limit) -> result<std::vector<envelope>, std::error_code> {
    return collect(expiry_, now, limit);
  }

  auto next_due() -> result<std::optional<timestamp>, std::error_code> {
    std::optional<timestamp> t;
    if (!due_.empty()) t = due_.begin()->first;
    if (!expiry_.empty() && (!t || expiry_.begin()->first < *t)) t = expiry_.begin()->first;
    return t;
  }

  /// Number of messages held, for all recipients.
  auto size() const noexcept -> std::size_t { return messages_.size(); }

 private:
  struct recipient_entry {
    std::string key;
    std::set<message_id> ids;  // arrival order
    store_usage use;
  };
  using schedule = std::set<std::pair<timestamp, message_id>>;

  // The id of the message stored under `k`, or 0 (ids start at 1). A plain
  // number: an optional returned from here was written a byte at a time and
  // read back whole, which stalls the load.
  auto find_id(message_key const& k) const -> message_id {
    auto range = by_key_.equal_range(hash_value(k));
    for (auto it = range.first; it != range.second; ++it)
      if (it->second->env.key() == k) return it->second->env.id;
    return 0;
  }

  auto recipient(std::string const& key) -> recipient_entry& {
    auto it = recipients_.find(std::string_view(key));
    if (it != recipients_.end()) return *it->second;
    auto e = std::make_unique<recipient_entry>();
    e->key = key;
    std::string_view const view = e->key;  // points into the entry, which never moves
    return *recipients_.emplace(view, std::move(e)).first->second;
  }

  auto collect(schedule const& s, timestamp now, std::size_t limit) const -> std::vector<envelope> {
    std::vector<envelope> out;
    for (auto it = s.begin(); it != s.end() && it->first <= now && out.size() < limit; ++it)
      out.push_back(messages_.at(it->second)->env);
    return out;
  }

  message_id last_id_ = 0;
  std::map<message_id, std::unique_ptr<stored_message>> messages_;
  std::unordered_multimap<std::uint64_t, stored_message const*> by_key_;
  // Keys hashed eight bytes at a time, as message keys are (message.hpp),
  // and compared a word at a time (same_bytes).
  struct key_hash {
    auto operator()(std::string_view k) const noexcept -> std::size_t {
      return static_cast<std::size_t>(detail::hash_bytes(k, 0));
    }
  };
  struct key_equal {
    auto operator()(std::string_view a, std::string_view b) const noexcept -> bool {
      return detail::same_bytes(a, b);
    }
  };
  std::unordered_map<std::string_view, std::unique_ptr<recipient_entry>, key_hash, key_equal>
      recipients_;
  schedule due_;
  schedule expiry_;
};

static_assert(is_message_store<memory_store>::value, "memory_store is a MessageStore");

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_STORE_MEMORY_STORE_HPP
