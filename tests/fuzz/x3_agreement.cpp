// Fuzz target: sipsaf's hand-written scanners agree with the X3 rules of
// <sipsaf/grammar/x3.hpp> on every input (Request-Disposition in both modes,
// media type, Accept, Content-Disposition): same value, or same error code
// at the same offset.
#include "../unit/grammar/x3_agreement.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string_view const in(reinterpret_cast<char const*>(data), size);
  auto const d = x3_agreement::check_all(in);
  if (!d.empty()) {
    std::fprintf(stderr, "disagreement: %s\n", d.c_str());
    std::abort();
  }
  return 0;
}
