// sofia-sip's sip_t as a *Request* of sipsaf's store-and-forward engine, and
// the engine's actions written as sofia-sip messages (msg_t).
//
// The engine reads a request only through `sipsaf::request_traits<R>`; the
// specialization below reads a parsed `sip_t` in place. Nothing is converted
// to sipsaf's message_view: the values are sofia's own parsed fields (URIs,
// tags, Call-ID, CSeq number, payload) and, where the engine wants text as
// written (Content-Type, Date, Expires, Request-Disposition, the whole
// request), the copy sofia keeps of every header line when a message is
// parsed with MSG_FLG_EXTRACT_COPY (nta: NTATAG_SIPFLAGS(MSG_FLG_EXTRACT_COPY)).
// The Request-Disposition rows go to sipsaf's own parser as raw text, so the
// store-command tokens, their conflicts and their errors are sipsaf's.
//
// Without MSG_FLG_EXTRACT_COPY the adapter still works, with sofia's own
// encoding of each header in place of the received text: the stored copy of
// a request is then sofia's rendering of it, not the bytes received.
#ifndef SIPSAF_EXAMPLES_EMBED_SOFIA_ADAPTER_HPP
#define SIPSAF_EXAMPLES_EMBED_SOFIA_ADAPTER_HPP

#include <sipsaf/ascii.hpp>
#include <sipsaf/message/fields.hpp>
#include <sipsaf/policy/action.hpp>
#include <sipsaf/policy/render.hpp>
#include <sipsaf/policy/request.hpp>
#include <sipsaf/time.hpp>

// sofia-sip wants sip.h before the msg headers.
#include <sofia-sip/msg.h>
#include <sofia-sip/msg_header.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_protos.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/url.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sipsaf_sofia {

/// A value the engine reads: a view into the message, or a string made for
/// the occasion.
using text = sipsaf::request_text;

/// Owns a msg_t (sofia's message object, with its memory home).
struct msg_deleter {
  void operator()(msg_t* m) const noexcept { msg_destroy(m); }
};
using msg_ptr = std::unique_ptr<msg_t, msg_deleter>;

namespace sofia {

inline auto header(void const* h) noexcept -> msg_header_t const* {
  return static_cast<msg_header_t const*>(h);
}

inline auto is_wsp(char c) noexcept -> bool {
  return c == ' ' || c == '\t';
}

/// The header line sofia kept while parsing (name, colon, value, CRLF,
/// continuation lines included); empty when it kept none.
inline auto raw_line(msg_header_t const* h) noexcept -> std::string_view {
  if (h == nullptr || h->sh_data == nullptr) return {};
  return {static_cast<char const*>(h->sh_data), static_cast<std::size_t>(h->sh_len)};
}

/// The value of a raw header line: after the colon, without the LWS around
/// it, each fold (`*WSP CRLF 1*WSP`) one SP (RFC 3261 §7.3.1). A view when
/// the line has no fold.
inline auto line_value(std::string_view line) -> text {
  std::size_t const colon = line.find(':');
  if (colon == std::string_view::npos) return text();
  std::string_view v = line.substr(colon + 1);
  auto lws = [](char c) { return is_wsp(c) || c == '\r' || c == '\n'; };
  while (!v.empty() && lws(v.front())) v.remove_prefix(1);
  while (!v.empty() && lws(v.back())) v.remove_suffix(1);
  if (v.find_first_of("\r\n") == std::string_view::npos) return text(v);
  std::string out;
  out.reserve(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\r' || v[i] == '\n') {
      while (!out.empty() && is_wsp(out.back())) out.pop_back();
      out += ' ';
      while (i + 1 < v.size() && (v[i + 1] == '\r' || v[i + 1] == '\n' || is_wsp(v[i + 1]))) ++i;
    } else {
      out += v[i];
    }
  }
  return text(std::move(out));
}

/// Encodes with a sofia `*_e` function into a string that grows as needed.
template <class Encode>
auto encoded(Encode&& e) -> std::string {
  std::string out(128, '\0');
  for (int round = 0; round < 8; ++round) {
    issize_t const n = e(&out[0], static_cast<isize_t>(out.size()));
    if (n < 0) return {};
    if (static_cast<std::size_t>(n) < out.size()) {
      out.resize(static_cast<std::size_t>(n));
      return out;
    }
    out.assign(static_cast<std::size_t>(n) + 1, '\0');
  }
  return {};
}

