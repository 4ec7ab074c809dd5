// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MIME_IMPL_BASE64_HPP
#define SIPSAF_MIME_IMPL_BASE64_HPP

#include <sipsaf/mime/base64.hpp>

// x86-64 with GCC or Clang: a vector decoder compiled for SSSE3 or AVX2 and
// chosen at run time, so that the library needs no special build flags.
#if !defined(SIPSAF_NO_SIMD) && (defined(__x86_64__) || defined(__i386__)) && \
    (defined(__GNUC__) || defined(__clang__))
#define SIPSAF_BASE64_X86 1
#else
#define SIPSAF_BASE64_X86 0
#endif

SIPSAF_BEGIN_NAMESPACE
namespace detail {

inline constexpr char base64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Per byte: its 6-bit value, or one of the markers below.
inline constexpr std::uint8_t b64_space = 0x40;  // SP, HTAB, CR, LF: skipped
inline constexpr std::uint8_t b64_pad = 0x41;    // '='
inline constexpr std::uint8_t b64_bad = 0x80;    // anything else

struct base64_tables {
  std::array<std::uint8_t, 256> value{};
  // The value already shifted into its place of a 24-bit group; a byte
  // outside the alphabet sets bit 24, so one OR of four lookups tells whether
  // the four bytes are a plain group.
  std::array<std::uint32_t, 256> at0{}, at1{}, at2{}, at3{};

  constexpr base64_tables() {
    for (std::size_t c = 0; c < 256; ++c) {
      value[c] = b64_bad;
      at0[c] = at1[c] = at2[c] = at3[c] = 1u << 24;
    }
    for (std::uint32_t v = 0; v < 64; ++v) {
      auto const c = static_cast<unsigned char>(base64_alphabet[v]);
      value[c] = static_cast<std::uint8_t>(v);
      at0[c] = v << 18;
      at1[c] = v << 12;
      at2[c] = v << 6;
      at3[c] = v;
    }
    value[' '] = value['\t'] = value['\r'] = value['\n'] = b64_space;
    value['='] = b64_pad;
  }
};

inline constexpr base64_tables b64{};

#if SIPSAF_BASE64_X86
// The vector decoders (impl/base64.ipp, with their instruction sets),
// each for one instruction set: decodes from `s + i` while the text is
// plain alphabet or line ends between whole groups, writing to `out`;
// returns where it stopped, always between groups.
SIPSAF_DECL auto b64_run_ssse3(unsigned char const* s, std::size_t i, std::size_t n,
                               char*& out) noexcept -> std::size_t;
SIPSAF_DECL auto b64_run_avx2(unsigned char const* s, std::size_t i, std::size_t n,
                              char*& out) noexcept -> std::size_t;
/// 2 with AVX2, 1 with SSSE3, else 0; asked once.
SIPSAF_DECL auto base64_vector_level() noexcept -> int;
#endif

/// The vector level the CPU offers: 2 for AVX2, 1 for SSSE3, 0 for none.
inline auto base64_best_level() noexcept -> int {
#if SIPSAF_BASE64_X86
  return base64_vector_level();
#else
  return 0;
#endif
}

/// The decoder. `Out` is a raw `char*` (the vector path, up to `level`) or
/// any output iterator (the scalar path).
template <class Out>
auto base64_decode(std::string_view in, Out& out, int level = base64_best_level()) -> result<void> {
  if (level > base64_best_level()) level = base64_best_level();
  auto const* s = reinterpret_cast<unsigned char const*>(in.data());
  std::size_t const n = in.size();
  std::size_t i = 0;
  std::uint32_t acc = 0;
  int have = 0;  // characters in the current group
  for (;;) {
    if (have == 0) {
#if SIPSAF_BASE64_X86
      if constexpr (std::is_same<Out, char*>::value) {
        if (n - i >= 16) {
          if (level == 2) {
            i = b64_run_avx2(s, i, n, out);
          } else if (level == 1) {
            i = b64_run_ssse3(s, i, n, out);
          }
        }
      }
#endif
      // Whole groups without whitespace: the common case within a line.
      while (n - i >= 4) {
        std::uint32_t const g =
            b64.at0[s[i]] | b64.at1[s[i + 1]] | b64.at2[s[i + 2]] | b64.at3[s[i + 3]];
        if (g >> 24) break;
        *out++ = static_cast<char>(g >> 16);
        *out++ = static_cast<char>(g >> 8);
        *out++ = static_cast<char>(g);
        i += 4;
      }
    }
    if (i == n) break;
    std::uint8_t const v = b64.value[s[i]];
    if (v < 64) {
      acc = (acc << 6) | v;
      if (++have == 4) {
        *out++ = static_cast<char>(acc >> 16);
        *out++ = static_cast<char>(acc >> 8);
        *out++ = static_cast<char>(acc);
        acc = 0;
        have = 0;
      }
      ++i;
      continue;
    }
    if (v == b64_space) {
      ++i;
      continue;
    }
    if (v == b64_bad) return parse_error{errc::bad_base64, i};
    // '=': RFC 4648 §4: only after 2 or 3 characters of the last group.
    if (have < 2) return parse_error{errc::bad_base64, i};
    int pads = 1;
    ++i;
    for (; i < n; ++i) {
      std::uint8_t const w = b64.value[s[i]];
      if (w == b64_space) continue;
      if (w == b64_pad && have + pads < 4) {
        ++pads;
        continue;
      }
      return parse_error{errc::bad_base64, i};
    }
    if (have + pads != 4) return parse_error{errc::bad_base64, n};
    break;
  }
  if (have == 1) return parse_error{errc::bad_base64, n};
  if (have >= 2) {
    acc <<= 6 * (4 - have);
    *out++ = static_cast<char>(acc >> 16);
    if (have == 3) *out++ = static_cast<char>(acc >> 8);
  }
  return {};
}

}  // namespace detail

