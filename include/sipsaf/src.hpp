// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_SRC_HPP
#define SIPSAF_SRC_HPP

/// @file
/// The definitions of the library's non-template functions, for the separate
/// compilation mode: with SIPSAF_SEPARATE_COMPILATION defined in every
/// translation unit of the program, include this file in exactly one of them.
/// The optional headers (<sipsaf/store/sqlite_store.hpp>,
/// <sipsaf/store/postgres_store.hpp>, <sipsaf/reachability/...>) stay
/// header-only in both modes.

#include <sipsaf/config.hpp>

#ifndef SIPSAF_SEPARATE_COMPILATION
#error "<sipsaf/src.hpp> needs SIPSAF_SEPARATE_COMPILATION defined in every translation unit"
#endif

#include <sipsaf.hpp>

#include <sipsaf/gateway/impl/encoded_word.ipp>
#include <sipsaf/gateway/impl/gsm7.ipp>
#include <sipsaf/gateway/impl/internet_message.ipp>
#include <sipsaf/gateway/impl/mm4.ipp>
#include <sipsaf/gateway/impl/payload.ipp>
#include <sipsaf/gateway/impl/sms.ipp>
#include <sipsaf/impl/error.ipp>
#include <sipsaf/impl/time.ipp>
#include <sipsaf/message/impl/builder.ipp>
#include <sipsaf/message/impl/framing.ipp>
#include <sipsaf/message/impl/header_values.ipp>
#include <sipsaf/message/impl/message_view.ipp>
#include <sipsaf/message/impl/notification_body.ipp>
#include <sipsaf/message/impl/uri.ipp>
#include <sipsaf/mime/impl/base64.ipp>
#include <sipsaf/mime/impl/content_disposition.ipp>
#include <sipsaf/mime/impl/media_type.ipp>
#include <sipsaf/mime/impl/multipart.ipp>
#include <sipsaf/mime/impl/quoted_printable.ipp>
#include <sipsaf/policy/impl/decision.ipp>
#include <sipsaf/policy/impl/default_policy.ipp>
#include <sipsaf/policy/impl/profile.ipp>
#include <sipsaf/policy/impl/render.ipp>
#include <sipsaf/rfc3841/impl/request_disposition.ipp>
#include <sipsaf/store/impl/memory_store.ipp>

#endif  // SIPSAF_SRC_HPP
