// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_POLICY_REQUEST_HPP
#define SIPSAF_POLICY_REQUEST_HPP

/// @file
/// The *Request* named requirements: what the engine reads from the request
/// it handles, so that a SIP stack can pass its own message type.
///
/// @par Request
/// The engine reads a request only through `request_traits<R>`. The primary
/// template reads members of `R` of the names below, each either a member
/// function taking no argument or a data member; so a plain struct is a
/// model:
/// @code
///   struct my_request {
///     std::string method, from_uri, from_tag, to_uri, call_id;
///     std::uint32_t cseq;
///     std::string content_type, date, expires, request_disposition, body, bytes;
///   };
/// @endcode
/// A type that cannot have such members (a C struct of another stack, say)
/// becomes a model by specializing `sipsaf::request_traits` with static
/// functions of these names taking `R const&`.
///
/// In this table `T` is `request_traits<R>`, `r` an `R const&`. *text* is any
/// type convertible to `std::string_view`, handed over in one of two ways:
/// - as a view: a `std::string_view` or `char const*` (by value or by
///   reference), or any text returned by reference. Its characters must stay
///   valid as long as `r` is; the engine copies none of them. The fast way;
/// - as an owning value: any other type returned by value (`std::string`, a
///   stack's own string class). Its characters go with the value, so the
///   engine copies those a decision may point to (method, From and To URIs,
///   Content-Type, Request-Disposition) into buffers of its own, reusing
///   their capacity from call to call, and reads the others only during the
///   call.
///
/// Either way the views in `outcome::decided` stay valid until the next call
/// into the engine, as long as `r` is alive (<sipsaf/policy/action.hpp>). The
/// rows of a Request-Disposition range follow the same rule: rows that are
/// views are taken to point into `r`; other rows are copied when the range
/// is returned by value or its iterator makes them. Header values are the
/// text after the colon, without the CRLF; "empty" means the header field
/// is absent.
///
/// | Expression | Type | Semantics |
/// |---|---|---|
/// | `T::method(r)` | text | The method, e.g. `MESSAGE` (case-sensitive, RFC 3261 §7.1). |
/// | `T::from_uri(r)` | text | The From URI (no display name, no `<>`, no header parameters). |
/// | `T::from_tag(r)` | text | The From `tag` parameter (RFC 3261 §19.3); empty if none. |
/// | `T::to_uri(r)` | text | The To URI, as `from_uri`. |
/// | `T::call_id(r)` | text | The Call-ID value (`i`). |
/// | `T::cseq(r)` | *number* | The CSeq sequence number (RFC 3261 §20.16). |
/// | `T::content_type(r)` | text | The whole Content-Type (`c`) value with its parameters. |
/// | `T::date(r)` | text | The Date value (RFC 3261 §20.17). |
/// | `T::expires(r)` | text | The Expires value (RFC 3261 §20.19). |
/// | `T::request_disposition(r)` | text, or a range of text | The Request-Disposition (`d`). |
/// | `T::body(r)` | text | The message body. |
/// | `T::bytes(r)` | text | The whole request exactly as received; what a store keeps. |
///
/// *number* is an integral, a `std::optional` of an integral (empty: absent
/// or unreadable), or text: the CSeq value, whose leading number is used. The Request-Disposition
/// is one text (several rows joined with commas, RFC 3261 §7.3.1), or a range with one element per
/// header row, in order.
///
/// To, From, Call-ID and CSeq are mandatory in a request (RFC 3261 §8.1.1),
/// and the engine files and recognises a message by them: it answers a
/// payload-carrying request whose To URI, From URI or Call-ID is empty, or
/// whose CSeq number cannot be read, with 400 and a trace that names the
/// header (RFC 3261 §21.4.1). A stack that cannot read one of them hands it
/// over as empty text (CSeq: an empty optional, or text without a number).
///
/// `is_request<R>` says whether `R` is a model; the engine's constructor
/// names every missing member in a `static_assert`.
///
/// @par Models
/// Any struct with those members (the tests use one); sipsaf's
/// `message_view` through <sipsaf/policy/message_view_request.hpp>.

