// SMS through Kannel's smsbox: one HTTP sendsms request per segment
// (https://www.kannel.org/userguide.shtml, "Sending SMS messages":
// `to`, `text`, `coding` 0 = 7-bit or 2 = UCS-2, `charset`, `udh`).
#include "gateways.hpp"

#ifdef SIPSAF_PROXY_HAS_CURL
#include "curl_transfer.hpp"
#endif

#include <memory>

namespace proxy {

#ifdef SIPSAF_PROXY_HAS_CURL

namespace {

auto percent(std::string_view bytes) -> std::string {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : bytes) {
    auto const u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out.push_back(c);
    } else {
      out += '%';
      out += hex[u >> 4];
      out += hex[u & 15];
    }
  }
  return out;
}

auto keep_answer(char* data, std::size_t size, std::size_t n, void* user) -> std::size_t {
  auto* s = static_cast<std::string*>(user);
  std::size_t const k = size * n;
  if (s->size() < 200) s->append(data, std::min<std::size_t>(k, 200 - s->size()));
  return k;
}

}  // namespace

auto send_sms(gateway_config const& c, std::string_view number, sipsaf::sms_message const& m,
              std::uint8_t reference, std::atomic<bool> const& stop) -> gateway_result {
  bool const gsm = m.encoding == sipsaf::sms_encoding::gsm7;
  std::size_t const total = m.segments.size();
  for (std::size_t i = 0; i < total; ++i) {
    std::string text;
    if (gsm) {
      text = m.segments[i].text;  // Kannel maps UTF-8 to the SMSC's 7-bit alphabet
    } else {
      for (char16_t u : sipsaf::encode_ucs2(m.segments[i].text)) {  // UTF-16BE
        text.push_back(static_cast<char>(u >> 8));
        text.push_back(static_cast<char>(u & 0xFF));
      }
    }
    std::string url = c.sms_url;
    url += url.find('?') == std::string::npos ? '?' : '&';
    url += "to=" + percent(number) + "&text=" + percent(text) + "&coding=" + (gsm ? "0" : "2") +
           "&charset=" + (gsm ? "UTF-8" : "UTF-16BE");
    if (total > 1) {
      // Concatenated SMS, 8-bit reference (3GPP TS 23.040 §9.2.3.24.1):
      // IEI 00, length 3, reference, total, this segment's number.
      char const udh[] = {5,
                          0,
                          3,
                          static_cast<char>(reference),
                          static_cast<char>(total),
                          static_cast<char>(i + 1)};
      url += "&udh=" + percent(std::string_view(udh, sizeof udh));
    }
    curl_transfer t(stop, 30);
    if (!t) return {gateway_result::kind::transient, "libcurl could not start"};
    std::string answer;
    CURL* e = t.handle();
    curl_easy_setopt(e, CURLOPT_URL, url.c_str());
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, keep_answer);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &answer);
    CURLcode const rc = t.perform();
    long const code = t.code();
    while (!answer.empty() && (answer.back() == '\n' || answer.back() == '\r')) answer.pop_back();
    std::string const seg = "segment " + std::to_string(i + 1) + "/" + std::to_string(total);
    if (rc != CURLE_OK)  // no answer: Kannel down or unreachable
      return {gateway_result::kind::transient, seg + ": " + t.error()};
    if (code >= 500)
      return {gateway_result::kind::transient,
              seg + ": HTTP " + std::to_string(code) + " " + answer};
    if (code < 200 || code >= 300)
      return {gateway_result::kind::permanent,
              seg + ": HTTP " + std::to_string(code) + " " + answer};
  }
  return {gateway_result::kind::sent,
          "accepted (" + std::to_string(total) + " segment" + (total == 1 ? "" : "s") + ")"};
}

#else

auto send_sms(gateway_config const&, std::string_view, sipsaf::sms_message const&, std::uint8_t,
              std::atomic<bool> const&) -> gateway_result {
  return {gateway_result::kind::permanent, "built without libcurl"};
}

#endif

}  // namespace proxy
