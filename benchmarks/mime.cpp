// MIME benchmarks: multipart bodies of 2 parts / 4 KB, 10 parts / 64 KB and
// 3 parts / 1 MB split into their parts with headers, by sipsaf and, where
// installed, sofia-sip (msg_multipart_parse), GMime 3 and mimetic; a plain
// memchr over the same bytes as the floor; base64 decoding of 1 MiB by
// sipsaf and GMime. Every parser's part count is checked once before timing.
#include <sipsaf/mime/base64.hpp>
#include <sipsaf/mime/multipart.hpp>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

// mimetic first: sofia-sip defines CR and LF as macros, mimetic uses the names.
#if SIPSAF_BENCH_MIMETIC
#include <mimetic/mimetic.h>
#endif
#if SIPSAF_BENCH_SOFIA
#include <sofia-sip/msg_header.h>
#include <sofia-sip/msg_mime.h>
#include <sofia-sip/msg_mime_protos.h>
#include <sofia-sip/su_alloc.h>
#endif
#if SIPSAF_BENCH_GMIME
#include <gmime/gmime.h>
#endif

namespace {

// A boundary of the length and shape common in mail and SIP user agents.
std::string const boundary = "----=_Part_4711_1093488231.1732620000000";

struct body_case {
  std::string body;
  std::size_t parts;
};

auto random_bytes(std::mt19937& rng, std::size_t n) -> std::string {
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

auto sdp() -> std::string {
  return "v=0\r\no=alice 2890844526 2890844526 IN IP4 host.example.com\r\ns=-\r\n"
         "c=IN IP4 192.0.2.101\r\nt=0 0\r\nm=message 7394 TCP/MSRP *\r\n"
         "a=accept-types:text/plain image/jpeg\r\na=path:msrp://192.0.2.101:7394/2s93i;tcp\r\n";
}

auto text(std::size_t n) -> std::string {
  std::string s;
  static char const words[] = "the message is stored and forwarded when the recipient is back ";
  while (s.size() < n) {
    s.append(words, sizeof words - 1);
    if (s.size() % 7 == 0) s += "\r\n";
  }
  s.resize(n);
  return s;
}

// Builds a body: SDP first, then alternately base64 images and text, sized
// so that the whole body is close to `total`.
auto make_body(std::size_t parts, std::size_t total) -> body_case {
  std::mt19937 rng(static_cast<unsigned>(parts * 7919 + total));
  std::vector<sipsaf::body_part> list;
  // The parts hold views: keep their strings where they will not move.
  std::vector<std::string> storage, ids;
  storage.reserve(parts);
  ids.reserve(parts);
  storage.push_back(sdp());
  list.push_back(
      {{{"Content-Type", "application/sdp"}, {"Content-Disposition", "session"}}, storage.back()});
  std::size_t const each = (total - 400 * parts) / (parts - 1);
  for (std::size_t i = 1; i < parts; ++i) {
    if (i % 2 == 1) {
      storage.push_back(sipsaf::encode_base64(random_bytes(rng, each * 3 / 4 - 60)));
      ids.push_back("<img" + std::to_string(i) + "@example.com>");
      list.push_back({{{"Content-Type", "image/jpeg"},
                       {"Content-Transfer-Encoding", "base64"},
                       {"Content-ID", ids.back()},
                       {"Content-Disposition", "attachment; filename=\"photo.jpg\""}},
                      storage.back()});
    } else {
      storage.push_back(text(each - 20));
      list.push_back({{{"Content-Type", "text/plain; charset=utf-8"}}, storage.back()});
    }
  }
  std::string out;
  auto r = sipsaf::serialize_multipart(std::back_inserter(out), boundary, list);
  if (!r) {
    std::fprintf(stderr, "cannot build the benchmark body\n");
    std::abort();
  }
  return {out, parts};
}

auto cases() -> std::vector<body_case> const& {
  static std::vector<body_case> const c = {make_body(2, 4 * 1024), make_body(10, 64 * 1024),
                                           make_body(3, 1024 * 1024)};
  return c;
}

void fail(char const* who, std::size_t got, std::size_t want) {
  std::fprintf(stderr, "%s found %zu parts, expected %zu\n", who, got, want);
  std::abort();
}

void label(benchmark::State& state, body_case const& c) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.body.size()));
  state.SetLabel(std::to_string(c.parts) + " parts, " + std::to_string(c.body.size()) + " B");
}

