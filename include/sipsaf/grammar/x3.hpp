// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_GRAMMAR_X3_HPP
#define SIPSAF_GRAMMAR_X3_HPP

/// @file
/// The Boost.Spirit X3 rules of sipsaf's grammars, for a SIP stack that
/// writes X3 parsers of its own headers: the RFC 3261 §25.1 core rules,
/// Request-Disposition (RFC 3841 §10), media type and Accept (RFC 3261
/// §20.1, §20.15) and Content-Disposition (RFC 3261 §20.11).
///
/// Not part of `<sipsaf.hpp>`, which parses with hand-written scanners and
/// so does not make every user compile Spirit. tests/unit/grammar and the
/// fuzz target `x3_agreement` hold those scanners to these rules.

#include <sipsaf/grammar/x3/content_disposition.hpp>
#include <sipsaf/grammar/x3/core.hpp>
#include <sipsaf/grammar/x3/media_type.hpp>
#include <sipsaf/grammar/x3/request_disposition.hpp>

#endif
