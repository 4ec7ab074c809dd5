// SIP helpers of the proxy: rewriting a message on its way through (Via,
// Route, Record-Route, Max-Forwards), and answering a message that does not
// even parse.
#ifndef SIPSAF_EXAMPLES_PROXY_SIP_UTIL_HPP
#define SIPSAF_EXAMPLES_PROXY_SIP_UTIL_HPP

#include <sipsaf/ascii.hpp>
#include <sipsaf/message.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace proxy {

/// How to write a message again on its way through the proxy.
struct rewrite {
  std::optional<std::string> request_uri;  ///< a new Request-URI (requests)
  std::string top_via;                     ///< a Via value to put on top (empty: none)
  std::string via_params;                  ///< appended to the first existing Via entry
  bool strip_top_via = false;              ///< remove the first Via entry (responses)
  bool pop_route = false;                  ///< remove the first Route entry (RFC 3261 §16.4)
  std::string push_route;                  ///< a Route value to put first (an outbound proxy)
  std::string record_route;                ///< a Record-Route value to put first (empty: none)
  std::optional<unsigned> max_forwards;    ///< the Max-Forwards to write (added when absent)
  std::optional<std::string> method;       ///< a new method (the CSeq follows)
  bool strip_asserted_identity = false;    ///< remove P-Asserted-Identity rows (RFC 3325 §5)
  std::string asserted_identity;           ///< a P-Asserted-Identity to write (empty: none)
};

namespace rows {
inline auto join(std::vector<std::string_view> const& v, std::size_t from) -> std::string {
  std::string s;
  for (std::size_t i = from; i < v.size(); ++i) {
    if (!s.empty()) s += ", ";
    s += v[i];
  }
  return s;
}
inline void add_row(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ": ";
  out += value;
  out += "\r\n";
}
}  // namespace rows

/// Writes `m` with the changes in `r`. Header rows keep their order (RFC
/// 3261 §16.6 asks a proxy to keep it); names are written in full form;
/// Content-Length is written from the body (a datagram may omit it, a
/// stream needs it, RFC 3261 §18.3).
inline auto write_rewritten(sipsaf::message_view const& m, rewrite const& r) -> std::string {
  using sipsaf::field;
  std::string out;
  out.reserve(m.wire().size() + 256);
  if (m.is_request()) {
    out += r.method ? std::string_view(*r.method) : m.method();
    out += ' ';
    out += r.request_uri ? std::string_view(*r.request_uri) : m.request_uri();
    out += " SIP/2.0\r\n";
  } else {
    out += m.start_line();
    out += "\r\n";
  }
  bool via_done = false, route_done = false, rr_done = false, mf_done = false;
  bool pushed = r.push_route.empty();
  if (!r.top_via.empty() && m.find(field::via) == nullptr) {  // our own request: Via first
    rows::add_row(out, "Via", r.top_via);
    via_done = true;
  }
  for (auto const& row : m.headers()) {
    std::string_view const name = row.id == field::unknown ? row.name : sipsaf::field_name(row.id);
    switch (row.id) {
      case field::via:
        if (!via_done) {
          via_done = true;
          if (!r.top_via.empty()) rows::add_row(out, "Via", r.top_via);
          auto entries = sipsaf::split_list(row.value);
          std::size_t first = 0;
          if (r.strip_top_via) first = 1;
          if (!r.via_params.empty() && first < entries.size()) {
            std::string top(entries[first]);
            top += r.via_params;
            std::string rest = rows::join(entries, first + 1);
            rows::add_row(out, "Via", rest.empty() ? top : top + ", " + rest);
          } else if (first < entries.size()) {
            rows::add_row(out, "Via", rows::join(entries, first));
          }
          continue;
        }
        break;
      case field::route:
        if (!pushed) {
          rows::add_row(out, "Route", r.push_route);
          pushed = true;
        }
        if (r.pop_route && !route_done) {
          route_done = true;
          auto entries = sipsaf::split_list(row.value);
          if (entries.size() > 1) rows::add_row(out, "Route", rows::join(entries, 1));
          continue;
        }
        break;
      case field::record_route:
        if (!rr_done && !r.record_route.empty()) {
          rr_done = true;
          rows::add_row(out, "Record-Route", r.record_route);
        }
        break;
      case field::max_forwards:
        if (r.max_forwards) {
          if (!mf_done) rows::add_row(out, "Max-Forwards", std::to_string(*r.max_forwards));
          mf_done = true;
          continue;
        }
        break;
      case field::cseq:
        if (r.method) {
          auto c = m.cseq();
          rows::add_row(out, "CSeq",
                        std::to_string(c ? c->number : 1) + " " + std::string(*r.method));
          continue;
        }
        break;
      case field::content_length:
        continue;  // written at the end
      case field::unknown:
        if (r.strip_asserted_identity && sipsaf::iequals(name, "P-Asserted-Identity")) continue;
        break;
      default:
        break;
    }
    rows::add_row(out, name, row.value);
  }
  if (!r.asserted_identity.empty()) rows::add_row(out, "P-Asserted-Identity", r.asserted_identity);
  if (!rr_done && !r.record_route.empty()) rows::add_row(out, "Record-Route", r.record_route);
  if (!pushed) rows::add_row(out, "Route", r.push_route);
  if (!mf_done && r.max_forwards)
    rows::add_row(out, "Max-Forwards", std::to_string(*r.max_forwards));
  rows::add_row(out, "Content-Length", std::to_string(m.body().size()));
  out += "\r\n";
  out += m.body();
  return out;
}

