// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MIME_BASE64_HPP
#define SIPSAF_MIME_BASE64_HPP

/// @file
/// The base64 Content-Transfer-Encoding (RFC 2045 §6.8): decoder and encoder.
///
/// @par BNF (RFC 2045 §6.8, RFC 4648 §4)
/// @code
///   base64-text = *( 4base64-char ) [ 2base64-char "==" / 3base64-char "=" ]
///   base64-char = ALPHA / DIGIT / "+" / "/"
/// @endcode
/// Line breaks and other whitespace (SP, HTAB, CR, LF) may appear anywhere
/// and are skipped (RFC 2045 §6.8: the encoded lines are at most 76
/// characters). Any other byte is an error at its offset, unlike RFC 2045's
/// "ignore it" advice, so that a corrupt attachment is never passed on
/// silently.

#include <sipsaf/config.hpp>
#include <sipsaf/error.hpp>
#include <sipsaf/result.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

SIPSAF_BEGIN_NAMESPACE

/// Decodes base64 text into bytes, written through `out`.
///
/// Whitespace is skipped anywhere. Padding (`=`, `==`) may only close the
/// last group and may only be followed by whitespace. A last group without
/// its padding (2 or 3 characters) is accepted, as most MIME readers do; a
/// single character left over is not. The unused low bits of a padded group
/// are ignored (RFC 4648 §3.5 allows either choice).
///
/// Errors: `errc::bad_base64` at the first byte that is neither base64
/// alphabet, padding in a valid place nor whitespace, or at `in.size()` when
/// one character is left over. Bytes already written to `out` stay written.
///
/// With `OutputIt = char*` the lines are decoded 32 or 16 characters at a
/// time with AVX2 or SSSE3 where the CPU has them (checked once at run time;
/// define `SIPSAF_NO_SIMD` to compile the scalar decoder only). Only the
/// decoded bytes are written, never past them.
///
/// @par Specification RFC 2045 §6.8; RFC 4648 §4.
/// @par Complexity Linear in `in.size()`; no allocation.
template <class OutputIt>
auto decode_base64(std::string_view in, OutputIt out) -> result<OutputIt>;

/// Decodes base64 text into a new string; see the iterator form for rules
/// and errors. @par Complexity Linear; one allocation of `in.size() * 3 / 4`.
SIPSAF_DECL auto decode_base64(std::string_view in) -> result<std::string>;

/// The number of bytes that `decode_base64(in)` yields at most.
constexpr auto base64_decoded_size_bound(std::size_t encoded) noexcept -> std::size_t {
  return encoded / 4 * 3 + 3;
}

/// Encodes bytes as base64 (RFC 2045 §6.8) with padding, breaking lines with
/// CRLF every `line_length` characters (76, the RFC 2045 maximum, by
/// default; 0 for one unbroken line). No line break after the last line.
///
/// @par Complexity Linear in `data.size()`.
template <class OutputIt>
auto encode_base64(std::string_view data, OutputIt out, std::size_t line_length = 76)
    -> std::enable_if_t<!std::is_integral<OutputIt>::value, OutputIt>;

/// `encode_base64` into a new string.
SIPSAF_DECL auto encode_base64(std::string_view data, std::size_t line_length = 76) -> std::string;

/// The exact size of `encode_base64(data, line_length)` for `size` bytes.
constexpr auto base64_encoded_size(std::size_t size, std::size_t line_length = 76) noexcept
    -> std::size_t {
  std::size_t const chars = (size + 2) / 3 * 4;
  if (line_length == 0 || chars == 0) return chars;
  return chars + (chars - 1) / line_length * 2;
}

SIPSAF_END_NAMESPACE

#include <sipsaf/mime/impl/base64.hpp>

#ifdef SIPSAF_HEADER_ONLY
#include <sipsaf/mime/impl/base64.ipp>
#endif

#endif  // SIPSAF_MIME_BASE64_HPP
