// osip2's osip_message_t as a *Request* of sipsaf's store-and-forward engine,
// and the engine's actions written as osip2 messages.
//
// The engine reads a request only through `sipsaf::request_traits<R>`; the
// specialization below reads a parsed `osip_message_t` in place. Nothing is
// converted to sipsaf's message_view: the values are osip's own parsed
// fields. The Request-Disposition rows osip hands over (it keeps unknown
// headers as name/value text, splitting comma lists into one entry per
// element) go to sipsaf's own parser, so the store-command tokens, their
// conflicts and their errors are sipsaf's.
//
// The one thing osip does not keep is the request as received: the engine
// stores exactly those bytes (a stored message keeps its Content-Type
// parameters, Date and Request-Disposition as sent). osip has a place for
// them, the message's wire image (`message`, `message_length`), which it
// marks as matching the structure with `message_property == 1` and returns
// from osip_message_to_str() unchanged; `sipsaf_osip::parse` fills it with the
// bytes it parsed. For a message whose wire image is out of date the
// adapter uses osip's own rendering of it instead.
#ifndef SIPSAF_EXAMPLES_EMBED_OSIP2_ADAPTER_HPP
#define SIPSAF_EXAMPLES_EMBED_OSIP2_ADAPTER_HPP

#include <sipsaf/ascii.hpp>
#include <sipsaf/message/fields.hpp>
#include <sipsaf/policy/action.hpp>
#include <sipsaf/policy/render.hpp>
#include <sipsaf/policy/request.hpp>
#include <sipsaf/time.hpp>

#include <osipparser2/osip_message.h>
#include <osipparser2/osip_parser.h>
#include <osipparser2/osip_port.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sipsaf_osip {

/// A value the engine reads: a view into the message, or a string made for
/// the occasion.
using text = sipsaf::request_text;

struct message_deleter {
  void operator()(osip_message_t* m) const noexcept { osip_message_free(m); }
};
/// Owns an osip_message_t.
using message_ptr = std::unique_ptr<osip_message_t, message_deleter>;

namespace osip {

inline auto view(char const* s) noexcept -> std::string_view {
  return s != nullptr ? std::string_view(s) : std::string_view();
}

/// Takes a string osip allocated for us (a `*_to_str` result).
inline auto adopt(char* s) -> std::string {
  if (s == nullptr) return {};
  std::string out(s);
  osip_free(s);
  return out;
}

inline auto uri_text(osip_uri_t const* u) -> text {
  char* s = nullptr;
  if (u == nullptr || osip_uri_to_str(u, &s) != 0) return text();
  return text(adopt(s));
}

inline auto tag_of(osip_from_t const* a) noexcept -> std::string_view {
  if (a == nullptr) return {};
  int const n = osip_list_size(&a->gen_params);
  for (int i = 0; i < n; ++i) {
    auto const* p = static_cast<osip_generic_param_t const*>(osip_list_get(&a->gen_params, i));
    if (p != nullptr && sipsaf::iequals(view(p->gname), "tag")) return view(p->gvalue);
  }
  return {};
}

/// The header rows osip keeps as text ("other headers"), by name; osip
/// lowers the case of those names.
template <class F>
void each_header(osip_message_t const& m, F&& f) {
  int const n = osip_list_size(&m.headers);
  for (int i = 0; i < n; ++i) {
    auto const* h = static_cast<osip_header_t const*>(osip_list_get(&m.headers, i));
    if (h != nullptr) f(view(h->hname), view(h->hvalue));
  }
}

inline auto header_value(osip_message_t const& m, std::string_view name) -> std::string_view {
  std::string_view found;
  bool done = false;
  each_header(m, [&](std::string_view n, std::string_view v) {
    if (!done && sipsaf::iequals(n, name)) found = v, done = true;
  });
  return found;
}

/// The wire image osip marks as matching the structure, or empty.
inline auto wire_image(osip_message_t const& m) noexcept -> std::string_view {
  if (m.message_property != 1 || m.message == nullptr) return {};
  return {m.message, m.message_length};
}

/// Where the header section of `wire` ends (after the empty line), or npos.
inline auto body_offset(std::string_view wire) noexcept -> std::size_t {
  std::size_t const crlf = wire.find("\r\n\r\n");
  if (crlf != std::string_view::npos) return crlf + 4;
  std::size_t const lf = wire.find("\n\n");
  return lf != std::string_view::npos ? lf + 2 : std::string_view::npos;
}

/// osip's rendering of `m` (of a copy: osip_message_to_str caches it).
inline auto rendering(osip_message_t const& m) -> std::string {
  osip_message_t* copy = nullptr;
  if (osip_message_clone(&m, &copy) != 0) return {};
  message_ptr owner(copy);
  osip_message_force_update(copy);
  char* s = nullptr;
  std::size_t len = 0;
  if (osip_message_to_str(copy, &s, &len) != 0 || s == nullptr) return {};
  std::string out(s, len);
  osip_free(s);
  return out;
}

inline void ensure_parser() {
  static bool const ready = [] { return parser_init() == 0; }();
  (void)ready;
}

}  // namespace osip

