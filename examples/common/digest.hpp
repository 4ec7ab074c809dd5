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
#include <openssl/rand.h>

#include <pthread.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
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

namespace libcrypto {

// The algorithm's implementation, looked up once: the one-shot calls given
// EVP_md5() and the like look it up again on every call (OpenSSL 3).
inline auto evp(hash h) -> EVP_MD const* {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
  static EVP_MD const* const fetched[] = {EVP_MD_fetch(nullptr, "MD5", nullptr),
                                          EVP_MD_fetch(nullptr, "SHA2-256", nullptr),
                                          EVP_MD_fetch(nullptr, "SHA2-512/256", nullptr)};
  if (EVP_MD const* md = fetched[static_cast<int>(h)]) return md;
#endif
  return h == hash::md5 ? EVP_md5() : h == hash::sha256 ? EVP_sha256() : EVP_sha512_256();
}

struct md_ctx_free {
  void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
};
using md_ctx = std::unique_ptr<EVP_MD_CTX, md_ctx_free>;

inline auto new_md_ctx() -> md_ctx {
  md_ctx c(EVP_MD_CTX_new());
  if (!c) throw std::runtime_error("libcrypto: out of memory");
  return c;
}

inline void check(int ok) {
  if (ok != 1) throw std::runtime_error("libcrypto digest failed");
}

}  // namespace libcrypto

/// Lower-case hex of the digest of `data`: the H() of RFC 2617 §3.2.1.
inline auto hex_hash(hash h, std::string_view data) -> std::string {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_MD const* md = libcrypto::evp(h);
  if (md == nullptr || EVP_Digest(data.data(), data.size(), out, &len, md, nullptr) != 1)
    throw std::runtime_error("libcrypto digest failed");
  return to_hex(out, len);
}

/// HMAC-SHA-256 (RFC 2104) under one key: what the proxy's stateless nonces
/// and dialog tokens carry. The key's inner and outer padded blocks are
/// hashed once, here; each MAC then starts from copies of those two states,
/// where OpenSSL's one-shot HMAC() looks the algorithm up and pads the key
/// again on every call.
class hmac_sha256 {
 public:
  explicit hmac_sha256(std::string_view key) { rekey(key); }
  template <std::size_t N>
  explicit hmac_sha256(std::array<unsigned char, N> const& key)
      : hmac_sha256(std::string_view(reinterpret_cast<char const*>(key.data()), N)) {}
  hmac_sha256(hmac_sha256 const& o)
      : inner_(libcrypto::new_md_ctx()), outer_(libcrypto::new_md_ctx()) {
    libcrypto::check(EVP_MD_CTX_copy_ex(inner_.get(), o.inner_.get()));
    libcrypto::check(EVP_MD_CTX_copy_ex(outer_.get(), o.outer_.get()));
  }
  auto operator=(hmac_sha256 const& o) -> hmac_sha256& {
    if (this != &o) *this = hmac_sha256(o);
    return *this;
  }
  hmac_sha256(hmac_sha256&&) noexcept = default;
  auto operator=(hmac_sha256&&) noexcept -> hmac_sha256& = default;
  ~hmac_sha256() = default;

  /// The 32-byte MAC of `data`.
  auto mac(std::string_view data) const -> std::array<unsigned char, 32> {
    std::array<unsigned char, 32> inner{}, out{};
    libcrypto::md_ctx c = libcrypto::new_md_ctx();
    libcrypto::check(EVP_MD_CTX_copy_ex(c.get(), inner_.get()));
    libcrypto::check(EVP_DigestUpdate(c.get(), data.data(), data.size()));
    libcrypto::check(EVP_DigestFinal_ex(c.get(), inner.data(), nullptr));
    libcrypto::check(EVP_MD_CTX_copy_ex(c.get(), outer_.get()));
    libcrypto::check(EVP_DigestUpdate(c.get(), inner.data(), inner.size()));
    libcrypto::check(EVP_DigestFinal_ex(c.get(), out.data(), nullptr));
    OPENSSL_cleanse(inner.data(), inner.size());
    return out;
  }

  /// The first 16 bytes of the MAC of `data`, as hex.
  auto hex128(std::string_view data) const -> std::string { return to_hex(mac(data).data(), 16); }

