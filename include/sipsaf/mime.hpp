// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MIME_HPP
#define SIPSAF_MIME_HPP

/// @file
/// MIME for SIP bodies (RFC 2045, RFC 2046, RFC 5621): media types and
/// ranges, Content-Disposition.

#include <sipsaf/mime/content_disposition.hpp>
#include <sipsaf/mime/media_type.hpp>

#endif  // SIPSAF_MIME_HPP
