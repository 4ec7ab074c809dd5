// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MIME_HPP
#define SIPSAF_MIME_HPP

/// @file
/// MIME for SIP bodies (RFC 2045, RFC 2046, RFC 5621): media types and
/// ranges, Content-Disposition, multipart parse and serialize, boundaries,
/// the base64 and quoted-printable transfer encodings, message/cpim bodies,
/// and payloads cut down to what a recipient accepts.

#include <sipsaf/mime/adapt.hpp>
#include <sipsaf/mime/base64.hpp>
#include <sipsaf/mime/boundary.hpp>
#include <sipsaf/mime/content_disposition.hpp>
#include <sipsaf/mime/cpim.hpp>
#include <sipsaf/mime/media_type.hpp>
#include <sipsaf/mime/multipart.hpp>
#include <sipsaf/mime/quoted_printable.hpp>

#endif  // SIPSAF_MIME_HPP
