// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MESSAGE_IMPL_MESSAGE_PARSER_HPP
#define SIPSAF_MESSAGE_IMPL_MESSAGE_PARSER_HPP

// The message parser that `parse_message` and `frame_message` share: only
// their definitions include it.

#include <sipsaf/message/message_view.hpp>

#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

SIPSAF_BEGIN_NAMESPACE

namespace detail {
namespace msg {

// Replaces each fold (`*WSP CRLF 1*WSP`) by one SP (RFC 3261 §7.3.1).
inline void append_unfolded(std::string& out, std::string_view raw) {
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char const c = raw[i];
    if (c == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n') {
      while (!out.empty() && is_wsp(out.back())) out.pop_back();
      out.push_back(' ');
      i += 2;
      while (i < raw.size() && is_wsp(raw[i])) ++i;
      --i;
    } else {
      out.push_back(c);
    }
  }
}

// The first CR or LF in [p, e), or e: 16 bytes at a time where SSE2 is there.
inline auto find_cr_or_lf(char const* p, char const* e) noexcept -> char const* {
#if defined(__SSE2__)
  __m128i const cr = _mm_set1_epi8('\r');
  __m128i const lf = _mm_set1_epi8('\n');
  while (e - p >= 16) {
    __m128i const v = _mm_loadu_si128(reinterpret_cast<__m128i const*>(p));
    int const mask = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)));
    if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    p += 16;
  }
#endif
  while (p != e && *p != '\r' && *p != '\n') ++p;
  return p;
}

// The typed fields `parse_message` checks itself; the others (From, To,
// Via, Contact, Date) wait for first access or `validate()`. Measured with
// callgrind on the benchmark MESSAGE: checking those five while parsing was
// 3,200 of its 10,500 instructions, each building a whole typed value to
// throw it away; these four cost about 700 together (less in their usual
// form, see `usual_form`), and CSeq's method must match the start line.
// One load per row decides.
struct parse_checks {
  bool now[field_count];
};
constexpr auto make_parse_checks() noexcept -> parse_checks {
  parse_checks t{};
  t.now[static_cast<std::size_t>(field::call_id)] = true;
  t.now[static_cast<std::size_t>(field::cseq)] = true;
  t.now[static_cast<std::size_t>(field::max_forwards)] = true;
  t.now[static_cast<std::size_t>(field::expires)] = true;
  return t;
}
inline constexpr parse_checks checked_while_parsing = make_parse_checks();

// The syntax of one row of a typed field; `raw` is the wire value, `method`
// the request method (empty for a response). On an error `at` points to it.
inline auto check_field(field id, std::string_view raw, std::string_view method, char const*& at)
    -> errc {
  char const* p = raw.data();
  char const* const end = p + raw.size();
  errc ec = ok;
  switch (id) {
    case field::from:
    case field::to: {
      name_addr a;
      if (p == end) {
        at = p;
        return errc::empty_value;
      }
      ec = scan_name_addr(p, end, addr_mode::single, a);
      break;
    }
    case field::call_id: {
      std::string_view v;
      ec = scan_call_id(p, end, v);
      break;
    }
    case field::cseq: {
      cseq_value c;
      ec = scan_cseq(p, end, c);
      // RFC 3261 §8.1.1.5: the CSeq method matches the request method.
      if (ec == ok && !method.empty() && c.method != method) {
        p = c.method.data();
        ec = errc::conflicting_headers;
      }
      break;
    }
    case field::via:
      ec = scan_list(p, end, [&](char const*& s) {
        via_entry v;
        return scan_via(s, end, v);
      });
      break;
    case field::contact:
      ec = scan_contact_list(p, end, nullptr);
      break;
    case field::max_forwards: {
      std::uint64_t x = 0;
      ec = scan_number_field(p, end, 255, x, errc::bad_header_value);
      break;
    }
    case field::expires: {
      std::uint64_t x = 0;
      ec = scan_number_field(p, end, 0xffffffffu, x, errc::bad_header_value);
      break;
    }
    case field::date: {
      sip_date d;
      ec = scan_date(p, end, d);
      break;
    }
    default:
      break;
  }
  at = p;
  return ec;
}