/// A response to a request that did not parse, from its raw header lines:
/// Via, From, To, Call-ID and CSeq are copied as found (full or compact
/// names). Lines may end in CRLF or in a bare LF: a message refused for its
/// LF-only line ends is still answered. Empty when the bytes are not a
/// request or carry no Via, so that there is nobody to answer (RFC 3261
/// §18.3: drop it).
inline auto error_response_from_raw(std::string_view raw, int code, std::string_view reason,
                                    std::string_view extra_header = {}) -> std::string {
  while (raw.size() >= 2 && raw[0] == '\r' && raw[1] == '\n') raw.remove_prefix(2);
  std::size_t pos = 0;
  auto next_line = [&]() -> std::optional<std::string_view> {
    if (pos >= raw.size()) return std::nullopt;
    std::size_t e = raw.find('\n', pos);
    if (e == std::string_view::npos) return std::nullopt;  // a line cut short
    std::string_view line = raw.substr(pos, e - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = e + 1;
    return line;
  };
  auto const start = next_line();
  // A request line ends in SIP-Version; any version is answered (505 for
  // one not spoken, RFC 3261 §21.5.7), a response is not.
  if (!start || start->rfind("SIP/", 0) == 0 || start->find(" SIP/") == std::string_view::npos)
    return {};
  std::string head = "SIP/2.0 " + std::to_string(code) + " " + std::string(reason) + "\r\n";
  std::string rows;
  bool via = false;
  for (int n = 0; n < 256; ++n) {
    auto const line = next_line();
    if (!line || line->empty()) break;
    std::size_t const colon = line->find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = line->substr(0, colon);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    auto const f = sipsaf::field_of(name);
    if (f != sipsaf::field::via && f != sipsaf::field::from && f != sipsaf::field::to &&
        f != sipsaf::field::call_id && f != sipsaf::field::cseq)
      continue;
    std::string_view value = line->substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    if (value.size() > 1024 || value.find('\r') != std::string_view::npos) continue;
    via = via || f == sipsaf::field::via;
    rows::add_row(rows, sipsaf::field_name(f), value);
  }
  if (!via) return {};
  std::string out = head + rows;
  if (!extra_header.empty()) {
    out += extra_header;
    out += "\r\n";
  }
  out += "Content-Length: 0\r\n\r\n";
  return out;
}

/// The answer to a message refused before it could be handled (RFC 3261
/// §21.4.1, §21.4.13, §21.5.7), with a Warning that says why (§20.43).
/// Empty when there is nobody to answer.
inline auto refusal_from_raw(std::string_view raw, sipsaf::errc code, std::string_view why)
    -> std::string {
  using sipsaf::errc;
  int status = 400;
  char const* reason = "Bad Request";
  if (code == errc::body_too_large || code == errc::message_too_large ||
      code == errc::header_too_long || code == errc::too_many_headers) {
    status = 413;
    reason = "Request Entity Too Large";
  } else if (code == errc::bad_version) {
    status = 505;
    reason = "Version Not Supported";
  }
  std::string text(why.substr(0, 200));
  for (char& c : text)
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) c = ' ';
  return error_response_from_raw(raw, status, reason, "Warning: 399 sipsaf-proxy \"" + text + "\"");
}

/// A short printable summary of a message for the log: start line, Call-ID, CSeq.
inline auto summary(sipsaf::message_view const& m) -> std::string {
  std::string s(m.start_line());
  if (auto c = m.header(sipsaf::field::call_id)) s += " [" + std::string(*c) + "]";
  if (auto c = m.header(sipsaf::field::cseq)) s += " (" + std::string(*c) + ")";
  return s;
}

}  // namespace proxy

#endif  // SIPSAF_EXAMPLES_PROXY_SIP_UTIL_HPP
