// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_POLICY_NOTIFICATION_HPP
#define SIPSAF_POLICY_NOTIFICATION_HPP

/// @file
/// Notifications to the sender about a stored message: how the sender is
/// told. The bodies are written by <sipsaf/message/notification_body.hpp>;
/// the stack builds and sends the request.
///
/// Two modes:
/// - **IMDN** (the default): a MESSAGE with a `message/imdn+xml` body
///   (RFC 5438 §7.2) saying *stored* (a processing notification), *delivered*
///   or *failed* (delivery notifications; an expired message has failed).
///   RFC 5438 carries an IMDN inside `message/cpim` with
///   `Content-Disposition: notification`; a stack that speaks CPIM wraps the
///   body, one that does not sends it as is. The `message-id` is the
///   original request's Call-ID (a plain SIP MESSAGE has no
///   `imdn.Message-ID`), so the sender can match it.
/// - **NOTIFY**: the patent's "message has been delivered" NOTIFY, as an
///   opt-in: a NOTIFY with a short `text/plain` body. RFC 6665 §4.1.3 says a
///   NOTIFY that matches no subscription is answered 481, so only senders
///   that expect it should get it.

#include <sipsaf/config.hpp>
#include <sipsaf/message/notification_body.hpp>

#include <cstdint>

SIPSAF_BEGIN_NAMESPACE

/// How the sender is told.
enum class notification_mode : std::uint8_t {
  imdn,    ///< MESSAGE with message/imdn+xml (RFC 5438)
  notify,  ///< NOTIFY "message has been delivered" (opt-in)
  none,    ///< never
};

inline auto to_string(notification_mode m) noexcept -> char const* {
  switch (m) {
    case notification_mode::imdn:
      return "imdn";
    case notification_mode::notify:
      return "notify";
    case notification_mode::none:
      return "none";
  }
  return "?";
}

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_POLICY_NOTIFICATION_HPP
