// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_GATEWAY_IMPL_MM4_IPP
#define SIPSAF_GATEWAY_IMPL_MM4_IPP

#include <sipsaf/gateway/mm4.hpp>

SIPSAF_BEGIN_NAMESPACE

SIPSAF_DECL auto is_e164(std::string_view number) noexcept -> bool {
  return number.size() >= 2 && number.size() <= 16 && number[0] == '+' &&
         number.find_first_not_of("0123456789", 1) == std::string_view::npos;
}

SIPSAF_DECL auto mm4_phone_address(std::string_view number, std::string_view domain)
    -> std::optional<std::string> {
  if (!is_e164(number)) return std::nullopt;
  std::string a = std::string(number) + "/TYPE=PLMN@" + std::string(domain);
  if (!is_mail_address(a)) return std::nullopt;
  return a;
}

SIPSAF_DECL auto uri_phone_number(uri_view const& u) -> std::optional<std::string> {
  std::string_view raw;
  bool separators = false;
  if (detail::msg::iequals(u.scheme, "tel")) {
    raw = u.opaque;
    separators = true;
  } else if (u.is_sip()) {
    raw = u.user;
    auto const user = u.param("user");
    separators = user && detail::msg::iequals(*user, "phone");
  } else {
    return std::nullopt;
  }
  std::string const text = detail::gw::unescape_uri_part(raw.substr(0, raw.find(';')));
  std::string n;
  for (char c : text)
    if (!(separators && (c == '-' || c == '.' || c == '(' || c == ')'))) n.push_back(c);
  if (!is_e164(n)) return std::nullopt;
  return n;
}

SIPSAF_DECL auto default_mm4_address(uri_view const& u, std::string_view domain)
    -> std::optional<std::string> {
  if (auto n = uri_phone_number(u)) return mm4_phone_address(*n, domain);
  return default_mail_address(u);
}

SIPSAF_DECL auto to_mm4_forward(message_view const& m, std::string_view number,
                                mm4_options const& options) -> result<internet_message> {
  using namespace detail::gw;
  std::string const& here = options.originator_domain;
  auto const to = mm4_phone_address(number, options.recipient_domain);
  if (!to || !is_dot_atom(options.recipient_domain) || !is_dot_atom(here))
    return parse_error{errc::bad_header_value, 0};
  std::string const system =
      options.originator_system.empty() ? "mms@" + here : options.originator_system;
  if (!is_addr_spec(system) || options.version.empty() ||
      options.version.find_first_not_of("0123456789.") != std::string::npos)
    return parse_error{errc::bad_header_value, 0};
  auto const call_id = m.call_id();
  auto const cseq = m.cseq();
  if (!call_id || !cseq) return parse_error{errc::missing_header, 0};
  std::string const id = message_id_left(*call_id, cseq->number);

  mail_options mo = options.mail;
  mo.to = *to;
  mo.message_id_domain = here;
  mo.map_address = [&here](uri_view const& u) { return default_mm4_address(u, here); };
  // The From address is known only once it is mapped; Sender repeats it.
  std::optional<std::string> sender;
  if (auto from = m.from()) sender = default_mm4_address(from->uri, here);
  mo.extra_headers = {
      {"X-Mms-3GPP-MMS-Version", options.version},
      {"X-Mms-Message-Type", "MM4_forward.REQ"},
      {"X-Mms-Transaction-ID", id},
      {"X-Mms-Message-ID", "<" + id + "@" + here + ">"},
      {"X-Mms-Ack-Request", "No"},
      {"X-Mms-Originator-System", system},
  };
  if (sender) mo.extra_headers.emplace_back("Sender", *sender);
  return to_internet_message(m, mo);
}

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_GATEWAY_IMPL_MM4_IPP
