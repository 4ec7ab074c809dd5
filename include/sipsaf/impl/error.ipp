// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_IMPL_ERROR_IPP
#define SIPSAF_IMPL_ERROR_IPP

#include <sipsaf/error.hpp>

SIPSAF_BEGIN_NAMESPACE

namespace detail {

SIPSAF_DECL auto errc_message(errc e) -> char const* {
  switch (e) {
    case errc::need_more:
      return "input ended early";
    case errc::leftover:
      return "unexpected bytes after the element";
    case errc::empty_value:
      return "empty value";
    case errc::expected_token:
      return "token expected";
    case errc::expected_directive:
      return "directive expected";
    case errc::expected_comma:
      return "comma expected";
    case errc::expected_equal:
      return "'=' expected";
    case errc::expected_semicolon:
      return "';' expected";
    case errc::expected_slash:
      return "'/' expected";
    case errc::bad_quoted_string:
      return "malformed quoted-string";
    case errc::bad_parameter:
      return "malformed parameter";
    case errc::bad_media_type:
      return "malformed media type";
    case errc::bad_disposition:
      return "malformed Content-Disposition";
    case errc::bad_boundary:
      return "invalid multipart boundary";
    case errc::no_opening_delimiter:
      return "multipart body has no delimiter";
    case errc::no_closing_delimiter:
      return "multipart body has no close delimiter";
    case errc::bad_part_header:
      return "malformed body part header";
    case errc::bad_base64:
      return "invalid base64 input";
    case errc::bad_quoted_printable:
      return "invalid quoted-printable input";
    case errc::bad_start_line:
      return "malformed start line";
    case errc::bad_version:
      return "unsupported or malformed SIP version";
    case errc::bad_status_code:
      return "malformed status code";
    case errc::bad_header_field:
      return "malformed header field";
    case errc::bad_header_value:
      return "malformed header value";
    case errc::bad_content_length:
      return "malformed Content-Length";
    case errc::content_length_mismatch:
      return "Content-Length does not match the body";
    case errc::missing_content_length:
      return "Content-Length required on stream transports";
    case errc::conflicting_headers:
      return "conflicting header fields";
    case errc::bad_uri:
      return "malformed URI";
    case errc::bad_date:
      return "malformed Date";
    case errc::bad_line_end:
      return "bare CR or LF where CRLF is required";
    case errc::bad_xml:
      return "malformed XML";
    case errc::bad_xml_document:
      return "XML document of an unexpected shape";
    case errc::conflicting_directives:
      return "conflicting directives";
    case errc::unknown_directive:
      return "unknown directive (strict RFC 3841 mode)";
    case errc::unsupported:
      return "not supported";
    case errc::missing_header:
      return "required header field missing";
    case errc::too_many_directives:
      return "too many directives";
    case errc::too_many_parts:
      return "too many body parts";
    case errc::nesting_too_deep:
      return "nesting too deep";
    case errc::header_too_long:
      return "header section too long";
    case errc::too_many_headers:
      return "too many header fields";
    case errc::body_too_large:
      return "body too large";
    case errc::message_too_large:
      return "message too large";
    case errc::too_many_parameters:
      return "too many parameters";
    case errc::too_many_elements:
      return "too many XML elements";
  }
  return "unknown sipsaf error";
}

inline auto condition_of(errc e) -> condition {
  if (e <= errc::leftover) return condition::incomplete;
  if (e < errc::conflicting_directives) return condition::syntax;
  if (e < errc::too_many_directives) return condition::semantic;
  return condition::limit;
}

class error_category_impl final : public std::error_category {
 public:
  auto name() const noexcept -> char const* override { return "sipsaf"; }
  auto message(int ev) const -> std::string override { return errc_message(static_cast<errc>(ev)); }
  auto default_error_condition(int ev) const noexcept -> std::error_condition override;
};

class condition_category_impl final : public std::error_category {
 public:
  auto name() const noexcept -> char const* override { return "sipsaf.condition"; }
  auto message(int ev) const -> std::string override {
    switch (static_cast<condition>(ev)) {
      case condition::incomplete:
        return "incomplete input";
      case condition::syntax:
        return "syntax error";
      case condition::semantic:
        return "refused input";
      case condition::limit:
        return "limit exceeded";
    }
    return "unknown sipsaf condition";
  }
};

}  // namespace detail

