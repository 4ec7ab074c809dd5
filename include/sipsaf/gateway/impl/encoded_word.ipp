// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_GATEWAY_IMPL_ENCODED_WORD_IPP
#define SIPSAF_GATEWAY_IMPL_ENCODED_WORD_IPP

#include <sipsaf/gateway/encoded_word.hpp>

SIPSAF_BEGIN_NAMESPACE

namespace detail {
namespace gw {

/// Header text with line ends and other controls made spaces, runs of
/// white space made one space, trimmed, and ill-formed UTF-8 replaced: a
/// value that can neither inject a header nor fold into a blank line.
inline auto clean_header_text(std::string_view s) -> std::string {
  std::string valid = valid_utf8(s), out;
  out.reserve(valid.size());
  for (char c : valid) {
    auto const u = static_cast<unsigned char>(c);
    bool const space = u < 0x20 || u == 0x7F || c == ' ';
    if (space) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

/// RFC 2047 §2: 75 characters at most; "=?UTF-8?B?" and "?=" take 12, so
/// 63 base64 characters remain, which carry 45 bytes (15 groups of 3).
inline constexpr std::size_t encoded_word_bytes = 45;

/// `text` (valid UTF-8) as encoded-words joined by `CRLF SP`.
inline auto encoded_words(std::string_view text) -> std::string {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t end = i, k = i;
    while (k < text.size()) {  // whole characters only (RFC 2047 §5 (3))
      next_code_point(text, k);
      if (k - i > encoded_word_bytes) break;
      end = k;
    }
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?";
    out += encode_base64(text.substr(i, end - i), 0);
    out += "?=";
    i = end;
  }
  return out;
}

/// True when a word needs no encoding: ASCII, not like an encoded-word.
inline auto plain_ascii(std::string_view text) noexcept -> bool {
  return is_ascii(text) && text.find("=?") == std::string_view::npos;
}

}  // namespace gw
}  // namespace detail

SIPSAF_DECL auto encode_unstructured(std::string_view text, std::size_t used) -> std::string {
  std::string const clean = detail::gw::clean_header_text(text);
  bool fold = detail::gw::plain_ascii(clean);
  for (std::size_t i = 0, w = 0; fold && i <= clean.size(); ++i, ++w) {
    if (i == clean.size() || clean[i] == ' ') {
      if (w > 76) fold = false;  // a word that no fold can bring under 78
      w = static_cast<std::size_t>(-1);
    }
  }
  if (!fold) return detail::gw::encoded_words(clean);
  std::string out;
  std::size_t col = used, last_space = std::string::npos;
  for (char c : clean) {
    if (c == ' ') last_space = out.size();
    out.push_back(c);
    if (++col > 78 && last_space != std::string::npos) {
      out.insert(last_space, "\r\n");  // folding: CRLF before the space
      col = out.size() - last_space - 2;
      last_space = std::string::npos;
    }
  }
  return out;
}

SIPSAF_DECL auto encode_phrase(std::string_view name) -> std::string {
  std::string const clean = detail::gw::clean_header_text(name);
  if (!detail::gw::plain_ascii(clean)) return detail::gw::encoded_words(clean);
  auto const atext = [](char c) {  // RFC 5322 §3.2.3
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-/=?^_`{|}~ ").find(c) != std::string_view::npos;
  };
  bool atoms = true;
  for (char c : clean) atoms = atoms && atext(c);
  if (atoms) return clean;
  std::string out = "\"";
  for (char c : clean) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

SIPSAF_DECL auto decode_header_text(std::string_view value) -> std::string {
  using namespace detail::gw;
  std::string unfolded;
  unfolded.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    if ((value[i] == '\r' || value[i] == '\n')) continue;  // a fold's WSP stays
    unfolded.push_back(value[i]);
  }
  std::string_view const s = unfolded;
  std::string out, pending, pending_charset, gap;
  auto flush = [&] {
    if (!pending.empty() || !pending_charset.empty())
      out += charset_to_utf8(pending_charset, pending).value_or(std::string());
    pending.clear();
    pending_charset.clear();
  };
  // Parses an encoded-word at s[i]; on success sets the charset, the
  // decoded bytes and the end.
  auto word = [&](std::size_t i, std::string& cs, std::string& bytes, std::size_t& end) {
    if (s.compare(i, 2, "=?") != 0) return false;
    std::size_t const q1 = s.find('?', i + 2);
    if (q1 == std::string_view::npos || q1 + 2 >= s.size() || s[q1 + 2] != '?') return false;
    std::string_view charset = s.substr(i + 2, q1 - i - 2);
    charset = charset.substr(0, charset.find('*'));  // RFC 2231 §5 language
    char const enc = s[q1 + 1];
    std::size_t const q3 = s.find("?=", q1 + 3);
    if (q3 == std::string_view::npos) return false;
    std::string_view const text = s.substr(q1 + 3, q3 - q1 - 3);
    if (charset.empty() || text.find(' ') != std::string_view::npos) return false;
    if (!charset_to_utf8(charset, "")) return false;  // a charset we cannot read
    bytes.clear();
    if (enc == 'B' || enc == 'b') {
      auto d = decode_base64(text);
      if (!d) return false;
      bytes = std::move(*d);
    } else if (enc == 'Q' || enc == 'q') {
      auto hex = [](char c) {
        return c >= '0' && c <= '9'   ? c - '0'
               : c >= 'A' && c <= 'F' ? c - 'A' + 10
               : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                      : -1;
      };
      for (std::size_t k = 0; k < text.size(); ++k) {
        if (text[k] == '_') {
          bytes.push_back(' ');  // RFC 2047 §4.2 (2)
        } else if (text[k] == '=') {
          if (k + 2 >= text.size() || hex(text[k + 1]) < 0 || hex(text[k + 2]) < 0) return false;
          bytes.push_back(static_cast<char>(hex(text[k + 1]) * 16 + hex(text[k + 2])));
          k += 2;
        } else {
          bytes.push_back(text[k]);
        }
      }
    } else {
      return false;
    }
    cs.assign(charset);
    end = q3 + 2;
    return true;
  };
  bool after_word = false;
  std::string cs, bytes;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t end = 0;
    if (s[i] == '=' && word(i, cs, bytes, end)) {
      if (!after_word || !iequal_ascii(cs, pending_charset)) {
        flush();
        pending_charset = cs.empty() ? "utf-8" : cs;
      }
      gap.clear();  // white space between two encoded-words is dropped
      pending += bytes;
      after_word = true;
      i = end;
    } else if (after_word && (s[i] == ' ' || s[i] == '\t')) {
      gap.push_back(s[i++]);
    } else {
      flush();
      out += gap;
      gap.clear();
      after_word = false;
      std::size_t const start = i++;
      while (i < s.size() && s[i] != '=' && s[i] != ' ' && s[i] != '\t') ++i;
      while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
      out += valid_utf8(s.substr(start, i - start));
    }
  }
  flush();
  out += gap;
  return out;
}

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_GATEWAY_IMPL_ENCODED_WORD_IPP