/// Records `wire` (the bytes `m` was parsed from) as the message's wire
/// image, the way osip itself keeps the text of a message it wrote. Leading
/// CRLFs (which osip skips, RFC 3261 §7.5) and bytes after the body
/// Content-Length counts (RFC 3261 §18.3) are left out.
inline auto keep_wire(osip_message_t* m, std::string_view wire) -> bool {
  while (!wire.empty() && (wire.front() == '\r' || wire.front() == '\n')) wire.remove_prefix(1);
  std::size_t const at = osip::body_offset(wire);
  if (at != std::string_view::npos && m->content_length != nullptr &&
      m->content_length->value != nullptr) {
    std::size_t const len = std::strtoul(m->content_length->value, nullptr, 10);
    if (len < wire.size() - at) wire = wire.substr(0, at + len);
  }
  char* copy = static_cast<char*>(osip_malloc(wire.size() + 1));
  if (copy == nullptr) return false;
  std::memcpy(copy, wire.data(), wire.size());
  copy[wire.size()] = '\0';
  osip_free(m->message);
  m->message = copy;
  m->message_length = wire.size();
  m->message_property = 1;
  return true;
}

/// Parses `wire` with osip and keeps the bytes as its wire image. Null when
/// osip refuses the message.
inline auto parse(std::string_view wire) -> message_ptr {
  osip::ensure_parser();
  osip_message_t* raw = nullptr;
  if (osip_message_init(&raw) != 0) return nullptr;
  message_ptr m(raw);
  if (osip_message_parse(m.get(), wire.data(), wire.size()) != 0) return nullptr;
  if (!keep_wire(m.get(), wire)) return nullptr;
  return m;
}

}  // namespace sipsaf_osip

/// osip_message_t as a *Request*.
template <>
struct sipsaf::request_traits<osip_message_t> {
  using text = sipsaf_osip::text;

  static auto method(osip_message_t const& m) noexcept -> std::string_view {
    return sipsaf_osip::osip::view(m.sip_method);
  }
  static auto from_uri(osip_message_t const& m) -> text {
    return m.from != nullptr ? sipsaf_osip::osip::uri_text(m.from->url) : text();
  }
  static auto from_tag(osip_message_t const& m) noexcept -> std::string_view {
    return sipsaf_osip::osip::tag_of(m.from);
  }
  static auto to_uri(osip_message_t const& m) -> text {
    return m.to != nullptr ? sipsaf_osip::osip::uri_text(m.to->url) : text();
  }
  /// osip splits the Call-ID at its `@`; this joins it again.
  static auto call_id(osip_message_t const& m) -> text {
    if (m.call_id == nullptr || m.call_id->number == nullptr) return text();
    if (m.call_id->host == nullptr) return text(std::string_view(m.call_id->number));
    return text(std::string(m.call_id->number) + "@" + m.call_id->host);
  }
  /// The CSeq number as osip keeps it, as text (the engine reads its digits).
  static auto cseq(osip_message_t const& m) noexcept -> std::string_view {
    return m.cseq != nullptr ? sipsaf_osip::osip::view(m.cseq->number) : std::string_view();
  }
  /// Content-Type as osip writes it from its parsed form
  /// (`type/subtype; name=value`): osip keeps no text of it.
  static auto content_type(osip_message_t const& m) -> text {
    char* s = nullptr;
    if (m.content_type == nullptr || osip_content_type_to_str(m.content_type, &s) != 0)
      return text();
    return text(sipsaf_osip::osip::adopt(s));
  }
  static auto date(osip_message_t const& m) -> std::string_view {
    return sipsaf_osip::osip::header_value(m, "date");
  }
  static auto expires(osip_message_t const& m) -> std::string_view {
    return sipsaf_osip::osip::header_value(m, "expires");
  }

