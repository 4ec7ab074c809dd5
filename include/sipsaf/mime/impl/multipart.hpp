// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MIME_IMPL_MULTIPART_HPP
#define SIPSAF_MIME_IMPL_MULTIPART_HPP

#include <sipsaf/mime/multipart.hpp>

#include <algorithm>
#include <cstring>

SIPSAF_BEGIN_NAMESPACE
namespace detail {

/// RFC 5322 §3.6.8: ftext = %d33-57 / %d59-126 (printable, except ":").
inline constexpr grammar::detail::char_set field_name_chars =
    grammar::detail::char_set("").with_range(33, 57).with_range(59, 126);

constexpr auto is_wsp(char c) noexcept -> bool {
  return c == ' ' || c == '\t';
}

inline auto trim_wsp(std::string_view s) noexcept -> std::string_view {
  std::size_t b = 0, e = s.size();
  while (b < e && (is_wsp(s[b]) || s[b] == '\r' || s[b] == '\n')) ++b;
  while (e > b && (is_wsp(s[e - 1]) || s[e - 1] == '\r' || s[e - 1] == '\n')) --e;
  return s.substr(b, e - b);
}

/// RFC 2045 §5.2 and RFC 2046 §5.1.5: the type of a part without Content-Type.
inline auto default_part_type(bool in_digest) -> media_type {
  if (in_digest) return media_type{"message", "rfc822", {}};
  return media_type{"text", "plain", {mime_parameter{"charset", "us-ascii", false}}};
}

class multipart_parser {
 public:
  multipart_parser(std::string_view top, multipart_options const& options,
                   multipart_view& into) noexcept
      : top_(top), opt_(options), into_(into), tree_(*into.tree_) {}

  struct level {
    std::string_view preamble, epilogue;
    std::size_t first = 0, count = 0;
  };

  /// Parses the outermost level, then every nested multipart, breadth first.
  auto run(std::string_view boundary, bool digest) -> result<void> {
    // One allocation each for a typical SIP body: a few parts, a few fields.
    tree_.nodes.reserve(8);
    tree_.fields.reserve(24);
    level top;
    if (auto r = parse_level(top_, boundary, 1, digest, top); !r) return r.error();
    for (std::size_t i = 0; opt_.parse_nested && i < tree_.nodes.size(); ++i) {
      if (!tree_.nodes[i].content_type.is_multipart()) continue;
      if (auto r = parse_nested(i); !r) return r.error();
    }
    into_.top_count_ = top.count;
    into_.boundary_ = boundary;
    into_.preamble_ = top.preamble;
    into_.epilogue_ = top.epilogue;
    return {};
  }

 private:
  struct delimiter {
    std::size_t begin = 0;     // its first byte: the CR (or LF) before the dashes
    std::size_t line_end = 0;  // just past its line
    bool close = false;
  };
  enum class tail { none, found, error };

  auto offset(char const* p) const noexcept -> std::size_t {
    return static_cast<std::size_t>(p - top_.data());
  }
  auto error_at(errc code, std::string_view text, std::size_t at) const noexcept -> parse_error {
    return parse_error{code, offset(text.data()) + at};
  }

  /// Reads what follows `"--" boundary` at `after`: `--` for the close
  /// delimiter, transport padding, then the line end (RFC 2046 §5.1.1).
  /// Anything else means the line is content that happens to begin with the
  /// dash-boundary.
  auto read_tail(std::string_view text, std::size_t after, delimiter& d, parse_error& e) const
      -> tail {
    std::size_t const n = text.size();
    std::size_t k = after;
    d.close = n - k >= 2 && text[k] == '-' && text[k + 1] == '-';
    if (d.close) k += 2;
    while (k < n && is_wsp(text[k])) ++k;
    if (k == n) {
      d.line_end = n;
      return tail::found;
    }
    if (text[k] == '\r') {
      if (k + 1 < n && text[k + 1] == '\n') {
        d.line_end = k + 2;
        return tail::found;
      }
      return tail::none;
    }
    if (text[k] == '\n') {
      if (!opt_.accept_bare_lf) {
        e = error_at(errc::bad_line_end, text, k);
        return tail::error;
      }
      d.line_end = k + 1;
      return tail::found;
    }
    return tail::none;
  }

