// Fuzz target: the digest header values of examples/common/digest.hpp
// (RFC 2617 §1.2, §3.2.1, §3.2.2; RFC 3261 §25.1), what sipsaf-proxy reads
// from every Authorization and Proxy-Authorization field and what sip_load
// and sipsaf-ua read from every challenge. For any bytes: the parse stays
// within its limits, and a value that parses is written back by to_string
// to one that parses to the same fields.
#include "common/digest.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace dg = example::digest;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string_view const in(reinterpret_cast<char const*>(data), size);

  dg::parse_limits const limits;
  if (auto h = dg::parse_auth_header(in, limits)) {
    if (h->scheme.empty() || h->params.size() > limits.max_params) std::abort();
    for (auto const& p : h->params)
      if (p.name.empty() || p.value.size() > limits.max_value) std::abort();
  } else if (h.error().offset > in.size()) {
    std::abort();
  }

  if (auto c = dg::parse_challenge(in)) {
    auto again = dg::parse_challenge(dg::to_string(*c));
    if (!again || again->realm != c->realm || again->nonce != c->nonce ||
        again->opaque != c->opaque || again->alg != c->alg || again->qop_auth != c->qop_auth ||
        again->qop_auth_int != c->qop_auth_int || again->stale != c->stale)
      std::abort();
  }

  if (auto c = dg::parse_credentials(in)) {
    auto again = dg::parse_credentials(dg::to_string(*c));
    if (!again || again->username != c->username || again->realm != c->realm ||
        again->nonce != c->nonce || again->uri != c->uri || again->response != c->response ||
        again->alg != c->alg || again->cnonce != c->cnonce || again->opaque != c->opaque ||
        again->qop != c->qop || (!c->qop.empty() && again->nc != c->nc))
      std::abort();
  }
  return 0;
}
