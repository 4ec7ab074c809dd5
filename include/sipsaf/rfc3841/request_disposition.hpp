// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_RFC3841_REQUEST_DISPOSITION_HPP
#define SIPSAF_RFC3841_REQUEST_DISPOSITION_HPP

/// @file
/// The Request-Disposition header field (RFC 3841 §9.1, §10) with the
/// store-command extension: value type, parser, canonical serializer.
///
/// @par BNF (RFC 3841 §10, plus the extension tokens)
/// @code
///   Request-Disposition = ( "Request-Disposition" / "d" ) HCOLON
///                         directive *(COMMA directive)
///   directive           = proxy-directive / cancel-directive / fork-directive
///                         / recurse-directive / parallel-directive / queue-directive
///   proxy-directive     = "proxy" / "redirect"
///   cancel-directive    = "cancel" / "no-cancel"
///   fork-directive      = "fork" / "no-fork"
///   recurse-directive   = "recurse" / "no-recurse"
///   parallel-directive  = "parallel" / "sequential"
///   queue-directive     = "queue" / "no-queue"
///   ; store-command extension (extended mode only)
///   store-directive     = "do-not-store" / "store" / "store-and-forward-if-not-reached"
///   notify-directive    = "notify"
///   ring-directive      = "ring" / "no-ring"         ; early drafts, legacy
///   extension-directive = token                      ; kept as written
/// @endcode
/// Tokens are case-insensitive (RFC 3261 §7.3.1). At most one directive of
/// each type (RFC 3841 §9.1): a second one is `errc::conflicting_directives`.

#include <sipsaf/config.hpp>
#include <sipsaf/error.hpp>
#include <sipsaf/result.hpp>

#include <fmt/core.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

SIPSAF_BEGIN_NAMESPACE

/// Every directive sipsaf knows, plus `extension` for any other token.
enum class directive : std::uint8_t {
  proxy,
  redirect,  // RFC 3841 proxy-directive
  cancel,
  no_cancel,  // cancel-directive
  fork,
  no_fork,  // fork-directive
  recurse,
  no_recurse,  // recurse-directive
  parallel,
  sequential,  // parallel-directive
  queue,
  no_queue,  // queue-directive
  do_not_store,
  store,
  store_and_forward_if_not_reached,  // store command
  notify,                            // notify the sender after delivery
  ring,
  no_ring,    // legacy draft tokens
  extension,  // any other token, kept as written
};

/// The directive types: two directives of one type conflict.
enum class directive_type : std::uint8_t {
  proxy,
  cancel,
  fork,
  recurse,
  parallel,
  queue,
  store,
  notify,
  ring,
  extension
};

enum class proxy_directive : std::uint8_t { unset, proxy, redirect };
enum class cancel_directive : std::uint8_t { unset, cancel, no_cancel };
enum class fork_directive : std::uint8_t { unset, fork, no_fork };
enum class recurse_directive : std::uint8_t { unset, recurse, no_recurse };
enum class parallel_directive : std::uint8_t { unset, parallel, sequential };
enum class queue_directive : std::uint8_t { unset, queue, no_queue };
enum class ring_directive : std::uint8_t { unset, ring, no_ring };

/// What the sender asked the network to do when the recipient cannot be reached.
enum class store_command : std::uint8_t {
  none,                              ///< nothing said: the recipient's profile decides
  do_not_store,                      ///< instant: discard if not promptly deliverable
  store,                             ///< keep it; the recipient retrieves it (pull)
  store_and_forward_if_not_reached,  ///< keep it; deliver when the recipient is back (push)
};

namespace detail {
// Tables at namespace scope: a constexpr array local to a function is
// rebuilt on the stack at every call.
inline constexpr directive_type directive_types[] = {
    directive_type::proxy,    directive_type::proxy,   directive_type::cancel,
    directive_type::cancel,   directive_type::fork,    directive_type::fork,
    directive_type::recurse,  directive_type::recurse, directive_type::parallel,
    directive_type::parallel, directive_type::queue,   directive_type::queue,
    directive_type::store,    directive_type::store,   directive_type::store,
    directive_type::notify,   directive_type::ring,    directive_type::ring,
    directive_type::extension};
inline constexpr std::string_view directive_names[] = {
    "proxy",   "redirect", "cancel",       "no-cancel", "fork",
    "no-fork", "recurse",  "no-recurse",   "parallel",  "sequential",
    "queue",   "no-queue", "do-not-store", "store",     "store-and-forward-if-not-reached",
    "notify",  "ring",     "no-ring",      ""};
}  // namespace detail

/// The type a directive belongs to.
constexpr auto type_of(directive d) noexcept -> directive_type {
  return detail::directive_types[static_cast<std::size_t>(d)];
}

/// True for the directives RFC 3841 defines (accepted in strict mode).
constexpr auto is_rfc3841(directive d) noexcept -> bool {
  return d <= directive::no_queue;
}

/// The canonical (lower-case) spelling; empty for `directive::extension`.
constexpr auto to_string_view(directive d) noexcept -> std::string_view {
  return detail::directive_names[static_cast<std::size_t>(d)];
}

