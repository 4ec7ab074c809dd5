// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_REACHABILITY_PIDF_HPP
#define SIPSAF_REACHABILITY_PIDF_HPP

/// @file
/// Reader for the basic status of an `application/pidf+xml` body (RFC 3863),
/// the body of a NOTIFY of the `presence` event package (RFC 3856).
///
/// Opt-in: this header needs expat (Debian: libexpat1-dev; CMake:
/// `find_package(EXPAT)` and link `EXPAT::EXPAT`); detail/xml_reader.hpp
/// says why expat. <sipsaf.hpp> does not include it.
///
/// @par What is read (RFC 3863 §4.1)
/// @code
///   presence     entity (URI)
///     tuple        id
///       status
///         basic      "open" | "closed"  (§4.1.4)
///       contact    URI, optional
/// @endcode
/// Everything else (notes, timestamps, extensions such as RPID) is skipped.

#include <sipsaf/config.hpp>
#include <sipsaf/error.hpp>
#include <sipsaf/reachability/detail/xml_reader.hpp>
#include <sipsaf/reachability/xml_limits.hpp>
#include <sipsaf/result.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

SIPSAF_BEGIN_NAMESPACE

/// RFC 3863 §4.1.4: `open` means the tuple can accept communication;
/// `unknown` when a tuple has no `<basic>` (it is optional in the schema).
enum class basic_status { unknown, open, closed };

struct presence_tuple {
  std::string id;
  basic_status basic = basic_status::unknown;
  std::string contact;  ///< text of `<contact>`, trimmed; empty when absent
};

struct presence_document {
  std::string entity;
  std::vector<presence_tuple> tuples;

  /// True when any tuple's basic status is `open`.
  auto open() const noexcept -> bool {
    for (auto const& t : tuples) {
      if (t.basic == basic_status::open) return true;
    }
    return false;
  }
};

namespace detail {

inline constexpr std::string_view pidf_ns = "urn:ietf:params:xml:ns:pidf";

class pidf_handler {
 public:
  presence_document doc;

  auto start(xml_element const& e, std::size_t depth) -> errc {
    if (depth == 0) {
      if (!e.is(pidf_ns, "presence")) return errc::bad_xml_document;
      auto const entity = e.attribute("entity");
      if (!entity || trim_xml_space(*entity).empty()) return errc::bad_xml_document;
      doc.entity = std::string(trim_xml_space(*entity));
      return {};
    }
    if (e.ns() != pidf_ns) return {};
    if (depth == 1 && e.local() == "tuple") {
      auto const id = e.attribute("id");
      if (!id) return errc::bad_xml_document;
      doc.tuples.push_back(presence_tuple{std::string(*id), basic_status::unknown, {}});
      in_tuple_ = true;
    } else if (depth == 2 && e.local() == "status" && in_tuple_) {
      in_status_ = true;
    }
    return {};
  }

  auto end(std::string_view ns, std::string_view local, std::string_view text, std::size_t depth)
      -> errc {
    if (ns != pidf_ns) return {};
    if (depth == 3 && local == "basic" && in_status_) {
      auto const v = trim_xml_space(text);
      if (v == "open") {
        doc.tuples.back().basic = basic_status::open;
      } else if (v == "closed") {
        doc.tuples.back().basic = basic_status::closed;
      } else {
        return errc::bad_xml_document;  // §4.1.4 allows only these two
      }
    } else if (depth == 2 && local == "contact" && in_tuple_) {
      doc.tuples.back().contact = std::string(trim_xml_space(text));
    } else if (depth == 2 && local == "status") {
      in_status_ = false;
    } else if (depth == 1 && local == "tuple") {
      in_tuple_ = false;
    }
    return {};
  }

 private:
  bool in_tuple_ = false;
  bool in_status_ = false;
};

}  // namespace detail

/// Reads an `application/pidf+xml` body: entity, and each tuple's id, basic
/// status and contact.
///
/// @par Complexity
/// Linear in `body.size()`.
/// @par Specification
/// RFC 3863 §4.1 (presence, tuple, status, basic, contact).
inline auto parse_pidf(std::string_view body, xml_limits const& lim = {})
    -> result<presence_document> {
  detail::pidf_handler h;
  if (auto const r = detail::read_xml(body, lim, h); !r) return r.error();
  return std::move(h.doc);
}

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_REACHABILITY_PIDF_HPP
