// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MIME_CPIM_HPP
#define SIPSAF_MIME_CPIM_HPP

/// @file
/// `message/cpim` bodies (RFC 3862): the message headers (with the
/// namespaces declared by `NS`), then the encapsulated MIME object (its
/// header fields and content). Clients wrap instant messages in CPIM to
/// carry a message id and a request for disposition notifications
/// (RFC 5438 §6: `imdn.Message-ID`, `imdn.Disposition-Notification`), and
/// send their notifications the same way (RFC 5438 §7.1).
///
/// @par Layout (RFC 3862 §2, §3)
/// @code
///   cpim-body    = *( header-line ) CRLF  mime-object
///   header-line  = [ prefix "." ] name ":" SP value CRLF
///   NS           = "NS:" SP [ prefix SP ] "<" URI ">"
///   mime-object  = *( mime-header CRLF ) CRLF content
/// @endcode
/// How sipsaf reads it: a bare LF ends a line as CRLF does (senders differ);
/// header names compare case-insensitively; a prefix with no `NS`
/// declaration before it keeps an empty namespace; a header line without a
/// colon is `errc::bad_header_field` at its start. At most
/// `cpim_max_headers` lines in each of the two header sections
/// (`errc::too_many_headers`).

#include <sipsaf/ascii.hpp>
#include <sipsaf/config.hpp>
#include <sipsaf/error.hpp>
#include <sipsaf/grammar/detail/chars.hpp>
#include <sipsaf/mime/media_type.hpp>
#include <sipsaf/result.hpp>

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

SIPSAF_BEGIN_NAMESPACE

/// The IMDN namespace of CPIM headers (RFC 5438 §6.1).
inline constexpr std::string_view imdn_namespace = "urn:ietf:params:imdn";

/// Header lines in one section of a CPIM body, at most.
inline constexpr std::size_t cpim_max_headers = 64;

/// One CPIM message header: `imdn.Message-ID: 34jk324j` has prefix `imdn`,
/// the namespace its `NS` line declared, name `Message-ID` and value
/// `34jk324j`. Views into the parsed body.
struct cpim_header {
  std::string_view prefix;         ///< empty for the default namespace
  std::string_view namespace_uri;  ///< the URI declared for `prefix`; empty if none
  std::string_view name;
  std::string_view value;  ///< without leading and trailing blanks
};

/// One MIME header field of the encapsulated object.
struct cpim_field {
  std::string_view name;
  std::string_view value;
};

/// A parsed `message/cpim` body. Every view points into the body that was
/// parsed; the caller keeps it alive and unchanged.
struct cpim_message {
  std::vector<cpim_header> headers;        ///< the message headers, in order
  std::vector<cpim_field> content_fields;  ///< the MIME headers of the content
  std::string_view content_type_text;      ///< as written; empty when absent
  media_type content_type;                 ///< parsed; text/plain when absent (RFC 2045 §5.2)
  std::string_view content;                ///< the encapsulated content, to the end of the body

  /// The value of the first message header `name` in namespace `ns` (the
  /// default namespace when `ns` is empty), or nothing.
  auto header(std::string_view ns, std::string_view name) const noexcept
      -> std::optional<std::string_view> {
    for (cpim_header const& h : headers) {
      bool const in_ns = ns.empty() ? h.prefix.empty() : h.namespace_uri == ns;
      if (in_ns && iequals(h.name, name)) return h.value;
    }
    return std::nullopt;
  }

  /// The value of the first content header field `name`, or nothing.
  auto field(std::string_view name) const noexcept -> std::optional<std::string_view> {
    for (cpim_field const& f : content_fields)
      if (iequals(f.name, name)) return f.value;
    return std::nullopt;
  }

  /// `imdn.Message-ID` (RFC 5438 §6.3), or nothing.
  auto imdn_message_id() const noexcept -> std::optional<std::string_view> {
    return header(imdn_namespace, "Message-ID");
  }

  /// `imdn.Disposition-Notification` (RFC 5438 §6.2), or nothing.
  auto imdn_disposition_notification() const noexcept -> std::optional<std::string_view> {
    return header(imdn_namespace, "Disposition-Notification");
  }
};

