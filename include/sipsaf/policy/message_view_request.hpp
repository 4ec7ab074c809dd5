// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_POLICY_MESSAGE_VIEW_REQUEST_HPP
#define SIPSAF_POLICY_MESSAGE_VIEW_REQUEST_HPP

/// @file
/// Makes sipsaf's own `message_view` a model of *Request*
/// (<sipsaf/policy/request.hpp>), so the engine takes a parsed request as is:
/// @code
///   auto m = sipsaf::parse_message(datagram);
///   if (m && m->is_request()) engine.on_request(*m, out);
/// @endcode
/// Every text is a view into the message; nothing is copied. A field that is
/// absent or does not parse reads as empty (CSeq as an empty optional).
/// `parse_message` checks the syntax of Call-ID, CSeq and Expires, and
/// `message_view::validate()` that of From, To and Date too (call it first to
/// refuse a malformed request as such), but neither checks their presence:
/// the engine answers a payload request without To, From, Call-ID or CSeq
/// (or whose From or To does not parse) with 400 (RFC 3261 §8.1.1).

#include <sipsaf/config.hpp>
#include <sipsaf/message/fields.hpp>
#include <sipsaf/message/message_view.hpp>
#include <sipsaf/policy/request.hpp>

#include <cstdint>
#include <iterator>
#include <optional>
#include <string_view>
#include <vector>

SIPSAF_BEGIN_NAMESPACE

namespace detail {

/// The values of the rows of one known header field, in order, as a range
/// of `std::string_view`; no allocation.
class field_values {
 public:
  using rows = std::vector<message_field>;

  class iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = std::string_view;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = std::string_view;

    iterator() = default;
    iterator(rows::const_iterator at, rows::const_iterator end, field f) noexcept
        : at_(at), end_(end), f_(f) {
      skip();
    }
    auto operator*() const noexcept -> std::string_view { return at_->value; }
    auto operator++() noexcept -> iterator& {
      ++at_;
      skip();
      return *this;
    }
    auto operator++(int) noexcept -> iterator {
      iterator old = *this;
      ++*this;
      return old;
    }
    friend auto operator==(iterator const& a, iterator const& b) noexcept -> bool {
      return a.at_ == b.at_;
    }
    friend auto operator!=(iterator const& a, iterator const& b) noexcept -> bool {
      return a.at_ != b.at_;
    }

   private:
    void skip() noexcept {
      while (at_ != end_ && at_->id != f_) ++at_;
    }
    rows::const_iterator at_{}, end_{};
    field f_ = field::unknown;
  };

  field_values(rows const& r, field f) noexcept : rows_(&r), f_(f) {}
  auto begin() const noexcept -> iterator { return {rows_->begin(), rows_->end(), f_}; }
  auto end() const noexcept -> iterator { return {rows_->end(), rows_->end(), f_}; }

 private:
  rows const* rows_;
  field f_;
};

}  // namespace detail

/// `message_view` as a *Request*: the From and To URIs and the From tag
/// come from the typed accessors; the Request-Disposition rows (full name or
/// compact `d`) are handed over one by one; `bytes` is `wire()`.
template <>
struct request_traits<message_view> {
  static auto method(message_view const& m) noexcept -> std::string_view { return m.method(); }
  static auto from_uri(message_view const& m) -> std::string_view {
    auto a = m.from();
    return a ? a->uri.text : std::string_view();
  }
  static auto from_tag(message_view const& m) -> std::string_view {
    auto a = m.from();
    return a ? a->tag : std::string_view();
  }
  static auto to_uri(message_view const& m) -> std::string_view {
    auto a = m.to();
    return a ? a->uri.text : std::string_view();
  }
  static auto call_id(message_view const& m) -> std::string_view {
    auto c = m.call_id();
    return c ? *c : std::string_view();
  }
  static auto cseq(message_view const& m) -> std::optional<std::uint32_t> {
    auto c = m.cseq();
    if (!c) return std::nullopt;
    return c->number;
  }
  static auto content_type(message_view const& m) noexcept -> std::string_view {
    return m.header(field::content_type).value_or(std::string_view());
  }
  static auto date(message_view const& m) noexcept -> std::string_view {
    return m.header(field::date).value_or(std::string_view());
  }
  static auto expires(message_view const& m) noexcept -> std::string_view {
    return m.header(field::expires).value_or(std::string_view());
  }
  static auto request_disposition(message_view const& m) noexcept -> detail::field_values {
    return {m.headers(), field::request_disposition};
  }
  static auto body(message_view const& m) noexcept -> std::string_view { return m.body(); }
  static auto bytes(message_view const& m) noexcept -> std::string_view { return m.wire(); }
};

static_assert(is_request<message_view>::value, "message_view is a Request");

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_POLICY_MESSAGE_VIEW_REQUEST_HPP