void sipsaf_parse(benchmark::State& state) {
  auto const& c = cases()[static_cast<std::size_t>(state.range(0))];
  auto check = sipsaf::parse_multipart(c.body, boundary);
  if (!check || check->size() != c.parts) fail("sipsaf", check ? check->size() : 0, c.parts);
  for (auto _ : state) {
    auto r = sipsaf::parse_multipart(c.body, boundary);
    benchmark::DoNotOptimize(r);
  }
  label(state, c);
}
BENCHMARK(sipsaf_parse)->DenseRange(0, 2);

void memchr_pass(benchmark::State& state) {
  auto const& c = cases()[static_cast<std::size_t>(state.range(0))];
  // A byte the body does not contain, so that memchr reads every byte once.
  int absent = 0;
  while (c.body.find(static_cast<char>(absent)) != std::string::npos) ++absent;
  for (auto _ : state) {
    void const* p = std::memchr(c.body.data(), absent, c.body.size());
    benchmark::DoNotOptimize(p);
  }
  label(state, c);
}
BENCHMARK(memchr_pass)->DenseRange(0, 2);

void memcpy_pass(benchmark::State& state) {
  auto const& c = cases()[static_cast<std::size_t>(state.range(0))];
  std::string scratch = c.body;
  for (auto _ : state) {
    std::memcpy(&scratch[0], c.body.data(), c.body.size());
    benchmark::DoNotOptimize(scratch.data());
    benchmark::ClobberMemory();
  }
  label(state, c);
}
BENCHMARK(memcpy_pass)->DenseRange(0, 2);

#if SIPSAF_BENCH_SOFIA
// msg_multipart_parse writes NULs into the payload (at the end of each part
// header line) and cannot parse its own output again. The timed loop puts
// back just those bytes before each round (found once by comparing with the
// original), so it measures the parser rather than a copy of the body.
auto sofia_once(std::string& bytes) -> std::size_t {
  auto* home = static_cast<su_home_t*>(su_home_new(sizeof(su_home_t)));
  std::string const ct = "multipart/mixed; boundary=\"" + boundary + "\"";
  msg_content_type_t* type = msg_content_type_make(home, ct.c_str());
  msg_payload_t pl[1];
  msg_payload_init(pl);
  pl->pl_data = &bytes[0];
  pl->pl_len = static_cast<usize_t>(bytes.size());
  std::size_t n = 0;
  for (msg_multipart_t* mp = msg_multipart_parse(home, type, pl); mp != nullptr; mp = mp->mp_next) {
    if (mp->mp_payload != nullptr) ++n;
  }
  su_home_unref(home);
  return n;
}

void sofia_parse(benchmark::State& state) {
  auto const& c = cases()[static_cast<std::size_t>(state.range(0))];
  std::string scratch = c.body;
  if (std::size_t n = sofia_once(scratch); n != c.parts) fail("sofia-sip", n, c.parts);
  std::vector<std::size_t> touched;
  for (std::size_t i = 0; i < scratch.size(); ++i)
    if (scratch[i] != c.body[i]) touched.push_back(i);
  auto restore = [&] {
    for (std::size_t i : touched) scratch[i] = c.body[i];
  };
  restore();
  if (scratch != c.body) fail("sofia-sip restore", 0, 0);
  for (auto _ : state) {
    restore();
    benchmark::DoNotOptimize(sofia_once(scratch));
  }
  state.counters["restored_bytes"] = static_cast<double>(touched.size());
  label(state, c);
}
BENCHMARK(sofia_parse)->DenseRange(0, 2);
#endif