/// A header's value as received, or sofia's encoding of it; empty when the
/// header is absent.
inline auto value_of(void const* hv) -> text {
  msg_header_t const* h = header(hv);
  if (h == nullptr) return text();
  if (h->sh_data != nullptr) return line_value(raw_line(h));
  return text(encoded([h](char* b, isize_t n) { return msg_header_field_e(b, n, h, 0); }));
}

inline auto url_text(url_t const* u) -> text {
  if (u == nullptr) return text();
  return text(encoded([u](char* b, isize_t n) { return url_e(b, n, u); }));
}

inline auto is_disposition_row(msg_header_t const* h) noexcept -> bool {
  if (h->sh_class == sip_request_disposition_class) return true;
  // A row sofia could not parse is kept as an error fragment with its name:
  // sipsaf's parser has to see it, to answer 400 with the reason.
  if (h->sh_class == sip_error_class && h->sh_error->er_name != nullptr) {
    std::string_view const n = h->sh_error->er_name;
    return sipsaf::iequals(n, "Request-Disposition") || sipsaf::iequals(n, "d");
  }
  return false;
}

/// The first fragment of the message: its request or status line.
inline auto first_fragment(sip_t const& s) noexcept -> msg_header_t const* {
  if (s.sip_request != nullptr) return header(s.sip_request);
  return header(s.sip_status);
}

}  // namespace sofia

/// Parses `wire` as sofia does on a transport, keeping the text of every
/// header line (MSG_FLG_EXTRACT_COPY). Null when sofia cannot make a message
/// of it: no request or status line, or a broken message. Header rows sofia
/// cannot parse are kept as error fragments, as on a transport.
///
/// CRLFs before the start line are dropped first: RFC 3261 §7.5 says to
/// ignore them, and sofia-sip 1.12 does so except with MSG_FLG_EXTRACT_COPY,
/// where msg_make() then finds no message at all.
inline auto parse(std::string_view wire) -> msg_ptr {
  while (!wire.empty() && (wire.front() == '\r' || wire.front() == '\n')) wire.remove_prefix(1);
  msg_ptr m(msg_make(sip_default_mclass(), MSG_FLG_EXTRACT_COPY, wire.data(),
                     static_cast<ssize_t>(wire.size())));
  if (!m) return m;
  sip_t const* s = sip_object(m.get());
  if (s == nullptr || (s->sip_request == nullptr && s->sip_status == nullptr)) return nullptr;
  return m;
}

}  // namespace sipsaf_sofia

/// sip_t as a *Request*. Views into the message where sofia has the text;
/// URIs are sofia's encoding of its parsed url_t.
template <>
struct sipsaf::request_traits<sip_t> {
  using text = sipsaf_sofia::text;

  static auto method(sip_t const& s) noexcept -> std::string_view {
    return s.sip_request != nullptr && s.sip_request->rq_method_name != nullptr
               ? s.sip_request->rq_method_name
               : "";
  }
  static auto from_uri(sip_t const& s) -> text {
    return s.sip_from != nullptr ? sipsaf_sofia::sofia::url_text(s.sip_from->a_url) : text();
  }
  static auto from_tag(sip_t const& s) noexcept -> std::string_view {
    return s.sip_from != nullptr && s.sip_from->a_tag != nullptr ? s.sip_from->a_tag : "";
  }
  static auto to_uri(sip_t const& s) -> text {
    return s.sip_to != nullptr ? sipsaf_sofia::sofia::url_text(s.sip_to->a_url) : text();
  }
  static auto call_id(sip_t const& s) noexcept -> std::string_view {
    return s.sip_call_id != nullptr && s.sip_call_id->i_id != nullptr ? s.sip_call_id->i_id : "";
  }
  // Nothing when the CSeq is missing: the engine answers 400 (RFC 3261 §8.1.1).
  static auto cseq(sip_t const& s) noexcept -> std::optional<std::uint32_t> {
    if (s.sip_cseq == nullptr) return std::nullopt;
    return s.sip_cseq->cs_seq;
  }
  static auto content_type(sip_t const& s) -> text {
    return sipsaf_sofia::sofia::value_of(s.sip_content_type);
  }
  static auto date(sip_t const& s) -> text { return sipsaf_sofia::sofia::value_of(s.sip_date); }
  static auto expires(sip_t const& s) -> text {
    return sipsaf_sofia::sofia::value_of(s.sip_expires);
  }