#include <sipsaf/config.hpp>

#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

SIPSAF_BEGIN_NAMESPACE

/// Text a `request_traits` specialization hands over: a view into the
/// stack's message where the stack keeps the text, or a string made for the
/// occasion where it does not (a URI the stack keeps parsed, an unfolded
/// line). Converts to `std::string_view`. Returned by value it counts as an
/// owning value (see the table above), whichever of the two it holds.
class request_text {
 public:
  request_text() = default;
  explicit request_text(std::string_view v) noexcept : view_(v) {}
  explicit request_text(std::string s) : owned_(std::move(s)), owns_(true) {}
  operator std::string_view() const noexcept { return owns_ ? std::string_view(owned_) : view_; }

 private:
  std::string_view view_;
  std::string owned_;
  bool owns_ = false;
};

namespace detail {

struct pick_member {};
struct pick_function : pick_member {};

// For each field: `r.name()` when R has such a member function, else the
// data member `r.name`. SFINAE-friendly, so detection below works.
#define SIPSAF_REQUEST_FIELD(name)                                           \
  template <class R>                                                         \
  auto request_field_##name(R const& r, pick_function)->decltype(r.name()) { \
    return r.name();                                                         \
  }                                                                          \
  template <class R>                                                         \
  auto request_field_##name(R const& r, pick_member)->decltype((r.name)) {   \
    return r.name;                                                           \
  }
SIPSAF_REQUEST_FIELD(method)
SIPSAF_REQUEST_FIELD(from_uri)
SIPSAF_REQUEST_FIELD(from_tag)
SIPSAF_REQUEST_FIELD(to_uri)
SIPSAF_REQUEST_FIELD(call_id)
SIPSAF_REQUEST_FIELD(cseq)
SIPSAF_REQUEST_FIELD(content_type)
SIPSAF_REQUEST_FIELD(date)
SIPSAF_REQUEST_FIELD(expires)
SIPSAF_REQUEST_FIELD(request_disposition)
SIPSAF_REQUEST_FIELD(body)
SIPSAF_REQUEST_FIELD(bytes)
#undef SIPSAF_REQUEST_FIELD

}  // namespace detail

/// How the engine reads a request of type `R` (see the file notes). The
/// primary template reads `R`'s members; specialize it for other types.
template <class R, class = void>
struct request_traits {
#define SIPSAF_REQUEST_TRAIT(name)                                           \
  template <class Q = R>                                                     \
  static auto name(Q const& r)                                               \
      ->decltype(detail::request_field_##name(r, detail::pick_function{})) { \
    return detail::request_field_##name(r, detail::pick_function{});         \
  }
  SIPSAF_REQUEST_TRAIT(method)
  SIPSAF_REQUEST_TRAIT(from_uri)
  SIPSAF_REQUEST_TRAIT(from_tag)
  SIPSAF_REQUEST_TRAIT(to_uri)
  SIPSAF_REQUEST_TRAIT(call_id)
  SIPSAF_REQUEST_TRAIT(cseq)
  SIPSAF_REQUEST_TRAIT(content_type)
  SIPSAF_REQUEST_TRAIT(date)
  SIPSAF_REQUEST_TRAIT(expires)
  SIPSAF_REQUEST_TRAIT(request_disposition)
  SIPSAF_REQUEST_TRAIT(body)
  SIPSAF_REQUEST_TRAIT(bytes)
#undef SIPSAF_REQUEST_TRAIT
};

