// Fuzz target: the multipart parser. Input layout: one byte of option bits,
// the boundary up to the first LF, then the body. Any body must parse or
// fail with an offset inside it; a parsed tree must stay inside the body and
// within the limits; re-serializing its parts must give them back.
#include <sipsaf/mime/multipart.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

auto inside(std::string_view part, std::string_view whole) -> bool {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

void check_tree(sipsaf::multipart_view const& mp, std::string_view body,
                sipsaf::multipart_options const& o) {
  if (mp.all_parts().size() > o.max_parts) std::abort();
  if (!inside(mp.preamble(), body) || !inside(mp.epilogue(), body)) std::abort();
  for (auto part : mp.all_parts()) {
    if (!inside(part.content(), body) || !inside(part.body(), part.content())) std::abort();
    if (part.depth() > o.max_depth) std::abort();
    if (part.header_section().size() > o.max_header_bytes) std::abort();
    for (auto const& f : part.header_fields())
      if (!inside(f.name, part.header_section()) || !inside(f.value, part.header_section()))
        std::abort();
    for (auto child : part.parts())
      if (child.depth() != part.depth() + 1 || !inside(child.content(), part.body())) std::abort();
    (void)part.decoded_body();
    (void)part.disposition();
    if (!part.content_id().empty() && !mp.find_content_id(part.content_id())) std::abort();
  }
}

void check_round_trip(sipsaf::multipart_view const& mp, sipsaf::multipart_options o) {
  std::vector<sipsaf::body_part> parts;
  for (auto part : mp) {
    sipsaf::body_part bp;
    bp.headers.assign(part.header_fields().begin(), part.header_fields().end());
    bp.body = part.body();
    parts.push_back(std::move(bp));
  }
  auto out = sipsaf::serialize_multipart(parts);
  if (!out) {
    if (out.error().code != sipsaf::errc::bad_header_field) std::abort();
    return;
  }
  o.max_header_bytes = 1u << 30;  // "name: value" may be longer than written
  auto back = sipsaf::parse_multipart(out->body, out->boundary, o);
  if (!back || back->size() != parts.size()) std::abort();
  for (std::size_t i = 0; i < parts.size(); ++i) {
    auto const p = (*back)[i];
    if (p.body() != parts[i].body || p.header_fields().size() != parts[i].headers.size())
      std::abort();
    for (std::size_t h = 0; h < parts[i].headers.size(); ++h)
      if (p.header_fields()[h].name != parts[i].headers[h].name ||
          p.header_fields()[h].value != parts[i].headers[h].value)
        std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<char const*>(data) + 1, size - 1);
  std::uint8_t const bits = data[0];
  sipsaf::multipart_options o;
  o.accept_bare_lf = bits & 1;
  o.accept_missing_close = bits & 2;
  o.digest = bits & 4;
  o.parse_nested = !(bits & 8);
  if (bits & 16) {  // small limits, so that the fuzzer reaches them
    o.max_parts = 4;
    o.max_depth = 2;
    o.max_header_bytes = 64;
  }
  std::size_t const lf = rest.find('\n');
  std::string_view const boundary = rest.substr(0, lf);
  std::string_view const body =
      lf == std::string_view::npos ? std::string_view() : rest.substr(lf + 1);

  auto r = sipsaf::parse_multipart(body, boundary, o);
  if (!r) {
    if (r.error().offset > body.size()) std::abort();
    if (!sipsaf::is_valid_boundary(boundary) && r.error().code != sipsaf::errc::bad_boundary)
      std::abort();
    return 0;
  }
  if (!sipsaf::is_valid_boundary(boundary) || r->empty()) std::abort();
  check_tree(*r, body, o);
  check_round_trip(*r, o);
  return 0;
}