  /// Every Request-Disposition row (full or compact name `d`, parsed by
  /// sofia or not) as received, one by one; empty rows add nothing. sofia
  /// merges the rows into one header object, so without the received text
  /// this is one row: sofia's encoding of the merged list.
  static auto request_disposition(sip_t const& s) -> std::vector<text> {
    namespace d = sipsaf_sofia::sofia;
    std::vector<text> rows;
    bool raw = false;
    for (msg_header_t const* h = d::first_fragment(s); h != nullptr; h = h->sh_succ) {
      if (!d::is_disposition_row(h) || h->sh_data == nullptr) continue;
      raw = true;
      text v = d::line_value(d::raw_line(h));
      if (!std::string_view(v).empty()) rows.push_back(std::move(v));
    }
    if (!raw && s.sip_request_disposition != nullptr)
      rows.push_back(d::value_of(s.sip_request_disposition));
    return rows;
  }

  static auto body(sip_t const& s) noexcept -> std::string_view {
    if (s.sip_payload == nullptr || s.sip_payload->pl_data == nullptr) return {};
    return {s.sip_payload->pl_data, static_cast<std::size_t>(s.sip_payload->pl_len)};
  }

  /// The request as received: every fragment sofia kept, in order. One view
  /// when they lie one after the other in sofia's buffer (they do for a
  /// message parsed from one buffer); else joined, with sofia's encoding of
  /// any fragment it kept no text of.
  static auto bytes(sip_t const& s) -> text {
    namespace d = sipsaf_sofia::sofia;
    msg_header_t const* first = d::first_fragment(s);
    if (first == nullptr) return text();
    char const* begin = static_cast<char const*>(first->sh_data);
    char const* end = begin;
    bool contiguous = begin != nullptr;
    for (msg_header_t const* h = first; h != nullptr && contiguous; h = h->sh_succ) {
      if (h->sh_data != end) contiguous = false;
      end += h->sh_len;
    }
    if (contiguous) return text(std::string_view(begin, static_cast<std::size_t>(end - begin)));
    std::string out;
    for (msg_header_t const* h = first; h != nullptr; h = h->sh_succ) {
      if (h->sh_data != nullptr)
        out += d::raw_line(h);
      else
        out += d::encoded([h](char* b, isize_t n) { return msg_header_e(b, n, h, 0); });
    }
    return text(std::move(out));
  }
};

static_assert(sipsaf::is_request<sip_t>::value, "sip_t is a Request");

