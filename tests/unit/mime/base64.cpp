// Test that the header is self-contained.
#include <sipsaf/mime/base64.hpp>

#include <boost/test/unit_test.hpp>

#include <iterator>
#include <random>
#include <string>
#include <vector>

BOOST_AUTO_TEST_SUITE(base64)

using sipsaf::decode_base64;
using sipsaf::encode_base64;
using sipsaf::errc;

BOOST_AUTO_TEST_CASE(rfc4648_vectors) {
  // RFC 4648 §10.
  std::vector<std::pair<std::string, std::string>> const v = {{"", ""},
                                                              {"f", "Zg=="},
                                                              {"fo", "Zm8="},
                                                              {"foo", "Zm9v"},
                                                              {"foob", "Zm9vYg=="},
                                                              {"fooba", "Zm9vYmE="},
                                                              {"foobar", "Zm9vYmFy"}};
  for (auto const& [plain, coded] : v) {
    BOOST_TEST(encode_base64(plain) == coded);
    BOOST_TEST(decode_base64(coded).value() == plain);
    BOOST_TEST(sipsaf::base64_encoded_size(plain.size()) == coded.size());
  }
}

BOOST_AUTO_TEST_CASE(whitespace_is_skipped_anywhere) {
  BOOST_TEST(decode_base64(" Zm9v\r\nYmFy \t").value() == "foobar");
  BOOST_TEST(decode_base64("Z m 9 v Y g = =").value() == "foob");
  BOOST_TEST(decode_base64("Zm9vYg=\r\n=\r\n").value() == "foob");
  BOOST_TEST(decode_base64("\r\n").value() == "");
}

BOOST_AUTO_TEST_CASE(missing_padding_is_accepted) {
  BOOST_TEST(decode_base64("Zm9vYg").value() == "foob");
  BOOST_TEST(decode_base64("Zm9vYmE").value() == "fooba");
}

BOOST_AUTO_TEST_CASE(errors_point_at_the_offending_byte) {
  struct bad_case {
    char const* in;
    std::size_t offset;
  };
  for (auto c : {bad_case{"Zm9v*mFy", 4}, bad_case{"Zm9vY", 5}, bad_case{"Zm9vYg==Zm9v", 8},
                 bad_case{"Zm9vY===", 5}, bad_case{"Zm9vYmE==", 8}, bad_case{"=Zm9v", 0},
                 bad_case{"Zm9v=", 4}, bad_case{"Zm9vYg=", 7}, bad_case{"Zm9v-_", 4},
                 bad_case{"Zm9v\x80", 4}, bad_case{"Zm9v\0", 4}}) {
    BOOST_TEST_CONTEXT("input: " << c.in) {
      std::string_view in(c.in);
      if (in.size() == 4) in = std::string_view(c.in, 5);  // the NUL case
      auto r = decode_base64(in);
      BOOST_TEST_REQUIRE(!r.has_value());
      BOOST_TEST(r.error().code == errc::bad_base64);
      BOOST_TEST(r.error().offset == c.offset);
    }
  }
}

BOOST_AUTO_TEST_CASE(iterator_forms) {
  std::vector<char> out;
  auto r = decode_base64("aGVsbG8=", std::back_inserter(out));
  BOOST_TEST_REQUIRE(r.has_value());
  BOOST_TEST(std::string(out.begin(), out.end()) == "hello");
  std::string enc;
  encode_base64("hello", std::back_inserter(enc));
  BOOST_TEST(enc == "aGVsbG8=");
}

BOOST_AUTO_TEST_CASE(line_breaks_every_n_characters) {
  std::string const data(100, 'x');
  std::string const s = encode_base64(data);
  BOOST_TEST(s.size() == sipsaf::base64_encoded_size(100));
  BOOST_TEST(s.substr(76, 2) == "\r\n");
  BOOST_TEST(s.find("\r\n", 78) == std::string::npos);
  BOOST_TEST(encode_base64(data, 0).find('\r') == std::string::npos);
  std::string const short_lines = encode_base64(data, 10);
  BOOST_TEST(short_lines.substr(10, 2) == "\r\n");
  BOOST_TEST(short_lines.size() == sipsaf::base64_encoded_size(100, 10));
  BOOST_TEST(short_lines.back() != '\n');
}

BOOST_AUTO_TEST_CASE(random_round_trips) {
  std::mt19937 rng(42);
  for (int round = 0; round < 500; ++round) {
    std::string data(rng() % 700, '\0');
    for (auto& c : data) c = static_cast<char>(rng());
    std::size_t const line = rng() % 3 == 0 ? 0 : 1 + rng() % 100;
    std::string const coded = encode_base64(data, line);
    BOOST_TEST_REQUIRE(coded.size() == sipsaf::base64_encoded_size(data.size(), line));
    auto back = decode_base64(coded);
    BOOST_TEST_REQUIRE(back.has_value());
    BOOST_TEST_REQUIRE(*back == data);
    BOOST_TEST(back->size() <= sipsaf::base64_decoded_size_bound(coded.size()));
  }
}

// The vector decoders (AVX2, SSSE3, where the CPU has them) and the scalar
// one must agree byte for byte and error for error.
BOOST_AUTO_TEST_CASE(vector_and_scalar_decoders_agree) {
  std::mt19937 rng(99);
  auto decode = [](std::string const& in, int level) {
    std::string out(sipsaf::base64_decoded_size_bound(in.size()), '\0');
    char* p = &out[0];
    auto r = sipsaf::detail::base64_decode(in, p, level);
    if (!r) return "error " + std::to_string(r.error().offset);
    out.resize(static_cast<std::size_t>(p - out.data()));
    return out;
  };
  for (int round = 0; round < 3000; ++round) {
    std::string data(rng() % 400, '\0');
    for (auto& c : data) c = static_cast<char>(rng());
    std::size_t const line = rng() % 4 == 0 ? 0 : 1 + rng() % 90;
    std::string in = encode_base64(data, line);
    bool const corrupt = rng() % 3 == 0 && !in.empty();
    if (corrupt) {  // a stray byte, a bare LF or an early '='
      in[rng() % in.size()] = "*\n= -\x80"[rng() % 6];
    }
    std::string const scalar = decode(in, 0);
    for (int level = 1; level <= 2; ++level) {
      BOOST_TEST_REQUIRE(decode(in, level) == scalar, "level " << level << " input " << in);
    }
    if (!corrupt) BOOST_TEST_REQUIRE(scalar == data);
  }
}

BOOST_AUTO_TEST_SUITE_END()
