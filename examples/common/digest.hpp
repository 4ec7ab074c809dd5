// HTTP digest authentication for SIP (RFC 3261 §22.4, RFC 2617 §3, RFC 8760).
//
// Shared by the example proxy (server side: challenges, verifying credentials)
// and the example user agent (client side: answering a challenge). Hashes and
// randomness come from libcrypto (EVP, RAND_bytes); link OpenSSL::Crypto.
//
//   auto c = example::digest::parse_challenge(www_authenticate_value);
//   auto auth = example::digest::answer(*c, "alice", "secret", "REGISTER",
//                                       "sip:example.org", example::digest::random_hex(16), 1);
//   request.add("Authorization", example::digest::to_string(auth));
#ifndef SIPSAF_EXAMPLES_COMMON_DIGEST_HPP
#define SIPSAF_EXAMPLES_COMMON_DIGEST_HPP

#include <sipsaf/ascii.hpp>
#include <sipsaf/error.hpp>
#include <sipsaf/result.hpp>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace example::digest {

// ---------------------------------------------------------------------------
// Algorithms (RFC 8760 §2: "MD5", "SHA-256", "SHA-512-256", each with -sess).

enum class hash { md5, sha256, sha512_256 };

struct algorithm {
  hash h = hash::md5;
  bool sess = false;  // "-sess": HA1 also covers nonce and cnonce (RFC 2617 §3.2.2.2)

  friend auto operator==(algorithm a, algorithm b) -> bool {
    return a.h == b.h && a.sess == b.sess;
  }
  friend auto operator!=(algorithm a, algorithm b) -> bool { return !(a == b); }
};

inline constexpr algorithm md5{hash::md5, false};
inline constexpr algorithm sha256{hash::sha256, false};
inline constexpr algorithm sha512_256{hash::sha512_256, false};

/// The token written in `algorithm=` (RFC 8760 §2).
inline auto to_string(algorithm a) -> std::string {
  std::string s = a.h == hash::md5 ? "MD5" : a.h == hash::sha256 ? "SHA-256" : "SHA-512-256";
  if (a.sess) s += "-sess";
  return s;
}

/// Reads an `algorithm=` token, case-insensitively (RFC 2617 tokens are).
/// An absent parameter means MD5 (RFC 2617 §3.2.1): pass "" for that.
inline auto parse_algorithm(std::string_view s) -> std::optional<algorithm> {
  if (s.empty()) return md5;
  for (bool sess : {false, true})
    for (hash h : {hash::md5, hash::sha256, hash::sha512_256})
      if (sipsaf::iequals(s, to_string(algorithm{h, sess}))) return algorithm{h, sess};
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// Hashing and randomness (libcrypto).

/// Lower-case hex of `n` bytes.
inline auto to_hex(unsigned char const* p, std::size_t n) -> std::string {
  static constexpr char hexdigits[] = "0123456789abcdef";
  std::string s;
  s.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    s += hexdigits[p[i] >> 4];
    s += hexdigits[p[i] & 15];
  }
  return s;
}

/// Lower-case hex of the digest of `data`: the H() of RFC 2617 §3.2.1.
inline auto hex_hash(hash h, std::string_view data) -> std::string {
  EVP_MD const* md = h == hash::md5      ? EVP_md5()
                     : h == hash::sha256 ? EVP_sha256()
                                         : EVP_sha512_256();
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (md == nullptr || EVP_Digest(data.data(), data.size(), out, &len, md, nullptr) != 1)
    throw std::runtime_error("libcrypto digest failed");
  return to_hex(out, len);
}

/// HMAC-SHA-256 of `data` under a 32-byte key, its first 16 bytes as hex:
/// what the proxy's stateless nonces and dialog tokens carry.
inline auto hmac_hex128(std::array<unsigned char, 32> const& key, std::string_view data)
    -> std::string {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<unsigned char const*>(data.data()), data.size(), out,
           &len) == nullptr ||
      len < 16)
    throw std::runtime_error("libcrypto HMAC failed");
  return to_hex(out, 16);
}

/// `bytes` bytes from the CSPRNG as lower-case hex: nonces and cnonces.
inline auto random_hex(std::size_t bytes) -> std::string {
  std::vector<unsigned char> buf(bytes);
  if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1)
    throw std::runtime_error("RAND_bytes failed");
  return to_hex(buf.data(), buf.size());
}

