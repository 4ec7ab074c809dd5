// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_GATEWAY_IMPL_PAYLOAD_IPP
#define SIPSAF_GATEWAY_IMPL_PAYLOAD_IPP

#include <sipsaf/gateway/payload.hpp>

SIPSAF_BEGIN_NAMESPACE

namespace detail {
namespace gw {

/// A name that is safe as a file name anywhere: no directories, no controls,
/// valid UTF-8, at most 100 bytes (cut at a character boundary).
inline auto safe_filename(std::string_view raw) -> std::string {
  std::size_t const slash = raw.find_last_of("/\\");
  if (slash != std::string_view::npos) raw.remove_prefix(slash + 1);
  std::string const valid = valid_utf8(raw);
  std::string out;
  for (std::size_t i = 0; i < valid.size();) {
    std::size_t const start = i;
    char32_t const cp = next_code_point(valid, i);
    if (cp < 0x20 || cp == 0x7F || cp == '"') continue;
    if (out.size() + (i - start) > 100) break;
    out.append(valid, start, i - start);
  }
  while (!out.empty() && (out.front() == ' ' || out.front() == '.')) out.erase(0, 1);
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

/// A file name made from the media type: `attachment-N.EXT`.
inline auto made_filename(media_type const& t, std::size_t n) -> std::string {
  struct ext {
    std::string_view subtype, name;
  };
  static constexpr ext known[] = {{"jpeg", "jpg"},      {"plain", "txt"}, {"svg+xml", "svg"},
                                  {"quicktime", "mov"}, {"mpeg", "mpg"},  {"octet-stream", "bin"}};
  std::string e;
  for (auto const& k : known)
    if (iequal_ascii(t.subtype, k.subtype)) e = k.name;
  if (e.empty()) {
    for (char c : t.subtype.substr(0, 16)) {  // a token; keep letters and digits
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) e.push_back(c);
      if (c >= 'A' && c <= 'Z') e.push_back(static_cast<char>(c + 32));
    }
  }
  return "attachment-" + std::to_string(n) + (e.empty() ? "" : "." + e);
}

struct payload_reader {
  std::size_t attachments = 0;

  auto leaf(payload_part& p, std::string_view disposition) -> void {
    std::string name;
    bool attachment_disp = false;
    if (!disposition.empty()) {
      if (auto d = parse_content_disposition(disposition)) {
        attachment_disp = d->is("attachment");
        for (auto const& prm : d->parameters)
          if (iequal_ascii(prm.name, "filename")) name = safe_filename(prm.unescaped());
      }
    }
    p.text = p.type.is("text", "plain") && !attachment_disp;
    if (!p.text) {
      ++attachments;
      p.filename = name.empty() ? made_filename(p.type, attachments) : name;
    }
  }

  auto node(part_view const& v, payload_part& p) -> result<void> {
    p.type = v.content_type();
    p.content_id = v.content_id();
    if (v.is_multipart()) {
      for (part_view const& child : v.parts()) {
        p.parts.emplace_back();
        if (auto r = node(child, p.parts.back()); !r) return r;
      }
      return {};
    }
    auto d = v.decoded_body();
    if (!d) return d.error();
    p.data = std::move(*d);
    leaf(p, v.header("Content-Disposition").value_or(""));
    return {};
  }
};

}  // namespace gw
}  // namespace detail

SIPSAF_DECL auto read_payload(message_view const& m, multipart_options const& options)
    -> result<payload_part> {
  payload_part top;
  detail::gw::payload_reader reader;
  if (m.body().empty()) {
    top.type = media_type{"text", "plain", {}};
    top.text = true;
    return top;
  }
  if (m.header(field::content_type)) {
    auto ct = m.content_type();
    if (!ct) return ct.error();
    top.type = std::move(*ct);
  } else {
    top.type = media_type{"application", "octet-stream", {}};
  }
  if (top.type.is_multipart()) {
    auto mp = parse_multipart(m.body(), top.type, options);
    if (!mp) return mp.error();
    for (part_view const& v : *mp) {
      top.parts.emplace_back();
      if (auto r = reader.node(v, top.parts.back()); !r) return r.error();
    }
    return top;
  }
  auto d = decode_transfer_encoding(m.body(), m.header("Content-Transfer-Encoding").value_or(""));
  if (!d) return d.error();
  top.data = std::move(*d);
  reader.leaf(top, m.header("Content-Disposition").value_or(""));
  return top;
}

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_GATEWAY_IMPL_PAYLOAD_IPP