// The usual row, `Name: value` with the colon in its first 32 bytes, found
// by SSE2 compares: a known name then needs no token scan (it matched the
// table's letters and hyphens; no CR or LF comes before the colon). Any
// other row, and every malformed one, takes the byte-wise path, which
// decides the errors.
inline auto quick_field_name(char const* p, char const* e, char const*& colon, field& id) noexcept
    -> bool {
#if defined(__SSE2__)
  if (e - p < 32) return false;
  __m128i const col = _mm_set1_epi8(':');
  __m128i const cr = _mm_set1_epi8('\r');
  __m128i const lf = _mm_set1_epi8('\n');
  char const* q = nullptr;
  for (int k = 0; k < 32 && q == nullptr; k += 16) {
    __m128i const v = _mm_loadu_si128(reinterpret_cast<__m128i const*>(p + k));
    auto const colons = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, col)));
    auto const ends = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf))));
    if (colons == 0) {
      if (ends != 0) return false;
      continue;
    }
    unsigned const at = static_cast<unsigned>(__builtin_ctz(colons));
    if ((ends & ((1u << at) - 1u)) != 0) return false;
    q = p + k + at;
  }
  if (q == nullptr || q == p || is_wsp(q[-1])) return false;
  id = field_of(view(p, q));
  if (id == field::unknown && span(p, q, token_chars) != q) return false;
  colon = q;
  return true;
#else
  (void)p, (void)e, (void)colon, (void)id;
  return false;
#endif
}

// The usual forms of the numeric fields, recognised in a few instructions
// (`raw` is trimmed): `1*DIGIT` for Max-Forwards and Expires, and
// `1*DIGIT SP Method` for a request's CSeq, the method being the one the
// start line read as a token (RFC 3261 §8.1.1.5). Any other form is not
// wrong for that: `check_field` decides.
inline auto usual_form(field id, std::string_view raw, std::string_view method) noexcept -> bool {
  char const* p = raw.data();
  char const* const e = p + raw.size();
  std::uint64_t n = 0;
  switch (id) {
    case field::max_forwards:
      return parse_number(p, e, 255, n) && p == e;
    case field::expires:
      return parse_number(p, e, 0xffffffffu, n) && p == e;
    case field::cseq:
      return !method.empty() && parse_number(p, e, 0xffffffffu, n) &&
             static_cast<std::size_t>(e - p) == method.size() + 1 && *p == ' ' &&
             std::memcmp(p + 1, method.data(), method.size()) == 0;
    default:
      return false;
  }
}

struct message_parser {
  char const* b;  // input begin
  char const* e;  // input end
  message_options const& opts;
  message_view& m;  // filled in place, inside the result that is returned
  parse_error err{};
  bool framing = false;  // a stream framer: a short body is not an error
  std::size_t need = 0;  // framing: body bytes still missing

  auto fail(errc code, char const* at) -> bool {
    err = parse_error{code, static_cast<std::size_t>(at - b)};
    return false;
  }

  // The end of the line starting at p: the CR of its CRLF. A bare CR or LF
  // before it is an error; no LF yet means the input is incomplete.
  auto line_end(char const* p, char const*& cr) -> bool {
    char const* q = find_cr_or_lf(p, e);
    if (q == e) return fail(errc::need_more, e);
    if (*q == '\n') return fail(errc::bad_line_end, q);
    if (q + 1 == e) return fail(errc::need_more, e);
    if (q[1] != '\n') return fail(errc::bad_line_end, q);
    cr = q;
    return true;
  }

  auto parse_version(char const* p, char const* end) -> bool {
    // SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT; only 2.0 is understood (RFC 3261 §7.1).
    if (end - p < 4 || !iequals(view(p, p + 4), "SIP/")) return fail(errc::bad_start_line, p);
    char const* q = p + 4;
    char const* d1 = span(q, end, digit);
    if (d1 == q || d1 == end || *d1 != '.') return fail(errc::bad_version, d1);
    char const* d2 = span(d1 + 1, end, digit);
    if (d2 == d1 + 1) return fail(errc::bad_version, d2);
    if (d2 != end) return fail(errc::bad_start_line, d2);
    if (view(q, d2) != "2.0") return fail(errc::bad_version, q);
    m.version_ = view(p, end);
    return true;
  }

