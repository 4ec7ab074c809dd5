// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MESSAGE_MESSAGE_VIEW_HPP
#define SIPSAF_MESSAGE_MESSAGE_VIEW_HPP

/// @file
/// A zero-copy view of one SIP message (RFC 3261 §7, §25) and `parse_message`.
///
/// @par BNF (RFC 3261 §7, §25.1)
/// @code
///   SIP-message    = Request / Response
///   Request        = Request-Line *( message-header ) CRLF [ message-body ]
///   Response       = Status-Line *( message-header ) CRLF [ message-body ]
///   Request-Line   = Method SP Request-URI SP SIP-Version CRLF
///   Status-Line    = SIP-Version SP Status-Code SP Reason-Phrase CRLF
///   SIP-Version    = "SIP" "/" 1*DIGIT "." 1*DIGIT
///   Status-Code    = 3DIGIT
///   message-header = field-name HCOLON field-value CRLF   ; field-value may fold
///   HCOLON         = *( SP / HTAB ) ":" SWS
///   LWS            = [*WSP CRLF] 1*WSP                     ; a fold
/// @endcode
///
/// What is liberal (RFC 3261 §7.3.1, §7.5): whitespace and folds around the
/// colon and in values, header names in any case and in compact form,
/// unknown methods and header fields, CRLFs before the start line, empty
/// header values. What is strict (framing depends on it): the start line
/// (single SPs, SIP/2.0 only), CRLF line ends (a bare CR or LF is an error),
/// the empty line ending the header section, Content-Length against the body.

#include <sipsaf/config.hpp>
#include <sipsaf/error.hpp>
#include <sipsaf/message/detail/scan.hpp>
#include <sipsaf/message/fields.hpp>
#include <sipsaf/message/header_values.hpp>
#include <sipsaf/message/uri.hpp>
#include <sipsaf/mime/media_type.hpp>
#include <sipsaf/result.hpp>
#include <sipsaf/rfc3841/request_disposition.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

SIPSAF_BEGIN_NAMESPACE

/// Limits and transport rules for `parse_message` and `frame_message`.
/// Each limit has its own error code (`header_too_long`, `too_many_headers`,
/// `body_too_large`, `message_too_large`).
struct message_options {
  std::size_t max_header_bytes = 64 * 1024;  ///< start line + header fields + empty line
  std::size_t max_headers = 256;             ///< header field rows (at most 65535)
  std::size_t max_body_bytes = 16 * 1024 * 1024;
  std::size_t max_message_bytes = 16 * 1024 * 1024 + 64 * 1024;
  /// Stream transports: Content-Length is mandatory (RFC 3261 §18.3), so a
  /// message without it is `missing_content_length`, and two Content-Length
  /// rows that disagree are `conflicting_headers`. Off for datagrams, where
  /// the body is the rest of the datagram when Content-Length is absent.
  bool require_content_length = false;
  /// Check the syntax of Call-ID, CSeq (and its method against the request
  /// method), Max-Forwards and Expires while parsing. The costlier typed
  /// fields (From, To, Via, Contact, Date) are checked when first read, by
  /// their accessors, or all at once by `message_view::validate()`.
  /// Content-Length is always checked (framing depends on it). False: no
  /// typed field is checked while parsing (`validate()` still checks all).
  bool validate_known_fields = true;
};

/// One header field row as it appears in the message.
struct message_field {
  std::string_view name;   ///< as written (e.g. "v", "MaX-fOrWaRdS")
  std::string_view value;  ///< without LWS around it; folds replaced by one SP each
  std::string_view raw;    ///< the value as on the wire (folds kept), trimmed; points into it
  field id = field::unknown;
  std::size_t offset = 0;  ///< where the name starts, from the start of the input
  /// True when the value spanned several lines (then `value` is an unfolded copy).
  auto folded() const noexcept -> bool { return raw.data() != value.data(); }
};

class message_view;

