// Test that the header is self-contained.
#include <sipsaf/rfc3841/request_disposition.hpp>

#include "test_helpers.hpp"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <array>
#include <sstream>
#include <string>
#include <vector>

BOOST_AUTO_TEST_SUITE(request_disposition)

namespace bdata = boost::unit_test::data;
using sipsaf::directive;
using sipsaf::disposition_mode;
using sipsaf::errc;
using sipsaf::parse_error;
using sipsaf::parse_request_disposition;

namespace {
sipsaf::request_disposition_options const strict{disposition_mode::strict};

auto error_of(std::string_view in, sipsaf::request_disposition_options const& opt = {})
    -> parse_error {
  auto r = parse_request_disposition(in, opt);
  BOOST_TEST_REQUIRE(!r, "expected an error for '" << in << "'");
  return r.error();
}
auto canonical(std::string_view in) -> std::string {
  auto r = parse_request_disposition(in);
  BOOST_TEST_REQUIRE(r.has_value(), "'" << in << "': " << (r ? "" : r.error().message()));
  return sipsaf::to_string(*r);
}

// Every RFC 3841 §10 production, one token each, with its type.
struct token_case {
  char const* text;
  directive kind;
};
std::ostream& operator<<(std::ostream& os, token_case const& t) {
  return os << t.text;
}
std::array<token_case, 18> const known_tokens{{
    {"proxy", directive::proxy},
    {"redirect", directive::redirect},
    {"cancel", directive::cancel},
    {"no-cancel", directive::no_cancel},
    {"fork", directive::fork},
    {"no-fork", directive::no_fork},
    {"recurse", directive::recurse},
    {"no-recurse", directive::no_recurse},
    {"parallel", directive::parallel},
    {"sequential", directive::sequential},
    {"queue", directive::queue},
    {"no-queue", directive::no_queue},
    {"do-not-store", directive::do_not_store},
    {"store", directive::store},
    {"store-and-forward-if-not-reached", directive::store_and_forward_if_not_reached},
    {"notify", directive::notify},
    {"ring", directive::ring},
    {"no-ring", directive::no_ring},
}};

auto upper(std::string s) -> std::string {
  for (char& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  return s;
}
}  // namespace

BOOST_DATA_TEST_CASE(every_production_parses_in_any_case, bdata::make(known_tokens), tok) {
  for (std::string const& spelling : {std::string(tok.text), upper(tok.text)}) {
    auto r = parse_request_disposition(spelling);
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->size() == 1u);
    BOOST_TEST(r->has(tok.kind));
    BOOST_TEST(r->extensions().empty());
    BOOST_TEST(sipsaf::to_string(*r) == tok.text);
    BOOST_TEST((sipsaf::classify_directive(spelling) == tok.kind));
  }
  // Strict mode takes exactly the six RFC 3841 directive types.
  auto s = parse_request_disposition(tok.text, strict);
  BOOST_TEST(s.has_value() == sipsaf::is_rfc3841(tok.kind));
  if (!s) BOOST_TEST((s.error() == parse_error{errc::unknown_directive, 0}));
}

BOOST_AUTO_TEST_CASE(near_misses_are_extensions) {
  // A known name with a byte more, a byte less, or a byte that only folds
  // onto one of its letters is another token.
  for (char const* in : {"proxyx", "prox", "forks", "no-forking", "storex", "stor", "notif",
                         "store-and-forward-if-not-reachedx", "store-and-forward-if-not-reache",
                         "no_fork", "no-rin", "no-recursE2", "sequentia1"}) {
    BOOST_TEST_CONTEXT(in) {
      BOOST_TEST((sipsaf::classify_directive(in) == directive::extension));
      auto r = parse_request_disposition(in);
      BOOST_TEST_REQUIRE(r.has_value());
      BOOST_TEST(r->extensions().size() == 1u);
    }
  }
  // Folding every byte with 0x20 would take CR (0x0D) for '-' (0x2D): only
  // letters fold (RFC 3261 §7.3.1).
  BOOST_TEST((sipsaf::classify_directive("no\rfork") == directive::extension));
  BOOST_TEST((sipsaf::classify_directive("do\rnot\rstore") == directive::extension));
  BOOST_TEST((sipsaf::classify_directive("fork x") == directive::extension));
  BOOST_TEST((sipsaf::classify_directive("No-FoRk") == directive::no_fork));
}

