// E-mail through an MTA with libcurl's SMTP client.
#include "gateways.hpp"

#ifdef SIPSAF_PROXY_HAS_CURL
#include "curl_transfer.hpp"
#endif

#include <cstring>
#include <memory>
#include <utility>

namespace proxy {

#ifdef SIPSAF_PROXY_HAS_CURL

auto gateways_available() noexcept -> bool {
  return true;
}

namespace {

struct upload {
  std::string_view data;
  std::size_t at = 0;
};

auto read_upload(char* buffer, std::size_t size, std::size_t n, void* user) -> std::size_t {
  auto* u = static_cast<upload*>(user);
  std::size_t const k = std::min(size * n, u->data.size() - u->at);
  std::memcpy(buffer, u->data.data() + u->at, k);
  u->at += k;
  return k;
}

}  // namespace

auto send_mail(gateway_config const& c, sipsaf::internet_message const& m,
               std::atomic<bool> const& stop) -> gateway_result {
  curl_transfer t(stop, 60);
  if (!t) return {gateway_result::kind::transient, "libcurl could not start"};
  // The path of an SMTP URL is the name given in EHLO (RFC 5321 §4.1.1.1).
  std::string url = c.smtp_url;
  if (url.back() != '/') url += '/';
  url += c.helo;
  std::string const from = "<" + m.from + ">", to = "<" + m.to + ">";
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> rcpt(curl_slist_append(nullptr, to.c_str()),
                                                          curl_slist_free_all);
  upload body{m.text};
  CURL* e = t.handle();
  curl_easy_setopt(e, CURLOPT_URL, url.c_str());
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(e, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(e, CURLOPT_MAIL_RCPT, rcpt.get());
  curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(e, CURLOPT_READFUNCTION, read_upload);
  curl_easy_setopt(e, CURLOPT_READDATA, &body);
  curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(m.text.size()));
  CURLcode const rc = t.perform();
  long const code = t.code();
  std::string const what =
      (code != 0 ? "SMTP " + std::to_string(code) + ": " : std::string()) + t.error();
  if (rc == CURLE_OK)
    return {gateway_result::kind::sent, "accepted (SMTP " + std::to_string(code) + ")"};
  // RFC 5321 §4.2.1: 5yz is a permanent negative reply, 4yz a transient one.
  if (code >= 500 && code < 600) return {gateway_result::kind::permanent, what};
  return {gateway_result::kind::transient, what};
}

#else

auto gateways_available() noexcept -> bool {
  return false;
}

auto send_mail(gateway_config const&, sipsaf::internet_message const&, std::atomic<bool> const&)
    -> gateway_result {
  return {gateway_result::kind::permanent, "built without libcurl"};
}

#endif

}  // namespace proxy