template <class OutputIt>
auto decode_base64(std::string_view in, OutputIt out) -> result<OutputIt> {
  auto r = detail::base64_decode(in, out);
  if (!r) return r.error();
  return out;
}

template <class OutputIt>
auto encode_base64(std::string_view data, OutputIt out, std::size_t line_length)
    -> std::enable_if_t<!std::is_integral<OutputIt>::value, OutputIt> {
  auto const* s = reinterpret_cast<unsigned char const*>(data.data());
  std::size_t const n = data.size();
  std::size_t column = 0;
  auto put = [&](char c) {
    if (line_length != 0 && column == line_length) {
      *out++ = '\r';
      *out++ = '\n';
      column = 0;
    }
    *out++ = c;
    ++column;
  };
  std::size_t i = 0;
  for (; n - i >= 3; i += 3) {
    std::uint32_t const g = (std::uint32_t{s[i]} << 16) | (std::uint32_t{s[i + 1]} << 8) | s[i + 2];
    put(detail::base64_alphabet[g >> 18]);
    put(detail::base64_alphabet[(g >> 12) & 63]);
    put(detail::base64_alphabet[(g >> 6) & 63]);
    put(detail::base64_alphabet[g & 63]);
  }
  if (n - i == 1) {
    std::uint32_t const g = std::uint32_t{s[i]} << 16;
    put(detail::base64_alphabet[g >> 18]);
    put(detail::base64_alphabet[(g >> 12) & 63]);
    put('=');
    put('=');
  } else if (n - i == 2) {
    std::uint32_t const g = (std::uint32_t{s[i]} << 16) | (std::uint32_t{s[i + 1]} << 8);
    put(detail::base64_alphabet[g >> 18]);
    put(detail::base64_alphabet[(g >> 12) & 63]);
    put(detail::base64_alphabet[(g >> 6) & 63]);
    put('=');
  }
  return out;
}

SIPSAF_END_NAMESPACE

#endif