namespace detail {

template <class T>
using is_text = std::is_convertible<T, std::string_view>;

template <class T, class = void>
struct is_text_range : std::false_type {};
template <class T>
struct is_text_range<T, std::void_t<decltype(std::begin(std::declval<T const&>())),
                                    decltype(std::end(std::declval<T const&>()))>>
    : std::is_convertible<decltype(*std::begin(std::declval<T const&>())), std::string_view> {};

/// A text type taken as a view: it points into the request.
template <class T>
struct is_view_text : std::integral_constant<bool, std::is_same<T, std::string_view>::value ||
                                                       std::is_same<T, char const*>::value ||
                                                       std::is_same<T, char*>::value> {};

/// True when `V`, the declared type of `auto&& v = request_traits<R>::f(r)`,
/// is text returned by value that is not a view: it owns its characters and
/// they go when `v` does, so the engine copies what it keeps of them.
template <class V>
struct owns_text : std::integral_constant<bool, std::is_rvalue_reference<V>::value &&
                                                    !is_view_text<std::decay_t<V>>::value> {};

/// The same for the rows of a Request-Disposition range declared `V`: a row
/// that is not a view and is either a value of its own (the iterator makes
/// it) or an element of a range returned by value.
template <class V, class = void>
struct owns_rows : std::false_type {};
template <class V>
struct owns_rows<V, std::enable_if_t<!is_text<V>::value && is_text_range<std::decay_t<V>>::value>> {
  using row = decltype(*std::begin(std::declval<std::remove_reference_t<V> const&>()));
  static constexpr bool value =
      !is_view_text<std::decay_t<row>>::value &&
      (!std::is_lvalue_reference<row>::value || std::is_rvalue_reference<V>::value);
};

template <class T>
struct is_optional_integral : std::false_type {};
template <class T>
struct is_optional_integral<std::optional<T>> : std::is_integral<T> {};

template <class T>
struct is_cseq_type
    : std::integral_constant<bool, std::is_integral<std::decay_t<T>>::value ||
                                       is_optional_integral<std::decay_t<T>>::value ||
                                       is_text<T>::value> {};

template <class T>
struct is_disposition_type
    : std::integral_constant<bool, is_text<T>::value || is_text_range<std::decay_t<T>>::value> {};

#define SIPSAF_REQUEST_DETECT(name, check)                                         \
  template <class R, class = void>                                                 \
  struct request_has_##name : std::false_type {};                                  \
  template <class R>                                                               \
  struct request_has_##name<                                                       \
      R, std::void_t<decltype(request_traits<R>::name(std::declval<R const&>()))>> \
      : check<decltype(request_traits<R>::name(std::declval<R const&>()))> {};
SIPSAF_REQUEST_DETECT(method, is_text)
SIPSAF_REQUEST_DETECT(from_uri, is_text)
SIPSAF_REQUEST_DETECT(from_tag, is_text)
SIPSAF_REQUEST_DETECT(to_uri, is_text)
SIPSAF_REQUEST_DETECT(call_id, is_text)
SIPSAF_REQUEST_DETECT(cseq, is_cseq_type)
SIPSAF_REQUEST_DETECT(content_type, is_text)
SIPSAF_REQUEST_DETECT(date, is_text)
SIPSAF_REQUEST_DETECT(expires, is_text)
SIPSAF_REQUEST_DETECT(request_disposition, is_disposition_type)
SIPSAF_REQUEST_DETECT(body, is_text)
SIPSAF_REQUEST_DETECT(bytes, is_text)
#undef SIPSAF_REQUEST_DETECT

}  // namespace detail

/// True when `R` meets the *Request* requirements through `request_traits<R>`.
template <class R>
struct is_request
    : std::integral_constant<
          bool, detail::request_has_method<R>::value && detail::request_has_from_uri<R>::value &&
                    detail::request_has_from_tag<R>::value &&
                    detail::request_has_to_uri<R>::value && detail::request_has_call_id<R>::value &&
                    detail::request_has_cseq<R>::value &&
                    detail::request_has_content_type<R>::value &&
                    detail::request_has_date<R>::value && detail::request_has_expires<R>::value &&
                    detail::request_has_request_disposition<R>::value &&
                    detail::request_has_body<R>::value && detail::request_has_bytes<R>::value> {};

template <class R>
constexpr bool is_request_v = is_request<R>::value;