  /// The next delimiter whose LF is at or after `from`.
  auto next_delimiter(std::string_view text, delimiter_finder const& finder, std::size_t from,
                      delimiter& d) const -> result<bool> {
    for (;;) {
      std::size_t const pos = finder.find(text, from);
      if (pos == std::string_view::npos) return false;
      parse_error e;
      switch (read_tail(text, pos + finder.size(), d, e)) {
        case tail::error:
          return e;
        case tail::none:
          from = pos + 1;
          continue;
        case tail::found:
          break;
      }
      // RFC 2046 §5.1.1: the CRLF before the dashes is part of the delimiter.
      if (pos > 0 && text[pos - 1] == '\r') {
        d.begin = pos - 1;
      } else if (opt_.accept_bare_lf) {
        d.begin = pos;
      } else {
        return error_at(errc::bad_line_end, text, pos);
      }
      return true;
    }
  }

  auto parse_level(std::string_view text, std::string_view boundary, std::size_t depth, bool digest,
                   level& out) -> result<void> {
    delimiter_finder const finder(boundary);
    std::size_t const n = text.size();
    delimiter d;
    bool found = false;
    // The first delimiter may open the text, without a line end before it.
    if (n >= boundary.size() + 2 && text[0] == '-' && text[1] == '-' &&
        text.compare(2, boundary.size(), boundary) == 0) {
      parse_error e;
      switch (read_tail(text, boundary.size() + 2, d, e)) {
        case tail::error:
          return e;
        case tail::none:
          break;
        case tail::found:
          d.begin = 0, found = true;
          break;
      }
    }
    if (!found) {
      auto r = next_delimiter(text, finder, 0, d);
      if (!r) return r.error();
      if (!*r) return error_at(errc::no_opening_delimiter, text, 0);
    }
    if (d.close) return error_at(errc::no_opening_delimiter, text, d.begin);
    out.preamble = text.substr(0, d.begin);
    out.first = tree_.nodes.size();
    delimiter next;
    for (;;) {
      std::size_t const start = d.line_end;
      std::size_t const opened_at = d.begin;
      bool more = false;
      if (start > 0) {  // the LF that ends this delimiter line may begin the next one
        auto r = next_delimiter(text, finder, start - 1, next);
        if (!r) return r.error();
        more = *r;
      }
      if (!more && !opt_.accept_missing_close) return error_at(errc::no_closing_delimiter, text, n);
      std::size_t const end = more ? std::max(start, next.begin) : n;
      if (auto r = add_part(text, opened_at, text.substr(start, end - start), depth, digest); !r)
        return r.error();
      if (!more) {
        out.epilogue = text.substr(n, 0);
        break;
      }
      if (next.close) {
        out.epilogue = text.substr(next.line_end);
        break;
      }
      d = next;
    }
    out.count = tree_.nodes.size() - out.first;
    return {};
  }

