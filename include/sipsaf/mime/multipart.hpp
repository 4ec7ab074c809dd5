// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MIME_MULTIPART_HPP
#define SIPSAF_MIME_MULTIPART_HPP

/// @file
/// Multipart bodies (RFC 2046 §5.1; RFC 5621 for SIP): a zero-copy parser
/// that walks nested multiparts, and a serializer whose boundary is
/// guaranteed not to occur in the parts.
///
/// @par BNF (RFC 2046 §5.1.1)
/// @code
///   multipart-body    := [preamble CRLF] dash-boundary transport-padding CRLF
///                        body-part *encapsulation
///                        close-delimiter transport-padding [CRLF epilogue]
///   dash-boundary     := "--" boundary
///   encapsulation     := delimiter transport-padding CRLF body-part
///   delimiter         := CRLF dash-boundary
///   close-delimiter   := delimiter "--"
///   transport-padding := *LWSP-char          ; SP / HTAB
///   body-part         := MIME-part-headers [CRLF *OCTET]
/// @endcode
/// How sipsaf reads it:
/// - A delimiter is recognised only at the start of a line, and only when
///   the rest of its line is transport padding (or `--` and padding for the
///   close delimiter): a line that merely begins with `--boundary` is
///   content. The CRLF before a delimiter belongs to it, not to the part.
/// - Two delimiter lines in a row enclose an empty part.
/// - A part without Content-Type is `text/plain; charset=us-ascii`, or
///   `message/rfc822` directly inside `multipart/digest` (RFC 2046 §5.1.5).
/// - A part whose Content-Type is `multipart/*` is parsed in turn, with its
///   own boundary, down to `multipart_options::max_depth` levels.

#include <sipsaf/config.hpp>
#include <sipsaf/error.hpp>
#include <sipsaf/mime/base64.hpp>
#include <sipsaf/mime/boundary.hpp>
#include <sipsaf/mime/content_disposition.hpp>
#include <sipsaf/mime/media_type.hpp>
#include <sipsaf/mime/quoted_printable.hpp>
#include <sipsaf/result.hpp>

#include <cstddef>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

SIPSAF_BEGIN_NAMESPACE

/// How `parse_multipart` reads a body, and its limits. Each limit has a
/// safe default and its own error code.
struct multipart_options {
  /// Also accept a bare LF where CRLF is required (delimiter lines, part
  /// headers). Off: a bare LF there is `errc::bad_line_end`.
  bool accept_bare_lf = false;
  /// Accept a body that ends without the close delimiter: the last part then
  /// runs to the end. Off: `errc::no_closing_delimiter` at the end.
  bool accept_missing_close = false;
  /// The body is `multipart/digest`: its parts default to `message/rfc822`.
  bool digest = false;
  /// Parse parts of type `multipart/*` into their own parts. Off: they are
  /// ordinary parts with an opaque body.
  bool parse_nested = true;
  /// Body parts in the whole tree, nested ones included; one more is
  /// `errc::too_many_parts` at the delimiter that opens it.
  std::size_t max_parts = 256;
  /// Multipart levels, the outermost being 1; a multipart part that would
  /// open one level more is `errc::nesting_too_deep` at its body.
  std::size_t max_depth = 8;
  /// Bytes in the header section of one part; more is
  /// `errc::header_too_long` at the first byte past the limit.
  std::size_t max_header_bytes = 8192;
};

/// One header field of a body part. `value` is the text after the colon,
/// without leading and trailing whitespace, folded lines kept as written.
struct header_field {
  std::string_view name;
  std::string_view value;
};

class part_view;
class part_list;

namespace detail {

/// A parsed part. Kept in one flat vector per tree, children contiguous.
struct part_node {
  std::string_view content;  // headers, blank line and body
  std::string_view header;   // the header section, without the blank line
  std::string_view body;     // the raw body
  media_type content_type;   // declared, or the default
  bool has_content_type = false;
  bool nested = false;  // children were parsed
  std::size_t depth = 1;
  std::size_t first_field = 0, field_count = 0;
  std::size_t first_child = 0, child_count = 0;
  std::string_view boundary, preamble, epilogue;  // when nested
};

class multipart_parser;

struct part_tree {
  std::vector<part_node> nodes;
  std::vector<header_field> fields;
};

}  // namespace detail

/// The header fields of a part: a random-access range of `header_field`.
class field_list {
 public:
  using value_type = header_field;
  using iterator = header_field const*;
  using const_iterator = header_field const*;

  field_list() = default;
  field_list(header_field const* first, std::size_t count) noexcept
      : first_(first), count_(count) {}

