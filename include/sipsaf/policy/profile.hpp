// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_POLICY_PROFILE_HPP
#define SIPSAF_POLICY_PROFILE_HPP

/// @file
/// The recipient's store-and-forward profile, the operator's defaults that
/// fill what a profile leaves unsaid, and `resolve` which combines the two.
///
/// A profile answers: may messages for this recipient be stored at all, or
/// should they go elsewhere (another SIP address, e-mail, MMS, SMS); which
/// media types does the recipient take; which subscriber class is it in
/// (the operator offers storage to some classes only); how many messages
/// and bytes may wait; how long may one wait.

#include <sipsaf/config.hpp>
#include <sipsaf/error.hpp>
#include <sipsaf/mime/media_type.hpp>
#include <sipsaf/result.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

SIPSAF_BEGIN_NAMESPACE

/// The recipient's store-and-forward setting.
enum class store_setting : std::uint8_t {
  unset,    ///< the profile says nothing: the operator's default applies
  no,       ///< never store for this recipient
  yes,      ///< store when not reached, deliver when back
  notify,   ///< as `yes`, and tell the sender once delivered
  forward,  ///< send it to another address instead (see `forward_target`)
};

/// Where a forwarding profile sends messages.
enum class forward_kind : std::uint8_t {
  sip,    ///< another SIP address
  email,  ///< an e-mail address, through an e-mail gateway
  mms,    ///< a phone number, through an MMS gateway
  sms,    ///< a phone number, through an SMS gateway
};

SIPSAF_DECL auto to_string(store_setting s) noexcept -> char const*;

/// The profile-file spelling of a target kind: "forward", "email", "mms", "sms".
SIPSAF_DECL auto to_string(forward_kind k) noexcept -> char const*;

SIPSAF_DECL auto operator<<(std::ostream& os, store_setting s) -> std::ostream&;
SIPSAF_DECL auto operator<<(std::ostream& os, forward_kind k) -> std::ostream&;

/// A forwarding destination: `forward:sip:carol@example.com`,
/// `email:bob@example.org`, `mms:+15551234567`, `sms:+15551234567`.
struct forward_target {
  forward_kind kind = forward_kind::sip;
  std::string address;  ///< the SIP URI, e-mail address or number

  friend auto operator==(forward_target const& a, forward_target const& b) -> bool {
    return a.kind == b.kind && a.address == b.address;
  }
};

/// The profile-file form, e.g. `email:bob@example.org`.
SIPSAF_DECL auto to_string(forward_target const& t) -> std::string;

/// True when `key` is the profile-file form of a gateway target
/// (`email:`, `mms:` or `sms:` and an address). A program that queues what
/// it hands to a gateway files it under such a key; the engine then reports
/// a 2xx from that recipient as `processed`, not `delivered` (the gateway
/// took it on; the person has not necessarily seen it).
SIPSAF_DECL auto is_gateway_key(std::string_view key) noexcept -> bool;

/// A store-and-forward setting with its target: what the profile-file key
/// `store-and-forward` holds.
struct store_and_forward {
  store_setting setting = store_setting::unset;
  std::optional<forward_target> target;  ///< present exactly when `setting == forward`
};

/// Parses the `store-and-forward` value of a profile:
/// `no | yes | notify | forward:SIP-URI | email:ADDRESS | mms:NUMBER | sms:NUMBER`.
/// Keywords are case-insensitive; surrounding whitespace is ignored; the
/// address is kept as written. `forward:` takes a `sip:` or `sips:` URI.
///
/// Errors: `errc::empty_value`; `errc::bad_header_value` at 0 for an unknown
/// keyword; `errc::empty_value` at the address for a missing address;
/// `errc::bad_uri` at the address for a `forward:` target that is not a
/// sip/sips URI.
SIPSAF_DECL auto parse_store_and_forward(std::string_view text) -> result<store_and_forward>;

/// A list of accepted media ranges, owning its text (e.g. `text/plain, image/*`).
///
/// Matching follows `sipsaf::accepts` (RFC 3261 §20.1): the most specific
/// matching range decides, `q=0` refuses.
class media_ranges {
 public:
  /// An empty list: accepts nothing.
  media_ranges() = default;

  /// Parses an Accept-style list (RFC 3261 §20.1). Errors as `parse_media_ranges`.
  static SIPSAF_DECL auto parse(std::string_view text) -> result<media_ranges>;