BOOST_AUTO_TEST_CASE(typed_accessors) {
  auto r = parse_request_disposition(
      "Redirect, no-cancel, fork, no-recurse, sequential, queue, store, notify, no-ring");
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST((r->proxy() == sipsaf::proxy_directive::redirect));
  BOOST_TEST((r->cancel() == sipsaf::cancel_directive::no_cancel));
  BOOST_TEST((r->fork() == sipsaf::fork_directive::fork));
  BOOST_TEST((r->recurse() == sipsaf::recurse_directive::no_recurse));
  BOOST_TEST((r->parallel() == sipsaf::parallel_directive::sequential));
  BOOST_TEST((r->queue() == sipsaf::queue_directive::queue));
  BOOST_TEST((r->store() == sipsaf::store_command::store));
  BOOST_TEST((r->ring() == sipsaf::ring_directive::no_ring));
  BOOST_TEST(r->notify());

  auto e = parse_request_disposition("proxy");
  BOOST_TEST_REQUIRE(e.has_value());
  BOOST_TEST((e->store() == sipsaf::store_command::none));
  BOOST_TEST((e->fork() == sipsaf::fork_directive::unset));
  BOOST_TEST(!e->notify());
}

BOOST_AUTO_TEST_CASE(whitespace_and_folding_around_commas) {
  BOOST_TEST(canonical("proxy,fork") == "proxy, fork");
  BOOST_TEST(canonical("  proxy  ,\tfork \t") == "proxy, fork");
  BOOST_TEST(canonical("proxy\r\n ,\r\n\tfork") == "proxy, fork");
  BOOST_TEST(canonical("\r\n proxy") == "proxy");
  // A CRLF that is not a fold ends the line: it cannot appear in a value.
  BOOST_TEST((error_of("proxy\r\n,fork") == parse_error{errc::expected_comma, 5}));
}

BOOST_AUTO_TEST_CASE(every_conflict_pair_is_an_error_at_the_second) {
  for (auto const& a : known_tokens) {
    for (auto const& b : known_tokens) {
      if (sipsaf::type_of(a.kind) != sipsaf::type_of(b.kind)) continue;
      std::string const in = std::string(a.text) + ", " + b.text;
      BOOST_TEST_CONTEXT(in) {
        BOOST_TEST((error_of(in) ==
                    parse_error{errc::conflicting_directives, std::string(a.text).size() + 2}));
      }
    }
  }
  // Across types there is no conflict.
  BOOST_TEST(canonical("proxy, store") == "proxy, store");
  // Conflicts are errors in strict mode too.
  BOOST_TEST((error_of("fork, no-fork", strict) == parse_error{errc::conflicting_directives, 6}));
}

BOOST_AUTO_TEST_CASE(empty_values_and_stray_commas) {
  BOOST_TEST((error_of("") == parse_error{errc::empty_value, 0}));
  BOOST_TEST((error_of(" \t ") == parse_error{errc::empty_value, 0}));
  BOOST_TEST((error_of(",proxy") == parse_error{errc::expected_directive, 0}));
  BOOST_TEST((error_of(" , proxy") == parse_error{errc::expected_directive, 1}));
  BOOST_TEST((error_of("proxy,,fork") == parse_error{errc::expected_directive, 6}));
  BOOST_TEST((error_of("proxy, ") == parse_error{errc::expected_directive, 7}));
  BOOST_TEST((error_of("proxy fork") == parse_error{errc::expected_comma, 6}));
  BOOST_TEST((error_of("proxy;x=1") == parse_error{errc::expected_comma, 5}));
  BOOST_TEST((error_of("\"proxy\"") == parse_error{errc::expected_directive, 0}));
}

