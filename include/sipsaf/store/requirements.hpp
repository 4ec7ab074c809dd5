// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_STORE_REQUIREMENTS_HPP
#define SIPSAF_STORE_REQUIREMENTS_HPP

// The requirements table keeps one row per line, as Markdown needs.
// clang-format off
/// @file
/// The *MessageStore* named requirements, the `is_message_store` trait and
/// the readable compile-time checks the engine runs on its `Store` parameter.
///
/// @par MessageStore
/// A store keeps messages for recipients who cannot take them now. The
/// engine calls it synchronously; a store may block (a database write), but
/// it never calls back into the engine.
///
/// In this table `S` is a type meeting the requirements, `s` an lvalue of
/// `S`, `m` a `stored_message const&`, `id` a `message_id`, `k` a
/// `message_key`, `r` a `std::string_view` naming a recipient (the directory
/// key), `mode` a `delivery_mode`, `n` a `std::size_t`, `now` a `timestamp`,
/// `next` a `std::optional<timestamp>`, `a` a `std::uint32_t`. Every error is
/// a `std::error_code`; `result<T>` below means `result<T, std::error_code>`.
///
/// | Expression | Type | Semantics |
/// |---|---|---|
/// | `s.put(m)` | `result<message_id>` | Stores a copy of `m` (its bytes exactly) under `m.env.recipient`, assigns the next id (strictly greater than every id before) and sets `size`; `m.env.id` is ignored. **Durable when it returns** (a store that batches: when its batch is). If a message with the same key `m.env.key()` is already stored, changes nothing and returns that message's id. Keeps no reference to `m`. |
/// | `s.get(id)` | `result<std::optional<stored_message>>` | The message, or empty if `id` is not stored. |
/// | `s.erase(id)` | `result<bool>` | Removes the message; `false` if `id` was not stored. Durable when it returns. |
/// | `s.find(k)` | `result<std::optional<message_id>>` | The id of the stored message whose key equals `k`, or empty. Keeps no reference to `k`. |
/// | `s.usage(r)` | `result<store_usage>` | How many messages and bytes are stored for `r`, and how many of them are `push`. |
/// | `s.list(r, mode, n)` | `result<std::vector<envelope>>` | Up to `n` envelopes of `r`'s messages in `mode`, oldest (lowest id) first. |
/// | `s.reschedule(id, next, a)` | `result<bool>` | Sets `next_attempt = next` and `attempts = a`; `false` if `id` is not stored. |
/// | `s.due(now, n)` | `result<std::vector<envelope>>` | Up to `n` envelopes with `next_attempt <= now`, earliest `next_attempt` first (ties by id). |
/// | `s.expired(now, n)` | `result<std::vector<envelope>>` | Up to `n` envelopes with `expires_at <= now`, earliest first (ties by id). |
/// | `s.next_due()` | `result<std::optional<timestamp>>` | The earliest `next_attempt` or `expires_at` of any stored message; empty when nothing is stored. |
///
/// A store need not be thread-safe: the engine calls it from one thread.
///
/// @par Exemplar
/// @code
/// struct my_store {
///   using error = std::error_code;
///   auto put(sipsaf::stored_message const&) -> sipsaf::result<sipsaf::message_id, error>;
///   auto get(sipsaf::message_id) -> sipsaf::result<std::optional<sipsaf::stored_message>, error>;
///   auto erase(sipsaf::message_id) -> sipsaf::result<bool, error>;
///   auto find(sipsaf::message_key) -> sipsaf::result<std::optional<sipsaf::message_id>, error>;
///   auto usage(std::string_view) -> sipsaf::result<sipsaf::store_usage, error>;
///   auto list(std::string_view, sipsaf::delivery_mode, std::size_t)
///       -> sipsaf::result<std::vector<sipsaf::envelope>, error>;
///   auto reschedule(sipsaf::message_id, std::optional<sipsaf::timestamp>, std::uint32_t)
///       -> sipsaf::result<bool, error>;
///   auto due(sipsaf::timestamp, std::size_t) -> sipsaf::result<std::vector<sipsaf::envelope>, error>;
///   auto expired(sipsaf::timestamp, std::size_t) -> sipsaf::result<std::vector<sipsaf::envelope>, error>;
///   auto next_due() -> sipsaf::result<std::optional<sipsaf::timestamp>, error>;
/// };
/// static_assert(sipsaf::is_message_store<my_store>::value);
/// @endcode
///
/// @par Models
/// `memory_store` (<sipsaf/store/memory_store.hpp>), `sqlite_store`
/// (<sipsaf/store/sqlite_store.hpp>, needs libsqlite3), `postgres_store`
/// (<sipsaf/store/postgres_store.hpp>, needs libpq; several processes share it).
// clang-format on

#include <sipsaf/config.hpp>
#include <sipsaf/result.hpp>
#include <sipsaf/store/message.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

