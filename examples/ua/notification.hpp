// sipsaf-ua: reading delivery notifications, as the proxy and as other
// clients write them: an IMDN (RFC 5438 §7.2) as message/imdn+xml, wrapped
// in message/cpim (RFC 5438 §7.1), or compressed (Content-Encoding:
// deflate, RFC 3261 §20.12), and the proxy's opt-in NOTIFY.
#ifndef SIPSAF_EXAMPLES_UA_NOTIFICATION_HPP
#define SIPSAF_EXAMPLES_UA_NOTIFICATION_HPP

#include "options.hpp"

#include <sipsaf/ascii.hpp>
#include <sipsaf/message.hpp>
#include <sipsaf/mime/cpim.hpp>

#include <zlib.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace ua {

/// What an IMDN or the notify mode's NOTIFY says.
struct notification {
  std::string kind;        // "imdn" or "notify"
  std::string message_id;  // the original Call-ID, or the CPIM imdn.Message-ID
  std::string status;      // delivered, failed, stored, expired, forbidden, error, ...
  bool final = false;      // a delivery notification (not "stored")
  bool cpim = false;       // it came wrapped in message/cpim
  std::string note;        // what the proxy left out of the message, if anything
};

/// The largest inflated body read: a notification is a few hundred bytes.
inline constexpr std::size_t max_inflated = 64 * 1024;

/// Undoes `Content-Encoding: deflate` (or gzip): zlib or gzip framing
/// (RFC 1950, RFC 1952), else a raw deflate stream (RFC 1951), as senders
/// differ. Nothing when it does not inflate or grows past `limit`.
inline auto inflate_body(std::string_view in, std::size_t limit = max_inflated)
    -> std::optional<std::string> {
  for (int const window : {15 + 32, -15}) {
    z_stream z{};
    if (inflateInit2(&z, window) != Z_OK) return std::nullopt;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    std::string out;
    int rc = Z_OK;
    char buf[4096];
    while (rc == Z_OK && out.size() <= limit) {
      z.next_out = reinterpret_cast<Bytef*>(buf);
      z.avail_out = sizeof buf;
      rc = inflate(&z, Z_NO_FLUSH);
      if (rc != Z_OK && rc != Z_STREAM_END) break;
      out.append(buf, sizeof buf - z.avail_out);
      if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) rc = Z_BUF_ERROR;  // truncated
    }
    inflateEnd(&z);
    if (rc == Z_STREAM_END && out.size() <= limit) return out;
  }
  return std::nullopt;
}

/// The text of the first element `name` (its opening tag may carry
/// attributes), with the five predefined entities (XML 1.0 §4.6) undone.
inline auto xml_text(std::string_view doc, std::string_view name) -> std::string {
  std::string const open = "<" + std::string(name);
  for (auto at = doc.find(open); at != std::string_view::npos; at = doc.find(open, at + 1)) {
    auto const after = at + open.size();
    if (after >= doc.size() || (doc[after] != '>' && doc[after] != ' ')) continue;
    auto const b = doc.find('>', after);
    if (b == std::string_view::npos || doc[b - 1] == '/') return {};
    auto const e = doc.find("</" + std::string(name), b);
    if (e == std::string_view::npos) return {};
    std::string s(doc.substr(b + 1, e - b - 1));
    for (auto [ent, ch] : {std::pair{"&lt;", "<"},
                           {"&gt;", ">"},
                           {"&quot;", "\""},
                           {"&apos;", "'"},
                           {"&amp;", "&"}}) {
      for (auto p = s.find(ent); p != std::string::npos; p = s.find(ent, p + 1))
        s.replace(p, std::string_view(ent).size(), ch);
    }
    return s;
  }
  return {};
}

/// True when `doc` has the empty element `<name/>` (or `<name />`).
inline auto has_empty_element(std::string_view doc, std::string_view name) -> bool {
  std::string const open = "<" + std::string(name);
  for (auto at = doc.find(open); at != std::string_view::npos; at = doc.find(open, at + 1)) {
    auto p = at + open.size();
    while (p < doc.size() && doc[p] == ' ') ++p;
    if (doc.substr(p, 2) == "/>") return true;
  }
  return false;
}

/// Reads the IMDN document `doc` (RFC 5438 §7.2.1).
inline auto read_imdn(std::string_view doc) -> notification {
  notification n;
  n.kind = "imdn";
  n.message_id = xml_text(doc, "message-id");
  for (char const* s :
       {"delivered", "failed", "forbidden", "error", "stored", "expired", "displayed", "processed"})
    if (has_empty_element(doc, s)) {
      n.status = s;
      break;
    }
  // A gateway's "processed" is the last word the sender gets (RFC 5438
  // §7.2.1.3): an e-mail or SMS sends no delivery notification back.
  n.final = doc.find("<delivery-notification") != std::string_view::npos || n.status == "processed";
  n.note = xml_text(doc, "adaptation");
  return n;
}

/// The notification `m` carries, if it is one.
inline auto read_notification(sipsaf::message_view const& m) -> std::optional<notification> {
  auto type_of = [](sipsaf::media_type const& t) {
    return sipsaf::ascii_lower(std::string(t.type) + "/" + std::string(t.subtype));
  };
  auto ct = m.content_type();
  std::string type = ct ? type_of(*ct) : std::string();
  std::string_view body = m.body();
  std::string inflated;
  if (auto enc = m.header("Content-Encoding")) {
    std::string const e = sipsaf::ascii_lower(*enc);
    if (e == "deflate" || e == "gzip") {
      auto out = inflate_body(body);
      if (!out) return std::nullopt;
      inflated = std::move(*out);
      body = inflated;
    }
  }
  if (m.method() == "MESSAGE" && type == "message/cpim") {
    auto c = sipsaf::parse_cpim(body);
    if (!c || type_of(c->content_type) != "message/imdn+xml") return std::nullopt;
    notification n = read_imdn(c->content);
    n.cpim = true;
    return n;
  }
  if (m.method() == "MESSAGE" && type == "message/imdn+xml") return read_imdn(body);
  if (m.method() == "NOTIFY") {
    notification n;
    n.kind = "notify";
    std::string_view first = body.substr(0, body.find("\r\n"));
    if (first.find("has been delivered") != std::string_view::npos)
      n.status = "delivered";
    else if (first.find("expired") != std::string_view::npos)
      n.status = "expired";
    else if (first.find("not been delivered") != std::string_view::npos)
      n.status = "failed";
    else if (first.find("stored") != std::string_view::npos)
      n.status = "stored";
    else if (first.find("handed to a gateway") != std::string_view::npos)
      n.status = "processed";
    else
      n.status = std::string(first);
    auto line = [&](std::string_view name) {
      auto at = body.find(std::string("\r\n") + std::string(name) + ": ");
      if (at == std::string_view::npos) return std::string();
      auto v = body.substr(at + name.size() + 4);
      return std::string(v.substr(0, v.find("\r\n")));
    };
    n.message_id = line("Call-ID");
    n.note = line("Adaptation");
    n.final = n.status != "stored";
    return n;
  }
  return std::nullopt;
}

}  // namespace ua

#endif  // SIPSAF_EXAMPLES_UA_NOTIFICATION_HPP
