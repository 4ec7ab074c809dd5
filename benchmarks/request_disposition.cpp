// Request-Disposition parse speed: sipsaf, sofia-sip (when built with it) and
// a naive comma splitter as a floor. Also counts heap allocations per parse.
#include <sipsaf/rfc3841/request_disposition.hpp>

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <string>
#include <string_view>

#ifdef SIPSAF_BENCH_SOFIA
#include <sofia-sip/sip_header.h>
#include <sofia-sip/su_alloc.h>
#endif

// Every heap allocation in the process is counted, the C library's included
// (sofia-sip calls malloc), by defining malloc and its kin here over glibc's
// own entry points; operator new goes through malloc.
extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void __libc_free(void*);
}
namespace {
std::atomic<std::size_t> allocations{0};
}
extern "C" {
void* malloc(std::size_t n) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_malloc(n);
}
void* calloc(std::size_t n, std::size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_calloc(n, size);
}
void* realloc(void* p, std::size_t n) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_realloc(p, n);
}
void free(void* p) {
  __libc_free(p);
}
}

namespace {

constexpr std::string_view short_value = "proxy, store-and-forward-if-not-reached, no-fork";
constexpr std::string_view long_value =
    "redirect, no-cancel, fork, no-recurse, sequential, no-queue, "
    "store-and-forward-if-not-reached, notify";
constexpr std::string_view extension_value = "proxy, x-vendor-ext, store";

void report_allocations(benchmark::State& state, std::size_t before) {
  state.counters["allocs/parse"] = benchmark::Counter(
      static_cast<double>(allocations.load() - before) / static_cast<double>(state.iterations()));
}

void sipsaf_parse(benchmark::State& state, std::string_view value) {
  std::size_t const before = allocations.load();
  for (auto _ : state) {
    auto r = sipsaf::parse_request_disposition(value);
    benchmark::DoNotOptimize(r);
    if (!r) state.SkipWithError("parse failed");
  }
  report_allocations(state, before);
}

// The floor: split on commas, trim, and compare each token against the
// known list without case folding. Not a parser; it checks nothing.
void naive_split(benchmark::State& state, std::string_view value) {
  for (auto _ : state) {
    std::size_t found = 0;
    std::string_view rest = value;
    while (!rest.empty()) {
      std::size_t const comma = rest.find(',');
      std::string_view tok = rest.substr(0, comma);
      while (!tok.empty() && tok.front() == ' ') tok.remove_prefix(1);
      while (!tok.empty() && tok.back() == ' ') tok.remove_suffix(1);
      found += static_cast<std::size_t>(sipsaf::classify_directive(tok));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
    benchmark::DoNotOptimize(found);
  }
}

#ifdef SIPSAF_BENCH_SOFIA
// sofia-sip at its best: the value is parsed into a su_home_auto over a
// stack buffer, the arena sofia-sip's own message parser uses, so no parse
// touches the heap while the buffer suffices (1 KB here; a parse uses a
// few hundred bytes).
void sofia_arena(benchmark::State& state, std::string_view value) {
  std::string const text(value);
  std::size_t const before = allocations.load();
  for (auto _ : state) {
    su_home_t area[SU_HOME_AUTO_SIZE(1024)];
    su_home_t* home = su_home_auto(area, sizeof area);
    sip_request_disposition_t* rd = sip_request_disposition_make(home, text.c_str());
    benchmark::DoNotOptimize(rd);
    if (rd == nullptr) state.SkipWithError("sofia-sip parse failed");
    su_home_deinit(home);
  }
  report_allocations(state, before);
}

// sofia-sip with a heap su_home per parse (a malloc and a free each time),
// as a program that parses one header outside a message would.
void sofia_heap(benchmark::State& state, std::string_view value) {
  std::string const text(value);
  std::size_t const before = allocations.load();
  for (auto _ : state) {
    su_home_t home[1] = {SU_HOME_INIT(home)};
    sip_request_disposition_t* rd = sip_request_disposition_make(home, text.c_str());
    benchmark::DoNotOptimize(rd);
    if (rd == nullptr) state.SkipWithError("sofia-sip parse failed");
    su_home_deinit(home);
  }
  report_allocations(state, before);
}
BENCHMARK_CAPTURE(sofia_arena, short, short_value);
BENCHMARK_CAPTURE(sofia_arena, long, long_value);
BENCHMARK_CAPTURE(sofia_heap, short, short_value);
BENCHMARK_CAPTURE(sofia_heap, long, long_value);
#endif

}  // namespace

BENCHMARK_CAPTURE(sipsaf_parse, short, short_value);
BENCHMARK_CAPTURE(sipsaf_parse, long, long_value);
BENCHMARK_CAPTURE(sipsaf_parse, extension, extension_value);
BENCHMARK_CAPTURE(naive_split, short, short_value);
BENCHMARK_CAPTURE(naive_split, long, long_value);

BENCHMARK_MAIN();
