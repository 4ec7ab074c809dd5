// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_REACHABILITY_REGINFO_HPP
#define SIPSAF_REACHABILITY_REGINFO_HPP

/// @file
/// Reader for `application/reginfo+xml` (RFC 3680 §5), the body of a NOTIFY
/// of the `reg` event package, and `reginfo_tracker`, which turns a
/// subscription's full and partial documents into "is this address of
/// record reachable now".
///
/// Opt-in: this header needs expat (Debian: libexpat1-dev; CMake:
/// `find_package(EXPAT)` and link `EXPAT::EXPAT`); detail/xml_reader.hpp
/// says why expat. <sipsaf.hpp> does not include it.
///
/// @par What is read (RFC 3680 §5.1)
/// @code
///   reginfo       version (nonNegativeInteger), state ("full" | "partial")
///     registration  aor (URI), id, state ("init" | "active" | "terminated")
///       contact       id, state ("active" | "terminated"), event, expires, q
///         uri           the contact's URI
/// @endcode
/// Elements and attributes of other namespaces, and unknown ones in the
/// reginfo namespace, are skipped (the schema is extensible). A missing or
/// malformed required attribute is `errc::bad_xml_document`.

#include <sipsaf/config.hpp>
#include <sipsaf/error.hpp>
#include <sipsaf/reachability/detail/xml_reader.hpp>
#include <sipsaf/reachability/xml_limits.hpp>
#include <sipsaf/result.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

SIPSAF_BEGIN_NAMESPACE

/// Whether a document is the whole table or only what changed (RFC 3680 §5.1).
enum class reginfo_state { full, partial };

/// State of one address of record's registration (RFC 3680 §5.1.2).
enum class registration_state { init, active, terminated };

/// State of one contact (RFC 3680 §5.1.2).
enum class contact_state { active, terminated };

/// What happened to a contact (RFC 3680 §5.1.2); `other` for a value the
/// RFC does not list.
enum class contact_event {
  registered,
  created,
  refreshed,
  shortened,
  expired,
  deactivated,
  probation,
  unregistered,
  rejected,
  other
};

struct reginfo_contact {
  std::string id;
  contact_state state = contact_state::terminated;
  contact_event event = contact_event::other;
  std::string uri;  ///< text of `<uri>`, whitespace trimmed
  std::optional<std::uint32_t>
      expires;  ///< seconds, when given (a terminated contact may still show one)
};

struct registration {
  std::string aor;
  std::string id;
  registration_state state = registration_state::init;
  std::vector<reginfo_contact> contacts;

  /// True when at least one contact is `active` (RFC 3680 §5.1.2: an active
  /// contact is one the registrar would route to), whatever `expires` says.
  auto reachable() const noexcept -> bool {
    if (state == registration_state::terminated) return false;
    for (auto const& c : contacts) {
      if (c.state == contact_state::active) return true;
    }
    return false;
  }
};

struct reginfo {
  std::uint64_t version = 0;
  reginfo_state state = reginfo_state::full;
  std::vector<registration> registrations;

  /// The registration for `aor`, or null.
  auto find(std::string_view aor) const noexcept -> registration const* {
    for (auto const& r : registrations) {
      if (r.aor == aor) return &r;
    }
    return nullptr;
  }
};

namespace detail {

inline constexpr std::string_view reginfo_ns = "urn:ietf:params:xml:ns:reginfo";

class reginfo_handler {
 public:
  reginfo doc;

  auto start(xml_element const& e, std::size_t depth) -> errc {
    if (depth == 0) {
      if (!e.is(reginfo_ns, "reginfo")) return errc::bad_xml_document;
      auto const v = e.attribute("version");
      auto const s = e.attribute("state");
      if (!v || !s) return errc::bad_xml_document;
      auto const n = parse_xml_unsigned(*v, UINT64_MAX);
      if (!n) return errc::bad_xml_document;
      doc.version = *n;
      if (*s == "full") {
        doc.state = reginfo_state::full;
      } else if (*s == "partial") {
        doc.state = reginfo_state::partial;
      } else {
        return errc::bad_xml_document;
      }
      return {};
    }
    if (e.ns() != reginfo_ns) return {};
    if (depth == 1 && e.local() == "registration") return start_registration(e);
    if (depth == 2 && e.local() == "contact") return start_contact(e);
    in_uri_ = depth == 3 && e.local() == "uri" && contact_ != nullptr;
    return {};
  }

  auto end(std::string_view ns, std::string_view local, std::string_view text, std::size_t depth)
      -> errc {
    if (ns != reginfo_ns) return {};
    if (depth == 3 && local == "uri" && in_uri_) {
      contact_->uri = std::string(trim_xml_space(text));
      in_uri_ = false;
    } else if (depth == 2 && local == "contact" && contact_ != nullptr) {
      if (contact_->uri.empty()) return errc::bad_xml_document;  // <uri> is required
      contact_ = nullptr;
    } else if (depth == 1 && local == "registration") {
      registration_ = nullptr;
    }
    return {};
  }

