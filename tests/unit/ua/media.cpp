#include "ua/media.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

BOOST_AUTO_TEST_SUITE(ua_media)

BOOST_AUTO_TEST_CASE(attachments_travel_binary_unless_asked) {
  std::string const png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
  std::vector<ua::attachment> files{{"photo.png", "image/png", png},
                                    {"note.txt", "text/plain", "plain words"}};
  auto b = ua::make_body("hello", "text/plain;charset=UTF-8", files);
  BOOST_TEST_REQUIRE(b.has_value());
  BOOST_TEST(b->body.find(png) != std::string::npos);  // the bytes as they are
  BOOST_TEST(b->body.find("Content-Transfer-Encoding: binary") != std::string::npos);
  auto parts = ua::split_body(b->content_type, b->body);
  BOOST_TEST_REQUIRE(parts.size() == 3u);
  BOOST_TEST(parts[0].is_text);
  BOOST_TEST(parts[0].data == "hello");
  BOOST_TEST(parts[1].filename == "photo.png");
  BOOST_TEST(parts[1].data == png);
  BOOST_TEST(parts[2].data == "plain words");

  auto b64 = ua::make_body("hello", "text/plain", files, true);
  BOOST_TEST_REQUIRE(b64.has_value());
  BOOST_TEST(b64->body.find(png) == std::string::npos);
  BOOST_TEST(b64->body.find("Content-Transfer-Encoding: base64") != std::string::npos);
  auto again = ua::split_body(b64->content_type, b64->body);
  BOOST_TEST_REQUIRE(again.size() == 3u);
  BOOST_TEST(again[1].data == png);  // decoded on the way in
  // Text never gets a transfer encoding.
  BOOST_TEST(b64->body.find("Content-Type: text/plain\r\nContent-Disposition: "
                            "attachment;filename=\"note.txt\"\r\n\r\nplain words") !=
             std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