  /// Every Request-Disposition entry (full name or compact `d`) joined with
  /// ", " into one list (RFC 3261 §7.3.1). osip splits each row into its
  /// comma-separated elements (dropping empty ones) and keeps no trace of
  /// where a row ended, so the list is what it can hand over; for the usual
  /// single row that is the row as the sender wrote it, give or take spaces.
  static auto request_disposition(osip_message_t const& m) -> text {
    std::vector<std::string_view> rows;
    sipsaf_osip::osip::each_header(m, [&](std::string_view n, std::string_view v) {
      namespace d = sipsaf_osip::osip;
      if ((sipsaf::iequals(n, "request-disposition") || sipsaf::iequals(n, "d")) && !v.empty())
        rows.push_back(v);
    });
    if (rows.size() == 1) return text(rows.front());
    std::string joined;
    for (std::string_view v : rows) {
      if (!joined.empty()) joined += ", ";
      joined += v;
    }
    return text(std::move(joined));
  }

  /// The body. A single-part body is osip's own; osip splits a multipart
  /// body into its parts and keeps no undivided copy, so that one comes from
  /// the wire image (or, without one, from osip's rendering).
  static auto body(osip_message_t const& m) -> text {
    namespace d = sipsaf_osip::osip;
    bool const multipart =
        m.content_type != nullptr && sipsaf::iequals(d::view(m.content_type->type), "multipart");
    if (!multipart) {
      if (osip_list_size(&m.bodies) == 0) return text();
      if (osip_list_size(&m.bodies) == 1) {
        auto const* b = static_cast<osip_body_t const*>(osip_list_get(&m.bodies, 0));
        if (b == nullptr || b->body == nullptr) return text();
        return text(std::string_view(b->body, b->length));
      }
    }
    std::string_view wire = d::wire_image(m);
    if (!wire.empty()) {
      std::size_t const at = d::body_offset(wire);
      return text(at == std::string_view::npos ? std::string_view() : wire.substr(at));
    }
    std::string r = d::rendering(m);
    std::size_t const at = d::body_offset(r);
    return text(at == std::string::npos ? std::string() : r.substr(at));
  }

  /// The request as received (the wire image `sipsaf_osip::parse` kept), or
  /// osip's rendering of it when the image is out of date.
  static auto bytes(osip_message_t const& m) -> text {
    std::string_view const wire = sipsaf_osip::osip::wire_image(m);
    if (!wire.empty()) return text(wire);
    return text(sipsaf_osip::osip::rendering(m));
  }
};

static_assert(sipsaf::is_request<osip_message_t>::value, "osip_message_t is a Request");

