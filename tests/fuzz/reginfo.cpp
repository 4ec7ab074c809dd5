// Fuzz target: application/reginfo+xml bodies (RFC 3680). Any input must be
// read or refused with an offset inside it; what is read must feed a
// reginfo_tracker whose answers agree with the document.
#include <sipsaf/reachability/reginfo.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string_view const in(reinterpret_cast<char const*>(data), size);
  auto const r = sipsaf::parse_reginfo(in);
  if (!r) {
    if (r.error().offset > size) std::abort();
    return 0;
  }
  sipsaf::reginfo_tracker t;
  auto const outcome = t.apply(*r);
  if (r->state == sipsaf::reginfo_state::full) {
    if (outcome != sipsaf::reginfo_outcome::applied) std::abort();
    // The table holds nothing the document did not say: an AOR reachable
    // in it has a registration in the document with an active contact.
    for (auto const& reg : r->registrations) {
      if (!t.reachable(reg.aor)) continue;
      bool said = false;
      for (auto const& other : r->registrations)
        said = said || (other.aor == reg.aor && other.reachable());
      if (!said) std::abort();
    }
  } else if (outcome != sipsaf::reginfo_outcome::gap || t.any_reachable()) {
    std::abort();  // a partial state cannot start a table
  }
  return 0;
}
