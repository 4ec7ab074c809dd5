// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MIME_ADAPT_HPP
#define SIPSAF_MIME_ADAPT_HPP

/// @file
/// Content adaptation: a payload cut down to what a recipient accepts.
///
/// A recipient that cannot handle a body answers 415 with the types it
/// takes in Accept (RFC 3261 §21.4.16, §20.1). A `multipart/mixed` message
/// with a text and a photo then need not fail as a whole: the text alone,
/// with one line saying what was left out and why, is still worth having.
///
/// How a payload is cut (RFC 2046 §5.1, RFC 5621 for SIP):
/// - A single part whose type is accepted is kept as it is.
/// - A multipart's leaves are judged one by one (nested multiparts walked);
///   when all are accepted and so is the multipart type, it is kept as it is;
///   of a `multipart/alternative` the last acceptable alternative is kept
///   (§5.1.4: the last is the richest), the others are not reported as left
///   out.
/// - When the multipart type itself is accepted, the result is a
///   `multipart/mixed` of the kept parts as written, plus a `text/plain`
///   note part when text/plain is accepted.
/// - Otherwise a single part is sent: the first kept text/plain part (else
///   the first kept part), transfer-decoded, with the note appended to it
///   when it is text/plain; any other kept part is left out ("one part
///   only: the recipient takes no multipart").
/// - Nothing acceptable: `errc::unsupported`.

#include <sipsaf/config.hpp>
#include <sipsaf/error.hpp>
#include <sipsaf/mime/media_type.hpp>
#include <sipsaf/mime/multipart.hpp>
#include <sipsaf/result.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

SIPSAF_BEGIN_NAMESPACE

/// A payload cut down to what the recipient accepts.
struct adapted_payload {
  std::string content_type;  ///< the Content-Type value of `body`
  std::string body;
  /// The parts kept, one description each: `text/plain`, or
  /// `image/png "photo.png" (631 bytes)`.
  std::vector<std::string> kept;
  /// The parts left out, described the same way.
  std::vector<std::string> left_out;
  /// One line for the recipient, added to the body when it can be:
  /// `[Not delivered: image/png "photo.png" (631 bytes): the recipient
  /// accepts text/plain]`. Empty when nothing was left out.
  std::string note;
  /// True when `body` differs from the original (parts left out, or one
  /// alternative chosen): a delivery worth trying again.
  bool changed = false;

  /// "delivered text/plain; left out image/png "photo.png" (631 bytes)",
  /// for logs and notifications.
  auto summary() const -> std::string {
    std::string s = "delivered ";
    for (std::size_t i = 0; i < kept.size(); ++i) s += (i ? ", " : "") + kept[i];
    if (!left_out.empty()) s += "; left out ";
    for (std::size_t i = 0; i < left_out.size(); ++i) s += (i ? ", " : "") + left_out[i];
    return s;
  }
};