BOOST_AUTO_TEST_CASE(extensions_are_kept_as_written_or_refused_in_strict_mode) {
  std::string const in = "X-Foo, store-and-forward-if-not-reached, bar.baz";
  auto r = parse_request_disposition(in);
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST(r->extensions().size() == 2u);
  BOOST_TEST(r->extensions()[0] == "X-Foo");
  BOOST_TEST(r->extensions()[1] == "bar.baz");
  BOOST_TEST(r->extensions()[0].data() == in.data());  // a view into the input
  BOOST_TEST(sipsaf::to_string(*r) == in);
  BOOST_TEST((error_of(in, strict) == parse_error{errc::unknown_directive, 0}));
  BOOST_TEST((error_of("proxy, notify", strict) == parse_error{errc::unknown_directive, 7}));
}

BOOST_AUTO_TEST_CASE(limits) {
  std::string many = "a0";
  for (int i = 1; i < 40; ++i) many += ", a" + std::to_string(i);
  BOOST_TEST((error_of(many).code == errc::too_many_directives));
  sipsaf::request_disposition_options roomy;
  roomy.max_directives = 64;
  BOOST_TEST(parse_request_disposition(many, roomy).has_value());
  roomy.max_directives = 1000;  // capped at the value's capacity
  std::string more = many;
  for (int i = 40; i < 70; ++i) more += ", a" + std::to_string(i);
  BOOST_TEST((parse_request_disposition(more, roomy).error().code == errc::too_many_directives));
}

BOOST_AUTO_TEST_CASE(several_rows_combine) {
  sipsaf::request_disposition rd;
  BOOST_TEST(sipsaf::append_request_disposition(rd, "proxy, no-fork").has_value());
  BOOST_TEST(
      sipsaf::append_request_disposition(rd, "store-and-forward-if-not-reached").has_value());
  BOOST_TEST(sipsaf::to_string(rd) == "proxy, no-fork, store-and-forward-if-not-reached");
  // A conflict with an earlier row is reported at its offset in its own row.
  auto r = sipsaf::append_request_disposition(rd, "notify, do-not-store");
  BOOST_TEST_REQUIRE(!r);
  BOOST_TEST((r.error() == parse_error{errc::conflicting_directives, 8}));
}

BOOST_AUTO_TEST_CASE(every_combination_round_trips) {
  // One position per directive type: unset, or one of its directives.
  std::vector<std::vector<char const*>> const types{
      {"proxy", "redirect"},
      {"cancel", "no-cancel"},
      {"fork", "no-fork"},
      {"recurse", "no-recurse"},
      {"parallel", "sequential"},
      {"queue", "no-queue"},
      {"do-not-store", "store", "store-and-forward-if-not-reached"},
      {"notify"},
      {"ring", "no-ring"}};
  std::size_t total = 1;
  for (auto const& t : types) total *= t.size() + 1;
  std::size_t checked = 0;
  for (std::size_t n = 0; n < total; ++n) {
    std::string in;
    std::size_t rest = n;
    for (std::size_t t = 0; t < types.size(); ++t) {
      std::size_t const pick = rest % (types[t].size() + 1);
      rest /= types[t].size() + 1;
      if (pick == 0) continue;
      // Alternate upper case and odd spacing so that canonicalising is exercised.
      if (!in.empty()) in += (n % 2 != 0) ? " ,\t" : ",";
      in += (n % 3 == 0) ? upper(types[t][pick - 1]) : std::string(types[t][pick - 1]);
    }
    if (in.empty()) continue;
    auto first = parse_request_disposition(in);
    BOOST_TEST_REQUIRE(first.has_value(), in);
    std::string const text = sipsaf::to_string(*first);
    auto second = parse_request_disposition(text);
    BOOST_TEST_REQUIRE(second.has_value(), text);
    if (!(*first == *second) || sipsaf::to_string(*second) != text)
      BOOST_ERROR("round trip: " << in);
    ++checked;
  }
  BOOST_TEST(checked == total - 1);
}

