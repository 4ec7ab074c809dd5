// Test that the header is self-contained.
#include <sipsaf/mime/boundary.hpp>

#include <boost/test/unit_test.hpp>

#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

BOOST_AUTO_TEST_SUITE(boundary)

BOOST_AUTO_TEST_CASE(valid_boundaries) {
  using sipsaf::is_valid_boundary;
  BOOST_TEST(is_valid_boundary("a"));
  BOOST_TEST(is_valid_boundary("simple boundary"));
  BOOST_TEST(is_valid_boundary("'()+_,-./:=?09azAZ"));
  BOOST_TEST(is_valid_boundary(std::string(70, '=')));
  BOOST_TEST(!is_valid_boundary(std::string(71, '=')));
  BOOST_TEST(!is_valid_boundary(""));
  BOOST_TEST(!is_valid_boundary("trailing "));
  BOOST_TEST(!is_valid_boundary(" "));
  for (char c : std::string("\"\\;<>@[]!#$%&*^`{|}~\r\n\t\x7f\x80"))
    BOOST_TEST(!is_valid_boundary(std::string("a") + c + "b"), "byte " << int(c));
}

BOOST_AUTO_TEST_CASE(made_boundaries_are_valid_and_distinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string const b = sipsaf::make_boundary();
    BOOST_TEST(sipsaf::is_valid_boundary(b));
    BOOST_TEST(b.size() == 39u);
    BOOST_TEST(seen.insert(b).second);
  }
}

// Each thread seeds its own generator: two threads must not draw alike.
BOOST_AUTO_TEST_CASE(threads_draw_different_boundaries) {
  std::vector<std::string> drawn(4);
  std::vector<std::thread> threads;
  for (auto& d : drawn) threads.emplace_back([&d] { d = sipsaf::make_boundary(); });
  for (auto& t : threads) t.join();
  std::set<std::string> const distinct(drawn.begin(), drawn.end());
  BOOST_TEST(distinct.size() == drawn.size());
}

BOOST_AUTO_TEST_CASE(absence_check_needs_the_dashes) {
  BOOST_TEST(sipsaf::boundary_absent("b1", "b1 b1 -b1"));
  BOOST_TEST(!sipsaf::boundary_absent("b1", "x--b1"));
  BOOST_TEST(!sipsaf::boundary_absent("b1", "--b1"));
  BOOST_TEST(!sipsaf::boundary_absent("b1", "b1 ---b1"));
  BOOST_TEST(sipsaf::boundary_absent("b1", ""));
  BOOST_TEST(!sipsaf::boundary_absent("", "anything"));
}

// The Horspool scan must find exactly what a naive search finds.
BOOST_AUTO_TEST_CASE(delimiter_finder_agrees_with_a_naive_search) {
  std::mt19937 rng(7);
  for (int round = 0; round < 2000; ++round) {
    std::string boundary(1 + rng() % 8, 'a');
    for (auto& c : boundary) c = "ab-"[rng() % 3];
    if (boundary.back() == ' ') continue;
    std::string text(rng() % 300, 'a');
    for (auto& c : text) c = "ab-\n"[rng() % 4];
    std::string const needle = "\n--" + boundary;
    sipsaf::detail::delimiter_finder const finder(boundary);
    std::size_t from = rng() % (text.size() + 2);
    BOOST_TEST_CONTEXT("boundary " << boundary << " text " << text << " from " << from) {
      std::size_t const expected = from > text.size() ? std::string::npos : text.find(needle, from);
      BOOST_TEST(finder.find(text, from) == expected);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
