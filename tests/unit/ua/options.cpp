#include "ua/options.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

namespace {

auto parse(std::vector<std::string> args) -> ua::options {
  return ua::parse_options(args);
}

auto refused(std::vector<std::string> args) -> std::string {
  try {
    ua::parse_options(args);
  } catch (ua::usage_error const& e) {
    return e.what;
  }
  return "(accepted)";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ua_options)

BOOST_AUTO_TEST_CASE(send) {
  auto o = parse({"send",
                  "--proxy",
                  "127.0.0.1:34001",
                  "--user",
                  "alice",
                  "--password=secret",
                  "--to",
                  "bob",
                  "--text",
                  "hi",
                  "--attach",
                  "a.png",
                  "--attach",
                  "b.jpg",
                  "--store=store-and-forward",
                  "--notify",
                  "--wait-imdn",
                  "5",
                  "--header",
                  "Subject:  hello",
                  "--transport",
                  "TCP",
                  "--base64"});
  BOOST_TEST(o.command == "send");
  BOOST_TEST(o.net.proxy_host == "127.0.0.1");
  BOOST_TEST(o.net.proxy_port == 34001);
  BOOST_TEST((o.net.transport == ua::transport_kind::tcp));
  BOOST_TEST(o.user == "alice");
  BOOST_TEST(o.password.value_or("") == "secret");
  BOOST_TEST(o.to == "bob");
  BOOST_TEST(o.text.value_or("") == "hi");
  BOOST_TEST(o.attach.size() == 2u);
  BOOST_TEST(o.store == "store-and-forward-if-not-reached");
  BOOST_TEST(o.notify);
  BOOST_TEST(o.wait_imdn.value_or(0) == 5.0);
  BOOST_TEST_REQUIRE(o.headers.size() == 1u);
  BOOST_TEST(o.headers[0].first == "Subject");
  BOOST_TEST(o.headers[0].second == "hello");
  BOOST_TEST(o.base64);
  // Binary attachments unless asked.
  BOOST_TEST(!parse({"send", "--user", "a", "--to", "b", "--attach", "x.png"}).base64);
}

BOOST_AUTO_TEST_CASE(listen) {
  auto o = parse({"listen", "--user", "bob", "--count", "2", "--expires", "60", "--local",
                  "[::1]:5070", "--fail-first", "1", "--fail-code", "486", "--no-unregister"});
  BOOST_TEST(o.command == "listen");
  BOOST_TEST(o.count.value_or(0) == 2);
  BOOST_TEST(o.reg_expires == 60u);  // --expires is the registration's for listen
  BOOST_TEST(o.net.local_host == "::1");
  BOOST_TEST(o.net.local_port == 5070);
  BOOST_TEST(o.fail_first == 1);
  BOOST_TEST(o.fail_code == 486);
  BOOST_TEST(o.no_unregister);
  BOOST_TEST(parse({"listen", "--user", "b", "--accept", "text/plain, text/*;q=0.5"})
                 .accept.value_or("") == "text/plain, text/*;q=0.5");
  BOOST_TEST(o.net.proxy_port == 5060);  // the default
}

BOOST_AUTO_TEST_CASE(help_and_ping) {
  BOOST_TEST(parse({"--help"}).command == "help");
  BOOST_TEST(parse({"send", "-h"}).command == "help");
  auto p = parse({"ping", "--proxy", "localhost"});
  BOOST_TEST(p.command == "ping");
  BOOST_TEST(p.user == "ping");
  BOOST_TEST(p.net.proxy_host == "localhost");
  auto t = parse({"ping", "--transport", "tls", "--ca", "ca.pem"});
  BOOST_TEST((t.net.transport == ua::transport_kind::tls));
  BOOST_TEST(t.net.ca_file == "ca.pem");
}

BOOST_AUTO_TEST_CASE(usage_errors) {
  BOOST_TEST(refused({}) == "a command is required: send or listen");
  BOOST_TEST(refused({"talk"}).find("unknown command 'talk'") == 0u);
  BOOST_TEST(refused({"send", "--to", "bob"}) == "--user is required");
  BOOST_TEST(refused({"send", "--user", "a"}) == "--to is required");
  BOOST_TEST(refused({"send", "--user", "a", "--to", "b", "--count", "1"}) ==
             "--count is an option of 'listen'");
  BOOST_TEST(refused({"listen", "--user", "a", "--base64"}) == "--base64 is an option of 'send'");
  BOOST_TEST(refused({"listen", "--user", "a", "--proxy", "host:99999"}) ==
             "--proxy: expected HOST:PORT");
  BOOST_TEST(refused({"listen", "--user", "a", "--proxy"}) == "--proxy needs a value");
  BOOST_TEST(refused({"send", "--user", "a", "--to", "b", "--notify=yes"}) ==
             "--notify takes no value");
  BOOST_TEST(refused({"listen", "--user", "a", "--count", "0"}).find("--count: expected") == 0u);
  BOOST_TEST(refused({"send", "--user", "a", "--to", "b", "--content-type", "text"})
                 .find("--content-type: not a media type") == 0u);
  BOOST_TEST(refused({"send", "--user", "a", "--to", "b", "--body-file", "f", "--text", "x"}) ==
             "--body-file cannot be combined with --text or --attach");
  BOOST_TEST(refused({"listen", "--user", "a", "--algorithm", "sha-512"}) ==
             "--algorithm: expected md5, sha-256 or any");
  BOOST_TEST(refused({"listen", "--user", "a", "--transport", "sctp"}) ==
             "--transport: expected udp, tcp or tls");
  BOOST_TEST(refused({"listen", "--user", "a", "--bogus"}) == "unknown option '--bogus'");
  BOOST_TEST(refused({"listen", "--user", "a", "--accept", "text/"}) ==
             "--accept: not a list of media types: text/");
}

BOOST_AUTO_TEST_SUITE_END()
