// sipsaf-ua: attachments. Media types by file name, the body of an
// outgoing request (text, files, multipart/mixed), and the parts of an
// incoming one (text shown, files saved).
#ifndef SIPSAF_EXAMPLES_UA_MEDIA_HPP
#define SIPSAF_EXAMPLES_UA_MEDIA_HPP

#include "options.hpp"

#include <sipsaf/ascii.hpp>
#include <sipsaf/mime.hpp>

#include <openssl/evp.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ua {

/// The media type for a file name's extension (IANA media types registry;
/// RFC 2046 for the top-level types). Unknown: application/octet-stream.
inline auto media_type_for(std::string_view filename) -> std::string {
  auto dot = filename.rfind('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  std::string const ext = sipsaf::ascii_lower(filename.substr(dot + 1));
  static constexpr std::pair<char const*, char const*> table[] = {
      {"jpg", "image/jpeg"},      {"jpeg", "image/jpeg"},     {"jpe", "image/jpeg"},
      {"png", "image/png"},       {"gif", "image/gif"},       {"bmp", "image/bmp"},
      {"webp", "image/webp"},     {"svg", "image/svg+xml"},   {"tif", "image/tiff"},
      {"tiff", "image/tiff"},     {"mid", "audio/midi"},      {"midi", "audio/midi"},
      {"wav", "audio/wav"},       {"mp3", "audio/mpeg"},      {"amr", "audio/amr"},
      {"ogg", "audio/ogg"},       {"3gp", "video/3gpp"},      {"mp4", "video/mp4"},
      {"sdp", "application/sdp"}, {"txt", "text/plain"},      {"text", "text/plain"},
      {"html", "text/html"},      {"htm", "text/html"},       {"vcf", "text/vcard"},
      {"ics", "text/calendar"},   {"xml", "application/xml"}, {"json", "application/json"},
      {"pdf", "application/pdf"}, {"zip", "application/zip"}, {"csv", "text/csv"},
  };
  for (auto const& [e, type] : table)
    if (ext == e) return type;
  return "application/octet-stream";
}

/// Text the recipient can read as it is: text/*, SDP, XML, JSON, SVG
/// without NUL bytes. Anything else is data.
inline auto is_textual(std::string_view type, std::string_view data) -> bool {
  bool const textual = type.substr(0, 5) == "text/" || type == "application/sdp" ||
                       type == "application/xml" || type == "application/json" ||
                       type == "image/svg+xml";
  return textual && data.find('\0') == std::string_view::npos;
}

inline auto read_file(std::filesystem::path const& p) -> std::optional<std::string> {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline auto sha256_hex(std::string_view data) -> std::string {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr);
  static constexpr char hex[] = "0123456789abcdef";
  std::string s;
  for (unsigned i = 0; i < len; ++i) {
    s += hex[out[i] >> 4];
    s += hex[out[i] & 15];
  }
  return s;
}

/// A file to attach.
struct attachment {
  std::string name;  // the file name sent (no directories)
  std::string type;
  std::string data;
};

/// The body of an outgoing request: text alone, or multipart/mixed with the
/// text first and one part per attachment (RFC 2046 §5.1.3; RFC 5621).
struct outgoing_body {
  std::string content_type;
  std::string body;
};

// A quoted-string for a filename parameter (RFC 2183 §2, RFC 2045 §5.1).
inline auto quote_param(std::string_view s) -> std::string {
  std::string q = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') q += '\\';
    if (c == '\r' || c == '\n') continue;
    q += c;
  }
  return q + "\"";
}

/// Text goes as it is. Data goes as binary, labelled so (RFC 2045 §6.2):
/// SIP bodies are 8-bit clean (RFC 3261 §7.4) and clients show it as sent;
/// with `base64`, as base64 (RFC 2045 §6.8), for peers that want 7-bit.
inline auto make_body(std::string_view text, std::string_view text_type,
                      std::vector<attachment> const& files, bool base64 = false)
    -> sipsaf::result<outgoing_body> {
  if (files.empty()) return outgoing_body{std::string(text_type), std::string(text)};
  // The parts' header values must outlive serialize_multipart: keep them here.
  std::vector<std::string> encoded(files.size());
  std::vector<std::string> dispositions(files.size());
  std::vector<sipsaf::body_part> parts;
  if (!text.empty()) parts.push_back(sipsaf::body_part{{{"Content-Type", text_type}}, text});
  for (std::size_t i = 0; i < files.size(); ++i) {
    auto const& f = files[i];
    dispositions[i] = "attachment;filename=" + quote_param(f.name);
    sipsaf::body_part p;
    p.headers.push_back({"Content-Type", f.type});
    p.headers.push_back({"Content-Disposition", dispositions[i]});
    if (is_textual(f.type, f.data)) {
      p.body = f.data;
    } else if (base64) {
      encoded[i] = sipsaf::encode_base64(f.data);
      p.headers.push_back({"Content-Transfer-Encoding", "base64"});
      p.body = encoded[i];
    } else {
      p.headers.push_back({"Content-Transfer-Encoding", "binary"});
      p.body = f.data;
    }
    parts.push_back(std::move(p));
  }
  auto mp = sipsaf::serialize_multipart(parts);
  if (!mp) return mp.error();
  return outgoing_body{mp->content_type("mixed"), std::move(mp->body)};
}

