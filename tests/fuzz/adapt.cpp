// Fuzz target: content adaptation and message/cpim bodies, both fed from
// the network (a recipient's Accept list, a sender's payload). The input is
// split at its first two NUL bytes into Accept, Content-Type and body. Any
// input must give a result or an error; an adapted payload must itself be
// acceptable to the same Accept list, and adapting it again changes nothing.
#include <sipsaf/mime/adapt.hpp>
#include <sipsaf/mime/cpim.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string_view in(reinterpret_cast<char const*>(data), size);

  if (auto m = sipsaf::parse_cpim(in)) {
    if (m->content.size() > size) std::abort();
    for (auto const& h : m->headers)
      if (h.name.empty() || h.name.data() < in.data() || h.name.data() >= in.data() + size)
        std::abort();
  } else if (m.error().offset > size) {
    std::abort();
  }

  auto const a = in.find('\0');
  if (a == std::string_view::npos) return 0;
  std::string_view const accept = in.substr(0, a);
  in.remove_prefix(a + 1);
  auto const b = in.find('\0');
  if (b == std::string_view::npos) return 0;
  std::string_view const type = in.substr(0, b);
  std::string_view const body = in.substr(b + 1);

  auto r = sipsaf::adapt_payload(type, body, accept);
  if (!r) return 0;
  if (r->kept.empty()) std::abort();
  if (!r->changed) return 0;
  auto again = sipsaf::adapt_payload(r->content_type, r->body, accept);
  if (!again || again->changed) std::abort();
  return 0;
}
