// Two translation units that include <sipsaf.hpp> link into one program, and the inline functions
// and function-local singletons they share are one and the same.
#include <sipsaf.hpp>

#include "odr.hpp"

#include <cstdio>

int main() {
  char const* const value = "Proxy, Store-and-Forward-if-not-reached , no-fork";
  auto const r = sipsaf::parse_request_disposition(value);
  if (!r) {
    std::fprintf(stderr, "first TU: parse failed at %zu\n", r.error().offset);
    return 1;
  }
  auto const mine = sipsaf::to_string(*r);
  auto const theirs = odr_test::from_second_tu(value);
  int failures = 0;
  if (mine != theirs.canonical || mine != "proxy, store-and-forward-if-not-reached, no-fork") {
    std::fprintf(stderr, "canonical forms differ: '%s' and '%s'\n", mine.c_str(),
                 theirs.canonical.c_str());
    ++failures;
  }
  if (&sipsaf::error_category() != theirs.errc) {
    std::fprintf(stderr, "two instances of the error category\n");
    ++failures;
  }
  std::printf("odr: %s\n", failures ? "FAILED" : "ok");
  return failures ? 1 : 0;
}
