// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_POLICY_IMPL_DECISION_IPP
#define SIPSAF_POLICY_IMPL_DECISION_IPP

#include <sipsaf/policy/decision.hpp>

SIPSAF_BEGIN_NAMESPACE

namespace detail {

inline void append_uint(std::string& s, std::uint64_t v) {
  s += std::to_string(v);
}

inline auto quoted(std::string_view v) -> std::string {
  std::string s;
  s.reserve(v.size() + 2);
  s += '\'';
  s.append(v.data(), v.size());
  s += '\'';
  return s;
}

inline auto sender_store_words(store_command c) -> char const* {
  switch (c) {
    case store_command::none:
      return "said nothing about storing";
    case store_command::do_not_store:
      return "said do-not-store";
    case store_command::store:
      return "asked to store, for pull";
    case store_command::store_and_forward_if_not_reached:
      return "asked store-and-forward-if-not-reached, for push";
  }
  return "?";
}

}  // namespace detail

SIPSAF_DECL auto to_string(reachability r) noexcept -> char const* {
  switch (r) {
    case reachability::unreachable:
      return "unreachable";
    case reachability::reachable:
      return "reachable";
    case reachability::busy:
      return "busy";
  }
  return "?";
}

SIPSAF_DECL auto to_string(verdict v) noexcept -> char const* {
  switch (v) {
    case verdict::not_handled:
      return "not handled";
    case verdict::deliver:
      return "deliver";
    case verdict::store:
      return "store";
    case verdict::forward:
      return "forward";
    case verdict::discard:
      return "discard";
    case verdict::duplicate:
      return "duplicate";
  }
  return "?";
}

SIPSAF_DECL auto to_string(rule r) noexcept -> char const* {
  switch (r) {
    case rule::not_payload:
      return "not a payload";
    case rule::bad_request:
      return "bad request";
    case rule::unknown_recipient:
      return "unknown recipient";
    case rule::duplicate_stored:
      return "duplicate (stored)";
    case rule::duplicate_delivered:
      return "duplicate (delivered)";
    case rule::duplicate_in_progress:
      return "duplicate (in progress)";
    case rule::reachable:
      return "reachable";
    case rule::queued_behind:
      return "order";
    case rule::do_not_store:
      return "rule 1 (do-not-store)";
    case rule::typing_indicator:
      return "rule 1 (typing indicator)";
    case rule::media_type:
      return "rule 2 (media type)";
    case rule::profile_no_store:
      return "rule 3 (profile)";
    case rule::class_no_store:
      return "rule 3 (subscriber class)";
    case rule::forward:
      return "rule 4 (forward)";
    case rule::store_sender:
      return "rule 5 (sender asked to store)";
    case rule::store_profile:
      return "rule 5 (profile stores)";
    case rule::no_store_requested:
      return "rule 5 (nobody asked to store)";
    case rule::expired:
      return "rule 6 (expired)";
    case rule::too_large:
      return "rule 6 (size limit)";
    case rule::quota_messages:
      return "rule 6 (message quota)";
    case rule::quota_bytes:
      return "rule 6 (byte quota)";
  }
  return "?";
}

