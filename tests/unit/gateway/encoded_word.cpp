// Test that the header is self-contained.
#include <sipsaf/gateway/encoded_word.hpp>

#include <boost/test/unit_test.hpp>

#include <string>

BOOST_AUTO_TEST_SUITE(encoded_word)

using sipsaf::decode_header_text;
using sipsaf::encode_phrase;
using sipsaf::encode_unstructured;

namespace {
auto lines(std::string const& s) {
  std::vector<std::string> out;
  std::size_t b = 0;
  for (std::size_t e; (e = s.find("\r\n", b)) != std::string::npos; b = e + 2)
    out.push_back(s.substr(b, e - b));
  out.push_back(s.substr(b));
  return out;
}
}  // namespace

BOOST_AUTO_TEST_CASE(ascii_stays_readable) {
  BOOST_TEST(encode_unstructured("Hello Bob") == "Hello Bob");
  BOOST_TEST(encode_unstructured("  a \t b\r\nBcc: x  ") == "a b Bcc: x");  // no injection
  BOOST_TEST(encode_phrase("Alice Liddell") == "Alice Liddell");
  BOOST_TEST(encode_phrase("Smith, \"J\"") == "\"Smith, \\\"J\\\"\"");
}

BOOST_AUTO_TEST_CASE(long_ascii_is_folded) {
  std::string words;
  for (int i = 0; i < 40; ++i) words += "word" + std::to_string(i) + " ";
  std::string const v = encode_unstructured(words, 9);
  auto const ls = lines(v);
  BOOST_TEST(ls.size() > 1u);
  BOOST_TEST(ls[0].size() + 9 <= 78u);
  for (std::size_t i = 1; i < ls.size(); ++i) {
    BOOST_TEST(ls[i].size() <= 78u);
    BOOST_TEST(ls[i][0] == ' ');  // folding: CRLF before white space
  }
  BOOST_TEST(decode_header_text(v) + " " == words);
}

BOOST_AUTO_TEST_CASE(non_ascii_as_encoded_words) {
  std::string const s =
      "Gr\xC3\xBC\xC3\x9F"
      "e aus K\xC3\xB6ln";
  std::string const v = encode_unstructured(s);
  BOOST_TEST(v == "=?UTF-8?B?R3LDvMOfZSBhdXMgS8O2bG4=?=");
  BOOST_TEST(decode_header_text(v) == s);
  BOOST_TEST(encode_phrase("J\xC3\xBCrgen") == "=?UTF-8?B?SsO8cmdlbg==?=");
  // Something that looks like an encoded-word is encoded too.
  BOOST_TEST(decode_header_text(encode_unstructured("=?x?B?AAAA?=")) == "=?x?B?AAAA?=");
}

BOOST_AUTO_TEST_CASE(long_text_splits_between_characters) {
  std::string s;
  for (int i = 0; i < 60; ++i) s += "\xE2\x82\xAC";  // 3 bytes each: 45 = 15 characters
  s += "\xF0\x9F\x98\x80";
  std::string const v = encode_unstructured(s);
  for (auto const& l : lines(v)) {
    std::string w = l[0] == ' ' ? l.substr(1) : l;
    BOOST_TEST(w.size() <= 75u);  // RFC 2047 §2
    BOOST_TEST(w.substr(0, 10) == "=?UTF-8?B?");
    // Each word decodes on its own to whole characters (RFC 2047 §5 (3)).
    std::string const one = decode_header_text(w);
    BOOST_TEST(sipsaf::detail::gw::valid_utf8(one) == one);
    BOOST_TEST(one.find("\xEF\xBF\xBD") == std::string::npos);
  }
  BOOST_TEST(decode_header_text(v) == s);
}

BOOST_AUTO_TEST_CASE(rfc2047_section8_examples) {
  BOOST_TEST(decode_header_text("=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?=") ==
             "Keld J\xC3\xB8rn Simonsen");
  BOOST_TEST(decode_header_text("=?ISO-8859-1?Q?a?=") == "a");
  BOOST_TEST(decode_header_text("=?ISO-8859-1?Q?a?= b") == "a b");
  BOOST_TEST(decode_header_text("=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=") == "ab");
  BOOST_TEST(decode_header_text("=?ISO-8859-1?Q?a?=\r\n  =?ISO-8859-1?Q?b?=") == "ab");
  BOOST_TEST(decode_header_text("=?ISO-8859-1?Q?a_b?=") == "a b");
  BOOST_TEST(decode_header_text("=?US-ASCII*EN?Q?Keith_Moore?=") == "Keith Moore");  // RFC 2231 §5
  // Malformed or unknown: as written.
  BOOST_TEST(decode_header_text("=?koi8-r?B?AAAA?=") == "=?koi8-r?B?AAAA?=");
  BOOST_TEST(decode_header_text("=?utf-8?X?abc?=") == "=?utf-8?X?abc?=");
  BOOST_TEST(decode_header_text("=?utf-8?Q?a=Zb?=") == "=?utf-8?Q?a=Zb?=");
  BOOST_TEST(decode_header_text("a =?utf-8?B?!!!?= b") == "a =?utf-8?B?!!!?= b");
  // A character split across two words of one charset comes out whole.
  BOOST_TEST(decode_header_text("=?utf-8?B?4oI=?= =?utf-8?B?rA==?=") == "\xE2\x82\xAC");
}

BOOST_AUTO_TEST_SUITE_END()