#if SIPSAF_BENCH_GMIME
// GMime reads a whole entity; the stream wraps the bytes without copying
// them in the timed loop.
struct gmime_input {
  GByteArray* bytes;
  GMimeStream* stream;
  explicit gmime_input(std::string const& body) {
    std::string const entity =
        "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\n" + body;
    bytes = g_byte_array_new();
    g_byte_array_append(bytes, reinterpret_cast<guint8 const*>(entity.data()),
                        static_cast<guint>(entity.size()));
    stream = g_mime_stream_mem_new_with_byte_array(bytes);
  }
  ~gmime_input() { g_object_unref(stream); }
  auto parse() const -> std::size_t {
    g_mime_stream_reset(stream);
    GMimeParser* parser = g_mime_parser_new_with_stream(stream);
    GMimeObject* obj = g_mime_parser_construct_part(parser, nullptr);
    std::size_t n = 0;
    if (obj != nullptr && GMIME_IS_MULTIPART(obj))
      n = static_cast<std::size_t>(g_mime_multipart_get_count(GMIME_MULTIPART(obj)));
    if (obj != nullptr) g_object_unref(obj);
    g_object_unref(parser);
    return n;
  }
};

void gmime_parse(benchmark::State& state) {
  auto const& c = cases()[static_cast<std::size_t>(state.range(0))];
  gmime_input const in(c.body);
  if (std::size_t n = in.parse(); n != c.parts) fail("GMime", n, c.parts);
  for (auto _ : state) benchmark::DoNotOptimize(in.parse());
  label(state, c);
}
BENCHMARK(gmime_parse)->DenseRange(0, 2);
#endif

#if SIPSAF_BENCH_MIMETIC
void mimetic_parse(benchmark::State& state) {
  auto const& c = cases()[static_cast<std::size_t>(state.range(0))];
  std::string const entity =
      "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\n" + c.body;
  auto once = [&] {
    mimetic::MimeEntity me(entity.begin(), entity.end());
    return me.body().parts().size();
  };
  if (std::size_t n = once(); n != c.parts) fail("mimetic", n, c.parts);
  for (auto _ : state) benchmark::DoNotOptimize(once());
  label(state, c);
}
BENCHMARK(mimetic_parse)->DenseRange(0, 2);
#endif

// --- base64: 1 MiB of random bytes, encoded in 76-character CRLF lines. ---
auto base64_input() -> std::string const& {
  static std::string const coded = [] {
    std::mt19937 rng(64);
    return sipsaf::encode_base64(random_bytes(rng, 1024 * 1024));
  }();
  return coded;
}

void sipsaf_base64_decode(benchmark::State& state) {
  auto const& in = base64_input();
  for (auto _ : state) {
    auto r = sipsaf::decode_base64(in);
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.size()));
}
BENCHMARK(sipsaf_base64_decode);

void sipsaf_base64_decode_into_buffer(benchmark::State& state) {
  auto const& in = base64_input();
  std::vector<char> out(sipsaf::base64_decoded_size_bound(in.size()));
  for (auto _ : state) {
    auto r = sipsaf::decode_base64(in, out.data());
    benchmark::DoNotOptimize(r);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.size()));
}
BENCHMARK(sipsaf_base64_decode_into_buffer);

#if SIPSAF_BENCH_GMIME
void gmime_base64_decode_into_buffer(benchmark::State& state) {
  auto const& in = base64_input();
  std::vector<unsigned char> out(in.size());
  for (auto _ : state) {
    int st = 0;
    guint32 save = 0;
    std::size_t n = g_mime_encoding_base64_decode_step(
        reinterpret_cast<unsigned char const*>(in.data()), in.size(), out.data(), &st, &save);
    benchmark::DoNotOptimize(n);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.size()));
}
BENCHMARK(gmime_base64_decode_into_buffer);
#endif

}  // namespace

int main(int argc, char** argv) {
#if SIPSAF_BENCH_GMIME
  g_mime_init();
#endif
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
#if SIPSAF_BENCH_GMIME
  g_mime_shutdown();
#endif
  return 0;
}
