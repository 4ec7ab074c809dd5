// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_GATEWAY_IMPL_SMS_IPP
#define SIPSAF_GATEWAY_IMPL_SMS_IPP

#include <sipsaf/gateway/sms.hpp>

SIPSAF_BEGIN_NAMESPACE

namespace detail {
namespace gw {

struct sms_char {
  std::size_t begin, end;  // bytes in the UTF-8 text
  unsigned cost;           // septets or units
};

inline auto sms_chars(std::string_view s, sms_encoding e, std::size_t limit)
    -> std::vector<sms_char> {
  std::vector<sms_char> out;
  for (std::size_t i = 0; i < s.size() && out.size() < limit;) {
    std::size_t const b = i;
    char32_t const c = next_code_point(s, i);
    unsigned const cost = e == sms_encoding::gsm7 ? gsm7_septets(c) : (c >= 0x10000 ? 2 : 1);
    out.push_back({b, i, cost});
  }
  return out;
}

/// Segments for a sequence of costs: greedy, whole characters, which gives
/// the fewest segments for a sequence whose order is fixed.
template <class Costs>
auto count_segments(Costs const& costs, sms_encoding e) -> std::size_t {
  std::size_t const single = e == sms_encoding::gsm7 ? sms_single_septets : sms_single_units;
  std::size_t const each = e == sms_encoding::gsm7 ? sms_segment_septets : sms_segment_units;
  std::size_t total = 0;
  for (unsigned c : costs) total += c;
  if (total <= single) return 1;
  std::size_t n = 1, used = 0;
  for (unsigned c : costs) {
    if (used + c > each) ++n, used = 0;
    used += c;
  }
  return n;
}

}  // namespace gw
}  // namespace detail

namespace detail {
namespace gw {

inline auto size_text(std::size_t n) -> std::string {
  if (n < 1024) return std::to_string(n) + " bytes";
  if (n < 1024 * 1024) return std::to_string((n + 1023) / 1024) + " KB";
  return std::to_string((n + 1024 * 1024 - 1) / (1024 * 1024)) + " MB";
}

inline void collect_sms(payload_part const& p, std::string& text, std::string& attached) {
  auto attach = [&](std::string const& name) {
    attached += attached.empty() ? "Attachments not sent: " : "; ";
    attached += name + " (" + std::string(p.type.type) + "/" + std::string(p.type.subtype) + ", " +
                size_text(p.data.size()) + ")";
  };
  if (p.is_multipart()) {
    // multipart/alternative: one rendering is enough, the text one if any
    // (RFC 2046 §5.1.4).
    if (p.type.is("multipart", "alternative")) {
      for (auto const& c : p.parts)
        if (c.text && c.text_utf8()) return collect_sms(c, text, attached);
      if (!p.parts.empty()) return collect_sms(p.parts.back(), text, attached);
      return;
    }
    for (auto const& c : p.parts) collect_sms(c, text, attached);
    return;
  }
  if (p.text) {
    if (auto t = p.text_utf8()) {
      if (!text.empty() && !t->empty()) text += "\n";
      text += *t;
      return;
    }
    return attach("text");  // a charset sipsaf does not convert
  }
  attach(p.filename);
}

}  // namespace gw
}  // namespace detail

