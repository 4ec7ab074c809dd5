// Test that the header is self-contained.
#include <sipsaf/error.hpp>

#include <boost/test/unit_test.hpp>

#include <set>
#include <string>

BOOST_AUTO_TEST_SUITE(error)

namespace {
// Every enumerator, from the first to the last, has a name other than "unknown".
constexpr int first_code = static_cast<int>(sipsaf::errc::need_more);
auto last_code() -> int {
  int c = first_code;
  while (std::string(sipsaf::to_string(static_cast<sipsaf::errc>(c + 1))) != "unknown") ++c;
  return c;
}
}  // namespace

BOOST_AUTO_TEST_CASE(every_code_has_a_distinct_name_and_message) {
  std::set<std::string> names, messages;
  int const last = last_code();
  BOOST_TEST(last >= static_cast<int>(sipsaf::errc::message_too_large));
  for (int c = first_code; c <= last; ++c) {
    auto const e = static_cast<sipsaf::errc>(c);
    auto const ec = sipsaf::make_error_code(e);
    BOOST_TEST(ec.category().name() == std::string("sipsaf"));
    BOOST_TEST(ec.message() != "unknown sipsaf error");
    BOOST_TEST(names.insert(sipsaf::to_string(e)).second);
    BOOST_TEST(messages.insert(ec.message()).second);
  }
  BOOST_TEST(sipsaf::make_error_code(static_cast<sipsaf::errc>(9999)).message() ==
             "unknown sipsaf error");
}

BOOST_AUTO_TEST_CASE(codes_map_to_their_condition) {
  using sipsaf::condition;
  using sipsaf::errc;
  BOOST_TEST((std::error_code(errc::need_more) == condition::incomplete));
  BOOST_TEST((std::error_code(errc::leftover) == condition::incomplete));
  BOOST_TEST((std::error_code(errc::expected_directive) == condition::syntax));
  BOOST_TEST((std::error_code(errc::bad_line_end) == condition::syntax));
  BOOST_TEST((std::error_code(errc::conflicting_directives) == condition::semantic));
  BOOST_TEST((std::error_code(errc::unknown_directive) == condition::semantic));
  BOOST_TEST((std::error_code(errc::too_many_parts) == condition::limit));
  BOOST_TEST((std::error_code(errc::message_too_large) == condition::limit));
  BOOST_TEST((std::error_code(errc::too_many_parts) != condition::syntax));
  BOOST_TEST(sipsaf::make_error_condition(condition::limit).message() == "limit exceeded");
  BOOST_TEST(sipsaf::condition_category().name() == std::string("sipsaf.condition"));
}

BOOST_AUTO_TEST_SUITE_END()
