// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MIME_BOUNDARY_HPP
#define SIPSAF_MIME_BOUNDARY_HPP

/// @file
/// Multipart boundaries (RFC 2046 §5.1.1): validity, generation, search.
///
/// @par BNF (RFC 2046 §5.1.1)
/// @code
///   boundary      := 0*69<bchars> bcharsnospace
///   bchars        := bcharsnospace / " "
///   bcharsnospace := DIGIT / ALPHA / "'" / "(" / ")" / "+" / "_" / "," / "-"
///                    / "." / "/" / ":" / "=" / "?"
///   dash-boundary := "--" boundary
///   delimiter     := CRLF dash-boundary
/// @endcode

#include <sipsaf/config.hpp>
#include <sipsaf/grammar/detail/chars.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

SIPSAF_BEGIN_NAMESPACE

namespace detail {
inline constexpr grammar::detail::char_set bcharsnospace = grammar::detail::char_set("'()+_,-./:=?")
                                                               .with_range('0', '9')
                                                               .with_range('a', 'z')
                                                               .with_range('A', 'Z');
}  // namespace detail

/// True when `b` is a valid boundary: 1 to 70 bchars, the last one not a
/// space (RFC 2046 §5.1.1). @par Complexity Linear in `b.size()`.
constexpr auto is_valid_boundary(std::string_view b) noexcept -> bool {
  if (b.empty() || b.size() > 70 || b.back() == ' ') return false;
  for (char c : b)
    if (c != ' ' && !detail::bcharsnospace(c)) return false;
  return true;
}

/// A fresh boundary: `sipsaf-` and 32 letters and digits, so a valid token
/// that needs no quotes in a Content-Type parameter. It is not checked
/// against any content: `serialize_multipart` does that.
///
/// Why a clock-seeded generator is enough: RFC 2046 §5.1.1 asks only that the
/// delimiter occur in no part, and `serialize_multipart` checks exactly that,
/// drawing again on a hit. The draw need not be secret: a sender who could
/// predict the next boundary and put it in a part would only cause one more
/// draw. It must make a hit rare and differ between threads and processes:
/// each thread seeds splitmix64 from the wall clock, the steady clock and the
/// address of its own state (different per thread, and per process under
/// address space randomisation). No `<random>`: `std::random_device` would cost
/// every includer of this header several MB of compiler memory for nothing.
/// @par Complexity Constant.
inline auto make_boundary() -> std::string {
  static constexpr char alnum[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  // splitmix64: a cheap generator with good mixing for identifiers.
  auto mix = [](std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  thread_local std::uint64_t state = 0;
  thread_local bool seeded = false;
  if (!seeded) {
    using namespace std::chrono;
    auto const wall = static_cast<std::uint64_t>(system_clock::now().time_since_epoch().count());
    auto const mono = static_cast<std::uint64_t>(steady_clock::now().time_since_epoch().count());
    auto const where = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(&state));
    state = mix(wall) ^ mix(mono + 0x9e3779b97f4a7c15ULL) ^ mix(where);
    seeded = true;
  }
  std::string b = "sipsaf-";
  for (int word = 0; word < 4; ++word) {
    std::uint64_t r = mix(state += 0x9e3779b97f4a7c15ULL);
    for (int i = 0; i < 8; ++i, r /= 62) b.push_back(alnum[r % 62]);
  }
  return b;
}

namespace detail {

/// Finds each `LF "--" boundary` in a text: the candidates for a delimiter.
///
/// Two bulk scans, chosen as the text goes:
/// - `memchr` for `-`: base64, the usual encoding of large parts, has no
///   `-` at all, so a whole part goes by at the speed of the C library's
///   vectorised `memchr`; each `-` found is checked for `LF "--" boundary`.
/// - When dashes come thick (text full of them), a Horspool scan over the
///   needle `"\n--" boundary` takes over: it reads the last byte of each
///   window and skips ahead by up to the needle's length.
/// A full comparison runs only at an LF followed by `--`: at most one per
/// line, so all comparisons together read each byte a bounded number of times.
/// Either way a scan is linear in the text, whatever its content.
class delimiter_finder {
 public:
  /// Precondition: `is_valid_boundary(boundary)`. Keeps a view of it.
  explicit delimiter_finder(std::string_view boundary) noexcept
      : boundary_(boundary), size_(boundary.size() + 3) {}

  /// The needle's length: 3 + the boundary's.
  auto size() const noexcept -> std::size_t { return size_; }

  /// The offset of the LF of the first `"\n--" boundary` in `text` at or
  /// after `from`, or `npos`.
  auto find(std::string_view text, std::size_t from) const noexcept -> std::size_t {
    std::size_t const n = text.size();
    if (from > n || n - from < size_) return std::string_view::npos;
    auto const* s = reinterpret_cast<unsigned char const*>(text.data());
    std::size_t const stop = n - size_;  // the last offset where the needle fits
    // memchr phase: `pos` is the first offset not yet ruled out.
    std::size_t pos = from;
    std::size_t dashes = 0;
    while (pos <= stop) {
      // The first dash of a needle at `pos` or later is at `pos + 1` or later.
      auto const* hit =
          static_cast<unsigned char const*>(std::memchr(s + pos + 1, '-', stop + 1 - pos));
      if (hit == nullptr) return std::string_view::npos;
      std::size_t const lf = static_cast<std::size_t>(hit - s) - 1;
      if (s[lf] == '\n' && matches_at(s + lf)) return lf;
      pos = lf + 1;
      // Many dashes close together: memchr would restart too often.
      if (++dashes > 16 && (pos - from) < dashes * 64) return horspool(s, pos, stop);
    }
    return std::string_view::npos;
  }

 private:
  auto needle(std::size_t i) const noexcept -> unsigned char {
    return static_cast<unsigned char>(i == 0 ? '\n' : i < 3 ? '-' : boundary_[i - 3]);
  }

  auto horspool(unsigned char const* s, std::size_t pos, std::size_t stop) const noexcept
      -> std::size_t {
    std::array<std::uint8_t, 256> skip;
    skip.fill(static_cast<std::uint8_t>(size_));
    for (std::size_t i = 0; i + 1 < size_; ++i)
      skip[needle(i)] = static_cast<std::uint8_t>(size_ - 1 - i);
    unsigned char const last = needle(size_ - 1);
    while (pos <= stop) {
      unsigned char const c = s[pos + size_ - 1];
      if (c == last && s[pos] == '\n' && matches_at(s + pos)) return pos;
      pos += skip[c];
    }
    return std::string_view::npos;
  }

  /// `p` points at an LF; true when `"--" boundary` follows it.
  auto matches_at(unsigned char const* p) const noexcept -> bool {
    return p[1] == '-' && p[2] == '-' &&
           std::memcmp(p + 3, boundary_.data(), boundary_.size()) == 0;
  }

  std::string_view boundary_;
  std::size_t size_;
};

}  // namespace detail

/// True when `"--" boundary` occurs nowhere in `text`, so no line of `text`
/// can be taken for a delimiter. @par Complexity Linear in `text.size()`.
inline auto boundary_absent(std::string_view boundary, std::string_view text) noexcept -> bool {
  if (boundary.empty()) return false;
  std::string_view const dashes = "--";
  std::size_t pos = 0;
  while ((pos = text.find(boundary, pos)) != std::string_view::npos) {
    if (pos >= 2 && text.substr(pos - 2, 2) == dashes) return false;
    ++pos;
  }
  return true;
}

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_MIME_BOUNDARY_HPP