/// The directive a token names (ASCII case-insensitive), or `directive::extension`.
SIPSAF_DECL auto classify_directive(std::string_view token) noexcept -> directive;

/// Which tokens the parser accepts.
enum class disposition_mode : std::uint8_t {
  /// RFC 3841 §10 only: any other token is `errc::unknown_directive`.
  strict,
  /// The store-command service's default: store tokens and `notify` typed,
  /// `ring`/`no-ring` accepted as legacy, any other token kept as an extension.
  extended,
};

struct request_disposition_options {
  disposition_mode mode = disposition_mode::extended;
  /// More directives than this is `errc::too_many_directives` (at most 64).
  std::size_t max_directives = 32;
};

/// One directive as it appeared: its kind and its text (the canonical
/// spelling for known directives, the token as written for extensions).
struct directive_entry {
  directive kind;
  std::string_view text;
};

/// A parsed Request-Disposition value: each directive type's setting, the
/// store command, the `notify` wish, unknown extension tokens, and the order
/// in which the directives appeared (kept so that serializing round-trips).
///
/// Extension tokens are views: into the parsed input, or into the strings
/// passed to `add_extension`. Ownership is not transferred; the caller keeps
/// that text alive as long as the value is used. Known directives own nothing.
/// A value without extensions never allocates.
class request_disposition {
 public:
  static constexpr std::size_t capacity = 64;

  request_disposition() = default;

  auto proxy() const noexcept -> proxy_directive { return pick<proxy_directive>(directive::proxy); }
  auto cancel() const noexcept -> cancel_directive {
    return pick<cancel_directive>(directive::cancel);
  }
  auto fork() const noexcept -> fork_directive { return pick<fork_directive>(directive::fork); }
  auto recurse() const noexcept -> recurse_directive {
    return pick<recurse_directive>(directive::recurse);
  }
  auto parallel() const noexcept -> parallel_directive {
    return pick<parallel_directive>(directive::parallel);
  }
  auto queue() const noexcept -> queue_directive { return pick<queue_directive>(directive::queue); }
  auto ring() const noexcept -> ring_directive { return pick<ring_directive>(directive::ring); }
  auto store() const noexcept -> store_command {
    return pick<store_command>(directive::do_not_store);
  }
  auto notify() const noexcept -> bool { return has(directive::notify); }

  /// The directive of type `t`, if one is present (for extension: null).
  auto find(directive_type t) const noexcept -> directive const* {
    directive const& d = by_type_[static_cast<std::size_t>(t)];
    return d == directive::extension ? nullptr : &d;
  }
  auto has(directive d) const noexcept -> bool {
    return d != directive::extension && by_type_[static_cast<std::size_t>(type_of(d))] == d;
  }

  /// Unknown extension tokens, as written, in input order.
  auto extensions() const noexcept -> std::vector<std::string_view> const& { return extensions_; }

  /// Number of directives (known and extension).
  auto size() const noexcept -> std::size_t { return count_; }
  auto empty() const noexcept -> bool { return count_ == 0; }

  /// The directives in the order they appeared.
  auto directives() const -> std::vector<directive_entry> {
    std::vector<directive_entry> out;
    out.reserve(count_);
    for_each([&](directive_entry e) { out.push_back(e); });
    return out;
  }

  /// Calls `f(directive_entry)` for each directive in order; never allocates.
  template <class F>
  void for_each(F&& f) const {
    std::size_t ext = 0;
    for (std::size_t i = 0; i < count_; ++i) {
      if (order_[i] == directive::extension)
        f(directive_entry{directive::extension, extensions_[ext++]});
      else
        f(directive_entry{order_[i], to_string_view(order_[i])});
    }
  }

  /// Adds a known directive. Returns false (and changes nothing) when a
  /// directive of the same type is already there or the value is full.
  /// Precondition: `d != directive::extension` (use `add_extension`).
  auto add(directive d) noexcept -> bool {
    if (d == directive::extension || count_ == capacity) return false;
    directive& slot = by_type_[static_cast<std::size_t>(type_of(d))];
    if (slot != directive::extension) return false;
    slot = d;
    order_[count_++] = d;
    return true;
  }

  /// Adds an extension token (kept as a view: see the class notes). Returns
  /// false when the token names a known directive or the value is full.
  auto add_extension(std::string_view token) -> bool {
    if (count_ == capacity || classify_directive(token) != directive::extension) return false;
    extensions_.push_back(token);
    order_[count_++] = directive::extension;
    return true;
  }

  /// Equal when the same directives appear in the same order; extension
  /// tokens compare ASCII case-insensitively (RFC 3261 §7.3.1).
  friend auto operator==(request_disposition const& a, request_disposition const& b) noexcept
      -> bool;
  friend auto operator!=(request_disposition const& a, request_disposition const& b) noexcept
      -> bool {
    return !(a == b);
  }