  auto start_line(char const* p, char const* cr) -> bool {
    m.start_line_ = view(p, cr);
    if (cr - p >= 4 && iequals(view(p, p + 4), "SIP/")) {
      // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF
      char const* sp = p;
      while (sp != cr && *sp != ' ') ++sp;
      if (!parse_version(p, sp)) return false;
      if (sp == cr) return fail(errc::bad_start_line, sp);
      char const* c = sp + 1;
      char const* d = span(c, cr, digit);
      if (d - c != 3 || *c < '1' || *c > '6') return fail(errc::bad_status_code, c);
      m.status_ = (c[0] - '0') * 100 + (c[1] - '0') * 10 + (c[2] - '0');
      if (d == cr) return true;  // no reason phrase: tolerated
      if (*d != ' ') return fail(errc::bad_status_code, d);
      // Reason-Phrase = *(reserved / unreserved / escaped / UTF8-NONASCII /
      // UTF8-CONT / SP / HTAB): no control bytes.
      for (char const* r = d + 1; r != cr; ++r) {
        auto const u = static_cast<unsigned char>(*r);
        if ((u < 0x20 && u != '\t') || u == 0x7f) return fail(errc::bad_start_line, r);
      }
      m.reason_ = view(d + 1, cr);
      return true;
    }
    // Request-Line = Method SP Request-URI SP SIP-Version CRLF
    char const* t = span(p, cr, token_chars);
    if (t == p || t == cr || *t != ' ') return fail(errc::bad_start_line, t);
    m.method_ = view(p, t);
    char const* u = t + 1;
    auto const* sp =
        static_cast<char const*>(std::memchr(u, ' ', static_cast<std::size_t>(cr - u)));
    char const* const ue = sp == nullptr ? cr : sp;
    if (ue == u || ue == cr) return fail(errc::bad_start_line, ue);
    char const* at = u;
    errc const ec = scan_uri(u, ue, uri_context::request_line, m.request_uri_, at);
    if (ec != ok) return fail(ec, at);
    return parse_version(ue + 1, cr);
  }