  auto begin() const noexcept -> iterator { return first_; }
  auto end() const noexcept -> iterator { return first_ + count_; }
  auto size() const noexcept -> std::size_t { return count_; }
  auto empty() const noexcept -> bool { return count_ == 0; }
  auto operator[](std::size_t i) const noexcept -> header_field const& { return first_[i]; }

 private:
  header_field const* first_ = nullptr;
  std::size_t count_ = 0;
};

/// One body part of a parsed multipart body.
///
/// A view: every `std::string_view` it returns points into the body that was
/// parsed, and the part itself refers to the `multipart_view` it came from.
/// Both must outlive it. Cheap to copy.
class part_view {
 public:
  /// The header fields in order. Complexity: constant.
  SIPSAF_DECL auto header_fields() const noexcept -> field_list;

  /// The value of the first header field called `name` (case-insensitive,
  /// RFC 2045 §3), or nothing. Complexity: linear in the field count.
  SIPSAF_DECL auto header(std::string_view name) const noexcept -> std::optional<std::string_view>;

  /// The header section as written, without the blank line after it.
  auto header_section() const noexcept -> std::string_view { return node().header; }

  /// The raw body: the bytes after the blank line, up to the CRLF of the next
  /// delimiter; not transfer-decoded. Empty for a part with headers only.
  auto body() const noexcept -> std::string_view { return node().body; }

  /// All bytes of the part: headers, blank line and body.
  auto content() const noexcept -> std::string_view { return node().content; }

  /// The Content-Type, or the default when the part declares none (RFC 2045
  /// §5.2: `text/plain; charset=us-ascii`; `message/rfc822` directly inside
  /// `multipart/digest`). Its views point into the body or static storage.
  auto content_type() const noexcept -> media_type const& { return node().content_type; }

  /// True when the part has its own Content-Type field.
  auto has_content_type() const noexcept -> bool { return node().has_content_type; }

  /// The Content-Transfer-Encoding token, `7bit` when absent (RFC 2045 §6.1).
  SIPSAF_DECL auto transfer_encoding() const noexcept -> std::string_view;

  /// The Content-ID without its angle brackets (RFC 2045 §7), or empty.
  SIPSAF_DECL auto content_id() const noexcept -> std::string_view;

  /// The Content-Disposition parsed; without the field, one of the default
  /// type for the Content-Type (RFC 5621 §3.2) and no parameters.
  /// Errors as `parse_content_disposition`, offsets within the field value.
  SIPSAF_DECL auto disposition() const -> result<content_disposition>;

  /// The body with its Content-Transfer-Encoding undone: base64 and
  /// quoted-printable are decoded; 7bit, 8bit and binary pass through.
  /// Errors: those of the decoder, offsets within `body()`;
  /// `errc::unsupported` (offset 0) for any other encoding.
  SIPSAF_DECL auto decoded_body() const -> result<std::string>;

  /// 1 for a part of the outermost multipart, 2 one level in, and so on.
  auto depth() const noexcept -> std::size_t { return node().depth; }

  /// True when the part is itself a multipart whose parts were parsed.
  auto is_multipart() const noexcept -> bool { return node().nested; }

  /// The parts of a nested multipart; empty unless `is_multipart()`.
  SIPSAF_DECL auto parts() const noexcept -> part_list;

  /// For a nested multipart: its boundary, preamble and epilogue.
  auto boundary() const noexcept -> std::string_view { return node().boundary; }
  auto preamble() const noexcept -> std::string_view { return node().preamble; }
  auto epilogue() const noexcept -> std::string_view { return node().epilogue; }

  friend auto operator==(part_view a, part_view b) noexcept -> bool {
    return a.tree_ == b.tree_ && a.index_ == b.index_;
  }
  friend auto operator!=(part_view a, part_view b) noexcept -> bool { return !(a == b); }

 private:
  friend class part_list;
  friend class multipart_view;
  part_view(detail::part_tree const* tree, std::size_t index) noexcept
      : tree_(tree), index_(index) {}
  auto node() const noexcept -> detail::part_node const& { return tree_->nodes[index_]; }

  detail::part_tree const* tree_ = nullptr;
  std::size_t index_ = 0;
};

/// The parts of one multipart level: a range of `part_view` (values).
class part_list {
 public:
  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = part_view;
    using difference_type = std::ptrdiff_t;
    using reference = part_view;
    using pointer = void;

