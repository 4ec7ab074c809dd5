// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_GATEWAY_HPP
#define SIPSAF_GATEWAY_HPP

/// @file
/// Payload conversions for forwarding targets outside SIP: the payload
/// tree, the Internet message for e-mail (RFC 5322, MIME, RFC 2047), the
/// MM4_forward.REQ for MMS (3GPP TS 23.140 §8.4), and
/// SMS text with GSM 7-bit / UCS-2 coding and segmentation. No I/O: the
/// program hands the result to its MTA or SMS gateway.

#include <sipsaf/gateway/encoded_word.hpp>
#include <sipsaf/gateway/gsm7.hpp>
#include <sipsaf/gateway/internet_message.hpp>
#include <sipsaf/gateway/mm4.hpp>
#include <sipsaf/gateway/payload.hpp>
#include <sipsaf/gateway/sms.hpp>

#endif  // SIPSAF_GATEWAY_HPP
