// Fuzz target: the Request-Disposition parser in both modes. Any input must
// parse or fail with an offset inside it; a parsed value must serialize to a
// canonical form that parses back equal.
#include <sipsaf/rfc3841/request_disposition.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string_view const in(reinterpret_cast<char const*>(data), size);
  for (auto mode : {sipsaf::disposition_mode::extended, sipsaf::disposition_mode::strict}) {
    auto r = sipsaf::parse_request_disposition(in, {mode});
    if (!r) {
      if (r.error().offset > size) std::abort();
      continue;
    }
    std::string const canonical = sipsaf::to_string(*r);
    auto again = sipsaf::parse_request_disposition(canonical, {mode});
    if (!again || !(*again == *r) || sipsaf::to_string(*again) != canonical) std::abort();
  }
  return 0;
}
