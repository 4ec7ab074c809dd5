// sipsaf-explain: reads a Request-Disposition value and explains, directive
// by directive, what the sender asks a proxy to do (RFC 3841 §9.1 plus the
// store-command extension).
//
//   sipsaf-explain [--strict] VALUE...     (the words are joined by spaces)
//   sipsaf-explain [--strict] -            (the value is read from stdin)
#include <sipsaf/rfc3841/request_disposition.hpp>

#include <fmt/format.h>

#include <iostream>
#include <iterator>
#include <string>
#include <string_view>

namespace {

auto meaning(sipsaf::directive d) -> std::string_view {
  using sipsaf::directive;
  switch (d) {
    case directive::proxy:
      return "proxy the request (do not redirect)";
    case directive::redirect:
      return "redirect: answer with the targets instead of proxying";
    case directive::cancel:
      return "cancel pending branches once one succeeds";
    case directive::no_cancel:
      return "leave the other branches running";
    case directive::fork:
      return "fork to several targets";
    case directive::no_fork:
      return "try one target only";
    case directive::recurse:
      return "follow 3xx responses";
    case directive::no_recurse:
      return "do not follow 3xx responses";
    case directive::parallel:
      return "try the targets in parallel";
    case directive::sequential:
      return "try the targets one after the other";
    case directive::queue:
      return "queue the request if the callee is busy";
    case directive::no_queue:
      return "do not queue: answer busy at once";
    case directive::do_not_store:
      return "instant message: discard it if the recipient is not reachable (code 11)";
    case directive::store:
      return "store it if the recipient is not reachable; the recipient fetches it (pull, code 00)";
    case directive::store_and_forward_if_not_reached:
      return "store it if the recipient is not reachable and deliver it when they are back "
             "(push, code 00)";
    case directive::notify:
      return "tell the sender once it has been delivered (code 01)";
    case directive::ring:
      return "ring the callee (early draft token, legacy)";
    case directive::no_ring:
      return "do not ring the callee (early draft token, legacy)";
    case directive::extension:
      return "unknown extension: kept, passed on, not acted upon";
  }
  return "";
}

auto usage() -> int {
  std::cerr << "usage: sipsaf-explain [--strict] VALUE... | -\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  sipsaf::request_disposition_options opt;
  std::string value;
  int i = 1;
  if (i < argc && std::string_view(argv[i]) == "--strict") {
    opt.mode = sipsaf::disposition_mode::strict;
    ++i;
  }
  if (i >= argc) return usage();
  if (std::string_view(argv[i]) == "-") {
    value.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  } else {
    for (; i < argc; ++i) value += (value.empty() ? "" : " ") + std::string(argv[i]);
  }

  auto const rd = sipsaf::parse_request_disposition(value, opt);
  if (!rd) {
    auto const& e = rd.error();
    fmt::print(stderr, "error: {} ({})\n  {}\n  {}^\n", e.message(), sipsaf::to_string(e.code),
               value, std::string(e.offset, ' '));
    return 1;
  }
  fmt::print("Request-Disposition: {}\n", value);
  rd->for_each(
      [](sipsaf::directive_entry e) { fmt::print("  {:<34} {}\n", e.text, meaning(e.kind)); });
  auto const code = sipsaf::identifier_code(*rd);
  fmt::print("canonical: {}\n", *rd);
  fmt::print("code: {}\n", code.empty() ? "none (the recipient's profile decides)" : code);
  return 0;
}
