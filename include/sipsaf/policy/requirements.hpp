// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_POLICY_REQUIREMENTS_HPP
#define SIPSAF_POLICY_REQUIREMENTS_HPP

// The requirements tables keep one row per line, as Markdown needs.
// clang-format off
/// @file
/// The named requirements of the engine's other parameters: *Directory*
/// (who the recipient is, whether it is reachable, its profile), *Clock*
/// and *Gateways* (forwarding targets), each with an `is_X` trait and
/// readable compile-time checks. *MessageStore* is in
/// <sipsaf/store/requirements.hpp>, *Request* in <sipsaf/policy/request.hpp>,
/// *DispositionPolicy* in <sipsaf/policy/default_policy.hpp>.
///
/// @par Directory
/// `D` a directory type, `d` an lvalue of `D`, `u` a `std::string_view`
/// holding a To URI or a key the directory gave out before (`recipient::key`).
///
/// | Expression | Type | Semantics |
/// |---|---|---|
/// | `d.lookup(u)` | `L` | The recipient `u` names, as the registrar and the profile source see it now. `bool(l)` is false when the directory does not know it (the engine answers 404); otherwise `*l` converts to `recipient const&`, valid until the next call to `d`. Models of `L`: `recipient const*`, `std::optional<recipient>`, `std::shared_ptr<recipient const>`. The directory maps URIs to keys (case, parameters, aliases); messages are filed under `recipient::key`. |
///
/// @par Clock
/// `C` a clock type, `c` an lvalue of `C`.
///
/// | Expression | Type | Semantics |
/// |---|---|---|
/// | `c.now()` | `std::chrono::time_point<std::chrono::system_clock, Dur>` | The current time (UTC wall clock, as the `Date` header counts it). |
///
/// Models: `std::chrono::system_clock`; `manual_clock` (tests, simulations).
///
/// @par Gateways
/// `G` a gateways type, `g` an lvalue of `G`, `k` a `forward_kind`, `t` a
/// `forward_target const&`, `r` a request of any *Request* type.
///
/// | Expression | Type | Semantics |
/// |---|---|---|
/// | `g.can_forward(k)` | `bool` | Whether a target of kind `k` can be taken now; the policy forwards only then. |
/// | `g.forward(r, t)` | `std::error_code` | Hands `r` to the gateway for `t` (for `forward_kind::sip`: a SIP request to `t.address`). Success means the gateway has taken responsibility for the message; the engine then answers 202. On an error the engine keeps the message instead. Must not keep a reference to `r`. |
///
/// Models: `no_gateways` (nothing can be forwarded), `recording_gateways`
/// (<sipsaf/testing/models.hpp>).
// clang-format on

#include <sipsaf/config.hpp>
#include <sipsaf/error.hpp>
#include <sipsaf/policy/decision.hpp>
#include <sipsaf/policy/profile.hpp>

#include <chrono>
#include <cstdint>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>

SIPSAF_BEGIN_NAMESPACE

namespace detail {

/// The least a *Request* can be: used to check templated members that take one.
struct request_archetype {
  std::string_view method, from_uri, from_tag, to_uri, call_id;
  std::uint32_t cseq = 0;
  std::string_view content_type, date, expires, request_disposition, body, bytes;
};

template <class T>
struct is_system_time_point : std::false_type {};
template <class Dur>
struct is_system_time_point<std::chrono::time_point<std::chrono::system_clock, Dur>>
    : std::true_type {};

template <class D, class = void>
struct directory_has_lookup : std::false_type {};
template <class D>
struct directory_has_lookup<
    D, std::void_t<decltype(std::declval<D&>().lookup(std::string_view{})),
                   decltype(static_cast<bool>(std::declval<D&>().lookup(std::string_view{}))),
                   decltype(*std::declval<D&>().lookup(std::string_view{}))>>
    : std::is_convertible<decltype(*std::declval<D&>().lookup(std::string_view{})),
                          recipient const&> {};

template <class C, class = void>
struct clock_has_now : std::false_type {};
template <class C>
struct clock_has_now<C, std::void_t<decltype(std::declval<C&>().now())>>
    : is_system_time_point<std::decay_t<decltype(std::declval<C&>().now())>> {};

template <class G, class = void>
struct gateways_has_can_forward : std::false_type {};
template <class G>
struct gateways_has_can_forward<
    G, std::void_t<decltype(std::declval<G&>().can_forward(forward_kind::sip))>>
    : std::is_convertible<decltype(std::declval<G&>().can_forward(forward_kind::sip)), bool> {};

template <class G, class = void>
struct gateways_has_forward : std::false_type {};
template <class G>
struct gateways_has_forward<
    G, std::void_t<decltype(std::declval<G&>().forward(std::declval<request_archetype const&>(),
                                                       std::declval<forward_target const&>()))>>
    : std::is_convertible<decltype(std::declval<G&>().forward(
                              std::declval<request_archetype const&>(),
                              std::declval<forward_target const&>())),
                          std::error_code> {};

}  // namespace detail

/// True when `D` meets the *Directory* requirements.
template <class D>
struct is_directory : detail::directory_has_lookup<D> {};

/// True when `C` meets the *Clock* requirements.
template <class C>
struct is_clock : detail::clock_has_now<C> {};

/// True when `G` meets the *Gateways* requirements.
template <class G>
struct is_gateways : std::integral_constant<bool, detail::gateways_has_can_forward<G>::value &&
                                                      detail::gateways_has_forward<G>::value> {};

namespace detail {

template <class D>
struct directory_static_asserts {
  static_assert(directory_has_lookup<D>::value,
                "Directory: missing or invalid member: lookup(std::string_view) returning L "
                "where bool(l) tells whether the recipient is known and *l converts to "
                "sipsaf::recipient const&");
  static constexpr bool value = true;
};

template <class C>
struct clock_static_asserts {
  static_assert(clock_has_now<C>::value,
                "Clock: missing or invalid member: now() -> "
                "std::chrono::time_point<std::chrono::system_clock, Duration>");
  static constexpr bool value = true;
};

template <class G>
struct gateways_static_asserts {
  static_assert(gateways_has_can_forward<G>::value,
                "Gateways: missing or invalid member: can_forward(forward_kind) -> bool");
  static_assert(gateways_has_forward<G>::value,
                "Gateways: missing or invalid member: forward(Request const&, "
                "forward_target const&) -> std::error_code, for any Request type");
  static constexpr bool value = true;
};

}  // namespace detail

/// *Gateways* that can take nothing: every forwarding profile falls back to
/// storing. The default of `store_forward_engine`.
struct no_gateways {
  constexpr auto can_forward(forward_kind) const noexcept -> bool { return false; }
  template <class Request>
  auto forward(Request const&, forward_target const&) const -> std::error_code {
    return make_error_code(errc::unsupported);
  }
};

static_assert(is_gateways<no_gateways>::value, "no_gateways is a Gateways");

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_POLICY_REQUIREMENTS_HPP