  /// Splits one part into header fields and body (RFC 2045 §3; RFC 5322 §2.2).
  auto add_part(std::string_view text, std::size_t opened_at, std::string_view content,
                std::size_t depth, bool digest) -> result<void> {
    if (tree_.nodes.size() >= opt_.max_parts)
      return error_at(errc::too_many_parts, text, opened_at);
    part_node node;
    node.content = content;
    node.depth = depth;
    node.first_field = tree_.fields.size();
    std::size_t const n = content.size();
    std::size_t const limit = opt_.max_header_bytes;
    char const* const s = content.data();
    std::size_t i = 0;
    auto fail = [&](errc code, std::size_t at) { return error_at(code, content, at); };
    for (;;) {
      if (i == n) {  // headers only, no blank line: the body is empty
        node.header = content;
        node.body = content.substr(n);
        break;
      }
      if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') {
        node.header = content.substr(0, i);
        node.body = content.substr(i + 2);
        break;
      }
      if (s[i] == '\n') {
        if (!opt_.accept_bare_lf) return fail(errc::bad_line_end, i);
        node.header = content.substr(0, i);
        node.body = content.substr(i + 1);
        break;
      }
      // field = field-name *WSP ":" unstructured CRLF  (WSP before ":" is obsolete syntax)
      std::size_t const window = std::min(n, limit);
      std::size_t j = i;
      while (j < window && field_name_chars(s[j])) ++j;
      std::size_t k = j;
      while (k < window && is_wsp(s[k])) ++k;
      if (k == window && window < n) return fail(errc::header_too_long, limit);
      if (j == i) return fail(errc::bad_part_header, i);
      if (k == n || s[k] != ':') return fail(errc::bad_part_header, k);
      std::size_t const value_begin = k + 1;
      // The field ends at a line end not followed by WSP (RFC 5322 §2.2.3 folding).
      std::size_t e = value_begin, value_end = n, next_line = n;
      for (;;) {
        // The header section, line ends included, may not pass `limit`.
        void const* hit = e < window ? std::memchr(s + e, '\n', window - e) : nullptr;
        if (hit == nullptr) {
          if (window < n) return fail(errc::header_too_long, limit);
          value_end = next_line = n;
          break;
        }
        std::size_t const lf = static_cast<std::size_t>(static_cast<char const*>(hit) - s);
        bool const crlf = lf > 0 && s[lf - 1] == '\r';
        if (!crlf && !opt_.accept_bare_lf) return fail(errc::bad_line_end, lf);
        if (lf + 1 < n && is_wsp(s[lf + 1])) {
          e = lf + 1;
          continue;
        }
        value_end = crlf ? lf - 1 : lf;
        next_line = lf + 1;
        break;
      }
      tree_.fields.push_back(
          header_field{content.substr(i, j - i),
                       trim_wsp(content.substr(value_begin, value_end - value_begin))});
      i = next_line;
    }
    node.field_count = tree_.fields.size() - node.first_field;
    for (std::size_t f = node.first_field; f < tree_.fields.size(); ++f) {
      if (!grammar::detail::iequals(tree_.fields[f].name, "Content-Type")) continue;
      std::string_view const value = tree_.fields[f].value;
      auto ct = parse_media_type(value);
      if (!ct) return ct.error().rebased(offset(value.data()));
      node.content_type = std::move(*ct);
      node.has_content_type = true;
      break;
    }
    if (!node.has_content_type) node.content_type = default_part_type(digest);
    tree_.nodes.push_back(std::move(node));
    return {};
  }

  /// Parses the body of node `i`, a multipart, and appends its parts.
  auto parse_nested(std::size_t i) -> result<void> {
    part_node const& node = tree_.nodes[i];
    std::size_t const depth = node.depth + 1;
    std::string_view const body = node.body;
    auto const* b = node.content_type.find_param("boundary");
    if (b == nullptr || b->value.find('\\') != std::string_view::npos ||
        !is_valid_boundary(b->value)) {
      auto const ct = std::find_if(
          tree_.fields.begin() + static_cast<std::ptrdiff_t>(node.first_field),
          tree_.fields.begin() + static_cast<std::ptrdiff_t>(node.first_field + node.field_count),
          [](header_field const& f) { return grammar::detail::iequals(f.name, "Content-Type"); });
      return parse_error{errc::bad_boundary, offset(b ? b->value.data() : ct->value.data())};
    }
    std::string_view const boundary = b->value;
    if (depth > opt_.max_depth) return parse_error{errc::nesting_too_deep, offset(body.data())};
    bool const digest = node.content_type.is("multipart", "digest");
    level nested;
    if (auto r = parse_level(body, boundary, depth, digest, nested); !r) return r.error();
    part_node& parent = tree_.nodes[i];  // the vector may have grown
    parent.nested = true;
    parent.boundary = boundary;
    parent.preamble = nested.preamble;
    parent.epilogue = nested.epilogue;
    parent.first_child = nested.first;
    parent.child_count = nested.count;
    return {};
  }

