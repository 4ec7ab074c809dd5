// Fuzz target: SIP payload to Internet message, and to MM4_forward.REQ (the
// same message with MM4 fields). Any SIP message that converts gives a mail
// whose lines are within RFC 5322's limit and whose parts, read back with
// sipsaf's MIME parser, are the payload's parts with the same bytes. Header
// text survives encoding and decoding.
#include <sipsaf/gateway/encoded_word.hpp>
#include <sipsaf/gateway/internet_message.hpp>
#include <sipsaf/gateway/mm4.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

void same(sipsaf::payload_part const& p, sipsaf::part_view const& v) {
  if (p.is_multipart()) {
    if (!v.is_multipart() || v.parts().size() != p.parts.size()) std::abort();
    for (std::size_t i = 0; i < p.parts.size(); ++i) same(p.parts[i], v.parts()[i]);
    return;
  }
  auto d = v.decoded_body();
  if (!d || *d != p.data) std::abort();
}

/// The mail's header lines are short and its parts are the payload's.
void check_mail(std::string const& t, sipsaf::payload_part const& payload) {
  std::size_t const end = t.find("\r\n\r\n");
  if (end == std::string::npos) std::abort();
  for (std::size_t b = 0, e; (e = t.find("\r\n", b)) != std::string::npos && e < end; b = e + 2)
    if (e - b > 998 || t.substr(b, e - b).find('\n') != std::string::npos) std::abort();

  std::string_view const head(t.data(), end + 2), body = std::string_view(t).substr(end + 4);
  std::size_t const ctp = head.find("\r\nContent-Type: ");
  if (ctp == std::string_view::npos) std::abort();
  std::string_view const ctv = head.substr(ctp + 16, head.find("\r\n", ctp + 2) - ctp - 16);
  auto ct = sipsaf::parse_media_type(ctv);
  if (!ct) std::abort();
  if (payload.is_multipart()) {
    auto mp = sipsaf::parse_multipart(body, *ct);
    if (!mp || mp->size() != payload.parts.size()) std::abort();
    for (std::size_t i = 0; i < mp->size(); ++i) same(payload.parts[i], (*mp)[i]);
  } else {
    std::size_t const cte = head.find("\r\nContent-Transfer-Encoding: ");
    if (cte == std::string_view::npos) std::abort();
    std::string_view const enc = head.substr(cte + 29, head.find("\r\n", cte + 2) - cte - 29);
    auto d = sipsaf::decode_transfer_encoding(body, enc);
    if (!d || *d != payload.data) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string_view const in(reinterpret_cast<char const*>(data), size);

  std::string const clean = sipsaf::detail::gw::clean_header_text(in);
  if (sipsaf::decode_header_text(sipsaf::encode_unstructured(in)) != clean) std::abort();
  if (sipsaf::decode_header_text(sipsaf::encode_phrase(in)).empty() != clean.empty()) std::abort();
  (void)sipsaf::decode_header_text(in);

  auto m = sipsaf::parse_message(in);
  if (!m) return 0;
  sipsaf::mail_options o;
  o.date = 0;
  auto r = sipsaf::to_internet_message(*m, o);

  sipsaf::mm4_options o4;
  o4.recipient_domain = "mms.mnc001.mcc001.gprs";
  o4.originator_domain = "example.test";
  o4.mail.date = 0;
  auto r4 = sipsaf::to_mm4_forward(*m, "+15551234567", o4);
  // The same sender and body rules: what converts to e-mail converts to MM4 (a
  // phone-number sender, without a mailbox, converts only to MM4).
  if (r && !r4) std::abort();
  if (!r4) return 0;

  auto payload = sipsaf::read_payload(*m);
  if (!payload) std::abort();  // it converted, so it reads
  if (r) check_mail(r->text, *payload);
  {
    check_mail(r4->text, *payload);
    std::string const& t = r4->text;
    if (r4->to != "+15551234567/TYPE=PLMN@mms.mnc001.mcc001.gprs") std::abort();
    if (t.find("\r\nX-Mms-Message-Type: MM4_forward.REQ\r\n") == std::string::npos ||
        t.find("\r\nX-Mms-Message-ID: <") == std::string::npos)
      std::abort();
  }
  return 0;
}
