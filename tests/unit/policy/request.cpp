#include <sipsaf/policy/request.hpp>

#include <boost/test/unit_test.hpp>

#include <array>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

using namespace sipsaf;

namespace {

// A model with data members only.
struct fields {
  std::string method = "MESSAGE", from_uri = "sip:a@x", from_tag = "t", to_uri = "sip:b@x",
              call_id = "c";
  unsigned long cseq = 42;
  std::string content_type = "text/plain", date, expires, request_disposition = "store", body,
              bytes;
};

// A model with member functions returning views and owning strings, a
// CSeq as text and the Request-Disposition as a list of rows.
class accessors {
 public:
  auto method() const -> std::string_view { return "MESSAGE"; }
  auto from_uri() const -> std::string { return "sip:a@x"; }
  auto from_tag() const -> char const* { return "t"; }
  auto to_uri() const -> std::string_view { return "sip:b@x"; }
  auto call_id() const -> std::string_view { return "c"; }
  auto cseq() const -> std::string_view { return " 17 MESSAGE"; }
  auto content_type() const -> std::string_view { return {}; }
  auto date() const -> std::string_view { return {}; }
  auto expires() const -> std::string_view { return {}; }
  auto request_disposition() const -> std::vector<std::string> const& { return rows_; }
  auto body() const -> std::string_view { return {}; }
  auto bytes() const -> std::string_view { return {}; }

 private:
  std::vector<std::string> rows_{"store-and-forward-if-not-reached", "notify"};
};

// A type of another stack, made a model by a traits specialization.
struct foreign_message {
  char const* hdr[12];
  std::list<std::string_view> rd;
};

// Missing bytes: not a model.
struct incomplete {
  std::string method, from_uri, from_tag, to_uri, call_id;
  int cseq;
  std::string content_type, date, expires, request_disposition, body;
};

// A body that is not text: not a model.
struct wrong_type {
  std::string method, from_uri, from_tag, to_uri, call_id;
  int cseq;
  std::string content_type, date, expires, request_disposition;
  std::vector<int> body;
  std::string bytes;
};

}  // namespace

template <>
struct sipsaf::request_traits<foreign_message> {
  static auto method(foreign_message const& m) -> std::string_view { return m.hdr[0]; }
  static auto from_uri(foreign_message const& m) -> std::string_view { return m.hdr[1]; }
  static auto from_tag(foreign_message const& m) -> std::string_view { return m.hdr[2]; }
  static auto to_uri(foreign_message const& m) -> std::string_view { return m.hdr[3]; }
  static auto call_id(foreign_message const& m) -> std::string_view { return m.hdr[4]; }
  static auto cseq(foreign_message const& m) -> std::string_view { return m.hdr[5]; }
  static auto content_type(foreign_message const& m) -> std::string_view { return m.hdr[6]; }
  static auto date(foreign_message const& m) -> std::string_view { return m.hdr[7]; }
  static auto expires(foreign_message const& m) -> std::string_view { return m.hdr[8]; }
  static auto request_disposition(foreign_message const& m) -> std::list<std::string_view> const& {
    return m.rd;
  }
  static auto body(foreign_message const& m) -> std::string_view { return m.hdr[10]; }
  static auto bytes(foreign_message const& m) -> std::string_view { return m.hdr[11]; }
};

static_assert(is_request<fields>::value);
static_assert(is_request<accessors>::value);
static_assert(is_request<foreign_message>::value);
static_assert(!is_request<incomplete>::value);
static_assert(!is_request<wrong_type>::value);
static_assert(!is_request<int>::value);

BOOST_AUTO_TEST_SUITE(policy_request)

template <class R>
auto rows_of(R const& r) -> std::vector<std::string> {
  std::vector<std::string> out;
  detail::for_each_disposition_row(request_traits<R>::request_disposition(r),
                                   [&](std::string_view row) { out.emplace_back(row); });
  return out;
}

