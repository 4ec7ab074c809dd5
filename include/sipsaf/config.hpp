// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_CONFIG_HPP
#define SIPSAF_CONFIG_HPP

#define SIPSAF_VERSION_MAJOR 0
#define SIPSAF_VERSION_MINOR 1
#define SIPSAF_VERSION_PATCH 0
/// The version as one number, MAJOR * 10000 + MINOR * 100 + PATCH.
#define SIPSAF_VERSION \
  (SIPSAF_VERSION_MAJOR * 10000 + SIPSAF_VERSION_MINOR * 100 + SIPSAF_VERSION_PATCH)

// Every public name lives in an inline ABI namespace, so two major versions
// can be linked into one program without violating the ODR.
#define SIPSAF_BEGIN_NAMESPACE \
  namespace sipsaf {           \
  inline namespace v0 {
#define SIPSAF_END_NAMESPACE \
  }                          \
  }

// Header-only by default. With SIPSAF_SEPARATE_COMPILATION defined (in every
// translation unit), the non-template functions are only declared by the
// headers, and one translation unit of the program compiles them all by
// including <sipsaf/src.hpp>: users then pay for their bodies once, not in
// every file that includes a sipsaf header.
#ifdef SIPSAF_SEPARATE_COMPILATION
#define SIPSAF_DECL
#else
#define SIPSAF_HEADER_ONLY 1
#define SIPSAF_DECL inline
#endif

#endif  // SIPSAF_CONFIG_HPP
