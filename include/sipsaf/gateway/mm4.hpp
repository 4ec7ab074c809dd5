// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_GATEWAY_MM4_HPP
#define SIPSAF_GATEWAY_MM4_HPP

/// @file
/// A SIP request's payload as an MM4_forward.REQ, the request one MMS
/// Relay/Server sends another to route a multimedia message forward (3GPP
/// TS 23.140 Release 6, §8.4.1). MM4 is Internet mail: an RFC 2822 message
/// with MIME content, carried by SMTP (TS 23.140 §8.4), its information
/// elements in `X-Mms-*` header fields. So the message is the Internet
/// message of `to_internet_message` (same parts, bytes, Date, Subject,
/// Message-ID) with the MM4 fields added and MM4 addresses:
///
/// @code
///   From: <the sender: +E164/TYPE=PLMN@ORIGINATOR, or a mailbox>
///   To: +E164/TYPE=PLMN@RECIPIENT-MMSC
///   Subject, Date, Message-ID, MIME-Version, Content-*   (as for e-mail)
///   X-Mms-3GPP-MMS-Version: 6.16.0                       (§8.4.1: 3GPP MMS Version)
///   X-Mms-Message-Type: MM4_forward.REQ                  (§8.4.1: Message Type)
///   X-Mms-Transaction-ID: sip.CSEQ.CALL-ID               (§8.4.1: Transaction ID)
///   X-Mms-Message-ID: <sip.CSEQ.CALL-ID@ORIGINATOR>      (§8.4.1: Message ID)
///   X-Mms-Ack-Request: No                                (§8.4.1: Acknowledgement Request)
///   X-Mms-Originator-System: mms@ORIGINATOR              (§8.4.1: Originator System)
///   Sender: <the From address>                           (§8.4.1: Sender address)
/// @endcode
///
/// The Transaction ID and the Message ID come from Call-ID and CSeq, so a
/// retried forward is the same transaction of the same message and the
/// recipient's MMS Relay/Server can drop a copy it already has.
///
/// Acknowledgement Request is `No`: the MM4_forward.RES would come back by
/// SMTP to the Originator System, and sipsaf receives no mail. The outcome
/// a program reports is the MTA's acceptance, as for e-mail.
///
/// Addresses (TS 23.140 §8.4, the `/TYPE=PLMN` form of a phone number as
/// MMS encodes it in Internet mail): a global E.164 number is
/// `+DIGITS/TYPE=PLMN@DOMAIN`; any other sender is its RFC 2822 mailbox.

#include <sipsaf/config.hpp>
#include <sipsaf/error.hpp>
#include <sipsaf/gateway/internet_message.hpp>
#include <sipsaf/message/message_view.hpp>
#include <sipsaf/result.hpp>

#include <optional>
#include <string>
#include <string_view>

SIPSAF_BEGIN_NAMESPACE

/// How `to_mm4_forward` writes an MM4_forward.REQ.
struct mm4_options {
  /// The recipient's MMS Relay/Server: the domain of the To address, e.g.
  /// `mms.mnc001.mcc001.gprs`. Required.
  std::string recipient_domain;
  /// This side's domain: the domain of a phone-number sender, of the
  /// Message-ID and of the Originator System. Required.
  std::string originator_domain;
  /// X-Mms-Originator-System. Empty: `mms@` and `originator_domain`.
  std::string originator_system;
  /// X-Mms-3GPP-MMS-Version: the TS 23.140 version written to.
  std::string version = "6.16.0";
  /// Date, Subject and payload limits as for e-mail. Its `to`,
  /// `message_id_domain`, `map_address` and `extra_headers` are set here.
  mail_options mail;
};

/// True when `number` is a global E.164 number as profiles write it: `+`
/// and 1 to 15 digits (ITU-T E.164 §6).
SIPSAF_DECL auto is_e164(std::string_view number) noexcept -> bool;

/// `+DIGITS/TYPE=PLMN@DOMAIN`, the MM4 address of a phone number (TS 23.140
/// §8.4); nothing when `number` is not E.164 or the result not an addr-spec.
SIPSAF_DECL auto mm4_phone_address(std::string_view number, std::string_view domain)
    -> std::optional<std::string>;

/// The global number a URI names, or nothing: a `tel:` URI's number, or a
/// SIP user part with `user=phone` (RFC 3261 §19.1.1), visual separators
/// removed (RFC 3966 §5.1.1); or a SIP user part that is `+` and digits.
/// Parameters (`;phone-context=...`) end the number; a local number
/// (no `+`) is none.
SIPSAF_DECL auto uri_phone_number(uri_view const& u) -> std::optional<std::string>;

/// The default MM4 address of a SIP identity: its global number as
/// `+DIGITS/TYPE=PLMN@domain` (see `uri_phone_number`), else its mailbox
/// (`default_mail_address`).
SIPSAF_DECL auto default_mm4_address(uri_view const& u, std::string_view domain)
    -> std::optional<std::string>;

/// Converts the payload of the SIP request `m` into an MM4_forward.REQ for
/// the phone `number` (`+` and 1 to 15 digits) at `options.recipient_domain`
/// (see the file comment for what is written). `from` and `to` of the
/// result are the SMTP envelope: the From address and the To address.
///
/// Lifetime: the result owns its bytes.
///
/// Errors: `bad_header_value` (offset 0) when `number` is not E.164, or a
/// domain, the originator system or the version is missing or not valid;
/// those of `to_internet_message`.
///
/// @par Specification 3GPP TS 23.140 §8.4, §8.4.1; RFC 2822 (RFC 5322).
/// @par Complexity Linear in the message size.
SIPSAF_DECL auto to_mm4_forward(message_view const& m, std::string_view number,
                                mm4_options const& options) -> result<internet_message>;

SIPSAF_END_NAMESPACE

#ifdef SIPSAF_HEADER_ONLY
#include <sipsaf/gateway/impl/mm4.ipp>
#endif

#endif  // SIPSAF_GATEWAY_MM4_HPP