    iterator() = default;
    auto operator*() const noexcept -> part_view { return part_view(tree_, index_); }
    auto operator++() noexcept -> iterator& { return ++index_, *this; }
    auto operator++(int) noexcept -> iterator { return iterator(tree_, index_++); }
    friend auto operator==(iterator a, iterator b) noexcept -> bool { return a.index_ == b.index_; }
    friend auto operator!=(iterator a, iterator b) noexcept -> bool { return a.index_ != b.index_; }

   private:
    friend class part_list;
    iterator(detail::part_tree const* tree, std::size_t index) noexcept
        : tree_(tree), index_(index) {}
    detail::part_tree const* tree_ = nullptr;
    std::size_t index_ = 0;
  };
  using const_iterator = iterator;
  using value_type = part_view;

  part_list() = default;

  auto begin() const noexcept -> iterator { return iterator(tree_, first_); }
  auto end() const noexcept -> iterator { return iterator(tree_, first_ + count_); }
  auto size() const noexcept -> std::size_t { return count_; }
  auto empty() const noexcept -> bool { return count_ == 0; }
  /// Precondition: `i < size()`.
  auto operator[](std::size_t i) const noexcept -> part_view {
    return part_view(tree_, first_ + i);
  }

 private:
  friend class part_view;
  friend class multipart_view;
  part_list(detail::part_tree const* tree, std::size_t first, std::size_t count) noexcept
      : tree_(tree), first_(first), count_(count) {}

  detail::part_tree const* tree_ = nullptr;
  std::size_t first_ = 0;
  std::size_t count_ = 0;
};

/// A parsed multipart body: a range of its top-level `part_view`s, plus the
/// preamble, epilogue and boundary; nested parts hang below their parent.
///
/// Lifetime: all views point into the body passed to `parse_multipart`;
/// the caller keeps it alive and unchanged. The parts refer to storage that
/// this object shares with its copies (moving or copying it keeps the parts
/// valid while any copy lives).
class multipart_view {
 public:
  using iterator = part_list::iterator;
  using const_iterator = iterator;
  using value_type = part_view;

  multipart_view() : tree_(std::make_shared<detail::part_tree>()) {}

  auto parts() const noexcept -> part_list { return part_list(tree_.get(), 0, top_count_); }
  auto begin() const noexcept -> iterator { return parts().begin(); }
  auto end() const noexcept -> iterator { return parts().end(); }
  auto size() const noexcept -> std::size_t { return top_count_; }
  auto empty() const noexcept -> bool { return top_count_ == 0; }
  /// Precondition: `i < size()`.
  auto operator[](std::size_t i) const noexcept -> part_view { return part_view(tree_.get(), i); }

  auto boundary() const noexcept -> std::string_view { return boundary_; }
  /// The bytes before the first delimiter (without the CRLF that belongs to it).
  auto preamble() const noexcept -> std::string_view { return preamble_; }
  /// The bytes after the line of the close delimiter.
  auto epilogue() const noexcept -> std::string_view { return epilogue_; }

  /// Every part of the tree, nested ones included: top-level parts first,
  /// then each level in turn (breadth first).
  auto all_parts() const noexcept -> part_list {
    return part_list(tree_.get(), 0, tree_->nodes.size());
  }

  /// The part whose Content-ID is `id`, searched in the whole tree (breadth
  /// first), or nothing. `id` may be written `<x@y>`, `x@y` or as a `cid:`
  /// URL (RFC 2392, %-escapes decoded). Complexity: linear in the parts.
  SIPSAF_DECL auto find_content_id(std::string_view id) const -> std::optional<part_view>;

 private:
  friend class detail::multipart_parser;
  std::shared_ptr<detail::part_tree> tree_;
  std::size_t top_count_ = 0;
  std::string_view boundary_, preamble_, epilogue_;
};

