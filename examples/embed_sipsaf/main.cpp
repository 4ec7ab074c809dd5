// sipsaf-embed-sipsaf: the reference for the embedding examples. The same
// program as sipsaf-embed-sofia and sipsaf-embed-osip2, with sipsaf's own
// message_view as the request type (read for the engine by
// <sipsaf/policy/message_view_request.hpp>) and the engine's actions written
// by <sipsaf/policy/render.hpp>; the three print the same decisions and
// traces.
//
//   sipsaf-embed-sipsaf [options] [FILE | -]        (--help for the options)
#include "embed_driver.hpp"

#include <sipsaf/config.hpp>
#include <sipsaf/message/message_view.hpp>
#include <sipsaf/policy/message_view_request.hpp>
#include <sipsaf/policy/render.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace {

struct sipsaf_glue {
  static constexpr char const* name = "sipsaf";
  static auto version() -> std::string {
    return std::to_string(SIPSAF_VERSION_MAJOR) + "." + std::to_string(SIPSAF_VERSION_MINOR) + "." +
           std::to_string(SIPSAF_VERSION_PATCH);
  }

  // The view points into the bytes, so they live on the heap and move with it.
  struct message {
    std::unique_ptr<std::string const> wire;
    sipsaf::message_view view;
  };

  static auto parse(std::string_view wire, std::string& why) -> std::optional<message> {
    message m;
    m.wire = std::make_unique<std::string const>(wire);
    auto v = sipsaf::parse_message(*m.wire);
    if (!v) {
      why = v.error().message();
      return std::nullopt;
    }
    m.view = std::move(*v);
    return m;
  }

  static auto request(message const& m) -> sipsaf::message_view const& { return m.view; }
  static auto status(message const& m) -> int { return m.view.status(); }

  static auto registration(message const& m) -> embed::registration {
    embed::registration r;
    if (auto to = m.view.to()) r.aor = std::string(to->uri.text);
    if (auto c = m.view.contact())
      for (auto const& e : c->entries) r.contacts.emplace_back(e.address.uri.text);
    return r;
  }

  static auto out(sipsaf::result<std::string> r) -> embed::rendered {
    if (!r) return embed::rendered::fail(r.error().message());
    return {std::move(*r), {}};
  }

  static auto via(std::string_view branch) -> std::string {
    return "SIP/2.0/UDP " + std::string(embed::via_host) + ";branch=" + std::string(branch);
  }

  static auto response(message const& m, int code, std::string_view reason, std::string_view accept,
                       std::string_view tag) -> embed::rendered {
    sipsaf::respond_action const a{code, std::string(reason), std::string(accept), false};
    return out(sipsaf::make_response(m.view, a, tag));
  }
  static auto proxy(message const& m, std::string_view target, std::string_view branch)
      -> embed::rendered {
    return out(sipsaf::make_proxied_request(m.view, target, via(branch)));
  }
  static auto delivery(sipsaf::deliver_action const& a, std::string_view target,
                       std::string_view branch) -> embed::rendered {
    return out(sipsaf::make_stored_delivery(a, target, via(branch)));
  }
  static auto notification(sipsaf::notify_action const& n, std::string_view branch,
                           std::string_view tag, std::string_view call_id) -> embed::rendered {
    return out(sipsaf::make_notification(n, via(branch), tag, call_id));
  }
};

}  // namespace

int main(int argc, char** argv) {
  return embed::run<sipsaf_glue>(argc, argv, "sipsaf-embed-sipsaf");
}
