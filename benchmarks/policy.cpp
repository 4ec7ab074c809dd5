// Policy engine and stores.
//
// decide/*: one decision for a MESSAGE to an unreachable recipient, through
//   the engine's dry run (headers parsed, duplicate and quota lookups in the
//   memory store, the default policy), with and without the rendered trace,
//   and without an Expires header (then the Date is not parsed); and the
//   default policy alone on prepared inputs.
// cycle/memory: store (on_request), deliver (on_reachable), erase (the 200).
// sqlite/*: the same cycle on the durable SQLite store, one message at a
//   time (every put and every erase is its own fsync'ed commit) and in
//   batches (one commit for N puts, one for N erases).
#include "policy_fixture.hpp"

#include <sipsaf/policy.hpp>
#include <sipsaf/store/memory_store.hpp>
#include <sipsaf/testing/models.hpp>
#ifdef SIPSAF_BENCH_SQLITE
#include <sipsaf/store/sqlite_store.hpp>
#endif

#include <benchmark/benchmark.h>

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace {

using namespace sipsaf;
using namespace policy_bench;

void decide_engine(benchmark::State& state, bool trace, bool with_expires = true,
                   bool new_dates = false) {
  decide_fixture f(trace, with_expires, new_dates);
  for (auto _ : state) {
    f.decide();
    benchmark::DoNotOptimize(f.out().decided->what);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_decide_engine_dry_run(benchmark::State& state) {
  decide_engine(state, false);
}
BENCHMARK(BM_decide_engine_dry_run)->Name("decide/engine (memory store)");

void BM_decide_engine_no_expires(benchmark::State& state) {
  decide_engine(state, false, false);
}
BENCHMARK(BM_decide_engine_no_expires)->Name("decide/engine, no Expires (memory store)");

void BM_decide_engine_new_dates(benchmark::State& state) {
  decide_engine(state, false, true, true);
}
BENCHMARK(BM_decide_engine_new_dates)->Name("decide/engine, a new Date every time (memory store)");

void BM_decide_engine_with_trace(benchmark::State& state) {
  decide_engine(state, true);
}
BENCHMARK(BM_decide_engine_with_trace)->Name("decide/engine + trace text");

void BM_decide_policy_only(benchmark::State& state) {
  default_policy p;
  request_disposition rd = parse_request_disposition("store-and-forward-if-not-reached").value();
  media_type const ct = parse_media_type("text/plain;charset=utf-8").value();
  request_facts f;
  f.method = "MESSAGE";
  f.content_type = &ct;
  f.disposition = &rd;
  f.size = 400;
  f.body_size = 40;
  recipient const who = bob();
  decision_input in;
  in.request = &f;
  in.who = &who;
  in.now = from_unix_ms(1'700'000'100'000);
  in.usage = store_usage{3, 1200, 3};
  for (auto _ : state) {
    decision d = p.decide(in);
    benchmark::DoNotOptimize(d.what);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_decide_policy_only)->Name("decide/default_policy alone");

// store -> deliver -> 200 -> erase, for one message at a time.
template <class Store>
void cycle(benchmark::State& state, Store& store) {
  static_directory dir;
  dir.set(bob());
  manual_clock clock(from_unix_ms(1'700'000'100'000));
  engine_over<Store> e(store, dir, clock);
  request r;
  std::uint64_t n = 0;
  outcome out;
  for (auto _ : state) {
    r.call_id = "cycle-" + std::to_string(n++);
    r.wire();
    dir.set_contacts("sip:bob@example.com", {});
    e.on_request(r, out);
    if (out.find<store_action>() == nullptr) state.SkipWithError("not stored");
    dir.set_contacts("sip:bob@example.com", {"sip:bob@192.0.2.7"});
    e.on_reachable("sip:bob@example.com", out);
    auto const* d = out.find<deliver_action>();
    if (d == nullptr) {
      state.SkipWithError("not delivered");
      break;
    }
    e.on_delivery_result(d->id, 200, out);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_cycle_memory(benchmark::State& state) {
  memory_store store;
  cycle(state, store);
}
BENCHMARK(BM_cycle_memory)->Name("cycle/memory store: store+deliver+erase");

#ifdef SIPSAF_BENCH_SQLITE

struct temp_db {
  std::string dir;
  temp_db() {
    char const* base = std::getenv("SIPSAF_BENCH_DIR");
    std::string p =
        std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/sipsaf-bench-XXXXXX";
    if (::mkdtemp(p.data()) != nullptr) dir = p;
  }
  ~temp_db() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  auto path() const -> std::string { return dir + "/bench.db"; }
};

void BM_cycle_sqlite_single(benchmark::State& state) {
  temp_db db;
  auto store = sqlite_store::open(db.path());
  if (!store) return state.SkipWithError("open failed");
  cycle(state, *store);
}
BENCHMARK(BM_cycle_sqlite_single)
    ->Name("cycle/sqlite store, durable, one at a time")
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// N requests stored in one commit, then N deliveries whose erases share one
// commit: the way a proxy answers the 202s of a burst after one fsync.
void BM_cycle_sqlite_batched(benchmark::State& state) {
  auto const n = static_cast<std::size_t>(state.range(0));
  temp_db db;
  auto opened = sqlite_store::open(db.path());
  if (!opened) return state.SkipWithError("open failed");
  sqlite_store& store = *opened;
  static_directory dir;
  dir.set(bob());
  manual_clock clock(from_unix_ms(1'700'000'100'000));
  engine_over<sqlite_store> e(store, dir, clock);
  std::vector<request> rs(n);
  std::uint64_t seq = 0;
  outcome out;
  for (auto _ : state) {
    dir.set_contacts("sip:bob@example.com", {});
    {
      auto b = store.begin_batch();
      for (auto& r : rs) {
        r.call_id = "batch-" + std::to_string(seq++);
        r.wire();
        e.on_request(r, out);
      }
      if (b->commit()) state.SkipWithError("commit failed");
    }
    dir.set_contacts("sip:bob@example.com", {"sip:bob@192.0.2.7"});
    auto b = store.begin_batch();
    e.on_reachable("sip:bob@example.com", out);
    for (std::size_t i = 0; i < n; ++i) {
      auto const* d = out.find<deliver_action>();
      if (d == nullptr) {
        state.SkipWithError("not delivered");
        break;
      }
      e.on_delivery_result(d->id, 200, out);  // erases, and delivers the next
    }
    if (b->commit()) state.SkipWithError("commit failed");
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}
BENCHMARK(BM_cycle_sqlite_batched)
    ->Name("cycle/sqlite store, durable, batched")
    ->Arg(16)
    ->Arg(64)
    ->Arg(256)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The store alone: put, get, erase.
void BM_sqlite_store_single(benchmark::State& state) {
  temp_db db;
  auto store = sqlite_store::open(db.path());
  if (!store) return state.SkipWithError("open failed");
  stored_message m;
  m.env.recipient = "sip:bob@example.com";
  m.env.sender = "sip:alice@example.com";
  m.env.from_tag = "t";
  m.env.expires_at = from_unix_ms(1'800'000'000'000);
  request r;
  r.wire();
  m.bytes = r.bytes;
  std::uint64_t n = 0;
  for (auto _ : state) {
    m.env.call_id = "s-" + std::to_string(n++);
    auto id = store->put(m);
    auto got = store->get(*id);
    benchmark::DoNotOptimize(got);
    store->erase(*id);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_sqlite_store_single)
    ->Name("store/sqlite put+get+erase, one at a time")
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// The floor under every durable figure: append 400 bytes to a file and
// fdatasync it, as a WAL commit does at least once.
void BM_fsync_floor(benchmark::State& state) {
  temp_db db;
  std::string const path = db.dir + "/floor";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (fd < 0) return state.SkipWithError("open failed");
  char buf[400] = {};
  for (auto _ : state) {
    if (::write(fd, buf, sizeof buf) != static_cast<ssize_t>(sizeof buf) || ::fdatasync(fd) != 0) {
      state.SkipWithError("write failed");
      break;
    }
  }
  ::close(fd);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_fsync_floor)
    ->Name("disk/append 400 bytes + fdatasync")
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

#endif  // SIPSAF_BENCH_SQLITE

}  // namespace

BENCHMARK_MAIN();
