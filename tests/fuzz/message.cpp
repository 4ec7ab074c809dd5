// Fuzz target for parse_message and everything reachable from a message
// view: typed fields, list splitting, Request-Disposition in both modes,
// Content-Type and multipart bodies, stream framing, and responses built
// from requests (which must parse back).
#include <sipsaf/message.hpp>
#include <sipsaf/mime/multipart.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

void touch(sipsaf::message_view const& m, bool validated) {
  for (auto const& h : m.headers()) {
    (void)m.header(h.name);
    (void)m.values(h.name);
    (void)sipsaf::split_list(h.value);
  }
  (void)m.combined("Via");
  if (auto f = m.from()) (void)f->display_text();
  if (auto t = m.to()) (void)t->param("tag");
  (void)m.call_id();
  (void)m.cseq();
  (void)m.via();
  (void)m.top_via();
  (void)m.contact();
  (void)m.expires();
  if (auto d = m.date())
    (void)sipsaf::format_sip_date(sipsaf::sip_date_from_epoch(d->epoch_seconds()));
  // The Date read in its usual 29-byte layout agrees with the full grammar.
  for (auto v : m.values("Date")) {
    auto fast = sipsaf::parse_sip_timestamp(v);
    auto full = sipsaf::parse_sip_date(v);
    if (fast.has_value() != full.has_value() ||
        (full && sipsaf::to_unix_ms(*fast) != full->epoch_seconds() * 1000))
      __builtin_trap();
  }
  (void)m.max_forwards();
  (void)m.content_length();
  (void)m.request_disposition();
  sipsaf::request_disposition_options strict;
  strict.mode = sipsaf::disposition_mode::strict;
  (void)m.request_disposition(strict);
  if (auto ct = m.content_type(); ct && ct->is_multipart()) {
    if (auto mp = sipsaf::parse_multipart(m.body(), *ct)) {
      for (auto const part : mp->all_parts()) (void)part.decoded_body();
    }
  }
  if (validated) {
    // validate() passed: no typed accessor may fail on syntax afterwards.
    auto fine = [](auto const& r) {
      return r.has_value() || r.error().code == sipsaf::errc::missing_header ||
             r.error().code == sipsaf::errc::conflicting_headers;
    };
    if (!fine(m.from()) || !fine(m.to()) || !fine(m.call_id()) || !fine(m.cseq()) ||
        !fine(m.via()) || !fine(m.top_via()) || !fine(m.contact()) || !fine(m.max_forwards()) ||
        !fine(m.expires()) || !fine(m.date()))
      std::abort();
  }
  if (m.is_request() && validated) {
    // A response to a request whose fields were checked must parse too.
    auto r = sipsaf::make_response(m, 480, "Temporarily Unavailable");
    if (!r || !sipsaf::parse_message(*r)) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string_view const in(reinterpret_cast<char const*>(data), size);
  if (auto m = sipsaf::parse_message(in)) {
    // Checked now or on first read: the two must agree (see torture.cpp).
    touch(*m, m->validate().has_value());
  } else if (m.error().offset > size) {
    std::abort();
  }
  sipsaf::message_options small;
  small.max_header_bytes = 256;
  small.max_headers = 8;
  small.max_body_bytes = 64;
  small.max_message_bytes = 300;
  small.validate_known_fields = (size & 1) != 0;
  if (auto m = sipsaf::parse_message(in, small)) touch(*m, m->validate().has_value());
  if (auto f = sipsaf::frame_message(in)) {
    if (f->complete) {
      if (f->consumed() > size) std::abort();
      sipsaf::message_options stream;
      stream.require_content_length = true;
      stream.validate_known_fields = false;
      // What the framer cut out must parse to the same size on its own.
      auto m = sipsaf::parse_message(f->message(in), stream);
      if (!m || m->wire().size() != f->size) std::abort();
    }
  } else if (f.error().offset > size) {
    std::abort();
  }
  // Framing resumed after a first half must agree with framing all at once.
  if (auto half = sipsaf::frame_message(in.substr(0, size / 2)); half && !half->complete) {
    auto again = sipsaf::frame_message(in, {}, half->scanned);
    auto fresh = sipsaf::frame_message(in);
    if (again.has_value() != fresh.has_value()) std::abort();
    if (again && (again->complete != fresh->complete || again->size != fresh->size ||
                  again->skip != fresh->skip))
      std::abort();
    if (!again && again.error() != fresh.error()) std::abort();
  }
  (void)sipsaf::parse_uri(in);
  (void)sipsaf::parse_name_addr(in);
  (void)sipsaf::parse_via(in);
  (void)sipsaf::parse_contact(in);
  (void)sipsaf::parse_sip_date(in);
  return 0;
}
