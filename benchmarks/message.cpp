// Message benchmarks: a ~600-byte MESSAGE, an INVITE with a 4 KB multipart
// body (SDP + base64 JPEG) and one with a 64 KB body, each parsed to a view
// with its Request-Disposition read and its multipart parts located. Beside
// sipsaf, where installed: sofia-sip (msg_make, which parses every header it
// knows, Request-Disposition included, then msg_multipart_parse) and osip2
// (osip_message_parse, which splits multipart bodies itself, then a lookup
// of Request-Disposition). Each parser's result is checked once before timing.
#include <sipsaf/message.hpp>
#include <sipsaf/mime/base64.hpp>
#include <sipsaf/mime/multipart.hpp>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#if SIPSAF_BENCH_SOFIA
#include <sofia-sip/msg.h>
#include <sofia-sip/msg_mime.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/su_alloc.h>
#endif
#if SIPSAF_BENCH_OSIP
#include <osipparser2/osip_message.h>
#include <osipparser2/osip_parser.h>
#endif

namespace {

struct message_case {
  std::string wire;
  std::size_t parts;  // top-level multipart parts, 0 for a single body
};

auto jpeg_base64(std::size_t bytes) -> std::string {
  std::mt19937 rng(4711);
  std::string raw(bytes, '\0');
  raw[0] = static_cast<char>(0xff);
  raw[1] = static_cast<char>(0xd8);
  for (std::size_t i = 2; i < bytes; ++i) raw[i] = static_cast<char>(rng());
  std::string b64 = sipsaf::encode_base64(raw, 76);
  return b64;
}

auto common_headers(std::string const& method, std::uint32_t cseq) -> std::string {
  return "Via: SIP/2.0/TCP alice-pc.example.com:5060;branch=z9hG4bK776asdhds;rport\r\n"
         "Max-Forwards: 70\r\n"
         "From: \"Alice Liddell\" <sip:alice@example.com>;tag=1928301774\r\n"
         "To: <sip:bob@example.com>\r\n"
         "Call-ID: a84b4c76e66710@alice-pc.example.com\r\n"
         "CSeq: " +
         std::to_string(cseq) + " " + method +
         "\r\n"
         "Contact: <sip:alice@alice-pc.example.com;transport=tcp>\r\n"
         "Date: Sat, 13 Nov 2010 23:29:00 GMT\r\n"
         "Request-Disposition: store-and-forward-if-not-reached, notify\r\n";
}

auto small_message() -> message_case {
  std::string const body =
      "Hi Bob, I tried to reach you at the office. The meeting moved to 3pm in room 4; "
      "please call me back when you read this. Alice";
  std::string w = "MESSAGE sip:bob@example.com SIP/2.0\r\n" + common_headers("MESSAGE", 1) +
                  "Expires: 86400\r\n"
                  "User-Agent: sipsaf-bench/1.0\r\n"
                  "Content-Type: text/plain;charset=UTF-8\r\n"
                  "Content-Length: " +
                  std::to_string(body.size()) + "\r\n\r\n" + body;
  return {w, 0};
}

auto multipart_invite(std::size_t jpeg_bytes) -> message_case {
  std::string const boundary = "sipsaf-bench-boundary-7a9cbec02ceef655";
  std::string const sdp =
      "v=0\r\no=alice 2890844526 2890844526 IN IP4 alice-pc.example.com\r\ns=-\r\n"
      "c=IN IP4 192.0.2.101\r\nt=0 0\r\nm=audio 49172 RTP/AVP 0 8 97\r\n"
      "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:97 iLBC/8000\r\n"
      "m=message 7394 TCP/MSRP *\r\na=accept-types:text/plain image/jpeg\r\n";
  std::string body = "--" + boundary + "\r\nContent-Type: application/sdp\r\n\r\n" + sdp +
                     "\r\n--" + boundary +
                     "\r\nContent-Type: image/jpeg\r\nContent-Transfer-Encoding: base64\r\n"
                     "Content-Disposition: render;handling=optional\r\n\r\n" +
                     jpeg_base64(jpeg_bytes) + "\r\n--" + boundary + "--\r\n";
  std::string w = "INVITE sip:bob@example.com SIP/2.0\r\n" + common_headers("INVITE", 2) +
                  "Allow: INVITE, ACK, CANCEL, BYE, MESSAGE, OPTIONS\r\n"
                  "Supported: timer, 100rel\r\n"
                  "Content-Type: multipart/mixed;boundary=" +
                  boundary +
                  "\r\n"
                  "Content-Length: " +
                  std::to_string(body.size()) + "\r\n\r\n" + body;
  return {w, 2};
}

message_case const& case_of(int i) {
  static message_case const cases[] = {small_message(), multipart_invite(2800),
                                       multipart_invite(48 * 1024)};
  return cases[i];
}

[[noreturn]] void die(char const* what) {
  std::fprintf(stderr, "benchmark check failed: %s\n", what);
  std::abort();
}

// --- sipsaf ----------------------------------------------------------------
// Request-Disposition, Content-Type and the multipart parts of a parsed message.
auto sipsaf_parse_view(sipsaf::message_view const& m) -> std::size_t {
  auto rd = m.request_disposition();
  if (!rd || rd->store() != sipsaf::store_command::store_and_forward_if_not_reached) return 0;
  auto ct = m.content_type();
  if (!ct) return 0;
  if (!ct->is_multipart()) return 1;
  auto mp = sipsaf::parse_multipart(m.body(), *ct);
  if (!mp) return 0;
  std::size_t n = 0;
  for (auto const part : mp->parts()) n += part.body().empty() ? 0 : 1;
  return 1 + n;
}

auto sipsaf_parse(std::string const& wire) -> std::size_t {
  auto m = sipsaf::parse_message(wire);
  if (!m) return 0;
  return sipsaf_parse_view(*m);
}

// The same, with every typed field checked now (`message_view::validate`),
// as a service does before it accepts a request.
auto sipsaf_parse_validate(std::string const& wire) -> std::size_t {
  auto m = sipsaf::parse_message(wire);
  if (!m || !m->validate()) return 0;
  return sipsaf_parse_view(*m);
}

void BM_sipsaf(benchmark::State& state) {
  auto const& c = case_of(static_cast<int>(state.range(0)));
  if (sipsaf_parse(c.wire) != 1 + c.parts) die("sipsaf");
  for (auto _ : state) benchmark::DoNotOptimize(sipsaf_parse(c.wire));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * c.wire.size()));
}