 private:
  auto start_registration(xml_element const& e) -> errc {
    auto const aor = e.attribute("aor");
    auto const id = e.attribute("id");
    auto const state = e.attribute("state");
    if (!aor || !id || !state || trim_xml_space(*aor).empty()) return errc::bad_xml_document;
    registration r;
    r.aor = std::string(trim_xml_space(*aor));
    r.id = std::string(*id);
    if (*state == "init") {
      r.state = registration_state::init;
    } else if (*state == "active") {
      r.state = registration_state::active;
    } else if (*state == "terminated") {
      r.state = registration_state::terminated;
    } else {
      return errc::bad_xml_document;
    }
    doc.registrations.push_back(std::move(r));
    registration_ = &doc.registrations.back();
    return {};
  }

  auto start_contact(xml_element const& e) -> errc {
    if (registration_ == nullptr) return {};
    auto const id = e.attribute("id");
    auto const state = e.attribute("state");
    auto const event = e.attribute("event");
    if (!id || !state || !event) return errc::bad_xml_document;
    reginfo_contact c;
    c.id = std::string(*id);
    if (*state == "active") {
      c.state = contact_state::active;
    } else if (*state == "terminated") {
      c.state = contact_state::terminated;
    } else {
      return errc::bad_xml_document;
    }
    c.event = event_of(*event);
    if (auto const x = e.attribute("expires")) {
      auto const n = parse_xml_unsigned(*x, UINT32_MAX);
      if (!n) return errc::bad_xml_document;
      c.expires = static_cast<std::uint32_t>(*n);
    }
    registration_->contacts.push_back(std::move(c));
    contact_ = &registration_->contacts.back();
    return {};
  }

  static auto event_of(std::string_view s) noexcept -> contact_event {
    constexpr std::pair<std::string_view, contact_event> names[] = {
        {"registered", contact_event::registered}, {"created", contact_event::created},
        {"refreshed", contact_event::refreshed},   {"shortened", contact_event::shortened},
        {"expired", contact_event::expired},       {"deactivated", contact_event::deactivated},
        {"probation", contact_event::probation},   {"unregistered", contact_event::unregistered},
        {"rejected", contact_event::rejected},
    };
    for (auto const& [name, value] : names) {
      if (s == name) return value;
    }
    return contact_event::other;
  }

  registration* registration_ = nullptr;
  reginfo_contact* contact_ = nullptr;
  bool in_uri_ = false;
};

}  // namespace detail

/// Reads an `application/reginfo+xml` body.
///
/// @par Complexity
/// Linear in `body.size()`; at most `lim.max_elements` elements are kept.
/// @par Specification
/// RFC 3680 §5.1 (structure), §6 (schema).
inline auto parse_reginfo(std::string_view body, xml_limits const& lim = {}) -> result<reginfo> {
  detail::reginfo_handler h;
  if (auto const r = detail::read_xml(body, lim, h); !r) return r.error();
  return std::move(h.doc);
}

/// What `reginfo_tracker::apply` did with a document.
enum class reginfo_outcome {
  applied,  ///< the table now reflects the document
  stale,    ///< a partial document not newer than the table: ignored
  gap,      ///< a partial document that cannot be applied (versions missing or
            ///< no full state yet): refresh the subscription to get full state
};

/// The registration table of one `reg` subscription, built from its NOTIFY
/// documents as RFC 3680 §5.2 describes: a full-state document replaces the
/// table; a partial one updates the contacts it names, by contact id, and
/// only when its version is the next one.
///
/// A full-state document is taken even when its version does not grow:
/// some registrars keep `version` at 0 in every NOTIFY, and a full state
/// stands on its own (order within the dialog is the NOTIFY CSeq's job).
class reginfo_tracker {
 public:
  auto apply(reginfo const& doc) -> reginfo_outcome {
    if (doc.state == reginfo_state::full) {
      table_.clear();
      for (auto const& r : doc.registrations) merge(r);
      version_ = doc.version;
      have_full_ = true;
      return reginfo_outcome::applied;
    }
    if (!have_full_) return reginfo_outcome::gap;
    if (doc.version <= version_) return reginfo_outcome::stale;
    if (doc.version != version_ + 1) return reginfo_outcome::gap;
    for (auto const& r : doc.registrations) merge(r);
    version_ = doc.version;
    return reginfo_outcome::applied;
  }

  /// True when `aor` has at least one active contact in the table.
  auto reachable(std::string_view aor) const -> bool {
    auto const it = table_.find(aor);
    if (it == table_.end()) return false;
    return !it->second.empty();
  }

  /// True when any address of record in the table is reachable.
  auto any_reachable() const noexcept -> bool { return !table_.empty(); }

  auto version() const noexcept -> std::uint64_t { return version_; }

  /// Forget everything (a new subscription starts over).
  void reset() {
    table_.clear();
    version_ = 0;
    have_full_ = false;
  }

 private:
  void merge(registration const& r) {
    auto& contacts = table_[r.aor];
    if (r.state == registration_state::terminated) {
      table_.erase(r.aor);
      return;
    }
    // Only active contacts are kept, so the table never outgrows what the
    // registrar holds now.
    for (auto const& c : r.contacts) {
      if (c.state == contact_state::active) {
        contacts.insert(c.id);
      } else {
        contacts.erase(c.id);
      }
    }
    if (contacts.empty()) table_.erase(r.aor);
  }

  std::map<std::string, std::set<std::string>, std::less<>> table_;  // aor -> active contact ids
  std::uint64_t version_ = 0;
  bool have_full_ = false;
};

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_REACHABILITY_REGINFO_HPP
