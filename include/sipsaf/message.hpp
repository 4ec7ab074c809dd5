// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MESSAGE_HPP
#define SIPSAF_MESSAGE_HPP

/// @file
/// The SIP message part of sipsaf: a zero-copy message view with typed
/// header access (`parse_message`), stream framing (`frame_message`),
/// URIs, header field values, and a builder for requests and responses.

#include <sipsaf/message/builder.hpp>
#include <sipsaf/message/fields.hpp>
#include <sipsaf/message/framing.hpp>
#include <sipsaf/message/header_values.hpp>
#include <sipsaf/message/message_view.hpp>
#include <sipsaf/message/notification_body.hpp>
#include <sipsaf/message/uri.hpp>

#endif  // SIPSAF_MESSAGE_HPP