namespace detail::cpim {

inline auto trim(std::string_view s) noexcept -> std::string_view {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The next line of `body` from `at` without its end (CRLF or LF); `at`
// moves past it. Nothing when the body ends without a line end.
inline auto next_line(std::string_view body, std::size_t& at) noexcept
    -> std::optional<std::string_view> {
  auto const lf = body.find('\n', at);
  if (lf == std::string_view::npos) return std::nullopt;
  std::string_view line = body.substr(at, lf - at);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  at = lf + 1;
  return line;
}

// `name: value` with a name of token characters (RFC 3862 §3.1).
inline auto split_field(std::string_view line, std::string_view& name,
                        std::string_view& value) noexcept -> bool {
  auto const colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  name = line.substr(0, colon);
  for (char c : name)
    if (!grammar::detail::token_chars(c)) return false;
  value = trim(line.substr(colon + 1));
  return true;
}

}  // namespace detail::cpim

/// Parses a `message/cpim` body (RFC 3862 §3).
///
/// Errors: `need_more` (offset: the end) when the body ends before the
/// blank line after the message headers; `bad_header_field` at a line that
/// is not `name: value` (a line that starts with a blank, which CPIM does
/// not fold, included); `too_many_headers` at the line past the limit;
/// `bad_media_type` and the others of `parse_media_type` for the content's
/// Content-Type, offset within the body.
///
/// @par Complexity Linear in `body.size()`.
inline auto parse_cpim(std::string_view body) -> result<cpim_message> {
  namespace d = detail::cpim;
  cpim_message m;
  struct ns_decl {
    std::string_view prefix, uri;
  };
  std::vector<ns_decl> spaces;
  std::size_t at = 0;
  for (;;) {  // the message headers, to the blank line
    std::size_t const start = at;
    auto line = d::next_line(body, at);
    if (!line) return parse_error{errc::need_more, body.size()};
    if (line->empty()) break;
    if (m.headers.size() == cpim_max_headers) return parse_error{errc::too_many_headers, start};
    std::string_view name, value;
    if (!d::split_field(*line, name, value)) return parse_error{errc::bad_header_field, start};
    cpim_header h;
    h.value = value;
    // `prefix.name`: a token may hold dots, the first one ends the prefix,
    // and a name must follow it (RFC 3862 §3.2).
    if (auto const dot = name.find('.'); dot != std::string_view::npos && dot > 0) {
      if (dot + 1 == name.size()) return parse_error{errc::bad_header_field, start};
      h.prefix = name.substr(0, dot);
      h.name = name.substr(dot + 1);
      for (auto it = spaces.rbegin(); it != spaces.rend(); ++it)
        if (it->prefix == h.prefix) {
          h.namespace_uri = it->uri;
          break;
        }
    } else {
      h.name = name;
    }
    if (h.prefix.empty() && iequals(h.name, "NS")) {
      // NS: [prefix SP] "<" URI ">" (RFC 3862 §3.3.1)
      auto const lt = value.find('<');
      auto const gt = value.rfind('>');
      if (lt == std::string_view::npos || gt == std::string_view::npos || gt < lt)
        return parse_error{errc::bad_header_value, start + (value.data() - line->data())};
      spaces.push_back({d::trim(value.substr(0, lt)), value.substr(lt + 1, gt - lt - 1)});
    }
    m.headers.push_back(h);
  }
  for (;;) {  // the MIME headers of the content, to the blank line
    std::size_t const start = at;
    auto line = d::next_line(body, at);
    if (!line) {  // no blank line: headers to the end, no content
      at = body.size();
      break;
    }
    if (line->empty()) break;
    if (m.content_fields.size() == cpim_max_headers)
      return parse_error{errc::too_many_headers, start};
    std::string_view name, value;
    if (!d::split_field(*line, name, value)) return parse_error{errc::bad_header_field, start};
    m.content_fields.push_back({name, value});
  }
  m.content = body.substr(at);
  if (auto ct = m.field("Content-Type")) {
    m.content_type_text = *ct;
    auto parsed = parse_media_type(*ct);
    if (!parsed) return parsed.error().rebased(static_cast<std::size_t>(ct->data() - body.data()));
    m.content_type = std::move(*parsed);
  } else {
    m.content_type = media_type{"text", "plain", {}};
  }
  return m;
}

/// Deleted: the result would point into a temporary string.
template <class S, class = detail::if_temporary_string<S>>
auto parse_cpim(S&& temporary) -> result<cpim_message> = delete;

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_MIME_CPIM_HPP
