// What the second translation unit gives the first, so that both must use
// the same inline definitions of the library.
#ifndef SIPSAF_TESTS_ODR_HPP
#define SIPSAF_TESTS_ODR_HPP

#include <string>
#include <system_error>

namespace odr_test {

struct seen {
  std::string canonical;            // to_string of a parsed Request-Disposition
  std::error_category const* errc;  // the address of sipsaf's error category
};

auto from_second_tu(char const* value) -> seen;

}  // namespace odr_test

#endif  // SIPSAF_TESTS_ODR_HPP
