// The second translation unit: the same functions as main.cpp, and more.
#include <sipsaf.hpp>

#include <string>

auto other_tu(std::string_view message) -> std::string {
  auto const m = sipsaf::parse_message(message);
  if (!m) return "parse error";
  auto const rd = m->request_disposition();
  auto const type = m->content_type();
  auto const to = m->to();
  if (!rd || !type || !to) return "missing header";
  return sipsaf::to_string(*rd) + "|" + sipsaf::to_string(*type) + "|" + std::string(to->uri.user);
}