/// One leaf of an incoming body: its type, name and decoded bytes.
struct received_part {
  std::string type;  // canonical media type without parameters
  std::string full_type;
  std::string filename;  // from Content-Disposition, may be empty
  std::string disposition;
  std::string data;  // transfer-decoded
  bool is_text = false;
  std::string error;  // not empty when the part could not be decoded
};

/// Text to show rather than a file to save: text/plain without a file name
/// or an attachment disposition.
inline auto shown_as_text(std::string_view type, std::string_view disposition,
                          std::string_view filename) -> bool {
  return type == "text/plain" && filename.empty() && disposition != "attachment";
}

inline void collect_parts(sipsaf::part_list parts, std::vector<received_part>& out) {
  for (sipsaf::part_view p : parts) {
    if (p.is_multipart()) {
      collect_parts(p.parts(), out);
      continue;
    }
    received_part r;
    auto const& ct = p.content_type();
    r.type = sipsaf::ascii_lower(std::string(ct.type) + "/" + std::string(ct.subtype));
    r.full_type = sipsaf::to_string(ct);
    if (auto d = p.disposition()) {
      r.disposition = sipsaf::ascii_lower(d->type);
      if (auto fn = d->param("filename")) r.filename = std::string(*fn);
    }
    auto decoded = p.decoded_body();
    if (decoded) {
      r.data = std::move(*decoded);
    } else {
      r.error = sipsaf::to_string(decoded.error().code);
      r.data = std::string(p.body());
    }
    r.is_text = shown_as_text(r.type, r.disposition, r.filename);
    out.push_back(std::move(r));
  }
}

/// The leaves of a body with the given Content-Type value: a single part,
/// or every leaf of a multipart (nested ones walked).
inline auto split_body(std::string_view content_type, std::string_view body)
    -> std::vector<received_part> {
  std::vector<received_part> out;
  auto ct = sipsaf::parse_media_type(content_type.empty() ? "text/plain" : content_type);
  if (ct && ct->is_multipart()) {
    auto mp = sipsaf::parse_multipart(body, *ct);
    if (mp) {
      collect_parts(mp->parts(), out);
      return out;
    }
    received_part r;
    r.type = sipsaf::ascii_lower(std::string(ct->type) + "/" + std::string(ct->subtype));
    r.full_type = std::string(content_type);
    r.data = std::string(body);
    r.error = sipsaf::to_string(mp.error().code);
    out.push_back(std::move(r));
    return out;
  }
  received_part r;
  if (ct) {
    r.type = sipsaf::ascii_lower(std::string(ct->type) + "/" + std::string(ct->subtype));
    r.full_type = sipsaf::to_string(*ct);
  } else {
    r.type = r.full_type = std::string(content_type);
  }
  r.data = std::string(body);
  r.is_text = shown_as_text(r.type, "", "");
  out.push_back(std::move(r));
  return out;
}

/// The usual extension for a media type, for parts that carry no file name.
inline auto extension_for(std::string_view type) -> std::string {
  static constexpr std::pair<char const*, char const*> table[] = {
      {"image/jpeg", "jpg"},      {"image/png", "png"},  {"image/gif", "gif"},
      {"audio/midi", "mid"},      {"audio/wav", "wav"},  {"audio/mpeg", "mp3"},
      {"application/sdp", "sdp"}, {"text/plain", "txt"}, {"text/html", "html"},
      {"video/mp4", "mp4"},       {"video/3gpp", "3gp"}, {"application/pdf", "pdf"},
      {"application/xml", "xml"}, {"text/vcard", "vcf"}, {"audio/amr", "amr"},
  };
  for (auto const& [t, e] : table)
    if (type == t) return e;
  return "bin";
}

/// A file name safe to create in the save directory: the last path
/// component of what the sender proposed, without leading dots or control
/// bytes; `fallback` when nothing is left.
inline auto safe_filename(std::string_view proposed, std::string const& fallback) -> std::string {
  auto slash = proposed.find_last_of("/\\");
  if (slash != std::string_view::npos) proposed.remove_prefix(slash + 1);
  std::string out;
  for (char c : proposed)
    if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f && c != ':') out += c;
  while (!out.empty() && out.front() == '.') out.erase(0, 1);
  return out.empty() ? fallback : out;
}

/// Writes `data` to `dir/name`, adding -1, -2, ... before the extension
/// when the name is taken. Returns the path written, or nothing.
inline auto save_unique(std::filesystem::path const& dir, std::string const& name,
                        std::string_view data) -> std::optional<std::filesystem::path> {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::string stem = name, ext;
  if (auto dot = name.rfind('.'); dot != std::string::npos && dot > 0) {
    stem = name.substr(0, dot);
    ext = name.substr(dot);
  }
  for (int i = 0; i < 10000; ++i) {
    auto p = dir / (i == 0 ? name : stem + "-" + std::to_string(i) + ext);
    if (std::filesystem::exists(p)) continue;
    std::ofstream out(p, std::ios::binary);
    if (!out) return std::nullopt;
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    if (!out) return std::nullopt;
    return p;
  }
  return std::nullopt;
}

}  // namespace ua

#endif  // SIPSAF_EXAMPLES_UA_MEDIA_HPP