/// Compares two digests in time independent of where they differ.
inline auto constant_time_equal(std::string_view a, std::string_view b) -> bool {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// ---------------------------------------------------------------------------
// The computation (RFC 2617 §3.2.2, used unchanged by RFC 3261 §22.4).

/// What goes into one `response=` value.
struct response_input {
  algorithm alg{};
  std::string_view username;
  std::string_view realm;
  std::string_view password;
  std::string_view nonce;
  std::string_view cnonce;  // needed with qop and with -sess
  std::string_view nc;      // 8 hex digits, e.g. "00000001"
  std::string_view qop;     // "", "auth" or "auth-int"
  std::string_view method;  // the request method (RFC 3261 §22.4: not "ACK"/"CANCEL" specific)
  std::string_view uri;     // the digest-uri, as sent in `uri=`
  std::string_view body;    // the message body, for qop=auth-int
};

/// HA1 = H(username ":" realm ":" password), then for -sess
/// H(HA1 ":" nonce ":" cnonce). A users file may store the first HA1 in
/// place of the password; `ha1_from` below takes that.
inline auto ha1(hash h, std::string_view username, std::string_view realm,
                std::string_view password) -> std::string {
  std::string a1;
  a1.append(username).append(":").append(realm).append(":").append(password);
  return hex_hash(h, a1);
}

/// The `response=` value from a known HA1 (before the -sess step).
inline auto response_from_ha1(response_input const& in, std::string const& plain_ha1)
    -> std::string {
  hash const h = in.alg.h;
  std::string a1 = plain_ha1;
  if (in.alg.sess) {
    std::string s = plain_ha1;
    s.append(":").append(in.nonce).append(":").append(in.cnonce);
    a1 = hex_hash(h, s);
  }
  std::string a2;
  a2.append(in.method).append(":").append(in.uri);
  if (sipsaf::iequals(in.qop, "auth-int")) a2.append(":").append(hex_hash(h, in.body));
  std::string kd = a1;
  kd.append(":").append(in.nonce).append(":");
  if (!in.qop.empty())  // RFC 2617 §3.2.2.1; without qop the RFC 2069 form
    kd.append(in.nc).append(":").append(in.cnonce).append(":").append(in.qop).append(":");
  kd.append(hex_hash(h, a2));
  return hex_hash(h, kd);
}

inline auto response(response_input const& in) -> std::string {
  return response_from_ha1(in, ha1(in.alg.h, in.username, in.realm, in.password));
}

// ---------------------------------------------------------------------------
// Header values: `Digest name=value, name="value", ...` (RFC 2617 §1.2,
// RFC 3261 §25.1 challenge / credentials). Names are case-insensitive tokens;
// values are tokens or quoted-strings. Parsed into owned strings: the values
// are short and a quoted-string must be unescaped anyway.

struct auth_param {
  std::string name;   // as written
  std::string value;  // unescaped
  bool quoted = false;
};

struct auth_header {
  std::string scheme;  // "Digest"
  std::vector<auth_param> params;

  /// The value of parameter `name` (case-insensitive), or nullptr.
  auto find(std::string_view name) const -> std::string const* {
    for (auto const& p : params)
      if (sipsaf::iequals(p.name, name)) return &p.value;
    return nullptr;
  }
  auto get(std::string_view name) const -> std::string {
    auto const* v = find(name);
    return v ? *v : std::string();
  }
};

struct parse_limits {
  std::size_t max_params = 32;
  std::size_t max_value = 1024;
};

// RFC 3261 §25.1 characters.
namespace lex {
inline auto is_token_char(char c) -> bool {
  // RFC 3261 §25.1 token: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~"
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '-':
    case '.':
    case '!':
    case '%':
    case '*':
    case '_':
    case '+':
    case '`':
    case '\'':
    case '~':
      return true;
    default:
      return false;
  }
}
inline auto is_space(char c) -> bool {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
}  // namespace lex

/// Parses a WWW-Authenticate / Proxy-Authenticate / Authorization /
/// Proxy-Authorization value. Errors carry the byte offset in `value`.
inline auto parse_auth_header(std::string_view value, parse_limits const& limits = {})
    -> sipsaf::result<auth_header> {
  using sipsaf::errc;
  using sipsaf::parse_error;
  std::size_t i = 0;
  auto const n = value.size();
  auto skip = [&] {
    while (i < n && lex::is_space(value[i])) ++i;
  };
  auto token = [&]() -> std::string_view {
    std::size_t b = i;
    while (i < n && lex::is_token_char(value[i])) ++i;
    return value.substr(b, i - b);
  };
  auth_header out;
  skip();
  out.scheme = std::string(token());
  if (out.scheme.empty()) return parse_error{errc::expected_token, i};
  skip();
  while (i < n) {
    if (out.params.size() == limits.max_params) return parse_error{errc::too_many_headers, i};
    auth_param p;
    p.name = std::string(token());
    if (p.name.empty()) return parse_error{errc::expected_token, i};
    skip();
    if (i == n || value[i] != '=') return parse_error{errc::expected_equal, i};
    ++i;
    skip();
    if (i < n && value[i] == '"') {
      p.quoted = true;
      std::size_t const open = i++;
      for (;;) {
        if (i == n) return parse_error{errc::bad_quoted_string, open};
        char c = value[i++];
        if (c == '"') break;
        if (c == '\\') {  // quoted-pair (RFC 3261 §25.1)
          if (i == n) return parse_error{errc::bad_quoted_string, i};
          c = value[i++];
        }
        if (p.value.size() == limits.max_value) return parse_error{errc::header_too_long, i};
        p.value += c;
      }
    } else {
      auto t = token();
      if (t.empty()) return parse_error{errc::expected_token, i};
      if (t.size() > limits.max_value) return parse_error{errc::header_too_long, i};
      p.value = std::string(t);
    }
    out.params.push_back(std::move(p));
    skip();
    if (i == n) break;
    if (value[i] != ',') return parse_error{errc::expected_comma, i};
    ++i;
    skip();
  }
  return out;
}

/// Writes `s` as a quoted-string, escaping `"` and `\`.
inline auto quote(std::string_view s) -> std::string {
  std::string q = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') q += '\\';
    q += c;
  }
  q += '"';
  return q;
}

