// Test that the header is self-contained.
#include <sipsaf/gateway/gsm7.hpp>

#include <boost/test/unit_test.hpp>

#include <set>
#include <string>

BOOST_AUTO_TEST_SUITE(gsm7)

using sipsaf::decode_gsm7;
using sipsaf::encode_gsm7;
using sipsaf::gsm7_septets;

namespace {
auto utf8(char32_t c) -> std::string {
  std::string s;
  sipsaf::detail::gw::append_utf8(s, c);
  return s;
}
}  // namespace

BOOST_AUTO_TEST_CASE(every_default_alphabet_character) {
  std::set<char32_t> seen;
  for (unsigned s = 0; s < 128; ++s) {
    if (s == sipsaf::gsm7_escape) continue;
    char32_t const c = sipsaf::gsm7_alphabet[s];
    BOOST_TEST_CONTEXT("septet " << s) {
      BOOST_TEST(seen.insert(c).second);  // 127 distinct characters
      BOOST_TEST(gsm7_septets(c) == 1u);
      BOOST_TEST(encode_gsm7(utf8(c)).value() == std::string(1, static_cast<char>(s)));
      BOOST_TEST(decode_gsm7(std::string(1, static_cast<char>(s))) == utf8(c));
    }
  }
  BOOST_TEST(seen.size() == 127u);
}

BOOST_AUTO_TEST_CASE(every_extension_character) {
  for (auto const& e : sipsaf::gsm7_extensions) {
    std::string const coded = {static_cast<char>(0x1B), static_cast<char>(e.septet)};
    BOOST_TEST_CONTEXT("extension " << int(e.septet)) {
      BOOST_TEST(gsm7_septets(e.character) == 2u);
      BOOST_TEST(encode_gsm7(utf8(e.character)).value() == coded);
      BOOST_TEST(decode_gsm7(coded) == utf8(e.character));
    }
  }
  // The table as 3GPP TS 23.038 §6.2.1.1 lists it.
  BOOST_TEST(encode_gsm7("\xE2\x82\xAC[]{}\\^~|").value() ==
             "\x1B\x65\x1B\x3C\x1B\x3E\x1B\x28\x1B\x29\x1B\x2F\x1B\x14\x1B\x3D\x1B\x40");
}

BOOST_AUTO_TEST_CASE(spot_checks_against_the_table) {
  BOOST_TEST(encode_gsm7("@").value() == std::string(1, '\0'));
  BOOST_TEST(encode_gsm7("\xC2\xA3$\xC2\xA5").value() == "\x01\x02\x03");  // £ $ ¥
  BOOST_TEST(encode_gsm7("\xCE\x94_").value() == "\x10\x11");              // Δ _
  BOOST_TEST(encode_gsm7("\xC2\xA1\xC2\xBF").value() == "\x40\x60");       // ¡ ¿
  BOOST_TEST(encode_gsm7("\xC3\xA0").value() == "\x7F");                   // à
  BOOST_TEST(encode_gsm7("Hi!").value() == "Hi!");
}

BOOST_AUTO_TEST_CASE(characters_outside) {
  for (char32_t c : {char32_t(0x00E7) /* ç */, char32_t(0x0060) /* ` */, char32_t(0x00E2),
                     char32_t(0x0416), char32_t(0x1F600), char32_t(0x0009), char32_t(0)}) {
    BOOST_TEST(gsm7_septets(c) == 0u);
    BOOST_TEST(!encode_gsm7("a" + utf8(c)));
  }
  BOOST_TEST(!encode_gsm7("\xFF"));  // ill-formed UTF-8 is U+FFFD
}

BOOST_AUTO_TEST_CASE(decoder_edges) {
  BOOST_TEST(decode_gsm7("\x1B") == " ");
  BOOST_TEST(decode_gsm7("\x1B\x41") == "A");  // unknown extension: the default character
  BOOST_TEST(decode_gsm7(std::string(1, static_cast<char>(0xC1))) == "A");
}

BOOST_AUTO_TEST_SUITE_END()