SIPSAF_DECL auto segment_sms(sms_content const& content, sms_options const& options)
    -> sms_message {
  using namespace detail::gw;
  std::size_t const max_segments = std::max<std::size_t>(options.max_segments, 1);
  std::string const body = valid_utf8(content.text), tail = valid_utf8(content.attachments);
  sms_message out;
  bool gsm = true;
  for (std::string_view s : {std::string_view(body), std::string_view(tail)})
    for (std::size_t i = 0; gsm && i < s.size();) gsm = gsm7_septets(next_code_point(s, i)) != 0;
  out.encoding = gsm ? sms_encoding::gsm7 : sms_encoding::ucs2;
  std::string const sep = !body.empty() && !tail.empty() ? "\n" : "";
  std::string whole = body + sep + tail;
  // More characters than this never fit, so no more are looked at.
  std::size_t const bound = max_segments * sms_single_septets + 1;
  auto chars = sms_chars(whole, out.encoding, bound);
  auto costs = [&](std::vector<sms_char> const& cs) {
    std::vector<unsigned> v;
    v.reserve(cs.size());
    for (auto const& c : cs) v.push_back(c.cost);
    return v;
  };
  bool const fits =
      chars.size() < bound && count_segments(costs(chars), out.encoding) <= max_segments;
  if (!fits) {
    out.truncated = true;
    // Keep the attachments line when it fits with "..." alone; else cut all.
    std::string kept_tail = "..." + sep + tail;
    std::string cut_from = body;
    auto with_tail = [&](std::size_t k, std::vector<sms_char> const& head) {
      std::string s = cut_from.substr(0, k == 0 ? 0 : head[k - 1].end);
      while (!s.empty() &&
             (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t'))
        s.pop_back();
      return s + kept_tail;
    };
    auto head = sms_chars(cut_from, out.encoding, bound);
    auto segs = [&](std::string const& s) {
      return count_segments(costs(sms_chars(s, out.encoding, bound)), out.encoding);
    };
    if (segs(with_tail(0, head)) > max_segments) {
      kept_tail = "...";
      cut_from = whole;
      head = sms_chars(cut_from, out.encoding, bound);
    }
    std::size_t lo = 0, hi = head.size();  // the most characters that fit
    while (lo < hi) {
      std::size_t const mid = lo + (hi - lo + 1) / 2;
      if (segs(with_tail(mid, head)) <= max_segments)
        lo = mid;
      else
        hi = mid - 1;
    }
    whole = with_tail(lo, head);
    chars = sms_chars(whole, out.encoding, bound);
  }
  // Emit the segments: whole characters, as `count_segments` counts them.
  std::size_t total = 0;
  for (auto const& c : chars) total += c.cost;
  out.units = total;
  std::size_t const single =
      out.encoding == sms_encoding::gsm7 ? sms_single_septets : sms_single_units;
  std::size_t const each =
      out.encoding == sms_encoding::gsm7 ? sms_segment_septets : sms_segment_units;
  if (total <= single) {
    out.segments.push_back({whole, total});
    return out;
  }
  std::size_t begin = 0, used = 0;
  for (auto const& c : chars) {
    if (used + c.cost > each) {
      out.segments.push_back({whole.substr(begin, c.begin - begin), used});
      begin = c.begin, used = 0;
    }
    used += c.cost;
  }
  out.segments.push_back({whole.substr(begin), used});
  return out;
}

SIPSAF_DECL auto segment_sms(std::string_view text, sms_options const& options) -> sms_message {
  return segment_sms(sms_content{std::string(text), {}}, options);
}

SIPSAF_DECL auto encode_ucs2(std::string_view text) -> std::u16string {
  std::u16string out;
  for (std::size_t i = 0; i < text.size();) {
    char32_t const c = detail::gw::next_code_point(text, i);
    if (c < 0x10000) {
      out.push_back(static_cast<char16_t>(c));
    } else {
      out.push_back(static_cast<char16_t>(0xD800 + ((c - 0x10000) >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + ((c - 0x10000) & 0x3FF)));
    }
  }
  return out;
}

SIPSAF_DECL auto plan_sms(sms_content const& content, sms_options const& options) -> sms_plan {
  auto const m = segment_sms(content, options);
  return sms_plan{m.encoding, m.segments.size(), m.units, m.truncated};
}

SIPSAF_DECL auto sms_content_of(payload_part const& p) -> sms_content {
  sms_content c;
  detail::gw::collect_sms(p, c.text, c.attachments);
  return c;
}

SIPSAF_DECL auto sms_content_of(message_view const& m, multipart_options const& limits)
    -> result<sms_content> {
  auto p = read_payload(m, limits);
  if (!p) return p.error();
  return sms_content_of(*p);
}

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_GATEWAY_IMPL_SMS_IPP
