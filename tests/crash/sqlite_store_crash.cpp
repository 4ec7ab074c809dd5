// SIGKILL crash test for sqlite_store.
//
// Each round forks a child that opens the store and writes in a loop: single
// puts, batches (put_many) and erases of its own earlier messages. After each
// call returns it reports the call on a pipe. The parent kills the child with
// SIGKILL after a random delay, reopens the store and checks:
//   - PRAGMA integrity_check is "ok";
//   - every message whose put was reported is there, exactly once, with the
//     exact bytes written, unless its erase was reported;
//   - every message whose erase was reported is gone;
//   - nothing else is there but messages of the (at most one) batch or put
//     that was in flight when the child died, with intact bytes; and a
//     reported message may be missing only when its erase was that call.
//
// Usage: sipsaf_crash_sqlite_store [rounds on one file] [rounds on fresh files]
#include <sipsaf/store/sqlite_store.hpp>

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace {

enum : std::uint32_t { op_put = 1, op_erase = 2 };

struct record {  // one reported call, 16 bytes: pipe writes this small are atomic
  std::uint32_t op;
  std::uint32_t seq;
  std::uint64_t id;
};

auto call_id(std::uint32_t round, std::uint32_t seq) -> std::string {
  return "r" + std::to_string(round) + "-" + std::to_string(seq);
}

// Deterministic content, different per message and long enough to span pages
// now and then.
auto bytes_for(std::string const& cid, std::uint32_t seq) -> std::string {
  std::string b = "MESSAGE sip:r@x SIP/2.0\r\nCall-ID: " + cid + "\r\n\r\n";
  std::size_t const n = 50 + (seq * 7919u) % 6000u;
  for (std::size_t i = 0; i < n; ++i) b += static_cast<char>('a' + (seq + i) % 26);
  return b;
}

auto message_for(std::uint32_t round, std::uint32_t seq) -> sipsaf::stored_message {
  sipsaf::stored_message m;
  m.env.recipient = "sip:r@x";
  m.env.sender = "sip:s@x";
  m.env.call_id = call_id(round, seq);
  m.env.cseq = seq;
  m.env.from_tag = "t";
  m.env.expires_at = sipsaf::from_unix_ms(1'000'000 + seq);
  m.bytes = bytes_for(m.env.call_id, seq);
  return m;
}

void write_all(int fd, void const* p, std::size_t n) {
  auto const* c = static_cast<char const*>(p);
  while (n > 0) {
    ssize_t const w = ::write(fd, c, n);
    if (w <= 0) _exit(3);
    c += w;
    n -= static_cast<std::size_t>(w);
  }
}

[[noreturn]] void child(std::string const& path, std::uint32_t round, int fd, unsigned seed) {
  auto s = sipsaf::sqlite_store::open(path);
  if (!s) _exit(2);
  std::mt19937 rng(seed);
  std::vector<std::pair<std::uint32_t, std::uint64_t>> mine;  // seq, id
  std::uint32_t seq = 0;
  for (;;) {
    unsigned const what = rng() % 10;
    if (what < 5) {
      auto id = s->put(message_for(round, seq));
      if (!id) _exit(4);
      record r{op_put, seq, *id};
      write_all(fd, &r, sizeof r);
      mine.emplace_back(seq, *id);
      ++seq;
    } else if (what < 8) {
      std::vector<sipsaf::stored_message> batch;
      std::uint32_t const n = 2 + rng() % 20;
      for (std::uint32_t k = 0; k < n; ++k) batch.push_back(message_for(round, seq + k));
      auto ids = s->put_many(batch);
      if (!ids) _exit(5);
      for (std::uint32_t k = 0; k < n; ++k) {
        record r{op_put, seq + k, (*ids)[k]};
        write_all(fd, &r, sizeof r);
        mine.emplace_back(seq + k, (*ids)[k]);
      }
      seq += n;
    } else if (!mine.empty()) {
      std::size_t const at = rng() % mine.size();
      auto const victim = mine[at];
      auto erased = s->erase(victim.second);
      if (!erased || !*erased) _exit(6);
      record r{op_erase, victim.first, victim.second};
      write_all(fd, &r, sizeof r);
      mine.erase(mine.begin() + static_cast<std::ptrdiff_t>(at));
    }
  }
}

struct round_result {
  bool ok = true;
  std::size_t acked_puts = 0, acked_erases = 0, in_flight_found = 0;
  bool in_flight_erase = false;
};

auto fail(char const* what, std::string const& detail) -> bool {
  std::fprintf(stderr, "FAIL: %s %s\n", what, detail.c_str());
  return false;
}

// Checks the store against what the child reported in this round, and that
// earlier rounds' survivors are still intact.
auto verify(std::string const& path, std::uint32_t round, std::vector<record> const& recs,
            std::map<std::string, std::string>& survivors, round_result& res) -> bool {
  auto s = sipsaf::sqlite_store::open(path);
  if (!s) return fail("reopen", s.error().message());
  auto ok = s->integrity_check();
  if (!ok || !*ok) return fail("integrity_check", "not ok");

  std::map<std::uint32_t, std::uint64_t> live;  // seq -> id, put and not erased
  std::set<std::uint32_t> erased;
  std::uint32_t max_seq = 0;
  for (record const& r : recs) {
    if (r.op == op_put) {
      live[r.seq] = r.id;
      ++res.acked_puts;
    } else {
      live.erase(r.seq);
      erased.insert(r.seq);
      ++res.acked_erases;
    }
    max_seq = std::max(max_seq, r.seq + 1);
  }
  auto all = s->list("sip:r@x", sipsaf::delivery_mode::push, 100000000);
  if (!all) return fail("list", all.error().message());
  std::map<std::string, int> count;
  for (auto const& e : *all) count[e.call_id] += 1;
  for (auto const& kv : count)
    if (kv.second != 1) return fail("duplicate row for", kv.first);

  std::string const prefix = "r" + std::to_string(round) + "-";
  for (auto const& e : *all) {
    auto got = s->get(e.id);
    if (!got || !*got) return fail("get", e.call_id);
    if (e.call_id.rfind(prefix, 0) != 0) {
      // An earlier round's message: it must be one that survived then, intact.
      auto it = survivors.find(e.call_id);
      if (it == survivors.end()) return fail("unexpected old message", e.call_id);
      if ((*got)->bytes != it->second) return fail("old message changed", e.call_id);
      continue;
    }
    std::uint32_t const seq =
        static_cast<std::uint32_t>(std::stoul(e.call_id.substr(prefix.size())));
    if ((*got)->bytes != bytes_for(e.call_id, seq)) return fail("bytes differ", e.call_id);
    if (erased.count(seq) != 0) return fail("erased message is back", e.call_id);
    if (live.count(seq) == 0) {
      // Not reported: it must belong to the call in flight (after the last report).
      if (seq < max_seq) return fail("unreported message in the middle", e.call_id);
      ++res.in_flight_found;
    } else if (live[seq] != e.id) {
      return fail("id changed", e.call_id);
    }
  }
  // A reported put may be missing only if its erase was the call in flight:
  // then it is the only missing one and nothing else was in flight.
  std::vector<std::string> missing;
  for (auto const& kv : live)
    if (count.count(call_id(round, kv.first)) == 0) missing.push_back(call_id(round, kv.first));
  if (missing.size() > 1 || (missing.size() == 1 && res.in_flight_found != 0))
    return fail("acknowledged message lost", missing.front());
  res.in_flight_erase = !missing.empty();
  // Also the old survivors must all still be there.
  for (auto const& kv : survivors)
    if (count.count(kv.first) == 0) return fail("earlier survivor lost", kv.first);
  for (auto const& e : *all) {
    if (survivors.count(e.call_id) == 0) {
      auto got = s->get(e.id);
      survivors.emplace(e.call_id, (*got)->bytes);
    }
  }
  return true;
}

auto run_round(std::string const& path, std::uint32_t round, std::mt19937& rng,
               std::map<std::string, std::string>& survivors) -> bool {
  int fds[2];
  if (::pipe(fds) != 0) return fail("pipe", std::strerror(errno));
  unsigned const seed = rng();
  pid_t const pid = ::fork();
  if (pid < 0) return fail("fork", std::strerror(errno));
  if (pid == 0) {
    ::close(fds[0]);
    child(path, round, fds[1], seed);
  }
  ::close(fds[1]);
  // Kill after 0-150 ms: some rounds die while opening or creating the
  // schema, most in the middle of writes.
  int const delay_ms = static_cast<int>(rng() % 151);
  auto const deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(delay_ms);
  std::string buf;
  char chunk[4096];
  for (;;) {
    auto const now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    int const wait = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count());
    pollfd p{fds[0], POLLIN, 0};
    if (::poll(&p, 1, wait < 1 ? 1 : wait) > 0) {
      ssize_t const n = ::read(fds[0], chunk, sizeof chunk);
      if (n > 0) buf.append(chunk, static_cast<std::size_t>(n));
      if (n == 0) break;  // the child ended on its own: an error exit
    }
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  for (;;) {
    ssize_t const n = ::read(fds[0], chunk, sizeof chunk);
    if (n <= 0) break;
    buf.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL))
    return fail("child ended before the kill with status", std::to_string(status));
  std::vector<record> recs(buf.size() / sizeof(record));
  if (!recs.empty()) std::memcpy(recs.data(), buf.data(), recs.size() * sizeof(record));
  round_result res;
  if (!verify(path, round, recs, survivors, res)) {
    std::fprintf(stderr, "  in round %u after %d ms (%zu puts, %zu erases reported)\n", round,
                 delay_ms, res.acked_puts, res.acked_erases);
    return false;
  }
  std::printf(
      "round %3u: killed after %3d ms; %5zu puts and %4zu erases reported, all found; "
      "in flight: %zu puts done%s\n",
      round, delay_ms, res.acked_puts, res.acked_erases, res.in_flight_found,
      res.in_flight_erase ? ", one erase done" : "");
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  int const same_file_rounds = argc > 1 ? std::atoi(argv[1]) : 80;
  int const fresh_rounds = argc > 2 ? std::atoi(argv[2]) : 40;
  char const* base = std::getenv("TMPDIR");
  std::string pattern =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/sipsaf-crash-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) return fail("mkdtemp", "") ? 0 : 1;
  std::string const dir = pattern;
  std::mt19937 rng(static_cast<unsigned>(std::random_device{}()));
  bool ok = true;
  std::uint32_t round = 0;
  {
    std::map<std::string, std::string> survivors;
    std::string const path = dir + "/same.db";
    for (int i = 0; i < same_file_rounds && ok; ++i) ok = run_round(path, round++, rng, survivors);
  }
  for (int i = 0; i < fresh_rounds && ok; ++i) {
    std::map<std::string, std::string> survivors;
    std::string const path = dir + "/fresh-" + std::to_string(i) + ".db";
    ok = run_round(path, round++, rng, survivors);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  std::printf(ok ? "all %u rounds passed\n" : "FAILED after %u rounds\n", round);
  return ok ? 0 : 1;
}
