// Shared checks and inputs for parser tests.
#ifndef SIPSAF_TESTS_TEST_HELPERS_HPP
#define SIPSAF_TESTS_TEST_HELPERS_HPP

#include <sipsaf/result.hpp>

#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>

namespace sipsaf_test {

/// `s` with its line ends made CRLF: tests write them as "\n".
inline auto crlf(std::string_view s) -> std::string {
  std::string out;
  for (char c : s) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

/// Runs `parse` on every prefix of `input` (and the whole of it): each one
/// must either succeed or fail with an offset inside the prefix. Buffers are
/// heap copies of exactly the prefix, so a sanitizer sees any overread.
template <class Parse>
void check_every_prefix(std::string_view input, Parse&& parse) {
  for (std::size_t n = 0; n <= input.size(); ++n) {
    std::string const prefix(input.substr(0, n));
    auto const r = parse(std::string_view(prefix));
    if (!r) {
      BOOST_TEST_CONTEXT("prefix of " << n << " bytes") {
        BOOST_TEST(r.error().offset <= n);
      }
    }
  }
}

}  // namespace sipsaf_test

#endif
