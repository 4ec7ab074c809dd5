// One libcurl transfer as the e-mail and SMS gateways make it: bounded in
// time, without signals (the gateways run on their own thread), given up
// when the service stops, and with libcurl's own words when it fails.
#ifndef SIPSAF_EXAMPLES_PROXY_CURL_TRANSFER_HPP
#define SIPSAF_EXAMPLES_PROXY_CURL_TRANSFER_HPP

#include <curl/curl.h>

#include <atomic>
#include <memory>
#include <string>

namespace proxy {

class curl_transfer {
 public:
  /// A transfer that gives up after `timeout_s` seconds (10 to connect), or
  /// as soon as `stop` is set.
  curl_transfer(std::atomic<bool> const& stop, long timeout_s)
      : h_(curl_easy_init(), curl_easy_cleanup) {
    if (!h_) return;
    CURL* e = h_.get();
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT, timeout_s);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM in a threaded program
    curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, abort_when_stopped);
    curl_easy_setopt(e, CURLOPT_XFERINFODATA, &stop);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, error_);
  }
  curl_transfer(curl_transfer const&) = delete;  // libcurl holds error_'s address
  auto operator=(curl_transfer const&) -> curl_transfer& = delete;

  /// Whether libcurl could start one.
  explicit operator bool() const noexcept { return h_ != nullptr; }
  /// The handle, for the options of the protocol.
  auto handle() const noexcept -> CURL* { return h_.get(); }

  /// Runs the transfer.
  auto perform() -> CURLcode {
    rc_ = curl_easy_perform(h_.get());
    curl_easy_getinfo(h_.get(), CURLINFO_RESPONSE_CODE, &code_);
    return rc_;
  }
  /// The server's last reply code (SMTP, HTTP), 0 when there was none.
  auto code() const noexcept -> long { return code_; }
  /// Why it failed, in libcurl's words.
  auto error() const -> std::string { return error_[0] != 0 ? error_ : curl_easy_strerror(rc_); }

 private:
  static auto abort_when_stopped(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t)
      -> int {
    return static_cast<std::atomic<bool> const*>(user)->load() ? 1 : 0;
  }

  std::unique_ptr<CURL, void (*)(CURL*)> h_;
  char error_[CURL_ERROR_SIZE] = {};
  CURLcode rc_ = CURLE_OK;
  long code_ = 0;
};

}  // namespace proxy

#endif  // SIPSAF_EXAMPLES_PROXY_CURL_TRANSFER_HPP