SIPSAF_DECL auto error_category() noexcept -> std::error_category const& {
  static detail::error_category_impl const cat{};
  return cat;
}

SIPSAF_DECL auto condition_category() noexcept -> std::error_category const& {
  static detail::condition_category_impl const cat{};
  return cat;
}

SIPSAF_DECL auto detail::error_category_impl::default_error_condition(int ev) const noexcept
    -> std::error_condition {
  return make_error_condition(condition_of(static_cast<errc>(ev)));
}

SIPSAF_DECL auto to_string(errc e) -> char const* {
  switch (e) {
#define SIPSAF_ERRC_NAME(x) \
  case errc::x:             \
    return #x;
    SIPSAF_ERRC_NAME(need_more)
    SIPSAF_ERRC_NAME(leftover)
    SIPSAF_ERRC_NAME(empty_value)
    SIPSAF_ERRC_NAME(expected_token)
    SIPSAF_ERRC_NAME(expected_directive)
    SIPSAF_ERRC_NAME(expected_comma)
    SIPSAF_ERRC_NAME(expected_equal)
    SIPSAF_ERRC_NAME(expected_semicolon)
    SIPSAF_ERRC_NAME(expected_slash)
    SIPSAF_ERRC_NAME(bad_quoted_string)
    SIPSAF_ERRC_NAME(bad_parameter)
    SIPSAF_ERRC_NAME(bad_media_type)
    SIPSAF_ERRC_NAME(bad_disposition)
    SIPSAF_ERRC_NAME(bad_boundary)
    SIPSAF_ERRC_NAME(no_opening_delimiter)
    SIPSAF_ERRC_NAME(no_closing_delimiter)
    SIPSAF_ERRC_NAME(bad_part_header)
    SIPSAF_ERRC_NAME(bad_base64)
    SIPSAF_ERRC_NAME(bad_quoted_printable)
    SIPSAF_ERRC_NAME(bad_start_line)
    SIPSAF_ERRC_NAME(bad_version)
    SIPSAF_ERRC_NAME(bad_status_code)
    SIPSAF_ERRC_NAME(bad_header_field)
    SIPSAF_ERRC_NAME(bad_header_value)
    SIPSAF_ERRC_NAME(bad_content_length)
    SIPSAF_ERRC_NAME(content_length_mismatch)
    SIPSAF_ERRC_NAME(missing_content_length)
    SIPSAF_ERRC_NAME(conflicting_headers)
    SIPSAF_ERRC_NAME(bad_uri)
    SIPSAF_ERRC_NAME(bad_date)
    SIPSAF_ERRC_NAME(bad_line_end)
    SIPSAF_ERRC_NAME(bad_xml)
    SIPSAF_ERRC_NAME(bad_xml_document)
    SIPSAF_ERRC_NAME(conflicting_directives)
    SIPSAF_ERRC_NAME(unknown_directive)
    SIPSAF_ERRC_NAME(unsupported)
    SIPSAF_ERRC_NAME(missing_header)
    SIPSAF_ERRC_NAME(too_many_directives)
    SIPSAF_ERRC_NAME(too_many_parts)
    SIPSAF_ERRC_NAME(nesting_too_deep)
    SIPSAF_ERRC_NAME(header_too_long)
    SIPSAF_ERRC_NAME(too_many_headers)
    SIPSAF_ERRC_NAME(body_too_large)
    SIPSAF_ERRC_NAME(message_too_large)
    SIPSAF_ERRC_NAME(too_many_parameters)
    SIPSAF_ERRC_NAME(too_many_elements)
#undef SIPSAF_ERRC_NAME
  }
  return "unknown";
}

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_IMPL_ERROR_IPP
