// Forwarding outside SIP: e-mail through an MTA (SMTP, libcurl), MMS as MM4
// through the same MTA, and SMS through Kannel's HTTP sendsms interface. The
// calls block, so they run on one worker thread; each result comes back to
// the io_context as a post.
//
// Who segments SMS: sipsaf. It sends each segment as its own sendsms request
// with a concatenation header (3GPP TS 23.040 §9.2.3.24.1) and the coding
// it chose, so what the decision trace announces (coding, segment count,
// truncation) is exactly what the SMSC gets, and no segment ends between an
// escape and its code or inside a surrogate pair, whatever Kannel's own
// splitting would do. Kannel still converts the UTF-8 text of a 7-bit
// segment to the SMSC's alphabet and queues, retries and routes.
#ifndef SIPSAF_EXAMPLES_PROXY_GATEWAYS_HPP
#define SIPSAF_EXAMPLES_PROXY_GATEWAYS_HPP

#include <sipsaf/gateway.hpp>
#include <sipsaf/policy/profile.hpp>

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace proxy {

struct gateway_config {
  std::string smtp_url;    ///< smtp://HOST:PORT; empty: no e-mail gateway
  std::string sms_url;     ///< Kannel's sendsms URL with username and password; empty: no SMS
  std::string mms_domain;  ///< the recipients' MMS Relay/Server (MM4 over smtp_url); empty: no MMS
  std::string helo;        ///< the name we give the MTA (our domain)
  std::size_t sms_max_segments = 6;

  /// Bit `1 << forward_kind` for each kind of target these gateways take.
  auto kinds() const noexcept -> std::uint8_t {
    std::uint8_t k = 1u << static_cast<unsigned>(sipsaf::forward_kind::sip);
    if (!smtp_url.empty()) k |= 1u << static_cast<unsigned>(sipsaf::forward_kind::email);
    if (!sms_url.empty()) k |= 1u << static_cast<unsigned>(sipsaf::forward_kind::sms);
    if (!smtp_url.empty() && !mms_domain.empty())
      k |= 1u << static_cast<unsigned>(sipsaf::forward_kind::mms);
    return k;
  }
};

/// The outcome of one attempt at a gateway.
struct gateway_result {
  enum class kind { sent, transient, permanent };
  kind what = kind::transient;
  std::string detail;  ///< for the log: the server's answer or the failure

  /// The final response the engine is told: 200, 503 (try again later), or
  /// 502 (refused for good: the engine drops it and tells the sender).
  auto sip_code() const noexcept -> int {
    return what == kind::sent ? 200 : what == kind::transient ? 503 : 502;
  }
};

/// Hands a message to the MTA: MAIL FROM the converted From, RCPT TO the
/// target, DATA the message. SMTP 5xx is permanent; 4xx, no connection or a
/// timeout is transient. Blocks (at most about a minute).
auto send_mail(gateway_config const& c, sipsaf::internet_message const& m,
               std::atomic<bool> const& stop) -> gateway_result;

/// Sends each segment to Kannel's sendsms: HTTP 2xx taken, 5xx or no
/// connection transient, any other answer permanent. `reference` is the
/// concatenated-SMS reference number. Blocks.
auto send_sms(gateway_config const& c, std::string_view number, sipsaf::sms_message const& m,
              std::uint8_t reference, std::atomic<bool> const& stop) -> gateway_result;

/// True when this build can reach gateways (it was linked with libcurl).
auto gateways_available() noexcept -> bool;

/// One thread that runs gateway calls in the order given and posts each
/// result to the io_context. Destroying it cancels the call under way (a
/// transient failure, never posted) and joins the thread.
class gateway_worker {
 public:
  explicit gateway_worker(boost::asio::io_context& io);
  ~gateway_worker();
  gateway_worker(gateway_worker const&) = delete;
  auto operator=(gateway_worker const&) -> gateway_worker& = delete;

  /// Runs `job(stop)` on the worker, then `done(result)` on the io_context.
  void submit(std::function<gateway_result(std::atomic<bool> const&)> job,
              std::function<void(gateway_result)> done);

 private:
  void run();

  boost::asio::io_context& io_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::pair<std::function<gateway_result(std::atomic<bool> const&)>,
                       std::function<void(gateway_result)>>>
      jobs_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace proxy

#endif  // SIPSAF_EXAMPLES_PROXY_GATEWAYS_HPP
