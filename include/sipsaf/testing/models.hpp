// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_TESTING_MODELS_HPP
#define SIPSAF_TESTING_MODELS_HPP

/// @file
/// Small ready-made models of the engine's requirements for tests,
/// simulations and programs that replay a scenario: a clock that moves only
/// when told (`manual_clock`), a directory kept in a map
/// (`static_directory`) and *Gateways* that record what they are given
/// (`recording_gateways`). A real stack brings its own registrar as
/// directory; the engine's default *Gateways*, `no_gateways`, is in
/// <sipsaf/policy/requirements.hpp>.

#include <sipsaf/config.hpp>
#include <sipsaf/error.hpp>
#include <sipsaf/policy/profile.hpp>
#include <sipsaf/policy/request.hpp>
#include <sipsaf/policy/requirements.hpp>
#include <sipsaf/time.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

SIPSAF_BEGIN_NAMESPACE

/// A *Clock* whose time moves only when the program says so.
///
/// Pass it by reference (`store_forward_engine<S, D, manual_clock&>`) so that
/// the program keeps the handle it advances.
class manual_clock {
 public:
  explicit manual_clock(timestamp start = from_unix_ms(1'700'000'000'000)) noexcept : now_(start) {}
  auto now() const noexcept -> timestamp { return now_; }
  void set(timestamp t) noexcept { now_ = t; }
  template <class Rep, class Period>
  void advance(std::chrono::duration<Rep, Period> d) noexcept {
    now_ += std::chrono::duration_cast<std::chrono::milliseconds>(d);
  }

 private:
  timestamp now_;
};

/// A *Directory* kept in a map from key to `recipient`.
///
/// `lookup` finds a recipient by its key, or by a URI that equals the key
/// once angle brackets and URI parameters (`;...`) are removed, escapes of
/// unreserved characters are decoded and the scheme and host are compared
/// without case (RFC 3261 §19.1.4).
class static_directory {
 public:
  /// Adds or replaces a recipient.
  void set(recipient r) {
    std::string k = normalize(r.key);
    entries_[std::move(k)] = std::move(r);
  }
  /// Marks a recipient reachable with these contacts (none: unreachable).
  /// Returns false when the key is unknown.
  auto set_contacts(std::string_view key, std::vector<std::string> contacts,
                    reachability when_contacts = reachability::reachable) -> bool {
    auto it = entries_.find(normalize(key));
    if (it == entries_.end()) return false;
    it->second.reach = contacts.empty() ? reachability::unreachable : when_contacts;
    it->second.contacts = std::move(contacts);
    return true;
  }
  auto remove(std::string_view key) -> bool { return entries_.erase(normalize(key)) > 0; }

  auto lookup(std::string_view uri) const -> recipient const* {
    auto it = entries_.find(normalize(uri));
    return it == entries_.end() ? nullptr : &it->second;
  }
  /// The recipient `uri` names, to change it in place (its profile, say); null if unknown.
  auto find(std::string_view uri) -> recipient* {
    auto it = entries_.find(normalize(uri));
    return it == entries_.end() ? nullptr : &it->second;
  }

  /// The map key for `uri`: no `<>`, no parameters or headers, scheme and
  /// host in lower case (the user part is case-sensitive), escapes of
  /// unreserved characters decoded and other escapes with upper-case hex
  /// digits. RFC 3261 §19.1.4: a character other than a reserved one
  /// (RFC 2396 §2.2) equals its `"%" HEX HEX` escape; a reserved one does not
  /// (`%3B` is not the `;` that starts user parameters).
  static auto normalize(std::string_view uri) -> std::string {
    while (!uri.empty() && (uri.front() == ' ' || uri.front() == '<')) uri.remove_prefix(1);
    while (!uri.empty() && (uri.back() == ' ' || uri.back() == '>')) uri.remove_suffix(1);
    // An escape never spells ':', '@', ';' or '?' literally, so these
    // positions hold in the escaped text as in the decoded one.
    std::size_t const colon = uri.find(':');
    std::size_t const at = uri.find('@', colon == std::string_view::npos ? 0 : colon);
    std::size_t const host = at == std::string_view::npos ? colon + 1 : at + 1;
    std::size_t end = uri.find_first_of(";?", host);
    if (end == std::string_view::npos) end = uri.size();
    auto lower = [](char c) {
      return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    };
    auto upper = [](char c) {
      return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    };
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    // RFC 2396 §2.3: unreserved = alphanum / mark.
    auto unreserved = [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '-' || c == '_' || c == '.' || c == '!' || c == '~' || c == '*' || c == '\'' ||
             c == '(' || c == ')';
    };
    std::string out;
    out.reserve(end);
    for (std::size_t i = 0; i < end; ++i) {
      bool const fold = (colon != std::string_view::npos && i < colon) || i >= host;
      char c = uri[i];
      if (c == '%' && i + 2 < end && hex(uri[i + 1]) >= 0 && hex(uri[i + 2]) >= 0) {
        char const d = static_cast<char>(hex(uri[i + 1]) * 16 + hex(uri[i + 2]));
        if (unreserved(d)) {
          c = d;
        } else {
          out += '%';
          out += upper(uri[i + 1]);
          out += upper(uri[i + 2]);
          i += 2;
          continue;
        }
        i += 2;
      }
      out += fold ? lower(c) : c;
    }
    return out;
  }

 private:
  std::map<std::string, recipient, std::less<>> entries_;
};

/// *Gateways* that record what they are given: for tests, simulations and
/// programs that show what would be sent.
class recording_gateways {
 public:
  /// One hand-off.
  struct entry {
    forward_target target;
    std::string bytes;  ///< the request as received
  };

  /// Accepts the kinds in `kinds` (bit `1 << forward_kind`); all by default.
  explicit recording_gateways(std::uint8_t kinds = 0x0f) noexcept : kinds_(kinds) {}

  auto can_forward(forward_kind k) const noexcept -> bool {
    return (kinds_ & (1u << static_cast<unsigned>(k))) != 0;
  }
  template <class Request>
  auto forward(Request const& r, forward_target const& t) -> std::error_code {
    if (fail_next_) {
      fail_next_ = false;
      return std::make_error_code(std::errc::io_error);
    }
    auto&& bytes = request_traits<Request>::bytes(r);
    entries_.push_back(entry{t, std::string(std::string_view(bytes))});
    return {};
  }

  /// Makes the next `forward` fail (to test the fallback).
  void fail_next() noexcept { fail_next_ = true; }
  void set_kinds(std::uint8_t kinds) noexcept { kinds_ = kinds; }
  auto entries() const noexcept -> std::vector<entry> const& { return entries_; }

 private:
  std::uint8_t kinds_;
  bool fail_next_ = false;
  std::vector<entry> entries_;
};

static_assert(is_clock<manual_clock>::value, "manual_clock is a Clock");
static_assert(is_clock<std::chrono::system_clock>::value, "system_clock is a Clock");
static_assert(is_directory<static_directory>::value, "static_directory is a Directory");
static_assert(is_gateways<recording_gateways>::value, "recording_gateways is a Gateways");

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_TESTING_MODELS_HPP
