// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_REACHABILITY_XML_LIMITS_HPP
#define SIPSAF_REACHABILITY_XML_LIMITS_HPP

#include <sipsaf/config.hpp>

#include <cstddef>

SIPSAF_BEGIN_NAMESPACE

/// Bounds on an XML event body (reginfo, PIDF) read from the network.
/// The defaults are far above what a registrar or presence server sends for
/// one address of record (Kamailio's reginfo for one contact is ~500 bytes).
struct xml_limits {
  std::size_t max_bytes = 64 * 1024;  ///< whole body; more is `errc::body_too_large`
  std::size_t max_depth = 16;         ///< element nesting; deeper is `errc::nesting_too_deep`
  std::size_t max_elements = 2048;    ///< elements in all; more is `errc::too_many_elements`
};

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_REACHABILITY_XML_LIMITS_HPP