// ---------------------------------------------------------------------------
// Challenges (server → client) and credentials (client → server).

struct challenge {
  std::string realm;
  std::string nonce;
  std::string opaque;  // empty: not sent
  algorithm alg{};
  bool qop_auth = true;       // offer qop="auth"
  bool qop_auth_int = false;  // offer qop="auth-int"
  bool stale = false;         // RFC 2617 §3.2.1: nonce expired, credentials were right
};

/// `Digest realm="...", nonce="...", algorithm=..., qop="auth"[, stale=TRUE]`.
inline auto to_string(challenge const& c) -> std::string {
  std::string s = "Digest realm=" + quote(c.realm) + ", nonce=" + quote(c.nonce);
  if (!c.opaque.empty()) s += ", opaque=" + quote(c.opaque);
  s += ", algorithm=" + to_string(c.alg);
  if (c.qop_auth || c.qop_auth_int) {
    std::string q = c.qop_auth && c.qop_auth_int ? "auth,auth-int"
                    : c.qop_auth                 ? "auth"
                                                 : "auth-int";
    s += ", qop=" + quote(q);
  }
  if (c.stale) s += ", stale=TRUE";
  return s;
}

/// Reads one WWW-Authenticate / Proxy-Authenticate value. An unknown
/// algorithm is `errc::unsupported` (a client then tries the next challenge:
/// RFC 8760 §2.4 lists them in the server's order of preference).
inline auto parse_challenge(std::string_view value) -> sipsaf::result<challenge> {
  auto h = parse_auth_header(value);
  if (!h) return h.error();
  if (!sipsaf::iequals(h->scheme, "Digest"))
    return sipsaf::parse_error{sipsaf::errc::unsupported, 0};
  challenge c;
  auto const* realm = h->find("realm");
  auto const* nonce = h->find("nonce");
  if (!realm || !nonce) return sipsaf::parse_error{sipsaf::errc::missing_header, 0};
  c.realm = *realm;
  c.nonce = *nonce;
  c.opaque = h->get("opaque");
  auto alg = parse_algorithm(h->get("algorithm"));
  if (!alg) return sipsaf::parse_error{sipsaf::errc::unsupported, 0};
  c.alg = *alg;
  c.qop_auth = c.qop_auth_int = false;
  // qop-options is a quoted, comma-separated list (RFC 2617 §3.2.1).
  std::string const qop_options = h->get("qop");
  std::string_view q = qop_options;
  while (!q.empty()) {
    auto comma = q.find(',');
    auto item = q.substr(0, comma);
    while (!item.empty() && lex::is_space(item.front())) item.remove_prefix(1);
    while (!item.empty() && lex::is_space(item.back())) item.remove_suffix(1);
    if (sipsaf::iequals(item, "auth")) c.qop_auth = true;
    if (sipsaf::iequals(item, "auth-int")) c.qop_auth_int = true;
    q = comma == std::string_view::npos ? std::string_view() : q.substr(comma + 1);
  }
  c.stale = sipsaf::iequals(h->get("stale"), "true");
  return c;
}

struct credentials {
  std::string username;
  std::string realm;
  std::string nonce;
  std::string uri;
  std::string response;
  algorithm alg{};
  std::string cnonce;
  std::string opaque;
  std::string qop;  // "", "auth", "auth-int"
  std::string nc;   // 8 hex digits when qop is present
};

