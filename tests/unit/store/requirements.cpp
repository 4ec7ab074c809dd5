#include <sipsaf/store/requirements.hpp>

#include <sipsaf/store/memory_store.hpp>

#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The exemplar of the MessageStore table, as the header documents it:
// declarations are enough for the trait.
namespace {

struct my_store {
  auto put(sipsaf::stored_message const&) -> sipsaf::result<sipsaf::message_id, std::error_code>;
  auto get(sipsaf::message_id)
      -> sipsaf::result<std::optional<sipsaf::stored_message>, std::error_code>;
  auto erase(sipsaf::message_id) -> sipsaf::result<bool, std::error_code>;
  auto find(sipsaf::message_key)
      -> sipsaf::result<std::optional<sipsaf::message_id>, std::error_code>;
  auto usage(std::string_view) -> sipsaf::result<sipsaf::store_usage, std::error_code>;
  auto list(std::string_view, sipsaf::delivery_mode, std::size_t)
      -> sipsaf::result<std::vector<sipsaf::envelope>, std::error_code>;
  auto reschedule(sipsaf::message_id, std::optional<sipsaf::timestamp>, std::uint32_t)
      -> sipsaf::result<bool, std::error_code>;
  auto due(sipsaf::timestamp, std::size_t)
      -> sipsaf::result<std::vector<sipsaf::envelope>, std::error_code>;
  auto expired(sipsaf::timestamp, std::size_t)
      -> sipsaf::result<std::vector<sipsaf::envelope>, std::error_code>;
  auto next_due() -> sipsaf::result<std::optional<sipsaf::timestamp>, std::error_code>;
};

// One member with the wrong type: erase must say whether it removed anything.
struct wrong_erase : my_store {
  void erase(sipsaf::message_id);
};

// Members that take the wrong argument.
struct wrong_find : sipsaf::memory_store {
  auto find(int) -> sipsaf::result<std::optional<sipsaf::message_id>, std::error_code>;
};

}  // namespace

static_assert(sipsaf::is_message_store<my_store>::value);
static_assert(sipsaf::is_message_store_v<sipsaf::memory_store>);
static_assert(!sipsaf::is_message_store<wrong_erase>::value);
static_assert(!sipsaf::is_message_store<wrong_find>::value);
static_assert(!sipsaf::is_message_store<int>::value);

BOOST_AUTO_TEST_SUITE(store_requirements)

BOOST_AUTO_TEST_CASE(key_hash_is_stable_and_separates_fields) {
  using sipsaf::hash_value;
  using sipsaf::message_key;
  // The same key gives the same value, from any buffer.
  std::string const a = "abc@example.com", t = "tag";
  BOOST_TEST(hash_value(message_key{a, 1, t}) ==
             hash_value(message_key{"abc@example.com", 1, "tag"}));
  // Moving bytes between the fields changes the value.
  BOOST_TEST(hash_value(message_key{"ab", 1, "c"}) != hash_value(message_key{"a", 1, "bc"}));
  BOOST_TEST(hash_value(message_key{"abc", 1, "t"}) != hash_value(message_key{"abc", 2, "t"}));
  BOOST_TEST(hash_value(message_key{"", 0, ""}) != hash_value(message_key{"", 0, "x"}));
  // Pinned: the value must not change between releases or machines, as a
  // store may keep it (computed once with g++ and with clang++ -O2).
  BOOST_TEST(hash_value(message_key{"call-1@example.com", 7, "49583"}) == 3677617907794242995ull);
}

BOOST_AUTO_TEST_CASE(key_words_are_little_endian_whatever_the_tail) {
  // A word of n bytes (n <= 8) reads as the little-endian number they
  // spell, zero-extended: the same for every length of tail.
  char const bytes[] = "\x01\x82\x03\xf4\x05\x86\x07\xf8";
  for (std::size_t n = 0; n <= 8; ++n) {
    std::uint64_t expected = 0;
    for (std::size_t i = n; i > 0; --i)
      expected = (expected << 8) | static_cast<unsigned char>(bytes[i - 1]);
    BOOST_TEST(sipsaf::detail::load_le(bytes, n) == expected, "n = " << n);
  }
}

BOOST_AUTO_TEST_CASE(same_bytes_sees_every_byte_at_every_length) {
  // Short text is compared in overlapping words: a difference anywhere, at
  // any length, must show.
  std::string a;
  for (std::size_t n = 0; n <= 80; ++n) {
    a.assign(n, 'x');
    for (std::size_t i = 0; i < n; ++i) a[i] = static_cast<char>('a' + i % 26);
    std::string b = a;
    BOOST_TEST(sipsaf::detail::same_bytes(a, b), "n = " << n);
    BOOST_TEST(!sipsaf::detail::same_bytes(a, a + "y"), "n = " << n);
    for (std::size_t i = 0; i < n; ++i) {
      b[i] = static_cast<char>(b[i] ^ 0x80);
      BOOST_TEST(!sipsaf::detail::same_bytes(a, b), "n = " << n << ", byte " << i);
      b[i] = a[i];
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
