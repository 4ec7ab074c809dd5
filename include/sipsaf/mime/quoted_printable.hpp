// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MIME_QUOTED_PRINTABLE_HPP
#define SIPSAF_MIME_QUOTED_PRINTABLE_HPP

/// @file
/// The quoted-printable Content-Transfer-Encoding (RFC 2045 §6.7): decoder.
///
/// @par BNF (RFC 2045 §6.7)
/// @code
///   quoted-printable := qp-line *(CRLF qp-line)
///   qp-line          := *(qp-segment transport-padding CRLF) qp-part transport-padding
///   qp-segment       := qp-section *(SPACE / TAB) "="      ; a soft line break
///   qp-section       := [*(ptext / SPACE / TAB) ptext]
///   ptext            := hex-octet / safe-char
///   hex-octet        := "=" 2(DIGIT / "A" / "B" / "C" / "D" / "E" / "F")
///   transport-padding := *LWSP-char
/// @endcode

#include <sipsaf/config.hpp>
#include <sipsaf/error.hpp>
#include <sipsaf/result.hpp>

#include <cstddef>
#include <string>
#include <string_view>

SIPSAF_BEGIN_NAMESPACE

/// Decodes quoted-printable text, writing the bytes through `out`.
///
/// - `=XX` is the byte with hex value XX; lower-case hex digits are
///   accepted too (RFC 2045 §6.7 (1) asks encoders for upper case only).
/// - `=` followed by optional spaces or tabs and a line end is a soft line
///   break and yields nothing; so does a `=` that ends the input.
/// - Spaces and tabs at the end of a line are deleted (RFC 2045 §6.7 (3):
///   transport may have added them); line ends (CRLF, or a bare LF) are
///   kept as written.
/// - Every other byte stands for itself.
///
/// Errors: `errc::bad_quoted_printable` at a `=` followed by anything else.
/// Bytes already written to `out` stay written.
///
/// @par Specification RFC 2045 §6.7.
/// @par Complexity Linear in `in.size()`; no allocation.
template <class OutputIt>
auto decode_quoted_printable(std::string_view in, OutputIt out) -> result<OutputIt>;

/// Decodes quoted-printable text into a new string; see the iterator form.
SIPSAF_DECL auto decode_quoted_printable(std::string_view in) -> result<std::string>;

SIPSAF_END_NAMESPACE

#include <sipsaf/mime/impl/quoted_printable.hpp>

#ifdef SIPSAF_HEADER_ONLY
#include <sipsaf/mime/impl/quoted_printable.ipp>
#endif

#endif  // SIPSAF_MIME_QUOTED_PRINTABLE_HPP
