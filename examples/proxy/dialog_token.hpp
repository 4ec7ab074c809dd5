// Dialog tokens: the Record-Route the proxy writes into a dialog-creating
// request carries `dlg=`, an HMAC over the dialog's Call-ID and its two
// parties' addresses of record (RFC 3261 §16.6 step 4 leaves the URI's
// parameters to the proxy). A request that follows the dialog (a To tag, a
// first Route naming the proxy) is taken without a challenge only when that
// Route carries the token of its own Call-ID, From and To: a stranger cannot
// dress a request as in-dialog to pass as a local user, nor send a stray ACK
// to a user's phone. The key is drawn at start (after a restart a dialog's
// requests are challenged like any other, and pass with credentials), or
// derived from the secret several proxies share (`--nonce-secret`), so that
// a dialog's requests may reach any of them.
#ifndef SIPSAF_EXAMPLES_PROXY_DIALOG_TOKEN_HPP
#define SIPSAF_EXAMPLES_PROXY_DIALOG_TOKEN_HPP

#include "common/digest.hpp"

#include <sipsaf/message.hpp>

#include <openssl/crypto.h>

#include <array>
#include <string>
#include <string_view>

namespace proxy {

class dialog_tokens {
 public:
  dialog_tokens() : mac_(example::digest::random_key<32>()) {}

  /// Derives the key from a secret several proxies share, apart from the
  /// nonces' key made of the same secret.
  void derive_key(std::array<unsigned char, 32> const& secret) {
    static constexpr char label[] = "sipsaf dialog tokens";
    auto key = example::digest::hmac_sha256(secret).mac(std::string_view(label, sizeof label - 1));
    mac_ = example::digest::hmac_sha256(key);
    OPENSSL_cleanse(key.data(), key.size());
  }

  /// The token of the dialog `m` creates or belongs to (either direction);
  /// empty when it lacks From, To or Call-ID.
  auto of(sipsaf::message_view const& m) const -> std::string {
    auto const from = m.from();
    auto const to = m.to();
    auto const call_id = m.call_id();
    if (!from || !to || !call_id) return {};
    std::string a = party(from->uri), b = party(to->uri);
    if (b < a) std::swap(a, b);  // the same token for requests both ways
    std::string data(*call_id);
    data.append("\n").append(a).append("\n").append(b);
    return mac_.hex128(data);
  }

  /// Does `route` (the first Route, naming us) carry the token of `m`'s dialog?
  auto follows(sipsaf::message_view const& m, sipsaf::uri_view const& route) const -> bool {
    auto const t = route.param("dlg");
    return t && !t->empty() && example::digest::constant_time_equal(of(m), *t);
  }

 private:
  // user@host, the host in lower case: what names a party whatever its
  // display name, tag and URI parameters.
  static auto party(sipsaf::uri_view const& u) -> std::string {
    std::string s(u.user);
    s += '@';
    for (char c : u.host) s += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    return s;
  }

  example::digest::hmac_sha256 mac_;
};

}  // namespace proxy

#endif  // SIPSAF_EXAMPLES_PROXY_DIALOG_TOKEN_HPP
