#include "proxy/options.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

namespace {
auto parse(std::vector<std::string> const& args, proxy::options& o) -> std::string {
  o = proxy::options{};
  return proxy::parse_options(args, o);
}
// The options every run needs, then `extra`.
auto parse_required_and(std::vector<std::string> const& extra, proxy::options& o) -> std::string {
  std::vector<std::string> a{"--domain", "d", "--users", "u", "--profiles", "p"};
  a.insert(a.end(), extra.begin(), extra.end());
  return parse(a, o);
}
}  // namespace

BOOST_AUTO_TEST_SUITE(options)

BOOST_AUTO_TEST_CASE(defaults) {
  proxy::options o;
  BOOST_TEST(parse({"--domain", "example.org", "--users", "u", "--profiles", "p"}, o).empty());
  BOOST_TEST(o.domain == "example.org");
  BOOST_TEST_REQUIRE(o.udp.has_value());
  BOOST_TEST(o.udp->host == "127.0.0.1");
  BOOST_TEST(o.udp->port == 5060);
  BOOST_TEST_REQUIRE(o.tcp.has_value());
  BOOST_TEST(o.tcp->port == 5060);
  BOOST_TEST(!o.memory_store);
  BOOST_TEST(o.sqlite_path == "sipsaf.db");
  BOOST_TEST(o.notify == "imdn");
}

BOOST_AUTO_TEST_CASE(every_option) {
  proxy::options o;
  BOOST_TEST(
      parse({"--domain=d", "--users=u", "--profiles=p", "--udp", "0.0.0.0:5070", "--tcp=[::1]:5071",
             "--store", "sqlite:/tmp/x.db", "--notify", "notify", "--retry", "5"},
            o)
          .empty());
  BOOST_TEST(o.udp->host == "0.0.0.0");
  BOOST_TEST(o.udp->port == 5070);
  BOOST_TEST(o.tcp->host == "::1");
  BOOST_TEST(o.tcp->port == 5071);
  BOOST_TEST(o.sqlite_path == "/tmp/x.db");
  BOOST_TEST(o.notify == "notify");
  BOOST_TEST(o.retry_seconds == 5u);
  BOOST_TEST(parse({"--domain", "d", "--users", "u", "--profiles", "p", "--store", "memory",
                    "--tcp", "none"},
                   o)
                 .empty());
  BOOST_TEST(o.memory_store);
  BOOST_TEST(!o.tcp.has_value());
}

BOOST_AUTO_TEST_CASE(errors) {
  proxy::options o;
  auto with = [&](std::vector<std::string> const& extra) { return parse_required_and(extra, o); };
  BOOST_TEST(parse({"--users", "u", "--profiles", "p"}, o).find("--domain") != std::string::npos);
  BOOST_TEST(!with({"--udp", "127.0.0.1:70000"}).empty());
  BOOST_TEST(!with({"--udp", "127.0.0.1:"}).empty());
  BOOST_TEST(!with({"--store", "postgres:x"}).empty());
  BOOST_TEST(!with({"--notify", "email"}).empty());
  BOOST_TEST(!with({"--retry", "0"}).empty());
  BOOST_TEST(!with({"--bogus", "1"}).empty());
  BOOST_TEST(!with({"--udp", "none", "--tcp", "none"}).empty());
  BOOST_TEST(!with({"--domain"}).empty());
  BOOST_TEST(with({"--udp", "localhost"}).empty());
  BOOST_TEST(o.udp->port == 5060);
}

BOOST_AUTO_TEST_CASE(mms_domain) {
  proxy::options o;
  std::vector<std::string> a{"--domain", "d", "--users", "u", "--profiles", "p", "--mms-domain"};
  auto with = [&](std::string v) {
    auto b = a;
    b.push_back(v);
    return parse(b, o);
  };
  BOOST_TEST(with("mms.mnc001.mcc001.gprs").empty());
  BOOST_TEST(o.mms_domain == "mms.mnc001.mcc001.gprs");
  for (char const* bad : {"", "-mms.example", "mms..example", "mms.example.", "mms example",
                          "mms.example>\r\nBcc:x", "a-.b", "[192.0.2.1]"})
    BOOST_TEST(with(bad).find("--mms-domain") != std::string::npos, bad);
}

