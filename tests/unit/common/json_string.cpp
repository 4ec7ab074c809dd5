// examples/common/json_string.hpp: what sipsaf-inspect and sipsaf-ua --json
// print must be JSON and UTF-8 whatever bytes a message carried.
#include "common/json_string.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <utility>
#include <vector>

BOOST_AUTO_TEST_SUITE(json_string)

using example::json_string;

BOOST_AUTO_TEST_CASE(escapes_what_json_requires) {
  BOOST_TEST(json_string("") == "\"\"");
  BOOST_TEST(json_string("a\"b\\c") == "\"a\\\"b\\\\c\"");
  BOOST_TEST(json_string("\r\n\t") == "\"\\r\\n\\t\"");
  BOOST_TEST(json_string(std::string("\0\x1f\x7f", 3)) == "\"\\u0000\\u001f\\u007f\"");
}

// RFC 3629 §4: only well-formed sequences pass; any other byte is written as
// \u00XX, so the line stays UTF-8.
BOOST_AUTO_TEST_CASE(only_well_formed_utf8_passes_through) {
  std::vector<std::pair<std::string, std::string>> const rows = {
      {"\xc3\xa9", "\xc3\xa9"},                              // é
      {"\xe2\x82\xac", "\xe2\x82\xac"},                      // €
      {"\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"},              // U+1F600
      {"\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf"},              // U+10FFFF
      {"\xfa\x80\x80", "\\u00fa\\u0080\\u0080"},             // no lead byte above F4
      {"\xc0\xaf", "\\u00c0\\u00af"},                        // overlong, two bytes
      {"\xe0\x80\xaf", "\\u00e0\\u0080\\u00af"},             // overlong, three bytes
      {"\xf0\x80\x80\xaf", "\\u00f0\\u0080\\u0080\\u00af"},  // overlong, four bytes
      {"\xed\xa0\x80", "\\u00ed\\u00a0\\u0080"},             // a surrogate
      {"\xf4\x90\x80\x80", "\\u00f4\\u0090\\u0080\\u0080"},  // past U+10FFFF
      {"\xe2\x82", "\\u00e2\\u0082"},                        // cut short
      {"\x80", "\\u0080"},                                   // a lone continuation
  };
  for (auto const& [in, out] : rows) BOOST_TEST(json_string(in) == "\"" + out + "\"", out);
}

BOOST_AUTO_TEST_SUITE_END()