namespace detail {

#define SIPSAF_REQUEST_MSG(what)                                                       \
  "Request: missing or invalid member: " what                                          \
  " (a member function or data member of the request type, or a static function of a " \
  "sipsaf::request_traits specialization)"

/// Instantiating this names each member `R` lacks, one diagnostic per row.
template <class R>
struct request_static_asserts {
  static_assert(request_has_method<R>::value, SIPSAF_REQUEST_MSG("method, as text"));
  static_assert(request_has_from_uri<R>::value, SIPSAF_REQUEST_MSG("from_uri, as text"));
  static_assert(request_has_from_tag<R>::value, SIPSAF_REQUEST_MSG("from_tag, as text"));
  static_assert(request_has_to_uri<R>::value, SIPSAF_REQUEST_MSG("to_uri, as text"));
  static_assert(request_has_call_id<R>::value, SIPSAF_REQUEST_MSG("call_id, as text"));
  static_assert(request_has_cseq<R>::value,
                SIPSAF_REQUEST_MSG("cseq, integral, std::optional of an integral, or text"));
  static_assert(request_has_content_type<R>::value, SIPSAF_REQUEST_MSG("content_type, as text"));
  static_assert(request_has_date<R>::value, SIPSAF_REQUEST_MSG("date, as text"));
  static_assert(request_has_expires<R>::value, SIPSAF_REQUEST_MSG("expires, as text"));
  static_assert(request_has_request_disposition<R>::value,
                SIPSAF_REQUEST_MSG("request_disposition, as text or a range of text"));
  static_assert(request_has_body<R>::value, SIPSAF_REQUEST_MSG("body, as text"));
  static_assert(request_has_bytes<R>::value, SIPSAF_REQUEST_MSG("bytes, as text"));
  static constexpr bool value = true;
};
#undef SIPSAF_REQUEST_MSG

/// The CSeq sequence number, or nothing when it cannot be read: an integral
/// value outside 0..2^32-1, an empty optional, or a text that does not start
/// with a number (after white space) followed by white space or its end
/// (RFC 3261 §20.16: `1*DIGIT LWS Method`), or whose number does not fit in
/// 32 bits (RFC 3261 §8.1.1.5).
template <class T>
auto read_cseq(T const& v) noexcept -> std::optional<std::uint32_t> {
  if constexpr (std::is_integral<T>::value) {
    if constexpr (std::is_signed<T>::value) {
      if (v < 0) return std::nullopt;
    }
    if (static_cast<std::uint64_t>(v) > 0xffffffffu) return std::nullopt;
    return static_cast<std::uint32_t>(v);
  } else if constexpr (is_optional_integral<T>::value) {
    if (!v) return std::nullopt;
    return read_cseq(*v);
  } else {
    std::string_view s(v);
    std::size_t i = 0;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    std::size_t const first = i;
    std::uint64_t n = 0;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      n = n * 10 + static_cast<std::uint64_t>(s[i] - '0');
      if (n > 0xffffffffu) return std::nullopt;
    }
    if (i == first) return std::nullopt;
    if (i < s.size() && s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
      return std::nullopt;
    return static_cast<std::uint32_t>(n);
  }
}

/// The CSeq number as `read_cseq` reads it, 0 when it cannot be read.
template <class T>
auto cseq_number(T const& v) noexcept -> std::uint32_t {
  return read_cseq(v).value_or(0);
}

/// Calls `f(std::string_view)` once per Request-Disposition row.
template <class T, class F>
void for_each_disposition_row(T const& v, F&& f) {
  if constexpr (is_text<T const&>::value) {
    std::string_view const s(v);
    if (!s.empty()) f(s);
  } else {
    for (auto const& row : v) f(std::string_view(row));
  }
}

}  // namespace detail

/// The CSeq number of *Request* `r` as the engine reads it, or nothing when
/// it cannot be read (then the engine answers a payload request 400).
template <class Request>
auto request_cseq(Request const& r) -> std::optional<std::uint32_t> {
  auto&& v = request_traits<Request>::cseq(r);
  return detail::read_cseq(v);
}

/// Calls `f(std::string_view)` once per Request-Disposition row of
/// *Request* `r`, as the engine reads them (empty rows skipped).
template <class Request, class F>
void for_each_request_disposition_row(Request const& r, F&& f) {
  auto&& v = request_traits<Request>::request_disposition(r);
  detail::for_each_disposition_row(v, std::forward<F>(f));
}

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_POLICY_REQUEST_HPP
