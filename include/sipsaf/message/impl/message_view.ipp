// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MESSAGE_IMPL_MESSAGE_VIEW_IPP
#define SIPSAF_MESSAGE_IMPL_MESSAGE_VIEW_IPP

#include <sipsaf/message/impl/message_parser.hpp>
#include <sipsaf/message/message_view.hpp>

SIPSAF_BEGIN_NAMESPACE

SIPSAF_DECL auto message_view::validate() const -> result<void> {
  for (message_field const& r : rows_) {
    if (r.id == field::unknown || r.id == field::content_length) continue;
    if (detail::msg::usual_form(r.id, r.raw, method_)) continue;
    char const* at = r.raw.data();
    errc const ec = detail::msg::check_field(r.id, r.raw, method_, at);
    if (ec != detail::msg::ok) return parse_error{ec, static_cast<std::size_t>(at - input_begin_)};
  }
  return {};
}

SIPSAF_DECL auto parse_message(std::string_view wire, message_options const& opts)
    -> result<message_view> {
  // Built in place: a moved temporary costs its two field tables' copy.
  result<message_view> out{detail::msg::fresh_view{}};
  detail::msg::message_parser ps{wire.data(), wire.data() + wire.size(), opts, *out, {}};
  if (!ps.run()) {
    // The rows read before the error come first: a malformed one among those
    // whose check waits for access is the error reported, as when every row
    // was checked in order (RFC 4475 verdicts keep their codes).
    if (opts.validate_known_fields) {
      if (auto v = out->validate(); !v) return v.error();
    }
    return ps.err;
  }
  return out;
}

SIPSAF_DECL auto parse_message(std::string_view wire) -> result<message_view> {
  return parse_message(wire, message_options{});
}

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_MESSAGE_IMPL_MESSAGE_VIEW_IPP
