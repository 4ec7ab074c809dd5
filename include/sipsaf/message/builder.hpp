// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MESSAGE_BUILDER_HPP
#define SIPSAF_MESSAGE_BUILDER_HPP

/// @file
/// Writing SIP requests and responses (RFC 3261 §8.1.1, §8.2.6).
///
/// What the builders write, `parse_message` parses back to the same start
/// line, header fields (in the order added) and body. Every header value is
/// checked: a CR or LF in a value (header injection) or a name that is not a
/// token is an error, never written.

#include <sipsaf/config.hpp>
#include <sipsaf/error.hpp>
#include <sipsaf/message/detail/scan.hpp>
#include <sipsaf/message/header_values.hpp>
#include <sipsaf/message/message_view.hpp>
#include <sipsaf/message/uri.hpp>
#include <sipsaf/mime/multipart.hpp>
#include <sipsaf/result.hpp>
#include <sipsaf/rfc3841/request_disposition.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

SIPSAF_BEGIN_NAMESPACE

/// Writes a Date value in the RFC 1123 form (RFC 3261 §20.17), e.g.
/// "Sat, 15 Oct 2005 04:44:56 GMT".
SIPSAF_DECL auto format_sip_date(sip_date const& d) -> std::string;

/// The calendar date and weekday of `seconds` since 1970-01-01T00:00:00Z.
SIPSAF_DECL auto sip_date_from_epoch(std::int64_t seconds) -> sip_date;

namespace detail {
namespace msg {

// A quoted-string for a display name (RFC 3261 §25.1): `"` and `\` escaped;
// CR and LF cannot be written (quoted-pair excludes them).
SIPSAF_DECL auto quote(std::string_view text) -> std::string;

SIPSAF_DECL auto name_addr_text(std::string_view uri, std::string_view display,
                                std::string_view tag) -> std::string;

// One field appended to `out`, checked: a token name, no CR or LF in the value.
SIPSAF_DECL auto append_field(std::string& out, std::string_view name, std::string_view value)
    -> result<void>;

// Content-Type (when not empty), Content-Length and the body appended to `out`.
SIPSAF_DECL auto append_body(std::string& out, std::string_view content_type, std::string_view body)
    -> result<void>;

// The fields in order, checked, then Content-Type / Content-Length / body.
SIPSAF_DECL auto write_message(std::string start_line,
                               std::vector<std::pair<std::string, std::string>> const& fields,
                               std::string_view content_type, std::string_view body)
    -> result<std::string>;

SIPSAF_DECL auto fnv1a(std::uint64_t h, std::string_view s) noexcept -> std::uint64_t;

}  // namespace msg
}  // namespace detail

/// Builds a request (RFC 3261 §8.1.1): MESSAGE, INVITE, INFO, REGISTER,
/// NOTIFY, SUBSCRIBE, ACK, BYE, OPTIONS, or any other method token.
///
/// Header fields are written in the order they are added; Content-Type and
/// Content-Length (always, computed, RFC 3261 §20.14) come last. The CSeq
/// method is the request's method. Nothing is checked until `build()`.
///
/// @par Example
/// @code
///   auto wire = sipsaf::request_builder("MESSAGE", "sip:bob@example.com")
///                   .via("UDP", "pc33.example.com", "z9hG4bK776asdhds")
///                   .max_forwards(70)
///                   .from("sip:alice@example.com", "1928301774", "Alice")
///                   .to("sip:bob@example.com")
///                   .call_id("a84b4c76e66710@pc33.example.com")
///                   .cseq(1)
///                   .request_disposition("store-and-forward-if-not-reached, notify")
///                   .body("text/plain", "Watson, come here.")
///                   .build();
/// @endcode
class request_builder {
 public:
  request_builder(std::string_view method, std::string_view request_uri)
      : method_(method), uri_(request_uri) {}

