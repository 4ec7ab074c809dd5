// The second translation unit: the same headers as first_tu.cpp.
#include <sipsaf.hpp>

#include "odr.hpp"

namespace odr_test {

auto from_second_tu(char const* value) -> seen {
  auto const r = sipsaf::parse_request_disposition(value);
  return {r ? sipsaf::to_string(*r) : std::string("error"), &sipsaf::error_category()};
}

}  // namespace odr_test
