// The setting of the decision benchmarks, shared by bench_policy (time) and
// policy_count (a fixed number of decisions, for an instruction count).
#ifndef SIPSAF_BENCHMARKS_POLICY_FIXTURE_HPP
#define SIPSAF_BENCHMARKS_POLICY_FIXTURE_HPP

#include <sipsaf/policy.hpp>
#include <sipsaf/store/memory_store.hpp>
#include <sipsaf/testing/models.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace policy_bench {

using namespace sipsaf;

struct request {
  std::string method = "MESSAGE";
  std::string from_uri = "sip:alice@example.com";
  std::string from_tag = "49583";
  std::string to_uri = "sip:bob@example.com";
  std::string call_id = "asd88asd77a@192.0.2.1";
  std::uint32_t cseq = 1;
  std::string content_type = "text/plain;charset=utf-8";
  std::string date = "Tue, 14 Nov 2023 22:13:20 GMT";
  std::string expires = "3600";
  std::string request_disposition = "store-and-forward-if-not-reached, notify";
  std::string body = "Hello Bob, call me when you are back.";
  std::string bytes;

  void wire() {
    bytes = "MESSAGE " + to_uri +
            " SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776sgdkse\r\n"
            "Max-Forwards: 70\r\nFrom: <" +
            from_uri + ">;tag=" + from_tag + "\r\nTo: <" + to_uri + ">\r\nCall-ID: " + call_id +
            "\r\nCSeq: " + std::to_string(cseq) + " MESSAGE\r\nDate: " + date +
            "\r\nExpires: " + expires + "\r\nRequest-Disposition: " + request_disposition +
            "\r\nContent-Type: " + content_type +
            "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  }
};

inline auto bob() -> recipient {
  recipient r;
  r.key = "sip:bob@example.com";
  r.profile.accepts = media_ranges::parse("text/plain, image/*").value();
  r.profile.quota_messages = 1'000'000;  // the batched runs keep hundreds waiting
  r.profile.quota_bytes = 1'000'000'000;
  return r;
}

template <class Store>
using engine_over = store_forward_engine<Store&, static_directory&, manual_clock&>;

// One dry-run decision at a time for a MESSAGE to bob, who is unreachable,
// with 1,000 messages of 50 other recipients in the store (so that lookups
// are not trivial).
class decide_fixture {
 public:
  /// `with_expires`: without it the Date is not read either. `new_dates`:
  /// each request brings a Date the engine has not read yet (64 Dates a
  /// second apart, in turn).
  decide_fixture(bool trace, bool with_expires, bool new_dates)
      : clock_(from_unix_ms(1'700'000'100'000)),
        engine_(store_, dir_, clock_, {}, {}, options(trace)),
        who_(bob()),
        new_dates_(new_dates) {
    dir_.set(bob());
    for (int i = 0; i < 1000; ++i) {
      request r;
      r.to_uri = "sip:user" + std::to_string(i % 50) + "@example.com";
      r.call_id = "other-" + std::to_string(i);
      r.wire();
      recipient who;
      who.key = r.to_uri;
      engine_.on_request(r, who);
    }
    if (!with_expires) r_.expires.clear();
    r_.wire();
    for (int i = 0; i < 64; ++i)
      dates_.push_back(format_sip_date(from_unix_ms(1'700'000'000'000 + 1000 * i)));
  }

  void decide() {
    if (new_dates_) r_.date.assign(dates_[next_++ & 63]);
    engine_.decide(r_, who_, out_);
  }
  auto out() const -> outcome const& { return out_; }

 private:
  static auto options(bool trace) -> engine_options {
    engine_options opt;
    opt.render_trace = trace;
    return opt;
  }

  memory_store store_;
  static_directory dir_;
  manual_clock clock_;
  engine_over<memory_store> engine_;
  request r_;
  recipient const who_;
  outcome out_;
  std::vector<std::string> dates_;
  std::size_t next_ = 0;
  bool new_dates_;
};

}  // namespace policy_bench

#endif  // SIPSAF_BENCHMARKS_POLICY_FIXTURE_HPP