  std::string_view top_;
  multipart_options const& opt_;
  multipart_view& into_;
  part_tree& tree_;
};

/// `"cid:"` URL (RFC 2392) or msg-id text to the bare Content-ID.
inline auto normalize_content_id(std::string_view id) -> std::string {
  id = trim_wsp(id);
  std::string out;
  if (id.size() >= 4 && grammar::detail::iequals(id.substr(0, 4), "cid:")) {
    id.remove_prefix(4);
    for (std::size_t i = 0; i < id.size(); ++i) {
      if (id[i] == '%' && i + 2 < id.size() && hex_value(id[i + 1]) >= 0 &&
          hex_value(id[i + 2]) >= 0) {
        out.push_back(static_cast<char>(hex_value(id[i + 1]) * 16 + hex_value(id[i + 2])));
        i += 2;
      } else {
        out.push_back(id[i]);
      }
    }
  } else {
    out.assign(id.data(), id.size());
  }
  if (out.size() >= 2 && out.front() == '<' && out.back() == '>')
    out = out.substr(1, out.size() - 2);
  return std::string(trim_wsp(out));
}

/// Checks one header line of a part to serialize; returns false if it could
/// inject a line (a CR or LF that does not fold) or has a bad name.
inline auto valid_header(header_field const& h) noexcept -> bool {
  if (h.name.empty()) return false;
  for (char c : h.name)
    if (!field_name_chars(c)) return false;
  std::string_view const v = h.value;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\n') return false;
    if (v[i] == '\r') {
      if (i + 2 >= v.size() || v[i + 1] != '\n' || !is_wsp(v[i + 2])) return false;
      ++i;
    }
  }
  return true;
}

/// Checks `parts` against `boundary`; the error offsets are those of the
/// output `serialize_multipart` would write.
inline auto check_parts(std::string_view boundary, std::vector<body_part> const& parts)
    -> result<void> {
  if (!is_valid_boundary(boundary)) return parse_error{errc::bad_boundary, 0};
  std::size_t off = 0;
  std::string line;
  for (auto const& part : parts) {
    off += boundary.size() + 4;  // "--" boundary CRLF
    std::size_t const part_off = off;
    for (auto const& h : part.headers) {
      if (!valid_header(h)) return parse_error{errc::bad_header_field, off};
      line.assign(h.name.data(), h.name.size());
      line += ": ";
      line.append(h.value.data(), h.value.size());
      if (!boundary_absent(boundary, line)) return parse_error{errc::bad_boundary, part_off};
      off += line.size() + 2;
    }
    off += 2;
    if (!boundary_absent(boundary, part.body)) return parse_error{errc::bad_boundary, part_off};
    off += part.body.size() + 2;
  }
  return {};
}

}  // namespace detail

template <class OutputIt>
auto serialize_multipart(OutputIt out, std::string_view boundary,
                         std::vector<body_part> const& parts) -> result<OutputIt> {
  if (auto r = detail::check_parts(boundary, parts); !r) return r.error();
  auto put = [&](std::string_view s) { out = detail::put(out, s); };
  for (auto const& part : parts) {
    put("--");
    put(boundary);
    put("\r\n");
    for (auto const& h : part.headers) {
      put(h.name);
      put(": ");
      put(h.value);
      put("\r\n");
    }
    put("\r\n");
    put(part.body);
    put("\r\n");
  }
  put("--");
  put(boundary);
  put("--\r\n");
  return out;
}

SIPSAF_END_NAMESPACE

#endif