BOOST_AUTO_TEST_CASE(tls_and_connection_limits) {
  proxy::options o;
  auto with = [&](std::vector<std::string> const& extra) { return parse_required_and(extra, o); };
  BOOST_TEST(with({}).empty());
  BOOST_TEST(!o.tls.has_value());
  BOOST_TEST(o.max_connections == 1024u);
  BOOST_TEST(o.connections_per_source == 64u);
  BOOST_TEST(o.idle_unregistered_seconds == 300u);
  BOOST_TEST(
      with({"--tls", "127.0.0.1:5061", "--cert", "c.pem", "--key", "k.pem", "--max-connections",
            "100", "--connections-per-source", "4", "--idle-unregistered", "2"})
          .empty());
  BOOST_TEST_REQUIRE(o.tls.has_value());
  BOOST_TEST(o.tls->port == 5061);
  BOOST_TEST(o.cert_file == "c.pem");
  BOOST_TEST(o.key_file == "k.pem");
  BOOST_TEST(o.max_connections == 100u);
  BOOST_TEST(o.connections_per_source == 4u);
  BOOST_TEST(o.idle_unregistered_seconds == 2u);
  BOOST_TEST(with({"--tls", "127.0.0.1:5061"}).find("--cert") != std::string::npos);
  BOOST_TEST(!with({"--connections-per-source", "0"}).empty());
  BOOST_TEST(o.max_client_transactions == 20000u);
  BOOST_TEST(with({"--max-client-transactions", "40"}).empty());
  BOOST_TEST(o.max_client_transactions == 40u);
  BOOST_TEST(!with({"--max-client-transactions", "0"}).empty());
  BOOST_TEST(with({"--udp", "none", "--tcp", "none", "--tls", "127.0.0.1:5061", "--cert", "c",
                   "--key", "k"})
                 .empty());
}

BOOST_AUTO_TEST_CASE(reachability_from_another_server) {
  proxy::options o;
  BOOST_TEST(parse({"--domain=d", "--users=u", "--profiles=p"}, o).empty());
  BOOST_TEST(o.reg_event.empty());
  BOOST_TEST(o.presence.empty());
  BOOST_TEST(o.subscription_expires == 600u);
  BOOST_TEST(parse({"--domain=d", "--users=u", "--profiles=p", "--reg-event", "sip:127.0.0.1:5060",
                    "--presence=sip:pres.example.org", "--subscription-expires", "60"},
                   o)
                 .empty());
  BOOST_TEST(o.reg_event == "sip:127.0.0.1:5060");
  BOOST_TEST(o.presence == "sip:pres.example.org");
  BOOST_TEST(o.subscription_expires == 60u);
  BOOST_TEST(parse({"--domain=d", "--users=u", "--profiles=p", "--reg-event", "127.0.0.1:5060"},
                   o) == "--reg-event 127.0.0.1:5060: expected a SIP URI (sip:HOST:PORT)");
  BOOST_TEST(parse({"--domain=d", "--users=u", "--profiles=p", "--presence", "sip:"}, o) ==
             "--presence sip:: expected a SIP URI (sip:HOST:PORT)");
  BOOST_TEST(!parse({"--domain=d", "--users=u", "--profiles=p", "--subscription-expires", "0"}, o)
                  .empty());
}

BOOST_AUTO_TEST_CASE(digest_algorithms_and_trusted_peers) {
  proxy::options o;
  BOOST_TEST(parse({"--domain", "d", "--users", "u", "--profiles", "p"}, o).empty());
  BOOST_TEST(o.digest_algorithms == std::vector<std::string>{"MD5"});  // what every client speaks
  BOOST_TEST(o.trusted.empty());
  BOOST_TEST(parse({"--domain", "d", "--users", "u", "--profiles", "p", "--digest-algorithms",
                    "sha-256,md5", "--trusted", "192.0.2.0/24", "--trusted=10.1.1.1"},
                   o)
                 .empty());
  BOOST_TEST((o.digest_algorithms == std::vector<std::string>{"SHA-256", "MD5"}));
  BOOST_TEST((o.trusted == std::vector<std::string>{"192.0.2.0/24", "10.1.1.1"}));
  BOOST_TEST(!parse({"--domain", "d", "--users", "u", "--profiles", "p", "--digest-algorithms",
                     "md5,sha1"},
                    o)
                  .empty());
}

BOOST_AUTO_TEST_SUITE_END()