namespace detail {
namespace msg {
struct message_parser;
struct fresh_view {};  // builds a view inside the result that returns it
}  // namespace msg
}  // namespace detail

/// Parses one SIP message held whole in `wire` (a datagram, or a message a
/// stream framer cut out; see `frame_message`).
///
/// Lifetime: the view points into `wire` (the few folded header values are
/// copied once, unfolded, into storage the view shares). Ownership of `wire`
/// is not transferred; the caller keeps it alive and unchanged while the
/// view is used.
///
/// Content-Length (RFC 3261 §18.3, §20.14): when present, the body is that
/// many bytes and any bytes after it are ignored (`trailing()`); more than
/// there are is `content_length_mismatch` (offset of the value). When
/// absent, the body is the rest of the input (unless
/// `message_options::require_content_length`). Rows that disagree make the
/// body the rest of the input and `content_length()` report
/// `conflicting_headers`: the message is kept for the application to refuse.
///
/// What is checked when: framing, the start line and header splitting here;
/// the cheap typed fields here too (see `message_options::validate_known_fields`);
/// From, To, Via, Contact and Date only when read (`from()`, `via()`, ...
/// return their syntax errors) or by `message_view::validate()`. A service
/// that must refuse every malformed request (RFC 4475, RFC 5118) calls
/// `validate()` after `parse_message`: the two together refuse exactly the
/// messages an all-at-once check would, with the same error (the first in
/// message order: when parsing fails, a malformed typed field before the
/// failure is the error reported).
///
/// Errors (offset from the start of `wire`): `need_more` (the header section
/// is not complete), `bad_start_line`, `bad_version`, `bad_status_code`,
/// `bad_uri` (Request-URI), `bad_line_end`, `bad_header_field`, the typed
/// errors of the fields checked here (`bad_header_value`,
/// `bad_content_length`) or, before the error, of a field left for later, `conflicting_headers`
/// (CSeq method differs from the request method, RFC 3261 §8.1.1.5), `content_length_mismatch`,
/// `missing_content_length` and the limits of `message_options`.
///
/// @par Specification RFC 3261 §7, §18.3, §20, §25; RFC 4475; RFC 5118.
/// @par Complexity Linear in the size of the header section.
SIPSAF_DECL auto parse_message(std::string_view wire, message_options const& opts)
    -> result<message_view>;
/// `parse_message(wire, message_options{})`.
SIPSAF_DECL auto parse_message(std::string_view wire) -> result<message_view>;

/// A parsed SIP request or response: start line, header fields in order,
/// body; plus typed accessors for the fields the store-and-forward service
/// uses. A typed accessor checks the syntax of what it reads and returns
/// the error (what and where) when it is malformed; `validate()` checks
/// every typed field at once.
///
/// Lifetime: a view into the input passed to `parse_message` (see there).
/// Copying a `message_view` copies the row table, not the message.
///
/// Lookup by name knows full and compact forms and ignores case
/// (RFC 3261 §7.3.1, §7.3.3): `header("i")`, `header("call-id")` and
/// `header("Call-ID")` are the same field.
class message_view {
 public:
  message_view() = default;
  explicit message_view(detail::msg::fresh_view) noexcept {}

  // --- start line ----------------------------------------------------------
  auto is_request() const noexcept -> bool { return status_ == 0; }
  auto is_response() const noexcept -> bool { return status_ != 0; }
  /// The request method as written (case-sensitive, RFC 3261 §7.1); empty for responses.
  auto method() const noexcept -> std::string_view { return method_; }
  /// The Request-URI as written; empty for responses.
  auto request_uri() const noexcept -> std::string_view { return request_uri_.text; }
  /// The Request-URI's parts (RFC 3261 §19.1).
  auto request_uri_parts() const noexcept -> uri_view const& { return request_uri_; }
  /// "SIP/2.0" as written.
  auto version() const noexcept -> std::string_view { return version_; }
  /// The status code of a response (100..699); 0 for requests.
  auto status() const noexcept -> int { return status_; }
  /// The reason phrase of a response, as written (may be empty or UTF-8).
  auto reason() const noexcept -> std::string_view { return reason_; }
  /// The start line without its CRLF.
  auto start_line() const noexcept -> std::string_view { return start_line_; }

