// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_STORE_MESSAGE_HPP
#define SIPSAF_STORE_MESSAGE_HPP

/// @file
/// What a message store keeps: the request's exact bytes and the envelope
/// the engine needs to deliver, retry, expire and notify without parsing
/// the bytes again.

#include <sipsaf/config.hpp>
#include <sipsaf/time.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

SIPSAF_BEGIN_NAMESPACE

/// A stored message's identity within one store. Assigned by the store on
/// `put`, strictly increasing in the order of the `put` calls that created
/// messages, never reused: per-recipient order is id order.
using message_id = std::uint64_t;

/// How a stored message reaches its recipient.
enum class delivery_mode : std::uint8_t {
  /// `store-and-forward-if-not-reached`, or the profile's store setting:
  /// the engine delivers it when the recipient is reachable.
  push = 0,
  /// `store`: kept until the recipient asks for it.
  pull = 1,
};

inline auto to_string(delivery_mode m) noexcept -> char const* {
  return m == delivery_mode::push ? "push" : "pull";
}
inline auto operator<<(std::ostream& os, delivery_mode m) -> std::ostream& {
  return os << to_string(m);
}

/// The identity of a request for duplicate suppression: a request re-sent
/// by its sender (a retransmission, or the same request after a failover)
/// carries the same Call-ID, CSeq number and From tag (RFC 3261 §8.1.1.3,
/// §8.1.1.4, §8.1.1.5, §17.2.3). Views; valid while what they point into is.
struct message_key {
  std::string_view call_id;
  std::uint32_t cseq = 0;
  std::string_view from_tag;

  friend auto operator==(message_key const& a, message_key const& b) noexcept -> bool {
    return a.cseq == b.cseq && a.call_id == b.call_id && a.from_tag == b.from_tag;
  }
  friend auto operator!=(message_key const& a, message_key const& b) noexcept -> bool {
    return !(a == b);
  }
};

namespace detail {

// Eight bytes at a time: xor, multiply by the 64-bit golden ratio, fold the
// high bits down. Words are read as little-endian, so the value is the same
// on every machine.
inline auto hash_mix(std::uint64_t h, std::uint64_t w) noexcept -> std::uint64_t {
  h = (h ^ w) * 0x9e3779b97f4a7c15ull;
  return h ^ (h >> 29);
}

// A little-endian 64-bit word of `n` (at most 8) bytes at `p`.
inline auto load_le(char const* p, std::size_t n) noexcept -> std::uint64_t {
  std::uint64_t w = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  std::memcpy(&w, p, n);
  w = __builtin_bswap64(w);
  if (n < 8) w >>= 8 * (8 - n);
#else
  // A short tail in pieces of 4, 2 and 1 bytes: copies of a fixed size are
  // single loads, where one of `n` bytes would be a call to memcpy.
  if (n == 8) {
    std::memcpy(&w, p, 8);
    return w;
  }
  unsigned at = 0;
  if ((n & 4) != 0) {
    std::uint32_t x = 0;
    std::memcpy(&x, p, 4);
    w = x;
    at = 4;
  }
  if ((n & 2) != 0) {
    std::uint16_t x = 0;
    std::memcpy(&x, p + at, 2);
    w |= static_cast<std::uint64_t>(x) << (8 * at);
    at += 2;
  }
  if ((n & 1) != 0) w |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[at])) << (8 * at);
#endif
  return w;
}

// Whether `a` and `b` hold the same bytes. Short text is compared a word at
// a time (the last word overlapping the one before), with no call: the
// caches that compare a header with its last value run this on every request.
inline auto same_bytes(std::string_view a, std::string_view b) noexcept -> bool {
  std::size_t const n = a.size();
  if (n != b.size()) return false;
  char const* const p = a.data();
  char const* const q = b.data();
  if (n > 64) return std::memcmp(p, q, n) == 0;
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 < n; i += 8)
      if (load_le(p + i, 8) != load_le(q + i, 8)) return false;
    return load_le(p + n - 8, 8) == load_le(q + n - 8, 8);
  }
  if (n >= 4)
    return load_le(p, 4) == load_le(q, 4) && load_le(p + n - 4, 4) == load_le(q + n - 4, 4);
  for (std::size_t i = 0; i < n; ++i)
    if (p[i] != q[i]) return false;
  return true;
}

inline auto hash_bytes(std::string_view s, std::uint64_t seed) noexcept -> std::uint64_t {
  std::uint64_t h = seed ^ s.size();
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) h = hash_mix(h, load_le(s.data() + i, 8));
  if (i < s.size()) h = hash_mix(h, load_le(s.data() + i, s.size() - i));
  return hash_mix(h, 0xbf58476d1ce4e5b9ull);
}

}  // namespace detail

/// A 64-bit hash of a `message_key`, the same in every process and on every
/// machine (stores may persist it). Not cryptographic: stores confirm a hit
/// by comparing the key itself.
inline auto hash_value(message_key const& k) noexcept -> std::uint64_t {
  std::uint64_t h = detail::hash_bytes(k.call_id, k.cseq);
  return detail::hash_bytes(k.from_tag, h);
}

/// Everything about a stored message except its bytes.
struct envelope {
  message_id id = 0;       ///< assigned by the store; ignored by `put`
  std::string recipient;   ///< the directory's key for the recipient (its AOR)
  std::string sender;      ///< the From URI: where notifications go
  std::string to;          ///< the To URI as the sender wrote it (IMDN's original-recipient)
  std::string call_id;     ///< with `cseq` and `from_tag`, the duplicate key
  std::uint32_t cseq = 0;  ///< the CSeq number
  std::string from_tag;    ///< the From tag
  delivery_mode mode = delivery_mode::push;
  bool notify = false;     ///< tell the sender once it is delivered, or if it never is
  timestamp arrived{};     ///< when the engine accepted it
  timestamp expires_at{};  ///< when it is removed undelivered (RFC 3428 Expires/Date, profile)
  /// When the engine tries again; empty = wait until the recipient becomes
  /// reachable (push) or asks (pull).
  std::optional<timestamp> next_attempt;
  std::uint32_t attempts = 0;  ///< delivery attempts that failed so far
  std::uint64_t size = 0;      ///< bytes.size(), for quotas; set by the store

  auto key() const noexcept -> message_key { return {call_id, cseq, from_tag}; }
};

/// A stored message: its envelope and the request exactly as received
/// (start line, every header field with its Content-Type parameters such as
/// the multipart boundary, Date and Request-Disposition, and the body).
struct stored_message {
  envelope env;
  std::string bytes;
};

/// How much a recipient has stored: what quotas are checked against.
struct store_usage {
  std::uint64_t messages = 0;       ///< messages held for the recipient
  std::uint64_t bytes = 0;          ///< their total size
  std::uint64_t push_messages = 0;  ///< of which waiting for push delivery

  friend auto operator==(store_usage const& a, store_usage const& b) noexcept -> bool {
    return a.messages == b.messages && a.bytes == b.bytes && a.push_messages == b.push_messages;
  }
};

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_STORE_MESSAGE_HPP
