// The proxy's log lines (examples/proxy/log.hpp): one event, one line.
#include "proxy/log.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

BOOST_AUTO_TEST_SUITE(proxy_log)

// A value a stranger sent (a header with CR or LF in it, a folded line) must
// not start a line of its own that would pass for another event.
BOOST_AUTO_TEST_CASE(line_breaks_become_spaces) {
  namespace log = proxy::log;
  auto const saved = log::threshold;
  log::threshold = log::level::info;
  log::hold();
  log::info("from {}: {}", "127.0.0.1:5060", "a\r\nb\nc\rd\r\n");
  std::string const held = log::pending::held;
  log::pending::held.clear();
  log::release();
  log::threshold = saved;

  BOOST_TEST(held.find('\r') == std::string::npos);
  BOOST_TEST(held.find('\n') == held.size() - 1);  // only the line's own end
  BOOST_TEST(held.find(" INFO  from 127.0.0.1:5060: a  b c d  \n") != std::string::npos);
  BOOST_TEST(held.size() == 24 + 39u);  // the timestamp (RFC 3339, to the millisecond), the rest
}

BOOST_AUTO_TEST_SUITE_END()
