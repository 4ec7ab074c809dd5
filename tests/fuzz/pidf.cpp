// Fuzz target: application/pidf+xml bodies (RFC 3863). Any input must be
// read or refused with an offset inside it; a document read as open must
// have a tuple whose basic status is open.
#include <sipsaf/reachability/pidf.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string_view const in(reinterpret_cast<char const*>(data), size);
  auto const r = sipsaf::parse_pidf(in);
  if (!r) {
    if (r.error().offset > size) std::abort();
    return 0;
  }
  if (r->entity.empty()) std::abort();
  bool any_open = false;
  for (auto const& t : r->tuples) any_open = any_open || t.basic == sipsaf::basic_status::open;
  if (any_open != r->open()) std::abort();
  return 0;
}