SIPSAF_DECL auto to_string(decision const& d) -> std::string {
  trace const& t = d.trace;
  std::string s = to_string(t.fired);
  s += ": ";
  auto who = [&] {
    s.append(t.recipient.data(), t.recipient.size());
    s += " is ";
    s += to_string(t.reach);
    if (t.reach != reachability::unreachable || t.contacts != 0) {
      s += " (";
      detail::append_uint(s, t.contacts);
      s += t.contacts == 1 ? " contact)" : " contacts)";
    }
  };
  auto sender = [&] {
    s += "the sender ";
    s += detail::sender_store_words(t.sender_store);
    if (t.sender_notify) s += " and asked to be notified";
    if (!t.disposition.empty()) {
      s += " (Request-Disposition: ";
      s.append(t.disposition.data(), t.disposition.size());
      s += ')';
    }
  };
  auto setting = [&] {
    s += "store-and-forward = ";
    if (t.profile.forward != nullptr)
      s += to_string(*t.profile.forward);
    else
      s += to_string(t.profile.store);
    s += " (";
    s += to_string(t.profile.store_from);
    s += ')';
  };
  auto quota = [&] {
    detail::append_uint(s, t.usage.messages);
    s += " of ";
    detail::append_uint(s, t.profile.quota_messages);
    s += " messages and ";
    detail::append_uint(s, t.usage.bytes);
    s += " of ";
    detail::append_uint(s, t.profile.quota_bytes);
    s += " bytes used";
  };
  switch (t.fired) {
    case rule::not_payload:
      s += t.method.empty() ? std::string("request") : std::string(t.method);
      s += " without a body carries no payload";
      break;
    case rule::bad_request:
      if (t.body_error) {
        s += "the multipart body does not parse: ";
        s += t.body_error->message();
      } else {
        s += t.detail;
      }
      break;
    case rule::unknown_recipient:
      s += "the directory does not know ";
      s += t.recipient;
      break;
    case rule::duplicate_stored:
      s += "a request with this Call-ID, CSeq and From tag is stored already";
      break;
    case rule::duplicate_delivered:
      s += "a request with this Call-ID, CSeq and From tag was delivered already";
      break;
    case rule::duplicate_in_progress:
      s += "a request with this Call-ID, CSeq and From tag is being delivered";
      break;
    case rule::reachable:
      who();
      if (!t.detail.empty()) {
        s += "; ";
        s += t.detail;
      }
      break;
    case rule::queued_behind:
      who();
      s += ", but ";
      detail::append_uint(s, t.usage.push_messages);
      s += t.usage.push_messages == 1 ? " earlier message waits" : " earlier messages wait";
      s += "; this one queues behind to keep the order; ";
      sender();
      break;
    case rule::do_not_store:
      who();
      s += "; ";
      sender();
      break;
    case rule::typing_indicator:
      who();
      s += "; typing indicators (application/im-iscomposing+xml, RFC 3994) are never stored";
      break;
    case rule::media_type:
      who();
      s += "; payload ";
      s += t.content_type.empty() ? std::string("of no declared type")
                                  : detail::quoted(t.content_type);
      if (t.part_depth > 0) {
        // RFC 2046 §5.1: the payload types of a multipart are its parts'.
        s += t.no_alternative ? ": no alternative is accepted, part " : ": part ";
        for (std::uint8_t i = 0; i < t.part_depth; ++i) {
          if (i > 0) s += '.';
          detail::append_uint(s, t.part_path[i]);
        }
        s += " '";
        s.append(t.part_type.data(), t.part_type.size());
        s += '/';
        s.append(t.part_subtype.data(), t.part_subtype.size());
        s += '\'';
      }
      s += " is not among the accepted types ";
      s += t.profile.accepts != nullptr ? detail::quoted(t.profile.accepts->text())
                                        : std::string("(everything)");
      s += " (";
      s += to_string(t.profile.accepts_from);
      s += ')';
      break;
    case rule::profile_no_store:
      who();
      s += "; the profile says ";
      setting();
      break;
    case rule::class_no_store:
      who();
      s += "; subscriber class ";
      s += t.profile.subscriber_class.empty() ? std::string("(none)")
                                              : detail::quoted(t.profile.subscriber_class);
      s += " is not offered storing";
      break;
    case rule::forward:
      who();
      s += "; the profile says ";
      setting();
      break;
    case rule::store_sender:
    case rule::store_profile:
    case rule::no_store_requested:
    case rule::expired:
    case rule::too_large:
    case rule::quota_messages:
    case rule::quota_bytes:
      who();
      s += "; ";
      sender();
      s += "; ";
      setting();
      if (t.forward_unavailable) s += ", but no gateway can take that target now, so it is kept";
      if (t.fired == rule::too_large) {
        s += "; the request has ";
        detail::append_uint(s, t.size);
        s += " bytes, the limit is ";
        detail::append_uint(s, t.profile.max_message_bytes < t.profile.quota_bytes
                                   ? t.profile.max_message_bytes
                                   : t.profile.quota_bytes);
      } else if (t.fired != rule::no_store_requested) {
        s += "; ";
        quota();
        if (t.fired == rule::quota_bytes) {
          s += ", this one has ";
          detail::append_uint(s, t.size);
        }
      }
      if (t.lifetime != lifetime_source::none) {
        s += t.fired == rule::expired ? "; it expired at " : "; kept until ";
        s += format_rfc3339(t.expires_at);
        switch (t.lifetime) {
          case lifetime_source::profile_lifetime:
            s += " (lifetime ";
            detail::append_uint(s, static_cast<std::uint64_t>(t.profile.max_lifetime.count()));
            s += " s, ";
            s += to_string(t.profile.lifetime_from);
            s += ')';
            break;
          case lifetime_source::date_expires:
            s += " (Date + Expires ";
            detail::append_uint(s, static_cast<std::uint64_t>(t.expires_header.count()));
            s += " s)";
            break;
          case lifetime_source::arrival_expires:
            s += " (arrival + Expires ";
            detail::append_uint(s, static_cast<std::uint64_t>(t.expires_header.count()));
            s += " s)";
            break;
          case lifetime_source::none:
            break;
        }
      }
      if (t.date_malformed) s += "; the Date header did not parse and was ignored";
      if (t.expires_malformed)
        s += "; the Expires header did not parse and was read as 3600 s (RFC 3261 20.19)";
      break;
  }
  if (!t.detail.empty() && t.fired != rule::bad_request && t.fired != rule::reachable) {
    s += "; ";
    s.append(t.detail.data(), t.detail.size());
  }
  s += " -> ";
  s += to_string(d.what);
  if (d.what == verdict::store) {
    s += ' ';
    s += to_string(d.mode);
  }
  if (d.what == verdict::forward && d.target != nullptr) {
    switch (d.target->kind) {
      case forward_kind::sip:
        s += " to ";
        break;
      case forward_kind::email:
        s += " by e-mail to ";
        break;
      case forward_kind::mms:
        s += " by MMS to ";
        break;
      case forward_kind::sms:
        s += " by SMS to ";
        break;
    }
    s += d.target->address;
  }
  if (d.code != 0) {
    s += ", ";
    detail::append_uint(s, static_cast<std::uint64_t>(d.code));
    s += ' ';
    s.append(d.reason.data(), d.reason.size());
  }
  if (d.code == 415 && d.accept != nullptr) {
    s += " (Accept: ";
    s += d.accept->text();
    s += ')';
  }
  if (d.notify && (d.what == verdict::store || d.what == verdict::deliver))
    s += "; the sender will be notified after delivery";
  return s;
}

SIPSAF_DECL auto operator<<(std::ostream& os, decision const& d) -> std::ostream& {
  return os << to_string(d);
}

SIPSAF_DECL auto operator<<(std::ostream& os, verdict v) -> std::ostream& {
  return os << to_string(v);
}

SIPSAF_DECL auto operator<<(std::ostream& os, rule r) -> std::ostream& {
  return os << to_string(r);
}

SIPSAF_DECL auto operator<<(std::ostream& os, reachability r) -> std::ostream& {
  return os << to_string(r);
}

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_POLICY_IMPL_DECISION_IPP