/// Splits a multipart body into its parts, without copying.
///
/// `body` is the message body (or a part's body); `boundary` the value of
/// the Content-Type's `boundary` parameter, without quotes. Each part gets
/// its header fields, raw body and Content-Type; parts of type
/// `multipart/*` are parsed in turn (see `multipart_options`).
///
/// Lifetime: the result points into `body` and `boundary`; the caller
/// keeps both alive and unchanged.
///
/// Errors (offsets into `body`; 0 for a bad `boundary`):
/// `bad_boundary` (not 1-70 bchars; or a nested multipart without a valid
/// boundary, at its Content-Type value; bchars need no quoted-pairs, so a
/// boundary written with one is refused too), `no_opening_delimiter`,
/// `no_closing_delimiter` (at the end of the body, or of the nested part),
/// `bad_line_end`, `bad_part_header`, the errors of `parse_media_type` for
/// a part's Content-Type, `too_many_parts`, `nesting_too_deep`,
/// `header_too_long`.
///
/// @par Example
/// @code
///   auto ct = sipsaf::parse_media_type(content_type_value).value();
///   auto mp = sipsaf::parse_multipart(body, *ct.param("boundary"));
///   if (!mp) return mp.error();
///   for (sipsaf::part_view part : *mp)
///     if (part.content_type().is("application", "sdp")) use_sdp(part.body());
/// @endcode
///
/// @par Specification RFC 2046 §5.1; RFC 2045 §5.2; RFC 5621 §3.
/// @par Complexity Linear in `body.size()`: one bulk scan for delimiters
/// per level (the C library's vectorised `memchr` for `-`, see
/// `detail::delimiter_finder`), plus the header sections; a nested body is
/// scanned again at its own level, so each byte at most `max_depth` times.
/// Allocations: the shared part storage, and a parameter list per
/// Content-Type with parameters.
SIPSAF_DECL auto parse_multipart(std::string_view body, std::string_view boundary,
                                 multipart_options const& options) -> result<multipart_view>;

/// `parse_multipart` with the default options.
SIPSAF_DECL auto parse_multipart(std::string_view body, std::string_view boundary)
    -> result<multipart_view>;

/// Deleted: the result would point into a temporary string.
template <class S, class = detail::if_temporary_string<S>>
auto parse_multipart(S&& temporary, std::string_view boundary,
                     multipart_options const& options = {}) -> result<multipart_view> = delete;
template <class S, class = detail::if_temporary_string<S>>
auto parse_multipart(S&& temporary, media_type const& content_type,
                     multipart_options const& options = {}) -> result<multipart_view> = delete;

/// `parse_multipart` with the boundary and the digest flag taken from the
/// body's Content-Type. Errors: `bad_media_type` (offset 0) when the type is
/// not `multipart/*`, `bad_boundary` (offset 0) when it has no valid
/// boundary; then as above.
SIPSAF_DECL auto parse_multipart(std::string_view body, media_type const& content_type,
                                 multipart_options const& options = {}) -> result<multipart_view>;

/// A body part to serialize: header fields written in order as
/// `name: value` lines, then a blank line and the body as it is.
struct body_part {
  std::vector<header_field> headers;
  std::string_view body;
};

/// Writes a multipart body with `boundary`: each part after a delimiter
/// line, the close delimiter and a final CRLF; no preamble or epilogue.
///
/// Checks first and writes nothing on error: `bad_boundary` at offset 0 if
/// `boundary` is not valid; `bad_boundary` at the would-be output offset of
/// the part (its first header byte) whose bytes contain `"--" boundary`;
/// `bad_header_field` at the output offset of a header whose name is not
/// a field name (RFC 5322 ftext) or whose value holds a line end that is not
/// folding (which would inject a header or a delimiter).
/// `parse_multipart(out, boundary)` gives back the same parts.
///
/// @par Specification RFC 2046 §5.1.1.
/// @par Complexity Linear in the size of the parts.
template <class OutputIt>
auto serialize_multipart(OutputIt out, std::string_view boundary,
                         std::vector<body_part> const& parts) -> result<OutputIt>;

/// A serialized multipart body and the boundary it uses.
struct multipart_body {
  std::string boundary;
  std::string body;
  /// `multipart/<subtype>;boundary=<boundary>`, for the Content-Type field.
  auto content_type(std::string_view subtype = "mixed") const -> std::string {
    return "multipart/" + std::string(subtype) + ";boundary=" + boundary;
  }
};

/// Serializes `parts` with a fresh `make_boundary()` that does not occur in
/// any of them (checked; drawn again in the unlikely case it does).
/// Errors: `bad_header_field` as above.
/// @par Complexity Linear in the size of the parts (expected).
SIPSAF_DECL auto serialize_multipart(std::vector<body_part> const& parts) -> result<multipart_body>;

/// Undoes a Content-Transfer-Encoding (RFC 2045 §6): `base64` and
/// `quoted-printable` are decoded, `7bit`, `8bit` and `binary` (and an empty
/// name) copy the bytes; names are case-insensitive. Errors: the decoder's;
/// `errc::unsupported` at offset 0 for another encoding.
SIPSAF_DECL auto decode_transfer_encoding(std::string_view data, std::string_view encoding)
    -> result<std::string>;

SIPSAF_END_NAMESPACE

#include <sipsaf/mime/impl/multipart.hpp>

#ifdef SIPSAF_HEADER_ONLY
#include <sipsaf/mime/impl/multipart.ipp>
#endif

#endif  // SIPSAF_MIME_MULTIPART_HPP