  // --- header fields -------------------------------------------------------
  /// Every header field row in message order.
  auto headers() const noexcept -> std::vector<message_field> const& { return rows_; }
  /// The first row of `name` (full or compact form, any case), or null.
  auto find(std::string_view name) const noexcept -> message_field const* {
    field const f = field_of(name);
    if (f != field::unknown) return find(f);
    for (auto const& r : rows_)
      if (r.id == field::unknown && detail::msg::iequals(r.name, name)) return &r;
    return nullptr;
  }
  /// The first row of a known field, or null. Constant time.
  auto find(field f) const noexcept -> message_field const* {
    std::uint16_t const i = first_[static_cast<std::size_t>(f)];
    return (f == field::unknown || i == 0) ? nullptr : &rows_[i - 1u];
  }
  /// The value of the first row of `name` (unfolded), if there is one.
  auto header(std::string_view name) const noexcept -> std::optional<std::string_view> {
    message_field const* h = find(name);
    if (h == nullptr) return std::nullopt;
    return h->value;
  }
  auto header(field f) const noexcept -> std::optional<std::string_view> {
    message_field const* h = find(f);
    if (h == nullptr) return std::nullopt;
    return h->value;
  }
  /// How many rows carry `name`.
  auto count(std::string_view name) const noexcept -> std::size_t {
    field const f = field_of(name);
    if (f != field::unknown) return count_[static_cast<std::size_t>(f)];
    std::size_t n = 0;
    for (auto const& r : rows_)
      if (r.id == field::unknown && detail::msg::iequals(r.name, name)) ++n;
    return n;
  }
  /// Every row of `name`, in order.
  SIPSAF_DECL auto rows(std::string_view name) const -> std::vector<message_field const*>;
  /// The elements of all rows of a list field combined (RFC 3261 §7.3.1),
  /// each row split on commas outside quotes and angle brackets. For a
  /// field that is not a list, each row's value is one element.
  SIPSAF_DECL auto values(std::string_view name) const -> std::vector<std::string_view>;
  /// All rows of `name` joined with ", " (RFC 3261 §7.3.1); empty when none.
  SIPSAF_DECL auto combined(std::string_view name) const -> std::string;

  // --- body and framing ----------------------------------------------------
  /// The message body (Content-Length bytes when given).
  auto body() const noexcept -> std::string_view { return body_; }
  /// The whole message: leading CRLFs skipped, up to the end of the body.
  auto wire() const noexcept -> std::string_view { return wire_; }
  /// Bytes after the body that Content-Length left out (RFC 3261 §18.3:
  /// ignored in a datagram); empty normally.
  auto trailing() const noexcept -> std::string_view { return trailing_; }
  /// Bytes of the start line, the header fields and the empty line.
  auto header_size() const noexcept -> std::size_t {
    return static_cast<std::size_t>(body_.data() - wire_.data());
  }
  /// Offset of `v` (a view into the message) from the start of the input
  /// passed to `parse_message`.
  auto offset_of(std::string_view v) const noexcept -> std::size_t {
    return static_cast<std::size_t>(v.data() - input_begin_);
  }

  // --- typed fields ----------------------------------------------------------
  // Each returns `missing_header` when the field is absent (offset: the end of
  // the header section), `conflicting_headers` when a single-valued field
  // has rows that differ (offset: the second row), and the syntax error of
  // what it reads (`bad_uri`, `bad_parameter`, `bad_date`, ...). Offsets
  // count from the start of the input passed to `parse_message`.

