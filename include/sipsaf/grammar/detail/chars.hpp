// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_GRAMMAR_DETAIL_CHARS_HPP
#define SIPSAF_GRAMMAR_DETAIL_CHARS_HPP

#include <sipsaf/ascii.hpp>
#include <sipsaf/config.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

SIPSAF_BEGIN_NAMESPACE
namespace grammar {
namespace detail {

/// A set of bytes as a 256-entry table: one load per test, no locale.
class char_set {
 public:
  constexpr explicit char_set(char const* members) : bits_{} {
    for (; *members != '\0'; ++members) bits_[static_cast<unsigned char>(*members)] = true;
  }
  constexpr auto with_range(unsigned char lo, unsigned char hi) const -> char_set {
    char_set r = *this;
    for (unsigned c = lo; c <= hi; ++c) r.bits_[c] = true;
    return r;
  }
  constexpr auto operator()(char c) const noexcept -> bool {
    return bits_[static_cast<unsigned char>(c)];
  }

 private:
  std::array<bool, 256> bits_;
};

inline constexpr char_set alnum_set =
    char_set("").with_range('a', 'z').with_range('A', 'Z').with_range('0', '9');

/// RFC 3261 §25.1: token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
inline constexpr char_set token_chars =
    char_set("-.!%*_+`'~").with_range('a', 'z').with_range('A', 'Z').with_range('0', '9');

/// The end of the run of bytes of `s` that starts at `p` (`p` when none).
constexpr auto span(char const* p, char const* e, char_set const& s) noexcept -> char const* {
  // Four bytes per round: the table loads do not wait on each other.
  while (e - p >= 4) {
    if (!s(p[0])) return p;
    if (!s(p[1])) return p + 1;
    if (!s(p[2])) return p + 2;
    if (!s(p[3])) return p + 3;
    p += 4;
  }
  while (p != e && s(*p)) ++p;
  return p;
}

/// RFC 3261 §25.1: WSP = SP / HTAB
constexpr auto is_wsp(char c) noexcept -> bool {
  return c == ' ' || c == '\t';
}

// ASCII case folding has one home, the core (<sipsaf/ascii.hpp>).
using ::sipsaf::ascii_lower;
using ::sipsaf::iequals;

/// RFC 3261 §25.1: LWS = [*WSP CRLF] 1*WSP. Returns the end of the LWS that
/// starts at `p`, or `p` when there is none.
constexpr auto skip_lws(char const* p, char const* last) noexcept -> char const* {
  char const* q = p;
  while (q != last && is_wsp(*q)) ++q;
  if (last - q >= 3 && q[0] == '\r' && q[1] == '\n' && is_wsp(q[2])) {
    q += 3;
    while (q != last && is_wsp(*q)) ++q;
  }
  return q;
}

/// The text of a quoted-string without its quoted-pair escapes
/// (RFC 3261 §25.1: `\\x` stands for `x`). `escaped` is the content between
/// the quotes, as `quoted_string` yields it.
inline auto unescape_quoted(std::string_view escaped) -> std::string {
  std::string out;
  out.reserve(escaped.size());
  for (std::size_t i = 0; i < escaped.size(); ++i) {
    if (escaped[i] == '\\' && i + 1 < escaped.size()) ++i;
    out.push_back(escaped[i]);
  }
  return out;
}

}  // namespace detail
}  // namespace grammar
SIPSAF_END_NAMESPACE

#endif
