// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MIME_IMPL_MULTIPART_IPP
#define SIPSAF_MIME_IMPL_MULTIPART_IPP

#include <sipsaf/mime/multipart.hpp>

SIPSAF_BEGIN_NAMESPACE

SIPSAF_DECL auto part_view::header_fields() const noexcept -> field_list {
  auto const& n = node();
  return field_list(tree_->fields.data() + n.first_field, n.field_count);
}

SIPSAF_DECL auto part_view::header(std::string_view name) const noexcept
    -> std::optional<std::string_view> {
  for (auto const& f : header_fields())
    if (grammar::detail::iequals(f.name, name)) return f.value;
  return std::nullopt;
}

SIPSAF_DECL auto part_view::transfer_encoding() const noexcept -> std::string_view {
  return header("Content-Transfer-Encoding").value_or("7bit");
}

SIPSAF_DECL auto part_view::content_id() const noexcept -> std::string_view {
  std::string_view id = header("Content-ID").value_or("");
  if (id.size() >= 2 && id.front() == '<' && id.back() == '>') id = id.substr(1, id.size() - 2);
  return detail::trim_wsp(id);
}

SIPSAF_DECL auto part_view::disposition() const -> result<content_disposition> {
  if (auto v = header("Content-Disposition")) return parse_content_disposition(*v);
  return content_disposition{default_disposition_type(content_type()), {}};
}

SIPSAF_DECL auto part_view::decoded_body() const -> result<std::string> {
  return decode_transfer_encoding(body(), transfer_encoding());
}

SIPSAF_DECL auto part_view::parts() const noexcept -> part_list {
  auto const& n = node();
  return part_list(tree_, n.first_child, n.child_count);
}

SIPSAF_DECL auto multipart_view::find_content_id(std::string_view id) const
    -> std::optional<part_view> {
  std::string const wanted = detail::normalize_content_id(id);
  if (wanted.empty()) return std::nullopt;
  for (std::size_t i = 0; i < tree_->nodes.size(); ++i) {
    part_view const p(tree_.get(), i);
    if (p.content_id() == wanted) return p;
  }
  return std::nullopt;
}

SIPSAF_DECL auto parse_multipart(std::string_view body, std::string_view boundary,
                                 multipart_options const& options) -> result<multipart_view> {
  if (!is_valid_boundary(boundary)) return parse_error{errc::bad_boundary, 0};
  multipart_view view;
  detail::multipart_parser parser(body, options, view);
  if (auto r = parser.run(boundary, options.digest); !r) return r.error();
  return view;
}

SIPSAF_DECL auto parse_multipart(std::string_view body, std::string_view boundary)
    -> result<multipart_view> {
  return parse_multipart(body, boundary, multipart_options{});
}

SIPSAF_DECL auto parse_multipart(std::string_view body, media_type const& content_type,
                                 multipart_options const& options) -> result<multipart_view> {
  if (!content_type.is_multipart()) return parse_error{errc::bad_media_type, 0};
  auto const* b = content_type.find_param("boundary");
  if (b == nullptr || b->value.find('\\') != std::string_view::npos)
    return parse_error{errc::bad_boundary, 0};
  multipart_options o = options;
  o.digest = content_type.is("multipart", "digest");
  return parse_multipart(body, b->value, o);
}

SIPSAF_DECL auto serialize_multipart(std::vector<body_part> const& parts)
    -> result<multipart_body> {
  multipart_body m;
  for (;;) {
    m.boundary = make_boundary();
    auto r = detail::check_parts(m.boundary, parts);
    if (r) break;
    // A random boundary that occurs in the content: draw another one.
    if (r.error().code != errc::bad_boundary) return r.error();
  }
  std::size_t size = 0;
  for (auto const& p : parts) {
    size += m.boundary.size() + 8 + p.body.size();
    for (auto const& h : p.headers) size += h.name.size() + h.value.size() + 4;
  }
  m.body.reserve(size + m.boundary.size() + 6);
  auto r = serialize_multipart(std::back_inserter(m.body), m.boundary, parts);
  if (!r) return r.error();
  return m;
}

SIPSAF_DECL auto decode_transfer_encoding(std::string_view data, std::string_view encoding)
    -> result<std::string> {
  using grammar::detail::iequals;
  encoding = detail::trim_wsp(encoding);
  if (iequals(encoding, "base64")) return decode_base64(data);
  if (iequals(encoding, "quoted-printable")) return decode_quoted_printable(data);
  if (encoding.empty() || iequals(encoding, "7bit") || iequals(encoding, "8bit") ||
      iequals(encoding, "binary"))
    return std::string(data);
  return parse_error{errc::unsupported, 0};
}

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_MIME_IMPL_MULTIPART_IPP