SIPSAF_BEGIN_NAMESPACE

namespace detail {

template <class T>
using store_result = result<T, std::error_code>;

// One detector per row of the table: true when the expression is valid and
// its type converts to what the table says.
#define SIPSAF_STORE_DETECT(name, expr, type)             \
  template <class S, class = void>                        \
  struct store_has_##name : std::false_type {};           \
  template <class S>                                      \
  struct store_has_##name<S, std::void_t<decltype(expr)>> \
      : std::is_convertible<decltype(expr), type> {};

SIPSAF_STORE_DETECT(put, std::declval<S&>().put(std::declval<stored_message const&>()),
                    store_result<message_id>)
SIPSAF_STORE_DETECT(get, std::declval<S&>().get(message_id{}),
                    store_result<std::optional<stored_message>>)
SIPSAF_STORE_DETECT(erase, std::declval<S&>().erase(message_id{}), store_result<bool>)
SIPSAF_STORE_DETECT(find, std::declval<S&>().find(message_key{}),
                    store_result<std::optional<message_id>>)
SIPSAF_STORE_DETECT(usage, std::declval<S&>().usage(std::string_view{}), store_result<store_usage>)
SIPSAF_STORE_DETECT(list,
                    std::declval<S&>().list(std::string_view{}, delivery_mode::push, std::size_t{}),
                    store_result<std::vector<envelope>>)
SIPSAF_STORE_DETECT(reschedule,
                    std::declval<S&>().reschedule(message_id{}, std::optional<timestamp>{},
                                                  std::uint32_t{}),
                    store_result<bool>)
SIPSAF_STORE_DETECT(due, std::declval<S&>().due(timestamp{}, std::size_t{}),
                    store_result<std::vector<envelope>>)
SIPSAF_STORE_DETECT(expired, std::declval<S&>().expired(timestamp{}, std::size_t{}),
                    store_result<std::vector<envelope>>)
SIPSAF_STORE_DETECT(next_due, std::declval<S&>().next_due(), store_result<std::optional<timestamp>>)
#undef SIPSAF_STORE_DETECT

}  // namespace detail

/// True when `S` meets the *MessageStore* requirements (see the file notes).
template <class S>
struct is_message_store
    : std::integral_constant<
          bool, detail::store_has_put<S>::value && detail::store_has_get<S>::value &&
                    detail::store_has_erase<S>::value && detail::store_has_find<S>::value &&
                    detail::store_has_usage<S>::value && detail::store_has_list<S>::value &&
                    detail::store_has_reschedule<S>::value && detail::store_has_due<S>::value &&
                    detail::store_has_expired<S>::value && detail::store_has_next_due<S>::value> {};

template <class S>
constexpr bool is_message_store_v = is_message_store<S>::value;

namespace detail {

/// Instantiating this names each member `S` lacks, one diagnostic per row.
template <class S>
struct message_store_static_asserts {
  static_assert(store_has_put<S>::value,
                "MessageStore: missing or invalid member: "
                "put(stored_message const&) -> result<message_id, std::error_code>");
  static_assert(store_has_get<S>::value,
                "MessageStore: missing or invalid member: "
                "get(message_id) -> result<std::optional<stored_message>, std::error_code>");
  static_assert(store_has_erase<S>::value,
                "MessageStore: missing or invalid member: "
                "erase(message_id) -> result<bool, std::error_code>");
  static_assert(store_has_find<S>::value,
                "MessageStore: missing or invalid member: "
                "find(message_key) -> result<std::optional<message_id>, std::error_code>");
  static_assert(store_has_usage<S>::value,
                "MessageStore: missing or invalid member: "
                "usage(std::string_view) -> result<store_usage, std::error_code>");
  static_assert(store_has_list<S>::value,
                "MessageStore: missing or invalid member: "
                "list(std::string_view, delivery_mode, std::size_t) -> "
                "result<std::vector<envelope>, std::error_code>");
  static_assert(store_has_reschedule<S>::value,
                "MessageStore: missing or invalid member: "
                "reschedule(message_id, std::optional<timestamp>, std::uint32_t) -> "
                "result<bool, std::error_code>");
  static_assert(store_has_due<S>::value,
                "MessageStore: missing or invalid member: "
                "due(timestamp, std::size_t) -> result<std::vector<envelope>, std::error_code>");
  static_assert(store_has_expired<S>::value,
                "MessageStore: missing or invalid member: "
                "expired(timestamp, std::size_t) -> "
                "result<std::vector<envelope>, std::error_code>");
  static_assert(store_has_next_due<S>::value,
                "MessageStore: missing or invalid member: "
                "next_due() -> result<std::optional<timestamp>, std::error_code>");
  static constexpr bool value = true;
};

}  // namespace detail

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_STORE_REQUIREMENTS_HPP
