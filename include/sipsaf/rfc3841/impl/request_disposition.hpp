// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_RFC3841_IMPL_REQUEST_DISPOSITION_HPP
#define SIPSAF_RFC3841_IMPL_REQUEST_DISPOSITION_HPP

#include <sipsaf/grammar/detail/run.hpp>
#include <sipsaf/grammar/request_disposition.hpp>

#include <algorithm>
#include <cstring>

SIPSAF_BEGIN_NAMESPACE

namespace detail {

// True when `token` spells `lower` (a lower-case literal of the same length)
// in any ASCII case. Folding is a bitwise OR with 0x20: on token characters
// (RFC 3261 §25.1) it maps only upper-case letters onto other token
// characters, so it is exact for literals made of lower-case letters and
// '-'. Eight bytes are compared at a time.
inline auto token_is(std::string_view token, std::string_view lower) noexcept -> bool {
  constexpr std::uint64_t fold = 0x2020202020202020ull;
  std::size_t i = 0;
  for (; i + 8 <= lower.size(); i += 8) {
    std::uint64_t a = 0;
    std::uint64_t b = 0;
    std::memcpy(&a, token.data() + i, 8);
    std::memcpy(&b, lower.data() + i, 8);
    if ((a | fold) != b) return false;
  }
  for (; i < lower.size(); ++i)
    if ((token[i] | 0x20) != lower[i]) return false;
  return true;
}

}  // namespace detail

inline auto classify_directive(std::string_view t) noexcept -> directive {
  using detail::token_is;
  // Dispatch on length and first letter: at most one full compare per token.
  if (t.size() < 4) return directive::extension;
  char const c = static_cast<char>(t[0] | 0x20);
  switch (t.size()) {
    case 4:
      if (c == 'f' && token_is(t, "fork")) return directive::fork;
      if (c == 'r' && token_is(t, "ring")) return directive::ring;
      break;
    case 5:
      if (c == 'p' && token_is(t, "proxy")) return directive::proxy;
      if (c == 'q' && token_is(t, "queue")) return directive::queue;
      if (c == 's' && token_is(t, "store")) return directive::store;
      break;
    case 6:
      if (c == 'c' && token_is(t, "cancel")) return directive::cancel;
      if (c == 'n' && token_is(t, "notify")) return directive::notify;
      break;
    case 7:
      if (c == 'r' && token_is(t, "recurse")) return directive::recurse;
      if (c == 'n' && token_is(t, "no-fork")) return directive::no_fork;
      if (c == 'n' && token_is(t, "no-ring")) return directive::no_ring;
      break;
    case 8:
      if (c == 'r' && token_is(t, "redirect")) return directive::redirect;
      if (c == 'p' && token_is(t, "parallel")) return directive::parallel;
      if (c == 'n' && token_is(t, "no-queue")) return directive::no_queue;
      break;
    case 9:
      if (c == 'n' && token_is(t, "no-cancel")) return directive::no_cancel;
      break;
    case 10:
      if (c == 's' && token_is(t, "sequential")) return directive::sequential;
      if (c == 'n' && token_is(t, "no-recurse")) return directive::no_recurse;
      break;
    case 12:
      if (c == 'd' && token_is(t, "do-not-store")) return directive::do_not_store;
      break;
    case 32:
      if (c == 's' && token_is(t, "store-and-forward-if-not-reached"))
        return directive::store_and_forward_if_not_reached;
      break;
    default:
      break;
  }
  return directive::extension;
}

inline auto operator==(request_disposition const& a, request_disposition const& b) noexcept
    -> bool {
  if (a.count_ != b.count_ || a.extensions_.size() != b.extensions_.size()) return false;
  if (!std::equal(a.order_.begin(), a.order_.begin() + a.count_, b.order_.begin())) return false;
  for (std::size_t i = 0; i < a.extensions_.size(); ++i)
    if (!grammar::detail::iequals(a.extensions_[i], b.extensions_[i])) return false;
  return true;
}

namespace detail {

// Receives each token the grammar finds, in order, and records it in the
// value; throws grammar::detail::failure at the token that breaks a rule.
class directive_sink {
 public:
  directive_sink(request_disposition& rd, request_disposition_options const& opt) noexcept
      : rd_(rd), opt_(opt), limit_(std::min(opt.max_directives, request_disposition::capacity)) {}

  void operator()(std::string_view token) {
    using grammar::detail::failure;
    directive const d = classify_directive(token);
    bool const strict = opt_.mode == disposition_mode::strict;
    if (strict && (d == directive::extension || !is_rfc3841(d)))
      throw failure{errc::unknown_directive, token.data()};
    if (rd_.size() >= limit_) throw failure{errc::too_many_directives, token.data()};
    bool const added = d == directive::extension ? rd_.add_extension(token) : rd_.add(d);
    // RFC 3841 §9.1: at most one directive of each type.
    if (!added) throw failure{errc::conflicting_directives, token.data()};
  }

 private:
  request_disposition& rd_;
  request_disposition_options const& opt_;
  std::size_t limit_;
};

inline auto is_blank(std::string_view v) noexcept -> bool {
  return grammar::detail::skip_lws(v.data(), v.data() + v.size()) == v.data() + v.size();
}

}  // namespace detail

inline auto append_request_disposition(request_disposition& into, std::string_view row,
                                       request_disposition_options const& opt) -> result<void> {
  namespace x3 = boost::spirit::x3;
  if (detail::is_blank(row)) return parse_error{errc::empty_value, 0};
  detail::directive_sink sink(into, opt);
  auto const parser =
      x3::with<grammar::directive_sink_tag>(std::ref(sink))[grammar::request_disposition_value];
  return grammar::detail::run(row, parser, errc::expected_directive, errc::expected_comma);
}

inline auto parse_request_disposition(std::string_view value,
                                      request_disposition_options const& opt)
    -> result<request_disposition> {
  // Parsed in place, so that the value is not moved on the way out.
  result<request_disposition> out{request_disposition{}};
  auto r = append_request_disposition(*out, value, opt);
  if (!r) return r.error();
  return out;
}

template <class OutputIt>
auto serialize(OutputIt out, request_disposition const& rd) -> OutputIt {
  bool first = true;
  rd.for_each([&](directive_entry e) {
    if (!first) {
      *out++ = ',';
      *out++ = ' ';
    }
    first = false;
    out = std::copy(e.text.begin(), e.text.end(), out);
  });
  return out;
}

inline auto to_string(request_disposition const& rd) -> std::string {
  std::string s;
  s.reserve(rd.size() * 12);
  serialize(std::back_inserter(s), rd);
  return s;
}

inline auto operator<<(std::ostream& os, request_disposition const& rd) -> std::ostream& {
  return os << to_string(rd);
}

inline auto identifier_code(request_disposition const& rd) noexcept -> std::string_view {
  switch (rd.store()) {
    case store_command::do_not_store:
      return "11";
    case store_command::store:
    case store_command::store_and_forward_if_not_reached:
      return rd.notify() ? "01" : "00";
    case store_command::none:
      break;
  }
  return rd.notify() ? "01" : "";
}

inline auto from_identifier_code(std::string_view code) -> result<request_disposition> {
  request_disposition rd;
  if (code == "11") {
    rd.add(directive::do_not_store);
  } else if (code == "00" || code == "01") {
    rd.add(directive::store_and_forward_if_not_reached);
    if (code == "01") rd.add(directive::notify);
  } else {
    return parse_error{errc::expected_directive, 0};
  }
  return rd;
}

SIPSAF_END_NAMESPACE

#endif
