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

/// Splits `content` into SMS segments (see the file comment for coding,
/// segments and truncation). Ill-formed UTF-8 is sent as U+FFFD.
///
/// @par Specification 3GPP TS 23.038 §6.2.1; 3GPP TS 23.040 §9.2.3.24.1.
/// @par Complexity Linear in the text, times log of the kept length when
/// it is truncated.
SIPSAF_DECL auto segment_sms(sms_content const& content, sms_options const& options = {})
    -> sms_message;

/// `segment_sms` for a plain text.
SIPSAF_DECL auto segment_sms(std::string_view text, sms_options const& options = {}) -> sms_message;

/// The UTF-16 code units of UTF-8 `text` (big-endian order is the
/// caller's), a character beyond U+FFFF as its surrogate pair (RFC 2781
/// §2.1): what a UCS-2 SMS carries. Ill-formed UTF-8 gives U+FFFD.
/// @par Complexity Linear in `text.size()`.
SIPSAF_DECL auto encode_ucs2(std::string_view text) -> std::u16string;

/// The coding, segment count and truncation that `segment_sms` gives.
SIPSAF_DECL auto plan_sms(sms_content const& content, sms_options const& options = {}) -> sms_plan;

/// The SMS content of a payload: its text parts as UTF-8, joined by LF (of
/// a `multipart/alternative` only the text alternative); every other part
/// named on the attachments line with its type and size.
SIPSAF_DECL auto sms_content_of(payload_part const& p) -> sms_content;

/// `sms_content_of(read_payload(m, limits))`. Errors: those of `read_payload`.
SIPSAF_DECL auto sms_content_of(message_view const& m, multipart_options const& limits = {})
    -> result<sms_content>;

SIPSAF_END_NAMESPACE

#ifdef SIPSAF_HEADER_ONLY
#include <sipsaf/gateway/impl/sms.ipp>
#endif

#endif  // SIPSAF_GATEWAY_SMS_HPP