 private:
  // Maps the directive of one type onto that type's enum, whose values are
  // `unset` then the directives in declaration order.
  template <class E>
  auto pick(directive first_of_type) const noexcept -> E {
    directive const* d = find(type_of(first_of_type));
    if (d == nullptr) return E{};
    return static_cast<E>(static_cast<int>(*d) - static_cast<int>(first_of_type) + 1);
  }

  // The directive of each type (directive::extension when absent), for O(1)
  // lookups and conflict checks, and every directive in input order.
  std::array<directive, 9> by_type_{
      directive::extension, directive::extension, directive::extension,
      directive::extension, directive::extension, directive::extension,
      directive::extension, directive::extension, directive::extension};
  std::array<directive, capacity> order_{};
  std::uint8_t count_ = 0;
  std::vector<std::string_view> extensions_;
};

/// Parses a Request-Disposition header value (the text after HCOLON).
///
/// Leading and trailing whitespace and folded lines between directives are
/// accepted (RFC 3261 §7.3.1). Extension tokens in the result are views into
/// `value`: ownership is not transferred.
///
/// @par Errors (offsets are bytes into `value`)
/// `empty_value` (nothing but whitespace), `expected_directive` (a stray or
/// trailing comma, a byte that starts no token), `expected_comma` (two tokens
/// without a comma), `conflicting_directives` (at the second directive of a
/// type), `unknown_directive` (strict mode, at the token), `too_many_directives`.
///
/// @par Complexity
/// Linear in `value.size()`. No allocation unless extension tokens are present.
///
/// @par Specification
/// RFC 3841 §9.1, §10; RFC 3261 §25.1.
SIPSAF_DECL auto parse_request_disposition(std::string_view value,
                                           request_disposition_options const& opt = {})
    -> result<request_disposition>;

/// Adds the directives of one more header row to `into` (RFC 3261 §7.3.1:
/// several rows of a list header combine as one comma-separated list).
/// A conflict with a directive of an earlier row is reported at its offset
/// in `row`. On error `into` holds the directives before the failing one.
SIPSAF_DECL auto append_request_disposition(request_disposition& into, std::string_view row,
                                            request_disposition_options const& opt = {})
    -> result<void>;

/// Writes the canonical form: directives in order, known tokens in lower
/// case, extensions as written, separated by ", ". Empty for an empty value.
template <class OutputIt>
auto serialize(OutputIt out, request_disposition const& rd) -> OutputIt;

/// The canonical form as a string (see `serialize`).
SIPSAF_DECL auto to_string(request_disposition const& rd) -> std::string;

SIPSAF_DECL auto operator<<(std::ostream& os, request_disposition const& rd) -> std::ostream&;

/// The store-command identifier code: "11" do-not-store, "01" notify (with or
/// without a store directive), "00" store or store-and-forward-if-not-reached,
/// "" when the value carries no store command and no notify.
SIPSAF_DECL auto identifier_code(request_disposition const& rd) noexcept -> std::string_view;

/// The value an identifier code stands for: "00" → store-and-forward-if-not-reached,
/// "11" → do-not-store, "01" → store-and-forward-if-not-reached + notify.
/// Any other text is `errc::expected_directive` at offset 0.
SIPSAF_DECL auto from_identifier_code(std::string_view code) -> result<request_disposition>;

SIPSAF_END_NAMESPACE

/// `fmt::format("{:>20}", rd)`: the canonical form, with the format
/// specifications of a string. Written over `<fmt/core.h>` alone, whose
/// string formatter is only declared (its body is in `<fmt/format.h>`, some
/// 20 MB of compiler memory for every includer): the specifications are handed
/// to fmt's compiled `fmt::format` as a format string of their own. A width or
/// precision taken from another argument (`{:>{}}`) is a format error.
template <>
struct fmt::formatter<sipsaf::request_disposition> {
  template <class ParseContext>
  constexpr auto parse(ParseContext& ctx) -> decltype(ctx.begin()) {
    auto it = ctx.begin();
    std::size_t n = 2;  // after "{:"
    for (; it != ctx.end() && *it != '}'; ++it) {
      if (*it == '{' || n + 2 > sizeof spec_)
        ctx.on_error("unsupported Request-Disposition format");
      spec_[n++] = *it;
    }
    spec_[n++] = '}';
    size_ = n;
    return it;
  }
  template <class FormatContext>
  auto format(sipsaf::request_disposition const& rd, FormatContext& ctx) const
      -> decltype(ctx.out()) {
    auto out = ctx.out();
    for (char c : fmt::format(fmt::runtime(fmt::string_view(spec_, size_)), sipsaf::to_string(rd)))
      *out++ = c;
    return out;
  }

 private:
  char spec_[32] = {'{', ':'};
  std::size_t size_ = 0;
};

#include <sipsaf/rfc3841/impl/request_disposition.hpp>
#ifdef SIPSAF_HEADER_ONLY
#include <sipsaf/rfc3841/impl/request_disposition.ipp>
#endif

#endif  // SIPSAF_RFC3841_REQUEST_DISPOSITION_HPP