void BM_sipsaf_validate(benchmark::State& state) {
  auto const& c = case_of(static_cast<int>(state.range(0)));
  if (sipsaf_parse_validate(c.wire) != 1 + c.parts) die("sipsaf validate");
  for (auto _ : state) benchmark::DoNotOptimize(sipsaf_parse_validate(c.wire));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * c.wire.size()));
}

#if SIPSAF_BENCH_SOFIA
auto sofia_parse(std::string const& wire) -> std::size_t {
  msg_t* msg = msg_make(sip_default_mclass(), 0, wire.data(), static_cast<isize_t>(wire.size()));
  if (msg == nullptr) return 0;
  std::size_t n = 0;
  sip_t* sip = sip_object(msg);
  if (sip != nullptr && sip->sip_request_disposition != nullptr &&
      sip->sip_request_disposition->rd_items != nullptr && sip->sip_content_type != nullptr) {
    n = 1;
    if (std::string_view(sip->sip_content_type->c_type).substr(0, 10) == "multipart/") {
      msg_multipart_t* mp =
          msg_multipart_parse(msg_home(msg), sip->sip_content_type, sip->sip_payload);
      for (; mp != nullptr; mp = mp->mp_next)
        if (mp->mp_payload != nullptr) ++n;
    }
  }
  msg_destroy(msg);
  return n;
}

void BM_sofia(benchmark::State& state) {
  auto const& c = case_of(static_cast<int>(state.range(0)));
  if (sofia_parse(c.wire) != 1 + c.parts) die("sofia-sip");
  for (auto _ : state) benchmark::DoNotOptimize(sofia_parse(c.wire));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * c.wire.size()));
}
#endif

#if SIPSAF_BENCH_OSIP
auto osip_parse(std::string const& wire) -> std::size_t {
  osip_message_t* m = nullptr;
  if (osip_message_init(&m) != 0) return 0;
  std::size_t n = 0;
  if (osip_message_parse(m, wire.data(), wire.size()) == 0) {
    osip_header_t* rd = nullptr;
    if (osip_message_header_get_byname(m, "request-disposition", 0, &rd) >= 0 && rd != nullptr &&
        rd->hvalue != nullptr && m->content_type != nullptr) {
      n = 1;
      int const bodies = osip_list_size(&m->bodies);
      if (bodies > 1) n += static_cast<std::size_t>(bodies);
    }
  }
  osip_message_free(m);
  return n;
}

void BM_osip2(benchmark::State& state) {
  auto const& c = case_of(static_cast<int>(state.range(0)));
  if (osip_parse(c.wire) != 1 + c.parts) die("osip2");
  for (auto _ : state) benchmark::DoNotOptimize(osip_parse(c.wire));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * c.wire.size()));
}
#endif

void cases(benchmark::internal::Benchmark* b) {
  b->ArgName("msg");
  for (int i = 0; i < 3; ++i) b->Arg(i);
}

}  // namespace

// msg/0: MESSAGE ~600 bytes; msg/1: INVITE with a ~4 KB multipart body;
// msg/2: INVITE with a ~64 KB multipart body.
BENCHMARK(BM_sipsaf)->Apply(cases);
BENCHMARK(BM_sipsaf_validate)->Apply(cases);
#if SIPSAF_BENCH_SOFIA
BENCHMARK(BM_sofia)->Apply(cases);
#endif
#if SIPSAF_BENCH_OSIP
BENCHMARK(BM_osip2)->Apply(cases);
#endif

// `--rounds=PARSER,N` (PARSER: sipsaf, sipsaf-validate, sofia, osip2) runs the
// MESSAGE's work N times and nothing else, for instruction counts under
// callgrind: (instructions at N - instructions at 0) / N.
auto count_rounds(std::string_view arg) -> int {
  auto const comma = arg.find(',');
  std::string_view const who = arg.substr(0, comma);
  long const n = comma == std::string_view::npos ? 0 : std::atol(arg.data() + comma + 1);
  std::string const& wire = case_of(0).wire;
  std::size_t sum = 0;
  for (long i = 0; i < n; ++i) {
    if (who == "sipsaf")
      sum += sipsaf_parse(wire);
    else if (who == "sipsaf-validate")
      sum += sipsaf_parse_validate(wire);
#if SIPSAF_BENCH_SOFIA
    else if (who == "sofia")
      sum += sofia_parse(wire);
#endif
#if SIPSAF_BENCH_OSIP
    else if (who == "osip2")
      sum += osip_parse(wire);
#endif
    else
      return 2;
  }
  return sum == static_cast<std::size_t>(n) ? 0 : 1;
}

int main(int argc, char** argv) {
#if SIPSAF_BENCH_OSIP
  parser_init();
#endif
  if (argc == 2 && std::string_view(argv[1]).substr(0, 9) == "--rounds=")
    return count_rounds(std::string_view(argv[1]).substr(9));
  std::printf("message sizes: %zu, %zu, %zu bytes\n", case_of(0).wire.size(),
              case_of(1).wire.size(), case_of(2).wire.size());
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
