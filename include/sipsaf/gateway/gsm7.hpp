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
SIPSAF_DECL auto gsm7_septets(char32_t c) noexcept -> unsigned;

/// The septets of UTF-8 `text`, one byte each (unpacked; an extension
/// character as 0x1B and its code), or nothing when a character has no
/// 7-bit form. Ill-formed UTF-8 has none (it reads as U+FFFD).
/// @par Complexity Linear in `text.size()`.
SIPSAF_DECL auto encode_gsm7(std::string_view text) -> std::optional<std::string>;

/// UTF-8 text of unpacked septets (values above 0x7F are taken modulo 128).
/// An escape followed by a code the table lacks reads as that code's
/// default character, as 3GPP TS 23.038 §6.2.1.1 asks of a receiver; an
/// escape at the end reads as a space.
/// @par Complexity Linear in `septets.size()`.
SIPSAF_DECL auto decode_gsm7(std::string_view septets) -> std::string;

SIPSAF_END_NAMESPACE

#ifdef SIPSAF_HEADER_ONLY
#include <sipsaf/gateway/impl/gsm7.ipp>
#endif

#endif  // SIPSAF_GATEWAY_GSM7_HPP
