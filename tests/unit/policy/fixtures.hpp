// Shared pieces of the policy tests: a tiny request type (a model of the
// Request requirements made of plain fields) and an engine over the memory
// store, a map directory and a manual clock.
#ifndef SIPSAF_TESTS_UNIT_POLICY_FIXTURES_HPP
#define SIPSAF_TESTS_UNIT_POLICY_FIXTURES_HPP

#include <sipsaf/policy/engine.hpp>
#include <sipsaf/store/memory_store.hpp>
#include <sipsaf/testing/models.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace sipsaf_test {

/// The smallest Request model: plain data members.
struct tiny_request {
  std::string method = "MESSAGE";
  std::string from_uri = "sip:alice@example.com";
  std::string from_tag = "a1";
  std::string to_uri = "sip:bob@example.com";
  std::string call_id = "call-1@example.com";
  std::uint32_t cseq = 1;
  std::string content_type = "text/plain;charset=utf-8";
  std::string date;
  std::string expires;
  std::string request_disposition;
  std::string body = "hello Bob";
  std::string bytes;

  /// Builds `bytes` from the fields: what a stack would have received.
  auto wire() -> tiny_request& {
    bytes = method + " " + to_uri + " SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK" +
            call_id + "\r\nFrom: <" + from_uri + ">;tag=" + from_tag + "\r\nTo: <" + to_uri +
            ">\r\nCall-ID: " + call_id + "\r\nCSeq: " + std::to_string(cseq) + " " + method +
            "\r\n";
    if (!content_type.empty()) bytes += "Content-Type: " + content_type + "\r\n";
    if (!date.empty()) bytes += "Date: " + date + "\r\n";
    if (!expires.empty()) bytes += "Expires: " + expires + "\r\n";
    if (!request_disposition.empty())
      bytes += "Request-Disposition: " + request_disposition + "\r\n";
    bytes += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    return *this;
  }
};

inline auto message(std::string call_id, std::string disposition = {},
                    std::string body = "hello Bob") -> tiny_request {
  tiny_request r;
  r.call_id = std::move(call_id);
  r.request_disposition = std::move(disposition);
  r.body = std::move(body);
  r.wire();
  return r;
}

using test_engine =
    sipsaf::store_forward_engine<sipsaf::memory_store&, sipsaf::static_directory&,
                                 sipsaf::manual_clock&, sipsaf::recording_gateways&>;

/// A world: store, directory with Bob (offline, default profile), clock,
/// gateways (SIP and e-mail), and the engine over them.
struct world {
  sipsaf::memory_store store;
  sipsaf::static_directory directory;
  sipsaf::manual_clock clock;
  sipsaf::recording_gateways gateways{0x03};  // sip and email
  test_engine engine;

  explicit world(sipsaf::default_policy policy = {}, sipsaf::engine_options options = {})
      : engine(store, directory, clock, gateways, std::move(policy), std::move(options)) {
    sipsaf::recipient bob;
    bob.key = "sip:bob@example.com";
    directory.set(bob);
  }

  auto bob() -> sipsaf::recipient const& { return *directory.lookup("sip:bob@example.com"); }
  auto profile() -> sipsaf::recipient_profile& {
    return directory.find("sip:bob@example.com")->profile;
  }
  void online(std::vector<std::string> contacts = {"sip:bob@192.0.2.7:5060"}) {
    directory.set_contacts("sip:bob@example.com", std::move(contacts));
  }
  void offline() { directory.set_contacts("sip:bob@example.com", {}); }
};

}  // namespace sipsaf_test

#endif
