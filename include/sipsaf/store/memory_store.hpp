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

  SIPSAF_DECL auto put(stored_message const& m) -> result<message_id, std::error_code>;
  SIPSAF_DECL auto get(message_id id) -> result<std::optional<stored_message>, std::error_code>;
  SIPSAF_DECL auto erase(message_id id) -> result<bool, std::error_code>;
  SIPSAF_DECL auto find(message_key const& k) -> result<std::optional<message_id>, std::error_code>;
  SIPSAF_DECL auto usage(std::string_view recipient) -> result<store_usage, std::error_code>;
  SIPSAF_DECL auto list(std::string_view recipient, delivery_mode mode, std::size_t limit)
      -> result<std::vector<envelope>, std::error_code>;
  SIPSAF_DECL auto reschedule(message_id id, std::optional<timestamp> next, std::uint32_t attempts)
      -> result<bool, std::error_code>;
  SIPSAF_DECL auto due(timestamp now, std::size_t limit)
      -> result<std::vector<envelope>, std::error_code>;
  SIPSAF_DECL auto expired(timestamp now, std::size_t limit)
      -> result<std::vector<envelope>, std::error_code>;
  SIPSAF_DECL auto next_due() -> result<std::optional<timestamp>, std::error_code>;

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
  SIPSAF_DECL auto find_id(message_key const& k) const -> message_id;
  SIPSAF_DECL auto recipient(std::string const& key) -> recipient_entry&;
  SIPSAF_DECL auto collect(schedule const& s, timestamp now, std::size_t limit) const
      -> std::vector<envelope>;

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

#ifdef SIPSAF_HEADER_ONLY
#include <sipsaf/store/impl/memory_store.ipp>
#endif

#endif  // SIPSAF_STORE_MEMORY_STORE_HPP
