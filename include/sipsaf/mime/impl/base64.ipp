// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MIME_IMPL_BASE64_IPP
#define SIPSAF_MIME_IMPL_BASE64_IPP

#include <sipsaf/mime/base64.hpp>

#if SIPSAF_BASE64_X86
#include <tmmintrin.h>  // SSSE3; AVX2 through the compiler's builtins
#endif

SIPSAF_BEGIN_NAMESPACE

#if SIPSAF_BASE64_X86
namespace detail {

// The vector decoder classifies and translates 16 (or 32) characters at a
// time with byte shuffles over the nibbles, then packs each four 6-bit
// values into three bytes with multiply-adds (the method of W. Mula and
// D. Lemire, "Faster Base64 Encoding and Decoding Using AVX2 Instructions").
//   lo = lut_lo[c & 15], hi = lut_hi[c >> 4]: `lo & hi` is non-zero exactly
//   for bytes outside the alphabet;
//   value = c + lut_roll[(c >> 4) + (c == '/' ? -1 : 0)].
struct base64_vector_tables {
  alignas(16) std::int8_t lo[16] = {0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
                                    0x11, 0x11, 0x13, 0x1A, 0x1B, 0x1B, 0x1B, 0x1A};
  alignas(16) std::int8_t hi[16] = {0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08,
                                    0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10};
  alignas(16) std::int8_t roll[16] = {0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0};
  alignas(16) std::int8_t pack[16] = {2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1};
};
inline constexpr base64_vector_tables b64v{};

/// Bits set where a byte of `in` is outside the alphabet; else translates
/// `in` and returns its 12 decoded bytes in the low lanes of `packed`.
__attribute__((target("ssse3"))) inline auto b64_block16(__m128i in, __m128i& packed) noexcept
    -> unsigned {
  __m128i const nib = _mm_set1_epi8(0x0f);
  __m128i const hi = _mm_and_si128(_mm_srli_epi32(in, 4), nib);
  __m128i const lo = _mm_and_si128(in, nib);
  __m128i const bad = _mm_and_si128(
      _mm_shuffle_epi8(_mm_load_si128(reinterpret_cast<__m128i const*>(b64v.lo)), lo),
      _mm_shuffle_epi8(_mm_load_si128(reinterpret_cast<__m128i const*>(b64v.hi)), hi));
  auto const mask =
      static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(bad, _mm_setzero_si128())) ^ 0xffff);
  if (mask != 0) return mask;
  __m128i const slash = _mm_cmpeq_epi8(in, _mm_set1_epi8('/'));
  __m128i const roll = _mm_shuffle_epi8(_mm_load_si128(reinterpret_cast<__m128i const*>(b64v.roll)),
                                        _mm_add_epi8(slash, hi));
  __m128i const values = _mm_add_epi8(in, roll);
  // aaaaaa bbbbbb -> 12 bits per pair, then two pairs -> 24 bits per lane.
  __m128i const pairs = _mm_maddubs_epi16(values, _mm_set1_epi32(0x01400140));
  __m128i const lanes = _mm_madd_epi16(pairs, _mm_set1_epi32(0x00011000));
  packed = _mm_shuffle_epi8(lanes, _mm_load_si128(reinterpret_cast<__m128i const*>(b64v.pack)));
  return 0;
}

/// Writes the 12 decoded bytes of `packed` to `out`, and nothing more.
__attribute__((target("ssse3"))) inline void b64_store12(char* out, __m128i packed) noexcept {
  _mm_storel_epi64(reinterpret_cast<__m128i*>(out), packed);
  auto const tail = static_cast<std::uint32_t>(_mm_cvtsi128_si32(_mm_srli_si128(packed, 8)));
  std::memcpy(out + 8, &tail, 4);
}

