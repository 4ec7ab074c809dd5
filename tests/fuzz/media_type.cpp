// Fuzz target: media types, media ranges and Content-Disposition. Any input
// must parse or fail with an offset inside it; a parsed value must serialize
// to a canonical form that parses back equal and serializes the same.
#include <sipsaf/mime/content_disposition.hpp>
#include <sipsaf/mime/media_type.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string_view const in(reinterpret_cast<char const*>(data), size);

  if (auto t = sipsaf::parse_media_type(in)) {
    std::string const canonical = sipsaf::to_string(*t);
    auto again = sipsaf::parse_media_type(canonical);
    if (!again || !(*again == *t) || sipsaf::to_string(*again) != canonical) std::abort();
    for (auto const& p : t->parameters)
      if (p.unescaped().size() > p.value.size()) std::abort();
  } else if (t.error().offset > size) {
    std::abort();
  }

  if (auto ranges = sipsaf::parse_media_ranges(in)) {
    for (auto const& r : *ranges) {
      if (r.quality() < 0 || r.quality() > 1000) std::abort();
      // Every concrete range matches itself and is accepted unless q=0.
      if (r.type != "*" && r.subtype != "*" && sipsaf::accepts({r}, r) != (r.quality() > 0))
        std::abort();
    }
  } else if (ranges.error().offset > size) {
    std::abort();
  }

  if (auto d = sipsaf::parse_content_disposition(in)) {
    std::string const canonical = sipsaf::to_string(*d);
    auto again = sipsaf::parse_content_disposition(canonical);
    if (!again || sipsaf::to_string(*again) != canonical || again->handling() != d->handling())
      std::abort();
  } else if (d.error().offset > size) {
    std::abort();
  }
  return 0;
}