namespace sipsaf_sofia {

namespace sofia {

/// Adds a header made from text (sofia parses it); false if it does not parse.
inline auto add(msg_t* m, sip_t* s, msg_hclass_t* hc, std::string const& value) -> bool {
  return sip_add_make(m, s, hc, value.c_str()) == 0;
}

inline auto add_dup(msg_t* m, sip_t* s, void const* h) -> bool {
  return h == nullptr || sip_add_dup(m, s, static_cast<sip_header_t const*>(h)) == 0;
}

inline auto new_message() -> msg_ptr {
  return msg_ptr(msg_create(sip_default_mclass(), 0));
}

/// Adds the body with its Content-Type, then Content-Length.
inline auto finish(msg_t* m, sip_t* s, std::string_view content_type, std::string_view body)
    -> bool {
  if (!content_type.empty() && !add(m, s, sip_content_type_class, std::string(content_type)))
    return false;
  if (!body.empty()) {
    sip_payload_t* pl = sip_payload_create(msg_home(m), body.data(), body.size());
    if (pl == nullptr || sip_header_insert(m, s, reinterpret_cast<sip_header_t*>(pl)) != 0)
      return false;
  }
  return sip_complete_message(m) == 0;
}

}  // namespace sofia

/// The response a `respond_action` asks for (RFC 3261 §8.2.6): the Via
/// rows, From, To (with `to_tag` when it has none), Call-ID and CSeq of the
/// request, and an Accept header for 415 (RFC 3261 §21.4.13). With nta, the
/// same is `nta_incoming_treply(irq, code, reason, SIPTAG_ACCEPT_STR(...))`.
inline auto make_response(sip_t const& request, int code, std::string const& reason,
                          std::string_view accept, std::string const& to_tag) -> msg_ptr {
  msg_ptr m = sofia::new_message();
  if (!m) return m;
  sip_t* s = sip_object(m.get());
  su_home_t* home = msg_home(m.get());
  sip_status_t* st = sip_status_create(home, static_cast<unsigned>(code), reason.c_str(), nullptr);
  if (st == nullptr || sip_header_insert(m.get(), s, reinterpret_cast<sip_header_t*>(st)) != 0)
    return nullptr;
  if (!sofia::add_dup(m.get(), s, request.sip_via) ||
      !sofia::add_dup(m.get(), s, request.sip_from) ||
      !sofia::add_dup(m.get(), s, request.sip_to) ||
      !sofia::add_dup(m.get(), s, request.sip_call_id) ||
      !sofia::add_dup(m.get(), s, request.sip_cseq))
    return nullptr;
  if (s->sip_to != nullptr && s->sip_to->a_tag == nullptr && code > 100)
    sip_to_tag(home, s->sip_to, to_tag.c_str());
  if (!accept.empty() && !sofia::add(m.get(), s, sip_accept_class, std::string(accept)))
    return nullptr;
  if (!sofia::finish(m.get(), s, {}, {})) return nullptr;
  return m;
}

/// A live delivery: `request` proxied to `target` (RFC 3261 §16.6): a copy
/// with the Request-URI replaced, our Via on top and Max-Forwards one less;
/// every other header and the body as received.
inline auto make_proxied(msg_t* request, std::string const& target, std::string const& via_host,
                         std::string const& branch) -> msg_ptr {
  msg_ptr m(msg_dup(request));
  if (!m) return m;
  sip_t* s = sip_object(m.get());
  su_home_t* home = msg_home(m.get());
  url_string_t const* uri = URL_STRING_MAKE(target.c_str());
  sip_request_t* rq = sip_request_create(home, s->sip_request->rq_method,
                                         s->sip_request->rq_method_name, uri, nullptr);
  if (rq == nullptr || msg_header_replace(m.get(), reinterpret_cast<msg_pub_t*>(s),
                                          reinterpret_cast<msg_header_t*>(s->sip_request),
                                          reinterpret_cast<msg_header_t*>(rq)) != 0)
    return nullptr;
  // Via is a prepending header: the new one goes on top (RFC 3261 §16.6 step 8).
  if (!sofia::add(m.get(), s, sip_via_class, "SIP/2.0/UDP " + via_host + ";branch=" + branch))
    return nullptr;
  // One less, or 70 when there was none (RFC 3261 §16.6 step 3).
  unsigned long const hops = s->sip_max_forwards != nullptr ? s->sip_max_forwards->mf_count : 71;
  std::string const mf = std::to_string(hops > 0 ? hops - 1 : 0);
  if (s->sip_max_forwards != nullptr)
    msg_header_remove(m.get(), reinterpret_cast<msg_pub_t*>(s),
                      reinterpret_cast<msg_header_t*>(s->sip_max_forwards));
  if (!sofia::add(m.get(), s, sip_max_forwards_class, mf)) return nullptr;
  return m;
}

/// A stored request delivered as a new MESSAGE to `target`, keeping the
/// header fields sipsaf's stored deliveries keep
/// (`sipsaf::stored_delivery_fields`, <sipsaf/policy/render.hpp>) as
/// received, the CSeq number, and the body with its Content-Type; a Date
/// from `arrived` when the stored request has none. `stored` is what the
/// store kept: the bytes received, parsed again by sofia.
inline auto make_delivery(std::string_view stored, std::string const& target,
                          std::string const& via_host, std::string const& branch,
                          std::optional<sipsaf::timestamp> arrived) -> msg_ptr {
  msg_ptr original = parse(stored);
  if (!original) return nullptr;
  sip_t const* o = sip_object(original.get());
  msg_ptr m = sofia::new_message();
  if (!m) return m;
  sip_t* s = sip_object(m.get());
  using T = sipsaf::request_traits<sip_t>;
  std::uint32_t const cseq = o->sip_cseq != nullptr ? o->sip_cseq->cs_seq : 1;
  bool ok =
      sofia::add(m.get(), s, sip_request_class, "MESSAGE " + target + " SIP/2.0") &&
      sofia::add(m.get(), s, sip_via_class, "SIP/2.0/UDP " + via_host + ";branch=" + branch) &&
      sofia::add(m.get(), s, sip_max_forwards_class, "70") &&
      sofia::add(m.get(), s, sip_cseq_class, std::to_string(cseq) + " MESSAGE");
  // Every row of a kept field, one by one, as received (sofia's encoding
  // when it kept no text: then every fragment is a row).
  bool const raw = sofia::raw_line(sofia::first_fragment(*o)).size() > 0;
  for (msg_header_t const* h = sofia::first_fragment(*o); ok && h != nullptr; h = h->sh_succ) {
    if (h->sh_class == nullptr) continue;
    if (raw && h->sh_data == nullptr) continue;  // a part of a row already taken
    // A field sofia's parser does not know (Reply-To, say) is an unknown
    // header under its own name, copied as it is.
    bool const unknown = h->sh_class == sip_unknown_class;
    char const* name = unknown ? h->sh_unknown->un_name : h->sh_class->hc_name;
    if (name == nullptr) continue;
    sipsaf::field const f = sipsaf::field_of(name);
    if (f == sipsaf::field::content_type || !sipsaf::stored_delivery_keeps(f)) continue;
    ok = unknown ? sofia::add_dup(m.get(), s, h)
                 : sofia::add(m.get(), s, h->sh_class,
                              std::string(std::string_view(sofia::value_of(h))));
  }
  if (ok && o->sip_date == nullptr && arrived)
    ok = sofia::add(m.get(), s, sip_date_class, sipsaf::format_sip_date(*arrived));
  if (!ok || !sofia::finish(m.get(), s, std::string_view(T::content_type(*o)), T::body(*o)))
    return nullptr;
  return m;
}

/// The notification a `notify_action` asks for: an IMDN (a MESSAGE with
/// message/imdn+xml and Content-Disposition: notification, RFC 5438 §7.1.1)
/// or the opt-in NOTIFY, from the recipient to the original sender.
inline auto make_notification(sipsaf::notify_action const& n, std::string const& via_host,
                              std::string const& branch, std::string const& from_tag,
                              std::string const& call_id) -> msg_ptr {
  msg_ptr m = sofia::new_message();
  if (!m) return m;
  sip_t* s = sip_object(m.get());
  bool ok =
      sofia::add(m.get(), s, sip_request_class, n.method + " " + n.to + " SIP/2.0") &&
      sofia::add(m.get(), s, sip_via_class, "SIP/2.0/UDP " + via_host + ";branch=" + branch) &&
      sofia::add(m.get(), s, sip_max_forwards_class, "70") &&
      sofia::add(m.get(), s, sip_from_class, "<" + n.about + ">;tag=" + from_tag) &&
      sofia::add(m.get(), s, sip_to_class, "<" + n.to + ">") &&
      sofia::add(m.get(), s, sip_call_id_class, call_id) &&
      sofia::add(m.get(), s, sip_cseq_class, "1 " + n.method);
  if (ok && !n.event.empty())
    ok = sofia::add(m.get(), s, sip_event_class, n.event) &&
         sofia::add(m.get(), s, sip_subscription_state_class,
                    std::string(sipsaf::notification_subscription_state));
  if (ok && !n.content_disposition.empty())
    ok = sofia::add(m.get(), s, sip_content_disposition_class, n.content_disposition);
  if (!ok || !sofia::finish(m.get(), s, n.content_type, n.body)) return nullptr;
  return m;
}

/// The message as sofia would send it.
inline auto to_wire(msg_t* m) -> std::string {
  if (m == nullptr) return {};
  sip_t* s = sip_object(m);
  if (msg_serialize(m, reinterpret_cast<msg_pub_t*>(s)) < 0) return {};
  std::size_t len = 0;
  char* out = msg_as_string(msg_home(m), m, nullptr, 0, &len);
  if (out == nullptr) return {};
  std::string wire(out, len);
  su_free(msg_home(m), out);
  return wire;
}

}  // namespace sipsaf_sofia

#endif  // SIPSAF_EXAMPLES_EMBED_SOFIA_ADAPTER_HPP
