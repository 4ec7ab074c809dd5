// Branch values for the requests the proxy sends (RFC 3261 §8.1.1.7): the
// magic cookie, then 96 bits from the CSPRNG. Nobody who has seen earlier
// branches can guess the next one, so a response cannot be forged for a
// transaction by guessing (the source address is checked too).
#ifndef SIPSAF_EXAMPLES_PROXY_BRANCH_HPP
#define SIPSAF_EXAMPLES_PROXY_BRANCH_HPP

#include "common/digest.hpp"

#include <string>

namespace proxy {

inline constexpr std::size_t branch_random_bytes = 12;

inline auto new_branch_value() -> std::string {
  return "z9hG4bK" + example::digest::random_hex(branch_random_bytes);
}

}  // namespace proxy

#endif  // SIPSAF_EXAMPLES_PROXY_BRANCH_HPP
