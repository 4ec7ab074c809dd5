// A program outside sipsaf: it sees only what a consumer gets (installed
// headers, the Debian package, or a vendored source tree) and checks that
// the library really works through it. Argument: the expected version.
#include <sipsaf.hpp>

#include <cstdio>
#include <string>

namespace {

int failures = 0;

void check(bool ok, char const* what) {
  if (!ok) {
    std::fprintf(stderr, "FAILED: %s\n", what);
    ++failures;
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string const version = std::to_string(SIPSAF_VERSION_MAJOR) + "." +
                              std::to_string(SIPSAF_VERSION_MINOR) + "." +
                              std::to_string(SIPSAF_VERSION_PATCH);
  if (argc > 1) check(version == argv[1], "header version matches the package version");

  // Case, whitespace and folding are accepted; the canonical form is lower case.
  auto const r = sipsaf::parse_request_disposition("Store ,\r\n NOTIFY");
  check(r.has_value(), "\"Store ,<fold> NOTIFY\" parses");
  if (r) {
    check(r->store() == sipsaf::store_command::store, "store command is store");
    check(r->notify(), "notify was asked");
    check(sipsaf::to_string(*r) == "store, notify", "canonical form");
    // fmt is a link dependency: this proves the consumer links it.
    check(fmt::format("[{}]", *r) == "[store, notify]", "fmt::formatter");
  }

  // Errors carry a code and the byte offset of the second directive of a type.
  auto const bad = sipsaf::parse_request_disposition("proxy, redirect");
  check(!bad, "\"proxy, redirect\" is refused");
  if (!bad) {
    check(bad.error().code == sipsaf::errc::conflicting_directives, "conflict reported");
    check(bad.error().offset == 7, "conflict at the second directive");
  }

  std::printf("sipsaf %s: %s\n", version.c_str(), failures ? "FAILED" : "ok");
  return failures ? 1 : 0;
}