BOOST_AUTO_TEST_CASE(order_is_kept_and_matters_for_equality) {
  BOOST_TEST(canonical("no-fork, proxy") == "no-fork, proxy");
  auto a = parse_request_disposition("proxy, no-fork");
  auto b = parse_request_disposition("no-fork, proxy");
  auto c = parse_request_disposition("PROXY , NO-FORK");
  BOOST_TEST((*a != *b));
  BOOST_TEST((*a == *c));
  auto x = parse_request_disposition("x-a");
  auto y = parse_request_disposition("X-A");
  BOOST_TEST((*x == *y));  // extension tokens are case-insensitive too
}

BOOST_AUTO_TEST_CASE(builds_by_hand) {
  sipsaf::request_disposition rd;
  BOOST_TEST(rd.empty());
  BOOST_TEST(rd.add(directive::store_and_forward_if_not_reached));
  BOOST_TEST(!rd.add(directive::store));  // same type
  BOOST_TEST(rd.add(directive::notify));
  BOOST_TEST(!rd.add(directive::extension));
  BOOST_TEST(!rd.add_extension("STORE"));  // a known token is not an extension
  BOOST_TEST(rd.add_extension("x-y"));
  BOOST_TEST(sipsaf::to_string(rd) == "store-and-forward-if-not-reached, notify, x-y");
  std::vector<sipsaf::directive_entry> const d = rd.directives();
  BOOST_TEST_REQUIRE(d.size() == 3u);
  BOOST_TEST((d[2].kind == directive::extension));
  BOOST_TEST(d[2].text == "x-y");
}

BOOST_AUTO_TEST_CASE(identifier_codes_map_both_ways) {
  auto code = [](std::string_view in) {
    return std::string(sipsaf::identifier_code(*parse_request_disposition(in)));
  };
  BOOST_TEST(code("do-not-store") == "11");
  BOOST_TEST(code("store") == "00");
  BOOST_TEST(code("store-and-forward-if-not-reached, no-fork") == "00");
  BOOST_TEST(code("store-and-forward-if-not-reached, notify") == "01");
  BOOST_TEST(code("notify") == "01");
  BOOST_TEST(code("proxy") == "");
  for (std::string c : {"00", "11", "01"}) {
    auto rd = sipsaf::from_identifier_code(c);
    BOOST_TEST_REQUIRE(rd.has_value());
    BOOST_TEST(sipsaf::identifier_code(*rd) == c);
  }
  BOOST_TEST(
      (sipsaf::from_identifier_code("10").error() == parse_error{errc::expected_directive, 0}));
  BOOST_TEST(sipsaf::to_string(*sipsaf::from_identifier_code("11")) == "do-not-store");
}

BOOST_AUTO_TEST_CASE(formatting) {
  auto r = parse_request_disposition("Store ,NOTIFY");
  BOOST_TEST(fmt::format("[{}]", *r) == "[store, notify]");
  BOOST_TEST(fmt::format("[{:>15}]", *sipsaf::from_identifier_code("11")) == "[   do-not-store]");
  // The specifications of a string, with or without other arguments around.
  BOOST_TEST(fmt::format("{:*^17}|{}", *r, 7) == "**store, notify**|7");
  BOOST_TEST(fmt::format("{:.5}", *r) == "store");
  BOOST_TEST(fmt::format("{1}={0:<14}.", *r, "d") == "d=store, notify .");
  // Nested (dynamic) width and an over-long specification: a clear error.
  BOOST_CHECK_THROW((void)fmt::format(fmt::runtime("{:>{}}"), *r, 20), std::exception);
  BOOST_CHECK_THROW((void)fmt::format(fmt::runtime("{:>" + std::string(40, '0') + "1}"), *r),
                    std::exception);
  std::ostringstream os;
  os << *r;
  BOOST_TEST(os.str() == "store, notify");
}

BOOST_AUTO_TEST_CASE(every_prefix_fails_cleanly) {
  std::string const in =
      "  Proxy ,\r\n no-fork,store-and-forward-if-not-reached , notify,\tx-ext.1 ";
  sipsaf_test::check_every_prefix(in,
                                  [](std::string_view p) { return parse_request_disposition(p); });
  sipsaf_test::check_every_prefix(
      in, [](std::string_view p) { return parse_request_disposition(p, strict); });
}

BOOST_AUTO_TEST_SUITE_END()
