// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_GATEWAY_SMS_HPP
#define SIPSAF_GATEWAY_SMS_HPP

/// @file
/// A SIP request's payload as SMS text: coding, segmentation and
/// truncation, decided before anything is sent.
///
/// @par Coding (3GPP TS 23.038 §4, §6.2)
/// GSM 7-bit when every character is in the default alphabet or its
/// extension table (an extension character costs two septets), else UCS-2
/// in UTF-16 code units (a character beyond U+FFFF is a surrogate pair,
/// two units). The coding follows every character of the text, those a
/// truncation drops included.
///
/// @par Segments (3GPP TS 23.040 §9.2.3.24.1)
/// One SMS carries 160 septets or 70 units. A longer text is concatenated
/// SMS: the 6-octet user data header leaves 153 septets or 67 units per
/// segment. A segment never ends between an escape and its code, nor
/// between the two units of a surrogate pair: whole characters only.
///
/// @par Truncation
/// At most `sms_options::max_segments` segments. A text that needs more
/// loses characters from the end of its body (never the attachments line)
/// until the body, trimmed of trailing white space, then "...", then the
/// attachments line fit; if the attachments line alone does not fit, the
/// whole text is cut the same way.

#include <sipsaf/config.hpp>
#include <sipsaf/error.hpp>
#include <sipsaf/gateway/detail/utf8.hpp>
#include <sipsaf/gateway/gsm7.hpp>
#include <sipsaf/gateway/payload.hpp>
#include <sipsaf/message/message_view.hpp>
#include <sipsaf/result.hpp>

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

SIPSAF_BEGIN_NAMESPACE

/// The data coding of an SMS (3GPP TS 23.038 §4).
enum class sms_encoding {
  gsm7,  ///< GSM 7-bit default alphabet (with its extension table)
  ucs2,  ///< UCS-2 (UTF-16 code units, surrogate pairs kept whole)
};

/// "GSM-7" or "UCS-2", for logs and traces.
constexpr auto to_string(sms_encoding e) noexcept -> std::string_view {
  return e == sms_encoding::gsm7 ? "GSM-7" : "UCS-2";
}

/// Units per SMS: septets (GSM 7-bit) or UTF-16 units (UCS-2).
inline constexpr std::size_t sms_single_septets = 160, sms_segment_septets = 153;
inline constexpr std::size_t sms_single_units = 70, sms_segment_units = 67;

struct sms_options {
  /// The most segments one message may take; more is truncated (see the
  /// file comment). 0 counts as 1.
  std::size_t max_segments = 6;
};

/// What to send by SMS: the text and a line naming what SMS cannot carry.
struct sms_content {
  std::string text;         ///< UTF-8; the text parts joined by LF
  std::string attachments;  ///< e.g. `Attachments not sent: photo.jpg (image/jpeg, 48 KB)`
};

/// One SMS of a message.
struct sms_segment {
  std::string text;   ///< UTF-8, whole characters
  std::size_t units;  ///< septets or UTF-16 units
};

/// An SMS message ready to send.
struct sms_message {
  sms_encoding encoding = sms_encoding::gsm7;
  std::vector<sms_segment> segments;  ///< in order; one for a short text
  std::size_t units = 0;              ///< all segments together
  bool truncated = false;             ///< characters were dropped

  /// The text sent: the segments joined.
  auto text() const -> std::string {
    std::string s;
    for (auto const& g : segments) s += g.text;
    return s;
  }
};

/// What sending would take, known before sending (for the decision trace).
struct sms_plan {
  sms_encoding encoding = sms_encoding::gsm7;
  std::size_t segments = 0;
  std::size_t units = 0;
  bool truncated = false;
};

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

/// Splits `content` into SMS segments (see the file comment for coding,
/// segments and truncation). Ill-formed UTF-8 is sent as U+FFFD.
///
/// @par Specification 3GPP TS 23.038 §6.2.1; 3GPP TS 23.040 §9.2.3.24.1.
/// @par Complexity Linear in the text, times log of the kept length when
/// it is truncated.
inline auto segment_sms(sms_content const& content, sms_options const& options = {})
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

/// `segment_sms` for a plain text.
inline auto segment_sms(std::string_view text, sms_options const& options = {}) -> sms_message {
  return segment_sms(sms_content{std::string(text), {}}, options);
}

/// The UTF-16 code units of UTF-8 `text` (big-endian order is the
/// caller's), a character beyond U+FFFF as its surrogate pair (RFC 2781
/// §2.1): what a UCS-2 SMS carries. Ill-formed UTF-8 gives U+FFFD.
/// @par Complexity Linear in `text.size()`.
inline auto encode_ucs2(std::string_view text) -> std::u16string {
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

/// The coding, segment count and truncation that `segment_sms` gives.
inline auto plan_sms(sms_content const& content, sms_options const& options = {}) -> sms_plan {
  auto const m = segment_sms(content, options);
  return sms_plan{m.encoding, m.segments.size(), m.units, m.truncated};
}

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

/// The SMS content of a payload: its text parts as UTF-8, joined by LF (of
/// a `multipart/alternative` only the text alternative); every other part
/// named on the attachments line with its type and size.
inline auto sms_content_of(payload_part const& p) -> sms_content {
  sms_content c;
  detail::gw::collect_sms(p, c.text, c.attachments);
  return c;
}

/// `sms_content_of(read_payload(m, limits))`. Errors: those of `read_payload`.
inline auto sms_content_of(message_view const& m, multipart_options const& limits = {})
    -> result<sms_content> {
  auto p = read_payload(m, limits);
  if (!p) return p.error();
  return sms_content_of(*p);
}

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_GATEWAY_SMS_HPP
