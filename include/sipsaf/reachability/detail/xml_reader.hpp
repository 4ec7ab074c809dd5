// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_REACHABILITY_DETAIL_XML_READER_HPP
#define SIPSAF_REACHABILITY_DETAIL_XML_READER_HPP

// The one place the reachability readers meet expat. Why expat: it is a
// streaming (SAX) parser, so a hostile body never becomes a tree in memory;
// it loads nothing from the network or disk unless asked; its C API lets a
// handler stop the parse at once, which is how the limits below are kept;
// and Debian ships it everywhere (libexpat1). A DOM parser (libxml2,
// pugixml) would build the whole document before we could judge it.

#include <sipsaf/config.hpp>
#include <sipsaf/error.hpp>
#include <sipsaf/reachability/xml_limits.hpp>
#include <sipsaf/result.hpp>

#include <expat.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <new>
#include <optional>
#include <string>
#include <string_view>

SIPSAF_BEGIN_NAMESPACE
namespace detail {

/// One element as the handler sees it: namespace URI, local name and the
/// unprefixed attributes (the only kind RFC 3680 and RFC 3863 define).
class xml_element {
 public:
  xml_element(std::string_view ns, std::string_view local, XML_Char const** atts) noexcept
      : ns_(ns), local_(local), atts_(atts) {}
  auto ns() const noexcept -> std::string_view { return ns_; }
  auto local() const noexcept -> std::string_view { return local_; }
  auto is(std::string_view ns, std::string_view local) const noexcept -> bool {
    return ns_ == ns && local_ == local;
  }
  /// The attribute's value, or nothing when it is absent.
  auto attribute(std::string_view name) const noexcept -> std::optional<std::string_view> {
    for (auto a = atts_; a != nullptr && a[0] != nullptr; a += 2) {
      if (name == a[0]) return std::string_view(a[1]);
    }
    return std::nullopt;
  }

 private:
  std::string_view ns_;
  std::string_view local_;
  XML_Char const** atts_;
};

// Names arrive as "namespace-URI local" (a space cannot occur in a URI).
inline constexpr XML_Char xml_ns_separator = ' ';

inline auto split_xml_name(XML_Char const* name, std::string_view& ns, std::string_view& local)
    -> void {
  std::string_view const n(name);
  auto const sep = n.find(xml_ns_separator);
  if (sep == std::string_view::npos) {
    ns = {};
    local = n;
  } else {
    ns = n.substr(0, sep);
    local = n.substr(sep + 1);
  }
}

/// XML white space (XML 1.0 §2.3 S) trimmed from both ends.
inline auto trim_xml_space(std::string_view s) noexcept -> std::string_view {
  auto const ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  return s;
}

/// xs:nonNegativeInteger no greater than `max`, surrounding space allowed.
inline auto parse_xml_unsigned(std::string_view s, std::uint64_t max) noexcept
    -> std::optional<std::uint64_t> {
  s = trim_xml_space(s);
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  for (char const c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    auto const d = static_cast<std::uint64_t>(c - '0');
    if (v > (max - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

/// Runs expat over `body` and calls, on `Handler& h`:
///   `errc h.start(xml_element const&, std::size_t depth)` (depth 0: root),
///   `errc h.end(std::string_view ns, std::string_view local, std::string_view text,
///               std::size_t depth)`,
/// where returning anything but `errc{}` stops the parse with that error,
/// and `text` is the character data directly inside a leaf element.
/// A DOCTYPE is refused (no entity can then expand: no "billion laughs",
/// no external entity), and so is every limit in `lim`.
template <class Handler>
auto read_xml(std::string_view body, xml_limits const& lim, Handler& h) -> result<void> {
  if (body.size() > lim.max_bytes ||
      body.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    return parse_error{errc::body_too_large, std::min(body.size(), lim.max_bytes)};
  }
  struct state {
    XML_Parser parser;
    Handler& handler;
    xml_limits const& lim;
    std::size_t depth = 0;
    std::size_t elements = 0;
    std::string text;
    errc failure{};
    std::size_t failure_at = 0;

    void fail(errc e) {
      if (failure == errc{}) {
        failure = e;
        auto const at = XML_GetCurrentByteIndex(parser);
        failure_at = at < 0 ? 0 : static_cast<std::size_t>(at);
      }
      XML_StopParser(parser, XML_FALSE);
    }
  };
  XML_Parser parser = XML_ParserCreateNS(nullptr, xml_ns_separator);
  if (parser == nullptr) throw std::bad_alloc();
  struct parser_owner {
    XML_Parser p;
    ~parser_owner() { XML_ParserFree(p); }
  } const owner{parser};
  state st{parser, h, lim, 0, 0, {}, errc{}, 0};
  XML_SetUserData(parser, &st);
  XML_SetStartDoctypeDeclHandler(
      parser, [](void* u, XML_Char const*, XML_Char const*, XML_Char const*, int) {
        static_cast<state*>(u)->fail(errc::bad_xml);
      });
  XML_SetElementHandler(
      parser,
      [](void* u, XML_Char const* name, XML_Char const** atts) {
        auto& s = *static_cast<state*>(u);
        if (s.failure != errc{}) return;
        if (++s.elements > s.lim.max_elements) return s.fail(errc::too_many_elements);
        if (s.depth >= s.lim.max_depth) return s.fail(errc::nesting_too_deep);
        std::string_view ns, local;
        split_xml_name(name, ns, local);
        s.text.clear();
        if (auto const e = s.handler.start(xml_element(ns, local, atts), s.depth); e != errc{}) {
          return s.fail(e);
        }
        ++s.depth;
      },
      [](void* u, XML_Char const* name) {
        auto& s = *static_cast<state*>(u);
        if (s.failure != errc{}) return;
        --s.depth;
        std::string_view ns, local;
        split_xml_name(name, ns, local);
        if (auto const e = s.handler.end(ns, local, std::string_view(s.text), s.depth);
            e != errc{}) {
          return s.fail(e);
        }
        s.text.clear();
      });
  XML_SetCharacterDataHandler(parser, [](void* u, XML_Char const* d, int n) {
    auto& s = *static_cast<state*>(u);
    if (s.failure == errc{} && n > 0) s.text.append(d, static_cast<std::size_t>(n));
  });
  auto const status = XML_Parse(parser, body.data(), static_cast<int>(body.size()), XML_TRUE);
  if (st.failure != errc{}) return parse_error{st.failure, st.failure_at};
  if (status != XML_STATUS_OK) {
    auto const at = XML_GetCurrentByteIndex(parser);
    return parse_error{errc::bad_xml, at < 0 ? body.size() : static_cast<std::size_t>(at)};
  }
  return {};
}

}  // namespace detail
SIPSAF_END_NAMESPACE

#endif  // SIPSAF_REACHABILITY_DETAIL_XML_READER_HPP
