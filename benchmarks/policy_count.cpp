// A fixed number of the decisions bench_policy times, for counting
// instructions (deterministic, unlike time on a shared machine):
//
//   valgrind --tool=callgrind build/benchmarks/policy_count 200000
//   valgrind --tool=callgrind build/benchmarks/policy_count 0
//
// The difference of the two totals over 200,000 is one decision's share.
// A second argument picks the decision: `expires` (Date + Expires, the
// default), `no-expires`, `new-dates` or `trace`.
#include "policy_fixture.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>

int main(int argc, char** argv) {
  long const n = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 200000;
  char const* const kind = argc > 2 ? argv[2] : "expires";
  bool const known = std::strcmp(kind, "expires") == 0 || std::strcmp(kind, "no-expires") == 0 ||
                     std::strcmp(kind, "new-dates") == 0 || std::strcmp(kind, "trace") == 0;
  if (n < 0 || !known) {
    std::fprintf(stderr, "usage: policy_count [DECISIONS] [expires|no-expires|new-dates|trace]\n");
    return 2;
  }
  policy_bench::decide_fixture f(std::strcmp(kind, "trace") == 0,
                                 std::strcmp(kind, "no-expires") != 0,
                                 std::strcmp(kind, "new-dates") == 0);
  unsigned stored = 0;
  for (long i = 0; i < n; ++i) {
    f.decide();
    stored += f.out().decided->what == sipsaf::verdict::store ? 1 : 0;
  }
  std::printf("%ld decisions, %u to store\n", n, stored);
  return stored == static_cast<unsigned long>(n) ? 0 : 1;
}
