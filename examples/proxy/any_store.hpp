// A *MessageStore* chosen at run time: SQLite (durable, the default),
// memory, or PostgreSQL shared by several proxies (cluster_store.hpp). The engine takes its store
// as a template parameter; a program that picks the store from its command line wraps the choices
// in one type that forwards each member, as here.
#ifndef SIPSAF_EXAMPLES_PROXY_ANY_STORE_HPP
#define SIPSAF_EXAMPLES_PROXY_ANY_STORE_HPP

#include "cluster_store.hpp"

#include <sipsaf/store/memory_store.hpp>
#include <sipsaf/store/requirements.hpp>
#include <sipsaf/store/sqlite_store.hpp>

#include <optional>
#include <string_view>
#include <system_error>
#include <variant>
#include <vector>

namespace proxy {

class any_store {
 public:
  template <class T>
  using result = sipsaf::result<T, std::error_code>;

  explicit any_store(sipsaf::memory_store s) : s_(std::move(s)) {}
  explicit any_store(sipsaf::sqlite_store s) : s_(std::move(s)) {}
  explicit any_store(cluster_store s) : s_(std::move(s)) {}

 private:
  // Declared before its users: they deduce their return types from it.
  template <class F>
  auto visit(F&& f) {
    return std::visit(std::forward<F>(f), s_);
  }

 public:
  auto put(sipsaf::stored_message const& m) -> result<sipsaf::message_id> {
    return visit([&](auto& s) { return s.put(m); });
  }
  auto get(sipsaf::message_id id) -> result<std::optional<sipsaf::stored_message>> {
    return visit([&](auto& s) { return s.get(id); });
  }
  auto erase(sipsaf::message_id id) -> result<bool> {
    return visit([&](auto& s) { return s.erase(id); });
  }
  auto find(sipsaf::message_key const& k) -> result<std::optional<sipsaf::message_id>> {
    return visit([&](auto& s) { return s.find(k); });
  }
  auto usage(std::string_view r) -> result<sipsaf::store_usage> {
    return visit([&](auto& s) { return s.usage(r); });
  }
  auto list(std::string_view r, sipsaf::delivery_mode m, std::size_t n)
      -> result<std::vector<sipsaf::envelope>> {
    return visit([&](auto& s) { return s.list(r, m, n); });
  }
  auto reschedule(sipsaf::message_id id, std::optional<sipsaf::timestamp> next, std::uint32_t a)
      -> result<bool> {
    return visit([&](auto& s) { return s.reschedule(id, next, a); });
  }
  auto due(sipsaf::timestamp now, std::size_t n) -> result<std::vector<sipsaf::envelope>> {
    return visit([&](auto& s) { return s.due(now, n); });
  }
  auto expired(sipsaf::timestamp now, std::size_t n) -> result<std::vector<sipsaf::envelope>> {
    return visit([&](auto& s) { return s.expired(now, n); });
  }
  auto next_due() -> result<std::optional<sipsaf::timestamp>> {
    return visit([&](auto& s) { return s.next_due(); });
  }

  /// Group commit (SQLite and PostgreSQL): writes between `begin_batch`
  /// and `commit_batch` become durable together, in one commit. With the
  /// memory store both do nothing.
  auto begin_batch() -> std::error_code {
    if (in_batch()) return {};
    if (auto* sq = std::get_if<sipsaf::sqlite_store>(&s_)) {
      auto b = sq->begin_batch();
      if (!b) return b.error();
      batch_.emplace(std::move(*b));
    } else if (auto* pg = std::get_if<cluster_store>(&s_)) {
      auto b = pg->db().begin_batch();
      if (!b) return b.error();
      pg_batch_.emplace(std::move(*b));
    }
    return {};
  }
  auto commit_batch() -> std::error_code {
    std::error_code ec;
    if (batch_) ec = batch_->commit();
    if (pg_batch_) ec = pg_batch_->commit();
    batch_.reset();
    pg_batch_.reset();
    return ec;
  }
  auto in_batch() const noexcept -> bool { return batch_.has_value() || pg_batch_.has_value(); }
  auto durable() const noexcept -> bool {
    return !std::holds_alternative<sipsaf::memory_store>(s_);
  }
  /// The PostgreSQL store of a cluster, or null.
  auto cluster() noexcept -> cluster_store* { return std::get_if<cluster_store>(&s_); }
  /// True while a shared store cannot be reached: what would be stored is
  /// answered 503 (RFC 3261 §21.5.4), not 500.
  auto unavailable() const noexcept -> bool {
    auto const* pg = std::get_if<cluster_store>(&s_);
    return pg != nullptr && !pg->db().connected();
  }

 private:
  std::variant<sipsaf::memory_store, sipsaf::sqlite_store, cluster_store> s_;
  std::optional<sipsaf::sqlite_store::batch> batch_;
  std::optional<sipsaf::postgres_store::batch> pg_batch_;
};

static_assert(sipsaf::is_message_store<any_store>::value, "any_store is a MessageStore");

}  // namespace proxy

#endif  // SIPSAF_EXAMPLES_PROXY_ANY_STORE_HPP
