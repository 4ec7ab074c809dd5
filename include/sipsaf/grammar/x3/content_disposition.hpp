// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_GRAMMAR_X3_CONTENT_DISPOSITION_HPP
#define SIPSAF_GRAMMAR_X3_CONTENT_DISPOSITION_HPP

/// @file
/// The X3 grammar of a Content-Disposition value (RFC 3261 §20.11, RFC 2183
/// §2). Pieces go to the sink under `media_sink_tag`, as for media
/// types: `on_type` receives the disposition type, `on_param` each parameter.

#include <sipsaf/grammar/x3/media_type.hpp>

SIPSAF_BEGIN_NAMESPACE
namespace grammar {
namespace rules {

// clang-format off
/// disp-param = handling-param / generic-param; a value may be absent.
inline constexpr detail::mime_param_parser disp_param{true};

/// Content-Disposition = ( "Content-Disposition" / "x" ) HCOLON
///                       disp-type *( SEMI disp-param )       (RFC 3261 §25.1)
/// disp-type = "render" / "session" / "icon" / "alert" / disp-extension-token
inline auto const content_disposition_value =
    sws
    >> mime_token[detail::on_type]
    >> *(semi >> expect<errc::bad_parameter>(disp_param[detail::on_param]))
    >> sws;
// clang-format on

}  // namespace rules
}  // namespace grammar
SIPSAF_END_NAMESPACE

#endif