  auto run() -> bool {
    char const* p = b;
    // RFC 3261 §7.5: CRLFs before the start line are ignored.
    while (e - p >= 2 && p[0] == '\r' && p[1] == '\n') p += 2;
    char const* const start = p;
    m.input_begin_ = b;
    char const* cr = nullptr;
    if (p == e) return fail(errc::need_more, e);
    if (!line_end(p, cr)) {
      if (err.code == errc::need_more &&
          static_cast<std::size_t>(e - start) > opts.max_header_bytes)
        return fail(errc::header_too_long, start + opts.max_header_bytes);
      return false;
    }
    if (static_cast<std::size_t>(cr + 2 - start) > opts.max_header_bytes)
      return fail(errc::header_too_long, start + opts.max_header_bytes);
    if (!start_line(p, cr)) return false;
    p = cr + 2;
    // 16 rows of 64 bytes: a block small allocators keep at hand (glibc's
    // per-thread cache ends at 1,032 bytes; 24 rows cost 400 instructions more).
    m.rows_.reserve(16);
    bool any_folded = false;
    char const* content_length_at = nullptr;
    std::size_t content_length = 0;
    bool cl_conflict = false;
    for (;;) {
      if (static_cast<std::size_t>(p - start) > opts.max_header_bytes)
        return fail(errc::header_too_long, start + opts.max_header_bytes);
      if (p == e) return fail(errc::need_more, e);
      if (*p == '\r') {
        if (p + 1 == e) return fail(errc::need_more, e);
        if (p[1] != '\n') return fail(errc::bad_line_end, p);
        p += 2;
        break;
      }
      if (*p == '\n') return fail(errc::bad_line_end, p);
      // field-name HCOLON: token *(SP / HTAB) ":"
      char const* name_end = nullptr;
      char const* colon = nullptr;
      field id = field::unknown;
      if (quick_field_name(p, e, colon, id)) {
        name_end = colon;
      } else {
        name_end = span(p, e, token_chars);
        if (name_end == p) return fail(errc::bad_header_field, p);
        colon = name_end;
        while (colon != e && is_wsp(*colon)) ++colon;
        if (colon == e) return fail(errc::need_more, e);
        if (*colon != ':') return fail(errc::bad_header_field, colon);
        id = field_of(view(p, name_end));
      }
      // The field ends at a CRLF not followed by SP / HTAB.
      char const* v = colon + 1;
      char const* q = v;
      bool folded = false;
      for (;;) {
        if (!line_end(q, cr)) {
          if (err.code == errc::need_more &&
              static_cast<std::size_t>(e - start) > opts.max_header_bytes)
            return fail(errc::header_too_long, start + opts.max_header_bytes);
          return false;
        }
        if (cr + 2 == e) return fail(errc::need_more, e);
        if (!is_wsp(cr[2])) break;
        folded = true;
        q = cr + 3;
      }
      // The row index is kept in 16 bits: at most 65535 rows whatever the option.
      if (m.rows_.size() >= opts.max_headers || m.rows_.size() == 65535)
        return fail(errc::too_many_headers, p);
      // Trim LWS (folds included) before, WSP after the value.
      char const* vb = v;
      if (vb + 1 < cr && *vb == ' ' && !is_wsp(vb[1]) && vb[1] != '\r') {
        ++vb;  // the usual single SP after the colon
      } else {
        for (char const* n = skip_lws(vb, cr); n != vb; n = skip_lws(vb, cr)) vb = n;
      }
      char const* ve = cr;
      while (ve != vb && (is_wsp(ve[-1]) || ve[-1] == '\n' || ve[-1] == '\r')) --ve;
      std::string_view const name = view(p, name_end);
      std::string_view const raw = view(vb, ve);
      any_folded =
          any_folded || (folded && std::memchr(vb, '\r', static_cast<std::size_t>(ve - vb)));
      if (id == field::content_length) {
        auto n = message_view::parse_content_length(raw);
        if (!n) return fail(n.error().code, vb + n.error().offset);
        if (content_length_at != nullptr && *n != content_length) cl_conflict = true;
        if (content_length_at == nullptr) {
          content_length_at = vb;
          content_length = *n;
        }
      } else if (checked_while_parsing.now[static_cast<std::size_t>(id)] &&
                 opts.validate_known_fields && !usual_form(id, raw, m.method_)) {
        char const* at = vb;
        errc const ec = check_field(id, raw, m.method_, at);
        if (ec != ok) return fail(ec, at);
      }
      auto const idx = static_cast<std::size_t>(id);
      if (m.first_[idx] == 0) m.first_[idx] = static_cast<std::uint16_t>(m.rows_.size() + 1);
      ++m.count_[idx];
      // Filled in place: building a temporary and copying it costs a
      // store-forwarding stall per row.
      message_field& row = m.rows_.emplace_back();
      row.name = name;
      row.value = raw;
      row.raw = raw;
      row.id = id;
      row.offset = static_cast<std::size_t>(p - b);
      p = cr + 2;
    }
    if (static_cast<std::size_t>(p - start) > opts.max_header_bytes)
      return fail(errc::header_too_long, start + opts.max_header_bytes);
    // Folded values: one copy, unfolded, shared by copies of the view.
    if (any_folded) {
      auto store = std::make_shared<std::string>();
      std::vector<std::size_t> at(m.rows_.size() + 1, 0);
      for (std::size_t i = 0; i < m.rows_.size(); ++i) {
        std::string_view const raw = m.rows_[i].raw;
        at[i] = store->size();
        if (std::memchr(raw.data(), '\r', raw.size()) != nullptr) append_unfolded(*store, raw);
      }
      at[m.rows_.size()] = store->size();
      for (std::size_t i = 0; i < m.rows_.size(); ++i)
        if (at[i + 1] != at[i])
          m.rows_[i].value = std::string_view(store->data() + at[i], at[i + 1] - at[i]);
      m.unfolded_ = std::move(store);
    }
    // Body and Content-Length (RFC 3261 §18.3, §20.14).
    std::size_t const avail = static_cast<std::size_t>(e - p);
    std::size_t body_len = avail;
    if (content_length_at == nullptr) {
      if (opts.require_content_length) return fail(errc::missing_content_length, p - 2);
    } else if (cl_conflict) {
      if (opts.require_content_length) return fail(errc::conflicting_headers, content_length_at);
    } else {
      if (content_length > opts.max_body_bytes)
        return fail(errc::body_too_large, content_length_at);
      if (content_length > avail) {
        if (!framing) return fail(errc::content_length_mismatch, content_length_at);
        need = content_length - avail;
        content_length = avail;
      }
      body_len = content_length;
    }
    if (body_len > opts.max_body_bytes) return fail(errc::body_too_large, p + opts.max_body_bytes);
    if (static_cast<std::size_t>(p - start) + body_len > opts.max_message_bytes)
      return fail(errc::message_too_large, start + opts.max_message_bytes);
    m.body_ = view(p, p + body_len);
    m.trailing_ = view(p + body_len, e);
    m.wire_ = view(start, p + body_len);
    return true;
  }
};

}  // namespace msg
}  // namespace detail

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_MESSAGE_IMPL_MESSAGE_PARSER_HPP
