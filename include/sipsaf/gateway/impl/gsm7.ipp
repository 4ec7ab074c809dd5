// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_GATEWAY_IMPL_GSM7_IPP
#define SIPSAF_GATEWAY_IMPL_GSM7_IPP

#include <sipsaf/gateway/gsm7.hpp>

SIPSAF_BEGIN_NAMESPACE

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

SIPSAF_DECL auto gsm7_septets(char32_t c) noexcept -> unsigned {
  int const code = detail::gw::gsm7_table().code(c);
  return code < 0 ? 0 : (code & 0x100) ? 2 : 1;
}

SIPSAF_DECL auto encode_gsm7(std::string_view text) -> std::optional<std::string> {
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

SIPSAF_DECL auto decode_gsm7(std::string_view septets) -> std::string {
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

#endif  // SIPSAF_GATEWAY_IMPL_GSM7_IPP