  // The ranges are views into `text_`: copying and moving re-parse the copy.
  media_ranges(media_ranges const& o) : text_(o.text_) { reparse(); }
  media_ranges(media_ranges&& o) : text_(std::move(o.text_)) {
    reparse();
    o.ranges_.clear();
  }
  auto operator=(media_ranges const& o) -> media_ranges& {
    if (this != &o) {
      text_ = o.text_;
      reparse();
    }
    return *this;
  }
  auto operator=(media_ranges&& o) -> media_ranges& {
    if (this != &o) {
      text_ = std::move(o.text_);
      reparse();
      o.ranges_.clear();
    }
    return *this;
  }
  ~media_ranges() = default;

  /// The list as given to `parse`.
  auto text() const noexcept -> std::string const& { return text_; }
  /// The parsed ranges; views into `text()`.
  auto ranges() const noexcept -> std::vector<media_type> const& { return ranges_; }
  /// Whether a payload of type `t` is acceptable.
  auto accepts(media_type const& t) const -> bool { return sipsaf::accepts(ranges_, t); }

 private:
  SIPSAF_DECL void reparse();
  std::string text_;
  std::vector<media_type> ranges_;
};

/// What one recipient's profile says. Every field may be left unsaid; then
/// the operator's default applies (`operator_defaults`, `resolve`).
struct recipient_profile {
  store_and_forward store;                           ///< `store-and-forward`
  std::optional<media_ranges> accepts;               ///< `accepts`; unsaid: the operator's
  std::optional<std::string> subscriber_class;       ///< `class`
  std::optional<std::uint64_t> quota_messages;       ///< `quota-messages`
  std::optional<std::uint64_t> quota_bytes;          ///< `quota-bytes`
  std::optional<std::chrono::seconds> max_lifetime;  ///< `lifetime`
};

/// The operator's settings: what applies where a profile is silent, and the
/// limits that hold for everyone.
struct operator_defaults {
  /// The setting for a profile that has none (`[default] store-and-forward`).
  store_and_forward store{store_setting::yes, std::nullopt};
  /// Accepted types for a profile that names none; unset: everything.
  std::optional<media_ranges> accepts;
  /// The subscriber classes that may store (`store-classes`); empty: all.
  /// A profile without a class may store only when this is empty.
  std::vector<std::string> store_classes;
  std::uint64_t quota_messages = 100;                ///< per recipient
  std::uint64_t quota_bytes = 10 * 1024 * 1024;      ///< per recipient
  std::chrono::seconds max_lifetime{3 * 24 * 3600};  ///< how long one message may wait
  /// The largest request that may be stored, for everyone (413 above it).
  std::uint64_t max_message_bytes = 4 * 1024 * 1024;
};

/// Where a resolved value came from, for the trace.
enum class setting_source : std::uint8_t { profile, operator_default };

SIPSAF_DECL auto to_string(setting_source s) noexcept -> char const*;
SIPSAF_DECL auto operator<<(std::ostream& os, setting_source s) -> std::ostream&;

/// A profile with the operator's defaults filled in. Views and pointers into
/// the `recipient_profile` and `operator_defaults` it was made from: valid
/// while both are alive and unchanged.
struct effective_profile {
  effective_profile() noexcept {}  // as `decision`'s: no block clear first

  store_setting store = store_setting::yes;
  forward_target const* forward = nullptr;  ///< set when `store == forward`
  media_ranges const* accepts = nullptr;    ///< null: everything is accepted
  std::string_view subscriber_class;        ///< empty when the profile names none
  bool class_may_store = true;              ///< the class is among the store classes
  std::uint64_t quota_messages = 0;
  std::uint64_t quota_bytes = 0;
  std::uint64_t max_message_bytes = 0;
  std::chrono::seconds max_lifetime{0};
  setting_source store_from = setting_source::profile;
  setting_source accepts_from = setting_source::profile;
  setting_source quota_messages_from = setting_source::profile;
  setting_source quota_bytes_from = setting_source::profile;
  setting_source lifetime_from = setting_source::profile;
};

/// Combines a profile with the operator's defaults: each field the profile
/// leaves unsaid takes the operator's value. Complexity: linear in the
/// number of store classes; no allocation.
SIPSAF_DECL auto resolve(recipient_profile const& p, operator_defaults const& d) noexcept
    -> effective_profile;

SIPSAF_END_NAMESPACE

#ifdef SIPSAF_HEADER_ONLY
#include <sipsaf/policy/impl/profile.ipp>
#endif

#endif  // SIPSAF_POLICY_PROFILE_HPP
