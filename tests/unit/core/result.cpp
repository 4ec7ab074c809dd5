// Test that the header is self-contained.
#include <sipsaf/result.hpp>

#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>

BOOST_AUTO_TEST_SUITE(result)

using sipsaf::errc;
using sipsaf::parse_error;

BOOST_AUTO_TEST_CASE(holds_a_value) {
  sipsaf::result<std::string> r = std::string("abc");
  BOOST_TEST(r.has_value());
  BOOST_TEST(!r.has_error());
  BOOST_TEST(static_cast<bool>(r));
  BOOST_TEST(*r == "abc");
  BOOST_TEST(r->size() == 3u);
  BOOST_TEST(r.value() == "abc");
}

BOOST_AUTO_TEST_CASE(holds_an_error_with_its_offset) {
  sipsaf::result<int> r = parse_error{errc::expected_comma, 7};
  BOOST_TEST(!r);
  BOOST_TEST((r.error().code == errc::expected_comma));
  BOOST_TEST(r.error().offset == 7u);
  BOOST_TEST(r.error().message() == "comma expected at offset 7");
  BOOST_TEST((r.error().ec() == errc::expected_comma));
  BOOST_TEST((r.error().rebased(10) == parse_error{errc::expected_comma, 17}));
}

BOOST_AUTO_TEST_CASE(value_on_error_throws_with_the_offset) {
  sipsaf::result<int> r = parse_error{errc::bad_media_type, 3};
  try {
    (void)r.value();
    BOOST_FAIL("value() did not throw");
  } catch (sipsaf::parse_exception const& e) {
    BOOST_TEST(e.offset() == 3u);
    BOOST_TEST((e.code() == errc::bad_media_type));
    BOOST_TEST((e.error() == parse_error{errc::bad_media_type, 3}));
  }
}

BOOST_AUTO_TEST_CASE(move_only_values) {
  sipsaf::result<std::unique_ptr<int>> r = std::make_unique<int>(5);
  std::unique_ptr<int> p = std::move(r).value();
  BOOST_TEST(*p == 5);
}

namespace {
// Counts the live objects, so that a copy or an assignment that leaks or
// destroys twice shows.
struct counted {
  static int live;
  int v = 0;
  explicit counted(int x) : v(x) { ++live; }
  counted(counted const& o) : v(o.v) { ++live; }
  counted(counted&& o) noexcept : v(o.v) { ++live; }
  auto operator=(counted const&) -> counted& = default;
  auto operator=(counted&&) noexcept -> counted& = default;
  ~counted() { --live; }
};
int counted::live = 0;
}  // namespace

BOOST_AUTO_TEST_CASE(copies_moves_and_assignments_between_value_and_error) {
  {
    using r_t = sipsaf::result<counted>;
    r_t v = counted(1);
    r_t e = parse_error{errc::leftover, 1};
    BOOST_TEST(counted::live == 1);
    r_t c = v;
    BOOST_TEST(c->v == 1);
    r_t m = std::move(c);
    BOOST_TEST(m->v == 1);
    c = e;  // value -> error
    BOOST_TEST(!c);
    BOOST_TEST(c.error().offset == 1u);
    c = v;  // error -> value
    BOOST_TEST(c->v == 1);
    c = r_t(counted(7));  // value -> value, moved
    BOOST_TEST(c->v == 7);
    e = std::move(c);  // error -> value, moved
    BOOST_TEST(e->v == 7);
    r_t& self = e;
    e = self;
    BOOST_TEST(e->v == 7);
    BOOST_TEST(counted::live == 4);  // v, m, c (moved from), e
  }
  BOOST_TEST(counted::live == 0);
  sipsaf::result<std::string> s = std::string(100, 'x');  // on the heap: ASan checks it
  sipsaf::result<std::string> t = parse_error{errc::leftover, 0};
  t = s;
  s = parse_error{errc::leftover, 2};
  BOOST_TEST(t->size() == 100u);
  BOOST_TEST(!s);
}

BOOST_AUTO_TEST_CASE(void_result_and_error_code_result) {
  sipsaf::result<void> ok;
  BOOST_TEST(ok.has_value());
  BOOST_CHECK_NO_THROW(ok.value());
  sipsaf::result<void> bad = parse_error{errc::leftover, 2};
  BOOST_TEST(!bad);
  BOOST_CHECK_THROW(bad.value(), sipsaf::parse_exception);

  sipsaf::result<int, std::error_code> e = sipsaf::make_error_code(errc::unsupported);
  BOOST_TEST(!e);
  BOOST_CHECK_THROW(e.value(), std::system_error);
}

BOOST_AUTO_TEST_SUITE_END()
