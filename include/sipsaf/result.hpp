// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_RESULT_HPP
#define SIPSAF_RESULT_HPP

#include <sipsaf/config.hpp>
#include <sipsaf/error.hpp>

#include <cstddef>
#include <new>
#include <ostream>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>

SIPSAF_BEGIN_NAMESPACE

/// Why and where a parse failed.
///
/// `offset` counts bytes from the start of the input that was passed to the
/// parser; an error at the end of the input has `offset == input.size()`.
struct parse_error {
  errc code{};
  std::size_t offset = 0;

  auto ec() const noexcept -> std::error_code { return make_error_code(code); }
  auto message() const -> std::string { return errc_message_at(code, offset); }

  /// The same error, with `offset` counted from `base` bytes earlier: used when
  /// a sub-parser ran on a slice of a larger input.
  auto rebased(std::size_t base) const noexcept -> parse_error { return {code, offset + base}; }

  friend auto operator==(parse_error const& a, parse_error const& b) noexcept -> bool {
    return a.code == b.code && a.offset == b.offset;
  }
  friend auto operator!=(parse_error const& a, parse_error const& b) noexcept -> bool {
    return !(a == b);
  }
  friend auto operator<<(std::ostream& os, parse_error const& e) -> std::ostream& {
    return os << e.message();
  }

 private:
  static auto errc_message_at(errc c, std::size_t at) -> std::string {
    return std::string(detail::errc_message(c)) + " at offset " + std::to_string(at);
  }
};

/// Thrown only by the throwing conveniences (`result::value()` on an error).
class parse_exception : public std::system_error {
 public:
  explicit parse_exception(parse_error const& e)
      : std::system_error(e.ec(), "at offset " + std::to_string(e.offset)), error_(e) {}
  auto error() const noexcept -> parse_error const& { return error_; }
  auto offset() const noexcept -> std::size_t { return error_.offset; }

 private:
  parse_error error_;
};

namespace detail {
[[noreturn]] inline void throw_error(parse_error const& e) {
  throw parse_exception(e);
}
[[noreturn]] inline void throw_error(std::error_code const& e) {
  throw std::system_error(e);
}
}  // namespace detail

/// Either a value of type `T` or an error of type `E`.
///
/// The non-throwing way in: test it (`if (r)`, `has_value()`), then use `*r`
/// or `r->`; `error()` gives the error. `value()` throws `parse_exception`
/// (or `std::system_error` when `E` is `std::error_code`) on an error.
///
/// Held in a tagged union of its own rather than a `std::variant`: each
/// distinct `std::variant` costs every file that names it about 20 ms and
/// 2 MB of compiler memory, and the library names some sixty.
template <class T, class E = parse_error>
class result {
  static_assert(!std::is_same<T, E>::value, "result<T, E> needs distinct T and E");

 public:
  using value_type = T;
  using error_type = E;

  template <class U = T, class = std::enable_if_t<std::is_constructible<T, U&&>::value &&
                                                  !std::is_same<std::decay_t<U>, result>::value &&
                                                  !std::is_same<std::decay_t<U>, E>::value>>
  result(U&& v) : ok_(true) {  // NOLINT: implicit on purpose
    ::new (static_cast<void*>(&value_)) T(std::forward<U>(v));
  }
  result(E const& e) : error_(e), ok_(false) {}        // NOLINT: implicit on purpose
  result(E&& e) : error_(std::move(e)), ok_(false) {}  // NOLINT: implicit on purpose

  result(result const& o) : ok_(o.ok_) {
    if (ok_)
      ::new (static_cast<void*>(&value_)) T(o.value_);
    else
      ::new (static_cast<void*>(&error_)) E(o.error_);
  }
  result(result&& o) noexcept(
      std::is_nothrow_move_constructible<T>::value&& std::is_nothrow_move_constructible<E>::value)
      : ok_(o.ok_) {
    if (ok_)
      ::new (static_cast<void*>(&value_)) T(std::move(o.value_));
    else
      ::new (static_cast<void*>(&error_)) E(std::move(o.error_));
  }
  auto operator=(result const& o) -> result& {
    if (this != &o) assign(result(o));
    return *this;
  }
  auto operator=(result&& o) noexcept(
      std::is_nothrow_move_constructible<T>::value&& std::is_nothrow_move_assignable<T>::value&&
          std::is_nothrow_move_constructible<E>::value&& std::is_nothrow_move_assignable<E>::value)
      -> result& {
    if (this != &o) assign(std::move(o));
    return *this;
  }
  ~result() {
    if (ok_)
      value_.~T();
    else
      error_.~E();
  }

  auto has_value() const noexcept -> bool { return ok_; }
  auto has_error() const noexcept -> bool { return !ok_; }
  explicit operator bool() const noexcept { return ok_; }

  auto value() & -> T& { return check(), value_; }
  auto value() const& -> T const& { return check(), value_; }
  auto value() && -> T&& { return check(), std::move(value_); }

  /// Precondition: `has_value()`.
  auto operator*() & noexcept -> T& { return value_; }
  auto operator*() const& noexcept -> T const& { return value_; }
  auto operator*() && noexcept -> T&& { return std::move(value_); }
  auto operator->() noexcept -> T* { return &value_; }
  auto operator->() const noexcept -> T const* { return &value_; }

  /// Precondition: `has_error()`.
  auto error() const noexcept -> E const& { return error_; }

 private:
  void check() const {
    if (!ok_) detail::throw_error(error_);
  }
  // Takes the state of `o` (a temporary or an rvalue).
  void assign(result&& o) {
    if (ok_ && o.ok_) {
      value_ = std::move(o.value_);
    } else if (!ok_ && !o.ok_) {
      error_ = std::move(o.error_);
    } else if (ok_) {
      value_.~T();
      ::new (static_cast<void*>(&error_)) E(std::move(o.error_));
      ok_ = false;
    } else {
      error_.~E();
      ::new (static_cast<void*>(&value_)) T(std::move(o.value_));
      ok_ = true;
    }
  }

  union {
    T value_;
    E error_;
  };
  bool ok_;
};

/// A success without a value, or an error.
template <class E>
class result<void, E> {
 public:
  using value_type = void;
  using error_type = E;

  result() = default;
  result(E const& e) : e_(e), ok_(false) {}  // NOLINT: implicit on purpose

  auto has_value() const noexcept -> bool { return ok_; }
  auto has_error() const noexcept -> bool { return !ok_; }
  explicit operator bool() const noexcept { return ok_; }
  void value() const {
    if (!ok_) detail::throw_error(e_);
  }
  auto error() const noexcept -> E const& { return e_; }

 private:
  E e_{};
  bool ok_ = true;
};

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_RESULT_HPP