/// Decodes the base64 text from `s + i` with 16-character blocks while it
/// is plain alphabet or line ends between whole groups (the shape of every
/// encoder's output), writing to `out`; returns where it stopped, always
/// between groups. A block that holds a line end is decoded up to it by one
/// more block laid over the end of the line (its first characters decode
/// again to the same bytes) or, on a short line, by the scalar tables.
__attribute__((target("ssse3"))) SIPSAF_DECL auto b64_run_ssse3(unsigned char const* s,
                                                                std::size_t i, std::size_t n,
                                                                char*& out) noexcept
    -> std::size_t {
  std::size_t start = i;  // where the current line of plain alphabet began
  __m128i packed = _mm_setzero_si128();
  while (n - i >= 16) {
    unsigned const bad =
        b64_block16(_mm_loadu_si128(reinterpret_cast<__m128i const*>(s + i)), packed);
    if (bad == 0) {
      b64_store12(out, packed);
      out += 12;
      i += 16;
      continue;
    }
    auto const first_bad = static_cast<std::size_t>(__builtin_ctz(bad));
    std::size_t const whole = first_bad & ~std::size_t{3};
    if (whole != 0 && i + whole >= start + 16) {
      b64_block16(_mm_loadu_si128(reinterpret_cast<__m128i const*>(s + i + whole - 16)), packed);
      b64_store12(out - 12 + whole / 4 * 3, packed);
      out += whole / 4 * 3;
    } else {
      for (std::size_t g = 0; g < whole; g += 4) {
        std::uint32_t const v = b64.at0[s[i + g]] | b64.at1[s[i + g + 1]] | b64.at2[s[i + g + 2]] |
                                b64.at3[s[i + g + 3]];
        *out++ = static_cast<char>(v >> 16);
        *out++ = static_cast<char>(v >> 8);
        *out++ = static_cast<char>(v);
      }
    }
    i += whole;
    if (whole != first_bad || (s[i] != '\r' && s[i] != '\n')) break;
    // A line end between groups: skip it and carry on with the next line.
    while (i < n && (s[i] == '\r' || s[i] == '\n')) ++i;
    start = i;
  }
  return i;
}

// 32-byte vectors as the compiler's own vector types, the AVX2 instructions
// through its builtins: <immintrin.h> would cost every file that includes
// this one about 100 MB of compiler memory.
typedef char b64_v32i8 __attribute__((vector_size(32)));
typedef short b64_v16i16 __attribute__((vector_size(32)));
typedef int b64_v8i32 __attribute__((vector_size(32)));
typedef unsigned b64_v8u32 __attribute__((vector_size(32)));

/// A 16-byte table in both 128-bit halves (what `vbroadcasti128` loads).
__attribute__((target("avx2"))) inline auto b64_both_halves(std::int8_t const (&t)[16]) noexcept
    -> b64_v32i8 {
  b64_v32i8 v;
  std::memcpy(&v, t, 16);
  std::memcpy(reinterpret_cast<char*>(&v) + 16, t, 16);
  return v;
}

/// The AVX2 twin of `b64_block16`: 32 characters in, 24 bytes out (packed
/// across the two 128-bit halves).
__attribute__((target("avx2"))) inline auto b64_block32(b64_v32i8 in, b64_v32i8& packed) noexcept
    -> unsigned {
  b64_v32i8 const nib = b64_v32i8{} + char{0x0f};
  b64_v32i8 const hi = reinterpret_cast<b64_v32i8>(reinterpret_cast<b64_v8u32>(in) >> 4) & nib;
  b64_v32i8 const lo = in & nib;
  b64_v32i8 const bad = __builtin_ia32_pshufb256(b64_both_halves(b64v.lo), lo) &
                        __builtin_ia32_pshufb256(b64_both_halves(b64v.hi), hi);
  auto const mask = ~static_cast<unsigned>(
      __builtin_ia32_pmovmskb256(reinterpret_cast<b64_v32i8>(bad == b64_v32i8{})));
  if (mask != 0) return mask;
  b64_v32i8 const slash = reinterpret_cast<b64_v32i8>(in == b64_v32i8{} + '/');
  b64_v32i8 const roll = __builtin_ia32_pshufb256(b64_both_halves(b64v.roll), slash + hi);
  b64_v32i8 const values = in + roll;
  // aaaaaa bbbbbb -> 12 bits per pair, then two pairs -> 24 bits per lane.
  b64_v16i16 const pairs =
      __builtin_ia32_pmaddubsw256(values, reinterpret_cast<b64_v32i8>(b64_v8i32{} + 0x01400140));
  b64_v8i32 const lanes =
      __builtin_ia32_pmaddwd256(pairs, reinterpret_cast<b64_v16i16>(b64_v8i32{} + 0x00011000));
  b64_v32i8 const halves =
      __builtin_ia32_pshufb256(reinterpret_cast<b64_v32i8>(lanes), b64_both_halves(b64v.pack));
  packed = reinterpret_cast<b64_v32i8>(__builtin_ia32_permvarsi256(
      reinterpret_cast<b64_v8i32>(halves), b64_v8i32{0, 1, 2, 4, 5, 6, 7, 7}));
  return 0;
}