  /// Via: `SIP/2.0/<transport> <sent_by>;branch=<branch>` (RFC 3261 §8.1.1.7;
  /// the branch should start with "z9hG4bK").
  SIPSAF_DECL auto via(std::string_view transport, std::string_view sent_by,
                       std::string_view branch) -> request_builder&;
  /// From: `"display" <uri>;tag=tag` (RFC 3261 §8.1.1.3: a tag is required).
  SIPSAF_DECL auto from(std::string_view uri, std::string_view tag,
                        std::string_view display_name = {}) -> request_builder&;
  /// To: `"display" <uri>[;tag=tag]` (no tag outside a dialog, RFC 3261 §8.1.1.2).
  SIPSAF_DECL auto to(std::string_view uri, std::string_view display_name = {},
                      std::string_view tag = {}) -> request_builder&;
  auto call_id(std::string_view id) -> request_builder& { return header("Call-ID", id); }
  /// CSeq: `<number> <method>` (RFC 3261 §8.1.1.5).
  SIPSAF_DECL auto cseq(std::uint32_t number) -> request_builder&;
  SIPSAF_DECL auto max_forwards(unsigned hops = 70) -> request_builder&;
  /// Contact: `<uri>` plus parameters as written (e.g. ";expires=3600").
  SIPSAF_DECL auto contact(std::string_view uri, std::string_view params = {}) -> request_builder&;
  SIPSAF_DECL auto expires(std::uint32_t seconds) -> request_builder&;
  SIPSAF_DECL auto date(sip_date const& d) -> request_builder&;
  /// Request-Disposition from a value (RFC 3841 §9.1), written canonically.
  SIPSAF_DECL auto request_disposition(::sipsaf::request_disposition const& rd) -> request_builder&;
  /// Request-Disposition from text; `build()` fails if it does not parse
  /// (in extended mode).
  SIPSAF_DECL auto request_disposition(std::string_view value) -> request_builder&;
  /// Any header field, written as given.
  auto header(std::string_view name, std::string_view value) -> request_builder& {
    fields_.emplace_back(std::string(name), std::string(value));
    return *this;
  }
  /// A single-part body with its Content-Type (RFC 3261 §7.4).
  auto body(std::string_view content_type, std::string_view data) -> request_builder& {
    content_type_ = std::string(content_type);
    body_ = std::string(data);
    return *this;
  }
  /// A multipart body (`multipart/<subtype>`, RFC 2046 §5.1; RFC 5621 for
  /// SIP) from parts (see `serialize_multipart`), with a fresh boundary that
  /// occurs in none of them. The parts are written at once: their views need
  /// not outlive this call. A part that cannot be written fails `build()`.
  SIPSAF_DECL auto multipart(std::vector<body_part> const& parts,
                             std::string_view subtype = "mixed") -> request_builder&;

  /// The request's bytes. Errors (offset into the output that would have
  /// been written): `bad_start_line` (method not a token), `bad_uri`,
  /// `bad_header_field` (a name that is not a token), `bad_header_value`
  /// (CR or LF in a value), and Request-Disposition parse errors.
  SIPSAF_DECL auto build() const -> result<std::string>;

 private:
  std::string method_;
  std::string uri_;
  std::vector<std::pair<std::string, std::string>> fields_;
  std::vector<std::size_t> disposition_checks_;
  std::string content_type_;
  std::string body_;
  std::optional<parse_error> error_;
};

/// Builds a response to a request (RFC 3261 §8.2.6): the status line, then
/// every Via row of the request in order, From, To (with a tag added when it
/// has none and the code is above 100), Call-ID, CSeq, and Record-Route for
/// a dialog-creating response (101-299 to INVITE or SUBSCRIBE, RFC 3261
/// §12.1.1), then the fields added, Content-Type, Content-Length.
///
/// The To tag: the one given, or else a stable one derived from the Call-ID,
/// the From tag and the top Via branch, so that a retransmitted request gets
/// the same tag (useful for stateless answers).
class response_builder {
 public:
  response_builder(message_view const& request, int code, std::string_view reason)
      : req_(&request), code_(code), reason_(reason) {}

  auto to_tag(std::string_view tag) -> response_builder& {
    tag_ = std::string(tag);
    return *this;
  }
  auto header(std::string_view name, std::string_view value) -> response_builder& {
    fields_.emplace_back(std::string(name), std::string(value));
    return *this;
  }
  auto body(std::string_view content_type, std::string_view data) -> response_builder& {
    content_type_ = std::string(content_type);
    body_ = std::string(data);
    return *this;
  }

  /// Errors: `bad_status_code` (not 100..699), `bad_start_line` (a control
  /// byte in the reason), `bad_header_field`, `bad_header_value`.
  SIPSAF_DECL auto build() const -> result<std::string>;

 private:
  SIPSAF_DECL auto stable_tag() const -> std::string;

  message_view const* req_;
  int code_;
  std::string reason_;
  std::string tag_;
  std::vector<std::pair<std::string, std::string>> fields_;
  std::string content_type_;
  std::string body_;
};

/// `response_builder(request, code, reason).to_tag(to_tag).build()`; for a
/// well-formed request and reason this does not fail.
SIPSAF_DECL auto make_response(message_view const& request, int code, std::string_view reason,
                               std::string_view to_tag = {}) -> result<std::string>;

SIPSAF_END_NAMESPACE

#ifdef SIPSAF_HEADER_ONLY
#include <sipsaf/message/impl/builder.ipp>
#endif

#endif  // SIPSAF_MESSAGE_BUILDER_HPP