/// Reads one Authorization / Proxy-Authorization value.
inline auto parse_credentials(std::string_view value) -> sipsaf::result<credentials> {
  using sipsaf::errc;
  using sipsaf::parse_error;
  auto h = parse_auth_header(value);
  if (!h) return h.error();
  if (!sipsaf::iequals(h->scheme, "Digest")) return parse_error{errc::unsupported, 0};
  credentials c;
  for (auto [field, name] : {std::pair{&c.username, "username"},
                             {&c.realm, "realm"},
                             {&c.nonce, "nonce"},
                             {&c.uri, "uri"},
                             {&c.response, "response"}}) {
    auto const* v = h->find(name);
    if (!v) return parse_error{errc::missing_header, 0};
    *field = *v;
  }
  auto alg = parse_algorithm(h->get("algorithm"));
  if (!alg) return parse_error{errc::unsupported, 0};
  c.alg = *alg;
  c.cnonce = h->get("cnonce");
  c.opaque = h->get("opaque");
  c.qop = h->get("qop");
  c.nc = h->get("nc");
  // RFC 2617 §3.2.2: with qop, cnonce and nc are required; nc is 8LHEX.
  if (!c.qop.empty()) {
    if (!sipsaf::iequals(c.qop, "auth") && !sipsaf::iequals(c.qop, "auth-int"))
      return parse_error{errc::unsupported, 0};
    if (c.cnonce.empty() || c.nc.size() != 8) return parse_error{errc::bad_parameter, 0};
    for (char ch : c.nc)
      if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F')))
        return parse_error{errc::bad_parameter, 0};
  }
  if (c.alg.sess && c.cnonce.empty()) return parse_error{errc::bad_parameter, 0};
  return c;
}

/// `Digest username="...", realm="...", ...` for an Authorization header.
inline auto to_string(credentials const& c) -> std::string {
  std::string s = "Digest username=" + quote(c.username) + ", realm=" + quote(c.realm) +
                  ", nonce=" + quote(c.nonce) + ", uri=" + quote(c.uri) +
                  ", response=" + quote(c.response) + ", algorithm=" + to_string(c.alg);
  if (!c.cnonce.empty()) s += ", cnonce=" + quote(c.cnonce);
  if (!c.opaque.empty()) s += ", opaque=" + quote(c.opaque);
  if (!c.qop.empty()) s += ", qop=" + c.qop + ", nc=" + c.nc;  // RFC 2617: unquoted
  return s;
}

/// The nonce-count as 8 lower-case hex digits.
inline auto format_nc(std::uint32_t n) -> std::string {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", n);
  return buf;
}

/// Client side: the credentials answering `c` for one request. Uses qop=auth
/// when offered (auth-int only when it is the sole option).
inline auto answer(challenge const& c, std::string_view username, std::string_view password,
                   std::string_view method, std::string_view uri, std::string_view cnonce,
                   std::uint32_t nc, std::string_view body = {}) -> credentials {
  credentials out;
  out.username = std::string(username);
  out.realm = c.realm;
  out.nonce = c.nonce;
  out.uri = std::string(uri);
  out.alg = c.alg;
  out.opaque = c.opaque;
  if (c.qop_auth || c.qop_auth_int) {
    out.qop = c.qop_auth ? "auth" : "auth-int";
    out.cnonce = std::string(cnonce);
    out.nc = format_nc(nc);
  } else if (c.alg.sess) {
    out.cnonce = std::string(cnonce);
  }
  response_input in;
  in.alg = c.alg;
  in.username = username;
  in.realm = c.realm;
  in.password = password;
  in.nonce = c.nonce;
  in.cnonce = out.cnonce;
  in.nc = out.nc;
  in.qop = out.qop;
  in.method = method;
  in.uri = uri;
  in.body = body;
  out.response = response(in);
  return out;
}

/// Server side: does `c` carry the right response for `method` (and `body`
/// for auth-int), given the user's password? Nonce freshness is the
/// caller's business (see the proxy's nonce table).
inline auto verify(credentials const& c, std::string_view password, std::string_view method,
                   std::string_view body = {}) -> bool {
  response_input in;
  in.alg = c.alg;
  in.username = c.username;
  in.realm = c.realm;
  in.password = password;
  in.nonce = c.nonce;
  in.cnonce = c.cnonce;
  in.nc = c.nc;
  in.qop = c.qop;
  in.method = method;
  in.uri = c.uri;
  in.body = body;
  std::string got = c.response;  // LHEX, but be lenient about case
  for (char& ch : got)
    if (ch >= 'A' && ch <= 'F') ch = char(ch - 'A' + 'a');
  return constant_time_equal(response(in), got);
}

}  // namespace example::digest

#endif  // SIPSAF_EXAMPLES_COMMON_DIGEST_HPP