namespace detail::adapt {

// A file name for a description: printable ASCII, at most 60 bytes, no
// quotes (it comes from the sender and lands in a line the recipient reads).
inline auto clean_name(std::string_view s) -> std::string {
  std::string out;
  for (char c : s) {
    if (out.size() == 60) {
      out += "...";
      break;
    }
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') out += c;
  }
  return out;
}

inline auto type_name(media_type const& t) -> std::string {
  std::string s(t.type);
  s += '/';
  s += t.subtype;
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

inline auto describe(part_view p) -> std::string {
  std::string s = type_name(p.content_type());
  if (auto d = p.disposition())
    if (auto fn = d->param("filename"); fn && !fn->empty()) s += " \"" + clean_name(*fn) + "\"";
  std::size_t size = p.body().size();
  if (auto decoded = p.decoded_body()) size = decoded->size();
  s += " (" + std::to_string(size) + " bytes)";
  return s;
}

struct walk {
  std::vector<media_type> const& accept;
  std::vector<part_view> kept;
  std::vector<part_view> dropped;

  // The leaves of `parts` that are accepted go to `kept`, the others to
  // `dropped`. A multipart is judged by its leaves even when its own type is
  // listed (RFC 5621 §3.1: the Accept list names the types of the parts too).
  void mixed(part_list parts) {
    for (part_view p : parts) one(p);
  }
  void one(part_view p) {
    media_type const& ct = p.content_type();
    if (p.is_multipart() && ct.is("multipart", "alternative")) {
      alternative(p.parts());
    } else if (p.is_multipart()) {
      mixed(p.parts());
    } else if (accepts(accept, ct)) {
      kept.push_back(p);
    } else {
      dropped.push_back(p);
    }
  }
  // RFC 2046 §5.1.4: the alternatives are in increasing faithfulness; keep
  // the last one that is acceptable as a whole, else report them all.
  void alternative(part_list parts) {
    for (std::size_t i = parts.size(); i-- > 0;) {
      walk inner{accept, {}, {}};
      inner.one(parts[i]);
      if (!inner.kept.empty() && inner.dropped.empty()) {
        kept.insert(kept.end(), inner.kept.begin(), inner.kept.end());
        return;
      }
    }
    for (part_view p : parts) one(p);
  }
};

}  // namespace detail::adapt

/// Cuts the payload `body` of type `content_type` down to what `accept` (an
/// Accept header value, RFC 3261 §20.1) lets through; see the file comment.
///
/// Errors: those of `parse_media_ranges` for `accept`; those of
/// `parse_media_type` and `parse_multipart` for the payload;
/// `errc::unsupported` (offset 0) when no part is acceptable.
///
/// @par Complexity Linear in the body size, times the number of ranges.
inline auto adapt_payload(std::string_view content_type, std::string_view body,
                          std::string_view accept) -> result<adapted_payload> {
  namespace d = detail::adapt;
  auto ranges = parse_media_ranges(accept);
  if (!ranges) return ranges.error();
  auto ct = parse_media_type(content_type.empty() ? std::string_view("application/octet-stream")
                                                  : content_type);
  if (!ct) return ct.error();
  adapted_payload out;
  if (!ct->is_multipart() && accepts(*ranges, *ct)) {
    out.content_type = std::string(content_type);
    out.body = std::string(body);
    out.kept.push_back(d::type_name(*ct));
    return out;
  }
  if (!ct->is_multipart()) return parse_error{errc::unsupported, 0};
  auto mp = parse_multipart(body, *ct);
  if (!mp) return mp.error();

  d::walk w{*ranges, {}, {}};
  if (ct->is("multipart", "alternative"))
    w.alternative(mp->parts());
  else
    w.mixed(mp->parts());
  if (w.kept.empty()) return parse_error{errc::unsupported, 0};
  if (w.dropped.empty() && accepts(*ranges, *ct)) {  // nothing to cut
    out.content_type = std::string(content_type);
    out.body = std::string(body);
    for (part_view p : w.kept) out.kept.push_back(d::describe(p));
    return out;
  }

  // The note goes as this type: judge that very type.
  static constexpr std::string_view note_type = "text/plain;charset=UTF-8";
  bool const text_ok = accepts(*ranges, *parse_media_type(note_type));
  static media_type const mixed{"multipart", "mixed", {}};
  bool const multipart_ok = accepts(*ranges, mixed);

  std::vector<part_view> sent = w.kept;
  std::vector<std::string> why(w.dropped.size(), "not accepted");
  if (!multipart_ok && sent.size() > 1) {
    std::size_t pick = 0;
    for (std::size_t i = 0; i < sent.size(); ++i)
      if (sent[i].content_type().is("text", "plain")) {
        pick = i;
        break;
      }
    for (std::size_t i = 0; i < sent.size(); ++i)
      if (i != pick) {
        w.dropped.push_back(sent[i]);
        why.push_back("one part only");
      }
    sent = {sent[pick]};
  }
  for (part_view p : sent) out.kept.push_back(d::describe(p));
  for (part_view p : w.dropped) out.left_out.push_back(d::describe(p));

  if (!out.left_out.empty()) {
    out.note = "[Not delivered: ";
    for (std::size_t i = 0; i < out.left_out.size(); ++i) {
      out.note += (i ? "; " : "") + out.left_out[i];
      if (why[i] == "one part only") out.note += ", as the recipient takes one part only";
    }
    out.note += ". The recipient accepts ";
    std::string list;
    for (media_type const& r : *ranges) {
      if (r.quality() == 0) continue;
      if (list.size() > 120) {
        list += ", ...";
        break;
      }
      list += (list.empty() ? "" : ", ") + d::type_name(r);
    }
    out.note += list + ".]";
  }

  out.changed = true;
  if (multipart_ok) {
    std::vector<body_part> parts;
    std::vector<std::string> types;  // a Content-Type the part had by default
    types.reserve(sent.size());
    for (part_view p : sent) {
      body_part b;
      if (!p.has_content_type()) {  // the default depends on where it was
        types.push_back(to_string(p.content_type()));
        b.headers.push_back({"Content-Type", types.back()});
      }
      for (header_field const& f : p.header_fields()) b.headers.push_back(f);
      b.body = p.body();
      parts.push_back(std::move(b));
    }
    if (text_ok && !out.note.empty())
      parts.push_back(body_part{{{"Content-Type", note_type}}, out.note});
    auto s = serialize_multipart(parts);
    if (!s) return s.error();
    out.content_type = s->content_type("mixed");
    out.body = std::move(s->body);
    return out;
  }
  part_view const p = sent.front();
  auto decoded = p.decoded_body();
  if (!decoded) return decoded.error();
  out.body = std::move(*decoded);
  out.content_type = to_string(p.content_type());
  if (p.content_type().is("text", "plain") && !out.note.empty()) {
    if (!out.body.empty() && out.body.back() != '\n') out.body += "\r\n";
    out.body += out.note;
  }
  return out;
}

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_MIME_ADAPT_HPP