 private:
  void rekey(std::string_view key) {
    constexpr std::size_t block = 64;  // SHA-256's block (RFC 2104 §2: B)
    std::array<unsigned char, block> k{}, pad{};
    if (key.size() > block) {  // a longer key is hashed first (RFC 2104 §2)
      unsigned len = 0;
      libcrypto::check(EVP_Digest(key.data(), key.size(), k.data(), &len,
                                  libcrypto::evp(hash::sha256), nullptr));
    } else {
      std::memcpy(k.data(), key.data(), key.size());
    }
    inner_ = libcrypto::new_md_ctx();
    outer_ = libcrypto::new_md_ctx();
    for (auto [ctx, byte] : {std::pair{inner_.get(), 0x36}, {outer_.get(), 0x5c}}) {
      for (std::size_t i = 0; i < block; ++i) pad[i] = static_cast<unsigned char>(k[i] ^ byte);
      libcrypto::check(EVP_DigestInit_ex(ctx, libcrypto::evp(hash::sha256), nullptr));
      libcrypto::check(EVP_DigestUpdate(ctx, pad.data(), pad.size()));
    }
    OPENSSL_cleanse(k.data(), k.size());
    OPENSSL_cleanse(pad.data(), pad.size());
  }

  libcrypto::md_ctx inner_, outer_;  // SHA-256 having taken (K xor ipad), (K xor opad)
};

namespace libcrypto {

// A fork()ed child must not hand out the bytes its parent also holds.
inline auto fork_generation() -> std::atomic<unsigned>& {
  static std::atomic<unsigned> g{0};
  return g;
}

// Per thread, CSPRNG bytes drawn 4 KiB at a time: RAND_bytes costs over a
// microsecond a call (its generator's locks and fork check), and a
// challenge, a tag and a branch each want a few bytes.
struct random_pool {
  std::array<unsigned char, 4096> bytes{};
  std::size_t used = bytes.size();
  unsigned generation = 0;

  random_pool() {
    static bool const registered = [] {
      return pthread_atfork(nullptr, nullptr, [] { ++fork_generation(); }) == 0;
    }();
    if (!registered) throw std::runtime_error("pthread_atfork failed");
  }
  ~random_pool() { OPENSSL_cleanse(bytes.data(), bytes.size()); }

  void take(unsigned char* out, std::size_t n) {
    if (n > bytes.size() / 4) {
      if (RAND_bytes(out, static_cast<int>(n)) != 1) throw std::runtime_error("RAND_bytes failed");
      return;
    }
    unsigned const g = fork_generation().load(std::memory_order_relaxed);
    if (bytes.size() - used < n || generation != g) {
      if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
        throw std::runtime_error("RAND_bytes failed");
      used = 0;
      generation = g;
    }
    std::memcpy(out, bytes.data() + used, n);
    OPENSSL_cleanse(bytes.data() + used, n);  // each byte is handed out once
    used += n;
  }
};

}  // namespace libcrypto

/// A fresh `N`-byte key from the CSPRNG (MAC keys: drawn once, not pooled).
template <std::size_t N>
auto random_key() -> std::array<unsigned char, N> {
  std::array<unsigned char, N> k{};
  if (RAND_bytes(k.data(), static_cast<int>(k.size())) != 1)
    throw std::runtime_error("RAND_bytes failed");
  return k;
}

/// `bytes` bytes from the CSPRNG as lower-case hex: nonces and cnonces.
inline auto random_hex(std::size_t bytes) -> std::string {
  thread_local libcrypto::random_pool pool;
  unsigned char small[64];
  std::vector<unsigned char> large;
  unsigned char* buf = small;
  if (bytes > sizeof small) {
    large.resize(bytes);
    buf = large.data();
  }
  pool.take(buf, bytes);
  std::string s = to_hex(buf, bytes);
  OPENSSL_cleanse(buf, bytes);
  return s;
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
  /// Moves the value of `name` into `out` (what is read once); false, and
  /// `out` untouched, when there is none.
  auto take(std::string_view name, std::string& out) -> bool {
    for (auto& p : params)
      if (sipsaf::iequals(p.name, name)) {
        out = std::move(p.value);
        return true;
      }
    return false;
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
  out.params.reserve(std::min<std::size_t>(limits.max_params, 12));  // credentials have up to 10
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
        // The run up to the next quote or backslash, taken in one piece (a
        // byte at a time was most of the cost of reading credentials).
        std::size_t end = i;
        while (end < n && value[end] != '"' && value[end] != '\\') ++end;
        if (p.value.size() + (end - i) > limits.max_value)
          return parse_error{errc::header_too_long, i + (limits.max_value - p.value.size()) + 1};
        p.value.append(value, i, end - i);
        i = end;
        if (i == n) return parse_error{errc::bad_quoted_string, open};
        if (value[i++] == '"') break;
        // quoted-pair (RFC 3261 §25.1)
        if (i == n) return parse_error{errc::bad_quoted_string, i};
        char const c = value[i++];
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
    if (!h->take(name, *field)) return parse_error{errc::missing_header, 0};
  }
  auto alg = parse_algorithm(h->get("algorithm"));
  if (!alg) return parse_error{errc::unsupported, 0};
  c.alg = *alg;
  h->take("cnonce", c.cnonce);
  h->take("opaque", c.opaque);
  h->take("qop", c.qop);
  h->take("nc", c.nc);
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
