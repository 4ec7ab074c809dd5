// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_POLICY_IMPL_PROFILE_IPP
#define SIPSAF_POLICY_IMPL_PROFILE_IPP

#include <sipsaf/policy/profile.hpp>

SIPSAF_BEGIN_NAMESPACE

SIPSAF_DECL auto to_string(store_setting s) noexcept -> char const* {
  switch (s) {
    case store_setting::unset:
      return "unset";
    case store_setting::no:
      return "no";
    case store_setting::yes:
      return "yes";
    case store_setting::notify:
      return "notify";
    case store_setting::forward:
      return "forward";
  }
  return "?";
}

SIPSAF_DECL auto to_string(forward_kind k) noexcept -> char const* {
  switch (k) {
    case forward_kind::sip:
      return "forward";
    case forward_kind::email:
      return "email";
    case forward_kind::mms:
      return "mms";
    case forward_kind::sms:
      return "sms";
  }
  return "?";
}

SIPSAF_DECL auto operator<<(std::ostream& os, store_setting s) -> std::ostream& {
  return os << to_string(s);
}

SIPSAF_DECL auto operator<<(std::ostream& os, forward_kind k) -> std::ostream& {
  return os << to_string(k);
}

SIPSAF_DECL auto to_string(forward_target const& t) -> std::string {
  return std::string(to_string(t.kind)) + ":" + t.address;
}

SIPSAF_DECL auto is_gateway_key(std::string_view key) noexcept -> bool {
  for (std::string_view p : {"email:", "mms:", "sms:"})
    if (key.size() > p.size() && key.substr(0, p.size()) == p) return true;
  return false;
}

SIPSAF_DECL auto parse_store_and_forward(std::string_view text) -> result<store_and_forward> {
  std::size_t b = 0, e = text.size();
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (b < e && space(text[b])) ++b;
  while (e > b && space(text[e - 1])) --e;
  std::string_view const v = text.substr(b, e - b);
  if (v.empty()) return parse_error{errc::empty_value, text.size()};
  auto iequal = [](std::string_view x, std::string_view lower) {
    if (x.size() != lower.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i) {
      char c = x[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != lower[i]) return false;
    }
    return true;
  };
  if (iequal(v, "no")) return store_and_forward{store_setting::no, std::nullopt};
  if (iequal(v, "yes")) return store_and_forward{store_setting::yes, std::nullopt};
  if (iequal(v, "notify")) return store_and_forward{store_setting::notify, std::nullopt};
  std::size_t const colon = v.find(':');
  if (colon == std::string_view::npos) return parse_error{errc::bad_header_value, b};
  std::string_view const kw = v.substr(0, colon);
  forward_kind kind{};
  if (iequal(kw, "forward"))
    kind = forward_kind::sip;
  else if (iequal(kw, "email"))
    kind = forward_kind::email;
  else if (iequal(kw, "mms"))
    kind = forward_kind::mms;
  else if (iequal(kw, "sms"))
    kind = forward_kind::sms;
  else
    return parse_error{errc::bad_header_value, b};
  std::string_view addr = v.substr(colon + 1);
  std::size_t at = b + colon + 1;
  while (!addr.empty() && space(addr.front())) addr.remove_prefix(1), ++at;
  if (addr.empty()) return parse_error{errc::empty_value, at};
  if (kind == forward_kind::sip) {
    auto const scheme = addr.substr(0, addr.find(':'));
    if (scheme.size() == addr.size() || !(iequal(scheme, "sip") || iequal(scheme, "sips")) ||
        addr.size() == scheme.size() + 1)
      return parse_error{errc::bad_uri, at};
  }
  return store_and_forward{store_setting::forward, forward_target{kind, std::string(addr)}};
}

SIPSAF_DECL auto to_string(setting_source s) noexcept -> char const* {
  return s == setting_source::profile ? "profile" : "operator default";
}

SIPSAF_DECL auto operator<<(std::ostream& os, setting_source s) -> std::ostream& {
  return os << to_string(s);
}

SIPSAF_DECL auto resolve(recipient_profile const& p, operator_defaults const& d) noexcept
    -> effective_profile {
  effective_profile e;
  store_and_forward const& s = p.store.setting != store_setting::unset ? p.store : d.store;
  e.store_from = p.store.setting != store_setting::unset ? setting_source::profile
                                                         : setting_source::operator_default;
  e.store = s.setting == store_setting::unset ? store_setting::yes : s.setting;
  if (e.store == store_setting::forward) {
    if (s.target)
      e.forward = &*s.target;
    else
      e.store = store_setting::yes;  // a forward without a target cannot be honoured
  }
  if (p.accepts) {
    e.accepts = &*p.accepts;
  } else {
    e.accepts = d.accepts ? &*d.accepts : nullptr;
    e.accepts_from = setting_source::operator_default;
  }
  if (p.subscriber_class) e.subscriber_class = *p.subscriber_class;
  if (!d.store_classes.empty()) {
    e.class_may_store = false;
    if (p.subscriber_class)
      for (auto const& c : d.store_classes)
        if (c == *p.subscriber_class) e.class_may_store = true;
  }
  e.quota_messages = p.quota_messages ? *p.quota_messages : d.quota_messages;
  e.quota_messages_from =
      p.quota_messages ? setting_source::profile : setting_source::operator_default;
  e.quota_bytes = p.quota_bytes ? *p.quota_bytes : d.quota_bytes;
  e.quota_bytes_from = p.quota_bytes ? setting_source::profile : setting_source::operator_default;
  e.max_lifetime = p.max_lifetime ? *p.max_lifetime : d.max_lifetime;
  e.lifetime_from = p.max_lifetime ? setting_source::profile : setting_source::operator_default;
  e.max_message_bytes = d.max_message_bytes;
  return e;
}

SIPSAF_DECL auto media_ranges::parse(std::string_view text) -> result<media_ranges> {
  media_ranges m;
  m.text_ = std::string(text);
  auto r = parse_media_ranges(m.text_);
  if (!r) return r.error();
  m.ranges_ = std::move(*r);
  return m;
}

SIPSAF_DECL void media_ranges::reparse() {
  ranges_.clear();
  if (auto r = parse_media_ranges(text_)) ranges_ = std::move(*r);
}

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_POLICY_IMPL_PROFILE_IPP