/// 32 characters from `p`.
__attribute__((target("avx2"))) inline auto b64_load32(unsigned char const* p) noexcept
    -> b64_v32i8 {
  b64_v32i8 v;
  std::memcpy(&v, p, 32);
  return v;
}

/// Writes the 24 decoded bytes of `packed` to `out`, and nothing more.
__attribute__((target("avx2"))) inline void b64_store24(char* out, b64_v32i8 packed) noexcept {
  std::memcpy(out, &packed, 24);
}

/// `b64_run_ssse3` with 32-character blocks.
__attribute__((target("avx2"))) SIPSAF_DECL auto b64_run_avx2(unsigned char const* s, std::size_t i,
                                                              std::size_t n, char*& out) noexcept
    -> std::size_t {
  std::size_t start = i;
  b64_v32i8 packed{};
  while (n - i >= 32) {
    unsigned const bad = b64_block32(b64_load32(s + i), packed);
    if (bad == 0) {
      b64_store24(out, packed);
      out += 24;
      i += 32;
      continue;
    }
    auto const first_bad = static_cast<std::size_t>(__builtin_ctz(bad));
    std::size_t const whole = first_bad & ~std::size_t{3};
    if (whole != 0 && i + whole >= start + 32) {
      b64_block32(b64_load32(s + i + whole - 32), packed);
      b64_store24(out - 24 + whole / 4 * 3, packed);
      out += whole / 4 * 3;
    } else {
      for (std::size_t g = 0; g < whole; g += 4) {
        std::uint32_t const v = b64.at0[s[i + g]] | b64.at1[s[i + g + 1]] | b64.at2[s[i + g + 2]] |
                                b64.at3[s[i + g + 3]];
        *out++ = static_cast<char>(v >> 16);
        *out++ = static_cast<char>(v >> 8);
        *out++ = static_cast<char>(v);
      }
    }
    i += whole;
    if (whole != first_bad || (s[i] != '\r' && s[i] != '\n')) break;
    while (i < n && (s[i] == '\r' || s[i] == '\n')) ++i;
    start = i;
  }
  return i;
}

/// 2 with AVX2, 1 with SSSE3, else 0; asked once.
SIPSAF_DECL auto base64_vector_level() noexcept -> int {
  static int const level = __builtin_cpu_supports("avx2")    ? 2
                           : __builtin_cpu_supports("ssse3") ? 1
                                                             : 0;
  return level;
}

}  // namespace detail
#endif

SIPSAF_DECL auto decode_base64(std::string_view in) -> result<std::string> {
  std::string s;
  s.resize(base64_decoded_size_bound(in.size()));
  char* p = &s[0];
  auto r = detail::base64_decode(in, p);
  if (!r) return r.error();
  s.resize(static_cast<std::size_t>(p - s.data()));
  return s;
}

SIPSAF_DECL auto encode_base64(std::string_view data, std::size_t line_length) -> std::string {
  std::string s;
  s.resize(base64_encoded_size(data.size(), line_length));
  char* p = &s[0];
  p = encode_base64(data, p, line_length);
  s.resize(static_cast<std::size_t>(p - s.data()));
  return s;
}

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_MIME_IMPL_BASE64_IPP
