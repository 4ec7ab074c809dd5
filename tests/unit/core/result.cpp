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