namespace sipsaf_osip {

namespace osip {

inline auto new_message() -> message_ptr {
  osip_message_t* m = nullptr;
  if (osip_message_init(&m) != 0) return nullptr;
  return message_ptr(m);
}

/// A request line: method, Request-URI, version.
inline auto start_request(osip_message_t* m, std::string const& method, std::string const& uri)
    -> bool {
  osip_uri_t* u = nullptr;
  if (osip_uri_init(&u) != 0) return false;
  if (osip_uri_parse(u, uri.c_str()) != 0) {
    osip_uri_free(u);
    return false;
  }
  osip_message_set_method(m, osip_strdup(method.c_str()));
  osip_message_set_version(m, osip_strdup("SIP/2.0"));
  osip_message_set_uri(m, u);
  return true;
}

/// Adds the body with its Content-Type. A multipart body goes in whole, as
/// one body: without a Mime-Version header osip writes it as it is,
/// boundaries included.
inline auto finish(osip_message_t* m, std::string const& content_type, std::string_view body)
    -> bool {
  if (!content_type.empty() && osip_message_set_content_type(m, content_type.c_str()) != 0)
    return false;
  if (!body.empty() && osip_message_set_body(m, body.data(), body.size()) != 0) return false;
  if (body.empty() && osip_message_set_content_length(m, "0") != 0) return false;
  return true;
}

}  // namespace osip

/// The response a `respond_action` asks for (RFC 3261 §8.2.6): the Via
/// rows, From, To (with `to_tag` when it has none), Call-ID and CSeq of the
/// request, and an Accept header for 415 (RFC 3261 §21.4.13).
inline auto make_response(osip_message_t const& request, int code, std::string const& reason,
                          std::string const& accept, std::string const& to_tag) -> message_ptr {
  message_ptr r = osip::new_message();
  if (!r) return r;
  osip_message_set_version(r.get(), osip_strdup("SIP/2.0"));
  osip_message_set_status_code(r.get(), code);
  osip_message_set_reason_phrase(r.get(), osip_strdup(reason.c_str()));
  int const vias = osip_list_size(&request.vias);
  for (int i = 0; i < vias; ++i) {
    osip_via_t* v = nullptr;
    if (osip_via_clone(static_cast<osip_via_t const*>(osip_list_get(&request.vias, i)), &v) != 0)
      return nullptr;
    osip_list_add(&r->vias, v, -1);
  }
  if ((request.from != nullptr && osip_from_clone(request.from, &r->from) != 0) ||
      (request.to != nullptr && osip_to_clone(request.to, &r->to) != 0) ||
      (request.call_id != nullptr && osip_call_id_clone(request.call_id, &r->call_id) != 0) ||
      (request.cseq != nullptr && osip_cseq_clone(request.cseq, &r->cseq) != 0))
    return nullptr;
  if (r->to != nullptr && osip::tag_of(r->to).empty() && code > 100)
    osip_to_set_tag(r->to, osip_strdup(to_tag.c_str()));
  if (!accept.empty() && osip_message_set_accept(r.get(), accept.c_str()) != 0) return nullptr;
  if (!osip::finish(r.get(), {}, {})) return nullptr;
  return r;
}

/// A live delivery: `request` proxied to `target` (RFC 3261 §16.6): a copy
/// with the Request-URI replaced, our Via on top and Max-Forwards one less;
/// every other header and the body as osip has them.
inline auto make_proxied(osip_message_t const& request, std::string const& target,
                         std::string const& via_host, std::string const& branch) -> message_ptr {
  osip_message_t* raw = nullptr;
  if (osip_message_clone(&request, &raw) != 0) return nullptr;
  message_ptr m(raw);
  osip_uri_t* u = nullptr;
  if (osip_uri_init(&u) != 0) return nullptr;
  if (osip_uri_parse(u, target.c_str()) != 0) {
    osip_uri_free(u);
    return nullptr;
  }
  osip_uri_free(m->req_uri);
  m->req_uri = u;
  osip_via_t* v = nullptr;
  if (osip_via_init(&v) != 0) return nullptr;
  std::string const via = "SIP/2.0/UDP " + via_host + ";branch=" + branch;
  if (osip_via_parse(v, via.c_str()) != 0) {
    osip_via_free(v);
    return nullptr;
  }
  osip_list_add(&m->vias, v, 0);  // on top (RFC 3261 §16.6 step 8)
  int const n = osip_list_size(&m->headers);
  bool hops_seen = false;
  for (int i = 0; i < n; ++i) {
    auto* h = static_cast<osip_header_t*>(osip_list_get(&m->headers, i));
    if (h == nullptr || !sipsaf::iequals(osip::view(h->hname), "max-forwards")) continue;
    unsigned long const hops = h->hvalue != nullptr ? std::strtoul(h->hvalue, nullptr, 10) : 70;
    osip_free(h->hvalue);
    h->hvalue = osip_strdup(std::to_string(hops > 0 ? hops - 1 : 0).c_str());
    hops_seen = true;
  }
  // None: add one with 70 (RFC 3261 §16.6 step 3).
  if (!hops_seen && osip_message_set_max_forwards(m.get(), "70") != 0) return nullptr;
  osip_message_force_update(m.get());  // the structure changed: render it again
  return m;
}

/// A stored request delivered as a new MESSAGE to `target`, keeping the
/// header fields sipsaf's stored deliveries keep
/// (`sipsaf::stored_delivery_fields`, <sipsaf/policy/render.hpp>) as
/// received, the CSeq number, and the body with its Content-Type; a Date
/// from `arrived` when the stored request has none. `stored` is what the
/// store kept: the bytes received, parsed again by osip.
inline auto make_delivery(std::string_view stored, std::string const& target,
                          std::string const& via_host, std::string const& branch,
                          std::optional<sipsaf::timestamp> arrived) -> message_ptr {
  message_ptr o = parse(stored);
  if (!o) return nullptr;
  using T = sipsaf::request_traits<osip_message_t>;
  message_ptr m = osip::new_message();
  if (!m || !osip::start_request(m.get(), "MESSAGE", target)) return nullptr;
  std::string const via = "SIP/2.0/UDP " + via_host + ";branch=" + branch;
  std::string const cseq = std::string(T::cseq(*o)) + " MESSAGE";
  if (osip_message_set_via(m.get(), via.c_str()) != 0 ||
      osip_message_set_max_forwards(m.get(), "70") != 0 ||
      (o->from != nullptr && osip_from_clone(o->from, &m->from) != 0) ||
      (o->to != nullptr && osip_to_clone(o->to, &m->to) != 0) ||
      (o->call_id != nullptr && osip_call_id_clone(o->call_id, &m->call_id) != 0) ||
      osip_message_set_cseq(m.get(), cseq.c_str()) != 0)
    return nullptr;
  // The rest of the kept fields: those osip keeps as text, row by row, and
  // the two it parses (MIME-Version, Content-Encoding), written back as text
  // so that osip sends the body as it is.
  auto keep = [&](sipsaf::field f, char const* value) {
    return value == nullptr ||
           osip_message_set_header(m.get(), std::string(sipsaf::field_name(f)).c_str(), value) == 0;
  };
  bool ok = true;
  bool dated = false;
  osip::each_header(*o, [&](std::string_view n, std::string_view v) {
    sipsaf::field const f = sipsaf::field_of(n);
    if (!ok || f == sipsaf::field::content_type || !sipsaf::stored_delivery_keeps(f)) return;
    ok = keep(f, std::string(v).c_str());
    dated = dated || f == sipsaf::field::date;
  });
  if (ok && o->mime_version != nullptr)
    ok = keep(sipsaf::field::mime_version, o->mime_version->value);
  int const encodings = osip_list_size(&o->content_encodings);
  for (int i = 0; ok && i < encodings; ++i) {
    auto const* e =
        static_cast<osip_content_encoding_t const*>(osip_list_get(&o->content_encodings, i));
    if (e != nullptr) ok = keep(sipsaf::field::content_encoding, e->value);
  }
  if (ok && !dated && arrived)
    ok = keep(sipsaf::field::date, sipsaf::format_sip_date(*arrived).c_str());
  if (!ok ||
      !osip::finish(m.get(), std::string(std::string_view(T::content_type(*o))), T::body(*o)))
    return nullptr;
  return m;
}

/// The notification a `notify_action` asks for: an IMDN (a MESSAGE with
/// message/imdn+xml and Content-Disposition: notification, RFC 5438 §7.1.1)
/// or the opt-in NOTIFY, from the recipient to the original sender.
inline auto make_notification(sipsaf::notify_action const& n, std::string const& via_host,
                              std::string const& branch, std::string const& from_tag,
                              std::string const& call_id) -> message_ptr {
  message_ptr m = osip::new_message();
  if (!m || !osip::start_request(m.get(), n.method, n.to)) return nullptr;
  std::string const via = "SIP/2.0/UDP " + via_host + ";branch=" + branch;
  std::string const from = "<" + n.about + ">;tag=" + from_tag;
  std::string const to = "<" + n.to + ">";
  std::string const cseq = "1 " + n.method;
  if (osip_message_set_via(m.get(), via.c_str()) != 0 ||
      osip_message_set_max_forwards(m.get(), "70") != 0 ||
      osip_message_set_from(m.get(), from.c_str()) != 0 ||
      osip_message_set_to(m.get(), to.c_str()) != 0 ||
      osip_message_set_call_id(m.get(), call_id.c_str()) != 0 ||
      osip_message_set_cseq(m.get(), cseq.c_str()) != 0)
    return nullptr;
  if (!n.event.empty() &&
      (osip_message_set_header(m.get(), "Event", n.event.c_str()) != 0 ||
       osip_message_set_header(m.get(), "Subscription-State",
                               std::string(sipsaf::notification_subscription_state).c_str()) != 0))
    return nullptr;
  if (!n.content_disposition.empty() &&
      osip_message_set_header(m.get(), "Content-Disposition", n.content_disposition.c_str()) != 0)
    return nullptr;
  if (!osip::finish(m.get(), n.content_type, n.body)) return nullptr;
  return m;
}

/// The message as osip would send it.
inline auto to_wire(osip_message_t* m) -> std::string {
  char* s = nullptr;
  std::size_t len = 0;
  if (m == nullptr || osip_message_to_str(m, &s, &len) != 0 || s == nullptr) return {};
  std::string out(s, len);
  osip_free(s);
  return out;
}

}  // namespace sipsaf_osip

#endif  // SIPSAF_EXAMPLES_EMBED_OSIP2_ADAPTER_HPP
