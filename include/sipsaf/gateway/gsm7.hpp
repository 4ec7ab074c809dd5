// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_GATEWAY_GSM7_HPP
#define SIPSAF_GATEWAY_GSM7_HPP

/// @file
/// The GSM 7-bit default alphabet and its extension table (3GPP TS 23.038
/// §6.2.1, formerly GSM 03.38): which characters an SMS can carry in
/// 7-bit coding, and at what cost. An extension character is sent as the
/// escape septet 0x1B and its code, so it costs two septets.

#include <sipsaf/config.hpp>
#include <sipsaf/gateway/detail/utf8.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

SIPSAF_BEGIN_NAMESPACE

/// The escape to the extension table (3GPP TS 23.038 §6.2.1.1).
inline constexpr std::uint8_t gsm7_escape = 0x1B;

// clang-format off
/// The default alphabet: the character of each septet (3GPP TS 23.038
/// §6.2.1). Septet 0x1B is the escape, not a character (0 here).
inline constexpr char32_t gsm7_alphabet[128] = {
    U'@',    0x00A3, U'$',   0x00A5, 0x00E8, 0x00E9, 0x00F9, 0x00EC,   // 0x00 @ £ $ ¥ è é ù ì
    0x00F2,  0x00C7, U'\n',  0x00D8, 0x00F8, U'\r',  0x00C5, 0x00E5,   // 0x08 ò Ç LF Ø ø CR Å å
    0x0394,  U'_',   0x03A6, 0x0393, 0x039B, 0x03A9, 0x03A0, 0x03A8,   // 0x10 Δ _ Φ Γ Λ Ω Π Ψ
    0x03A3,  0x0398, 0x039E, 0,      0x00C6, 0x00E6, 0x00DF, 0x00C9,   // 0x18 Σ Θ Ξ ESC Æ æ ß É
    U' ',    U'!',   U'"',   U'#',   0x00A4, U'%',   U'&',   U'\'',    // 0x20   ! " # ¤ % & '
    U'(',    U')',   U'*',   U'+',   U',',   U'-',   U'.',   U'/',     // 0x28
    U'0',    U'1',   U'2',   U'3',   U'4',   U'5',   U'6',   U'7',     // 0x30
    U'8',    U'9',   U':',   U';',   U'<',   U'=',   U'>',   U'?',     // 0x38
    0x00A1,  U'A',   U'B',   U'C',   U'D',   U'E',   U'F',   U'G',     // 0x40 ¡ A-G
    U'H',    U'I',   U'J',   U'K',   U'L',   U'M',   U'N',   U'O',     // 0x48
    U'P',    U'Q',   U'R',   U'S',   U'T',   U'U',   U'V',   U'W',     // 0x50
    U'X',    U'Y',   U'Z',   0x00C4, 0x00D6, 0x00D1, 0x00DC, 0x00A7,   // 0x58 X Y Z Ä Ö Ñ Ü §
    0x00BF,  U'a',   U'b',   U'c',   U'd',   U'e',   U'f',   U'g',     // 0x60 ¿ a-g
    U'h',    U'i',   U'j',   U'k',   U'l',   U'm',   U'n',   U'o',     // 0x68
    U'p',    U'q',   U'r',   U's',   U't',   U'u',   U'v',   U'w',     // 0x70
    U'x',    U'y',   U'z',   0x00E4, 0x00F6, 0x00F1, 0x00FC, 0x00E0};  // 0x78 x y z ä ö ñ ü à

/// One character of the extension table: escape, then `septet`.
struct gsm7_extension {
  std::uint8_t septet;
  char32_t character;
};

/// The extension table (3GPP TS 23.038 §6.2.1.1, default language).
inline constexpr gsm7_extension gsm7_extensions[10] = {
    {0x0A, 0x000C},  // form feed
    {0x14, U'^'}, {0x28, U'{'}, {0x29, U'}'}, {0x2F, U'\\'},
    {0x3C, U'['}, {0x3D, U'~'}, {0x3E, U']'}, {0x40, U'|'},
    {0x65, 0x20AC}};  // euro sign
// clang-format on

/// The septets that `c` costs in 7-bit coding: 1 in the default alphabet,
/// 2 in the extension table, 0 when it has no 7-bit form.
/// @par Complexity Constant.
inline auto gsm7_septets(char32_t c) noexcept -> unsigned;

/// The septets of UTF-8 `text`, one byte each (unpacked; an extension
/// character as 0x1B and its code), or nothing when a character has no
/// 7-bit form. Ill-formed UTF-8 has none (it reads as U+FFFD).
/// @par Complexity Linear in `text.size()`.
inline auto encode_gsm7(std::string_view text) -> std::optional<std::string>;

/// UTF-8 text of unpacked septets (values above 0x7F are taken modulo 128).
/// An escape followed by a code the table lacks reads as that code's
/// default character, as 3GPP TS 23.038 §6.2.1.1 asks of a receiver; an
/// escape at the end reads as a space.
/// @par Complexity Linear in `septets.size()`.
inline auto decode_gsm7(std::string_view septets) -> std::string;

namespace detail {
namespace gw {

/// Code point -> septet + 1 (0: none), with bit 8 set for the extension
/// table; for the code points below 0x400 (all but the euro sign).
struct gsm7_reverse {
  std::array<std::uint16_t, 0x400> map{};
  gsm7_reverse() noexcept {
    for (unsigned s = 0; s < 128; ++s)
      if (s != gsm7_escape) map[gsm7_alphabet[s]] = static_cast<std::uint16_t>(s + 1);
    for (auto const& e : gsm7_extensions)
      if (e.character < 0x400)
        map[e.character] = static_cast<std::uint16_t>(0x100 | (e.septet + 1));
  }
  /// The code (with the extension bit), or -1.
  auto code(char32_t c) const noexcept -> int {
    if (c == 0x20AC) return 0x100 | 0x65;
    if (c >= 0x400 || map[c] == 0) return -1;
    return (map[c] & 0x100) | ((map[c] & 0xFF) - 1);
  }
};

inline auto gsm7_table() noexcept -> gsm7_reverse const& {
  static gsm7_reverse const table;
  return table;
}

}  // namespace gw
}  // namespace detail

inline auto gsm7_septets(char32_t c) noexcept -> unsigned {
  int const code = detail::gw::gsm7_table().code(c);
  return code < 0 ? 0 : (code & 0x100) ? 2 : 1;
}

inline auto encode_gsm7(std::string_view text) -> std::optional<std::string> {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    int const code = detail::gw::gsm7_table().code(detail::gw::next_code_point(text, i));
    if (code < 0) return std::nullopt;
    if (code & 0x100) out.push_back(static_cast<char>(gsm7_escape));
    out.push_back(static_cast<char>(code & 0x7F));
  }
  return out;
}

inline auto decode_gsm7(std::string_view septets) -> std::string {
  std::string out;
  for (std::size_t i = 0; i < septets.size(); ++i) {
    unsigned const s = static_cast<unsigned char>(septets[i]) & 0x7F;
    if (s != gsm7_escape) {
      detail::gw::append_utf8(out, gsm7_alphabet[s]);
      continue;
    }
    if (++i == septets.size()) {
      out.push_back(' ');
      break;
    }
    unsigned const x = static_cast<unsigned char>(septets[i]) & 0x7F;
    char32_t c = x == gsm7_escape ? U' ' : gsm7_alphabet[x];
    for (auto const& e : gsm7_extensions)
      if (e.septet == x) c = e.character;
    detail::gw::append_utf8(out, c);
  }
  return out;
}

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_GATEWAY_GSM7_HPP