BOOST_AUTO_TEST_CASE(data_members_are_read) {
  fields f;
  BOOST_TEST(std::string_view(request_traits<fields>::method(f)) == "MESSAGE");
  BOOST_TEST(std::string_view(request_traits<fields>::to_uri(f)) == "sip:b@x");
  BOOST_TEST(detail::cseq_number(request_traits<fields>::cseq(f)) == 42u);
  BOOST_TEST(rows_of(f) == std::vector<std::string>{"store"});
  f.request_disposition.clear();
  BOOST_TEST(rows_of(f).empty());  // absent: no row
}

BOOST_AUTO_TEST_CASE(member_functions_are_read) {
  accessors a;
  auto&& from = request_traits<accessors>::from_uri(a);  // an owning string, kept alive here
  BOOST_TEST(std::string_view(from) == "sip:a@x");
  BOOST_TEST(std::string_view(request_traits<accessors>::from_tag(a)) == "t");
  BOOST_TEST(detail::cseq_number(request_traits<accessors>::cseq(a)) == 17u);
  BOOST_TEST(rows_of(a) ==
             (std::vector<std::string>{"store-and-forward-if-not-reached", "notify"}));
}

BOOST_AUTO_TEST_CASE(a_specialization_makes_a_foreign_type_a_model) {
  foreign_message m{
      {"MESSAGE", "sip:a@x", "t", "sip:b@x", "c", "9 MESSAGE", "", "", "", "", "", ""},
      {"d1", "d2"}};
  BOOST_TEST(detail::cseq_number(request_traits<foreign_message>::cseq(m)) == 9u);
  BOOST_TEST(rows_of(m) == (std::vector<std::string>{"d1", "d2"}));
}

BOOST_AUTO_TEST_CASE(cseq_numbers_from_text) {
  BOOST_TEST(detail::cseq_number(std::string_view("")) == 0u);
  BOOST_TEST(detail::cseq_number(std::string_view("x")) == 0u);
  BOOST_TEST(detail::cseq_number(std::string_view("99999999999 MESSAGE")) == 0u);
  BOOST_TEST(detail::cseq_number(7) == 7u);
}

BOOST_AUTO_TEST_CASE(cseq_that_cannot_be_read) {
  auto read = [](auto v) { return detail::read_cseq(v).value_or(12345); };
  auto unread = [](auto v) { return !detail::read_cseq(v).has_value(); };
  // Text: a number, then white space or the end (RFC 3261 §20.16).
  BOOST_TEST(read(std::string_view("7 MESSAGE")) == 7u);
  BOOST_TEST(read(std::string_view(" \t0\tMESSAGE")) == 0u);
  BOOST_TEST(read(std::string("4294967295")) == 4294967295u);
  BOOST_TEST(unread(std::string_view("")));
  BOOST_TEST(unread(std::string_view("   ")));
  BOOST_TEST(unread(std::string_view("MESSAGE")));
  BOOST_TEST(unread(std::string_view("12x MESSAGE")));
  BOOST_TEST(unread(std::string_view("-1 MESSAGE")));
  BOOST_TEST(unread(std::string_view("4294967296 MESSAGE")));  // over 32 bits (§8.1.1.5)
  BOOST_TEST(unread(std::string_view("99999999999999999999999 MESSAGE")));
  // Integral, and optional integral.
  BOOST_TEST(read(0) == 0u);
  BOOST_TEST(read(std::uint64_t{4294967295u}) == 4294967295u);
  BOOST_TEST(unread(-1));
  BOOST_TEST(unread(std::uint64_t{4294967296u}));
  BOOST_TEST(read(std::optional<std::uint32_t>(9)) == 9u);
  BOOST_TEST(unread(std::optional<std::uint32_t>()));
}

namespace {
struct optional_cseq {
  std::string method, from_uri, from_tag, to_uri, call_id;
  std::optional<unsigned> cseq;
  std::string content_type, date, expires, request_disposition, body, bytes;
};
struct float_cseq {
  std::string method, from_uri, from_tag, to_uri, call_id;
  std::optional<double> cseq;
  std::string content_type, date, expires, request_disposition, body, bytes;
};
}  // namespace
static_assert(is_request<optional_cseq>::value);
static_assert(!is_request<float_cseq>::value);

BOOST_AUTO_TEST_SUITE_END()