  /// Checks the syntax of every row of every typed field (From, To,
  /// Call-ID, CSeq and its method, Via, Contact, Max-Forwards, Expires,
  /// Date), in message order, and returns the first error, or success.
  /// After it succeeds the typed accessors cannot fail on syntax.
  /// `parse_message` followed by `validate()` refuses exactly the messages
  /// RFC 3261 §25 and RFC 4475 call malformed in those fields.
  /// @par Complexity Linear in the size of the header section; no allocation.
  SIPSAF_DECL auto validate() const -> result<void>;

  /// From (RFC 3261 §20.20): display name, URI, tag.
  SIPSAF_DECL auto from() const -> result<name_addr>;
  /// To (RFC 3261 §20.39).
  SIPSAF_DECL auto to() const -> result<name_addr>;
  /// Call-ID (RFC 3261 §20.8).
  SIPSAF_DECL auto call_id() const -> result<std::string_view>;
  /// CSeq (RFC 3261 §20.16).
  SIPSAF_DECL auto cseq() const -> result<cseq_value>;
  /// Max-Forwards (RFC 3261 §20.22): 0..255.
  SIPSAF_DECL auto max_forwards() const -> result<std::uint32_t>;
  /// Expires (RFC 3261 §20.19): delta-seconds.
  SIPSAF_DECL auto expires() const -> result<std::uint32_t>;
  /// Date (RFC 3261 §20.17), RFC 1123 form.
  SIPSAF_DECL auto date() const -> result<sip_date>;
  /// Content-Length (RFC 3261 §20.14).
  SIPSAF_DECL auto content_length() const -> result<std::size_t>;
  /// All Via entries of all rows, top first (RFC 3261 §20.42).
  SIPSAF_DECL auto via() const -> result<std::vector<via_entry>>;
  /// The topmost Via entry (the branch identifies the transaction, RFC 3261 §17.2.3).
  SIPSAF_DECL auto top_via() const -> result<via_entry>;
  /// Every Contact of every row (RFC 3261 §20.10), or `star`.
  SIPSAF_DECL auto contact() const -> result<contact_list>;
  /// Content-Type (RFC 3261 §20.15) as a media type.
  SIPSAF_DECL auto content_type() const -> result<media_type>;
  /// Request-Disposition combined over all its rows, by full name or `d`
  /// (RFC 3841 §9.1, RFC 3261 §7.3.1). Empty when the message has none.
  /// Errors come from `append_request_disposition`, with offsets into the input.
  SIPSAF_DECL auto request_disposition(request_disposition_options const& opts = {}) const
      -> result<::sipsaf::request_disposition>;

  /// Content-Length value parser: 1*DIGIT (RFC 3261 §20.14).
  static SIPSAF_DECL auto parse_content_length(std::string_view v) -> result<std::size_t>;

 private:
  friend struct detail::msg::message_parser;

  SIPSAF_DECL auto missing() const -> parse_error;

  // The one row of a single-valued field, parsed (see the typed fields above).
  template <class T, class Parse>
  auto single(field f, Parse&& parse) const -> result<T>;

  char const* input_begin_ = nullptr;
  std::string_view wire_;
  std::string_view start_line_;
  std::string_view method_;
  uri_view request_uri_;
  std::string_view version_;
  int status_ = 0;
  std::string_view reason_;
  std::vector<message_field> rows_;
  std::array<std::uint16_t, field_count> first_{};  // row index + 1, 0 = none
  std::array<std::uint16_t, field_count> count_{};
  std::string_view body_;
  std::string_view trailing_;
  std::shared_ptr<std::string const> unfolded_;  // values of folded rows
};

/// A temporary `std::string` would leave the view dangling: not allowed.
template <class S, std::enable_if_t<std::is_same<S, std::string>::value, int> = 0>
auto parse_message(S&& temporary, message_options const& opts = {})
    -> result<message_view> = delete;

SIPSAF_END_NAMESPACE

#ifdef SIPSAF_HEADER_ONLY
#include <sipsaf/message/impl/message_view.ipp>
#endif

#endif  // SIPSAF_MESSAGE_MESSAGE_VIEW_HPP
