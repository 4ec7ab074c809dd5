// Fuzz target: SMS coding and segmentation. For any bytes (the first one
// picks the segment limit and splits text from attachments line): segments
// are whole characters within their size, the plan agrees with them, an
// untruncated text is sent whole, and 7-bit coding round-trips.
#include <sipsaf/gateway/gsm7.hpp>
#include <sipsaf/gateway/sms.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view const in(reinterpret_cast<char const*>(data) + 1, size - 1);
  sipsaf::sms_options o;
  o.max_segments = data[0] % 8;
  std::size_t const cut = in.size() * (data[0] / 8) / 32;
  sipsaf::sms_content const c{std::string(in.substr(0, cut)), std::string(in.substr(cut))};
  auto const m = sipsaf::segment_sms(c, o);
  bool const gsm = m.encoding == sipsaf::sms_encoding::gsm7;
  std::size_t const each = gsm ? 153 : 67, single = gsm ? 160 : 70;
  if (m.segments.empty() || m.segments.size() > std::max<std::size_t>(o.max_segments, 1))
    std::abort();
  std::size_t total = 0;
  for (auto const& s : m.segments) {
    if (m.segments.size() > 1 ? s.units > each : s.units > single) std::abort();
    if (sipsaf::detail::gw::valid_utf8(s.text) != s.text) std::abort();  // whole characters
    if (gsm) {
      auto septets = sipsaf::encode_gsm7(s.text);
      if (!septets || septets->size() != s.units) std::abort();
      if (sipsaf::decode_gsm7(*septets) != s.text) std::abort();
    }
    total += s.units;
  }
  if (total != m.units) std::abort();
  if (!m.truncated) {
    std::string const t = sipsaf::detail::gw::valid_utf8(c.text);
    std::string const a = sipsaf::detail::gw::valid_utf8(c.attachments);
    if (m.text() != t + (!t.empty() && !a.empty() ? "\n" : "") + a) std::abort();
  }
  auto const p = sipsaf::plan_sms(c, o);
  if (p.segments != m.segments.size() || p.encoding != m.encoding || p.units != m.units)
    std::abort();
  return 0;
}
