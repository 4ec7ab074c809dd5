// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_GATEWAY_ENCODED_WORD_HPP
#define SIPSAF_GATEWAY_ENCODED_WORD_HPP

/// @file
/// Header text for Internet messages: non-ASCII text as RFC 2047
/// encoded-words, ASCII text folded (RFC 5322 §2.2.3), and the decoder that
/// reads both back.
///
/// @par BNF (RFC 2047 §2)
/// @code
///   encoded-word  = "=?" charset "?" encoding "?" encoded-text "?="
///   charset       = token          ; RFC 2231 §5 adds "*" language
///   encoding      = token          ; "B" or "Q", either case
///   encoded-text  = 1*<any printable ASCII except "?" and SP>
/// @endcode
/// sipsaf writes UTF-8 "B" words of at most 75 characters (§2), each an
/// integral number of characters (§5 (3)), one per folded line.

#include <sipsaf/config.hpp>
#include <sipsaf/gateway/detail/utf8.hpp>
#include <sipsaf/mime/base64.hpp>

#include <cstddef>
#include <string>
#include <string_view>

SIPSAF_BEGIN_NAMESPACE

/// An unstructured header value (RFC 5322 §3.2.5, e.g. Subject) for `text`,
/// given as UTF-8 (ill-formed sequences become U+FFFD).
///
/// Controls and line ends become spaces, white space runs one space, and
/// the ends are trimmed. ASCII text is folded at spaces so that lines stay
/// within 78 characters where a word allows (`used`: characters already on
/// the first line, e.g. 9 for "Subject: "); text with a non-ASCII character
/// or a `=?`, or a word too long to fold, is written as encoded-words.
///
/// @par Specification RFC 5322 §2.1.1, §2.2.3; RFC 2047 §2, §5 (1).
/// @par Complexity Linear in `text.size()`.
SIPSAF_DECL auto encode_unstructured(std::string_view text, std::size_t used = 0) -> std::string;

/// A display name as an RFC 5322 phrase (§3.2.5): atoms as they are, other
/// ASCII as a quoted-string, non-ASCII as encoded-words (RFC 2047 §5 (3)).
/// Empty for a name that is empty once cleaned as in `encode_unstructured`.
///
/// @par Complexity Linear in `name.size()`.
SIPSAF_DECL auto encode_phrase(std::string_view name) -> std::string;

/// A header value as text: folds undone (RFC 5322 §2.2.3), encoded-words
/// decoded to UTF-8 (charsets UTF-8, US-ASCII, ISO-8859-1; "B" and "Q"),
/// white space between two adjacent encoded-words dropped (RFC 2047 §6.2).
/// Adjacent words of one charset are joined before conversion, so a
/// character split across them (against §5 (3)) still comes out whole. An
/// encoded-word that is malformed or in another charset stays as written.
///
/// @par Specification RFC 2047 §4, §6.
/// @par Complexity Linear in `value.size()`.
SIPSAF_DECL auto decode_header_text(std::string_view value) -> std::string;

SIPSAF_END_NAMESPACE

#ifdef SIPSAF_HEADER_ONLY
#include <sipsaf/gateway/impl/encoded_word.ipp>
#endif

#endif  // SIPSAF_GATEWAY_ENCODED_WORD_HPP
