// sipsaf-embed-osip2: sipsaf's store-and-forward engine inside osip2.
// Reads a SIP request, parses it with osip2, hands osip's osip_message_t to
// the engine (osip2_adapter.hpp makes it a Request) and prints the decision,
// its trace and the messages osip2 would send; --replay runs the whole
// cycle (request while offline, REGISTER, the recipient's answer).
//
//   sipsaf-embed-osip2 [options] [FILE | -]        (--help for the options)
#include "osip2_adapter.hpp"

#include "embed_driver.hpp"

#include <optional>
#include <string>
#include <string_view>

#ifndef SIPSAF_OSIP2_VERSION
#define SIPSAF_OSIP2_VERSION "unknown"
#endif

namespace {

struct osip2_glue {
  static constexpr char const* name = "osip2";
  static auto version() -> std::string { return SIPSAF_OSIP2_VERSION; }

  using message = sipsaf_osip::message_ptr;

  static auto parse(std::string_view wire, std::string& why) -> std::optional<message> {
    message m = sipsaf_osip::parse(wire);
    if (!m) {
      why = "osip_message_parse() failed";
      return std::nullopt;
    }
    return m;
  }

  static auto request(message const& m) -> osip_message_t const& { return *m; }
  static auto status(message const& m) -> int { return m->status_code; }

  static auto registration(message const& m) -> embed::registration {
    embed::registration r;
    if (m->to != nullptr) r.aor = std::string(sipsaf_osip::osip::uri_text(m->to->url));
    int const n = osip_list_size(&m->contacts);
    for (int i = 0; i < n; ++i) {
      auto const* c = static_cast<osip_contact_t const*>(osip_list_get(&m->contacts, i));
      if (c != nullptr)
        r.contacts.emplace_back(std::string_view(sipsaf_osip::osip::uri_text(c->url)));
    }
    return r;
  }

  static auto out(sipsaf_osip::message_ptr m) -> embed::rendered {
    if (!m) return embed::rendered::fail("osip2 refused a header");
    std::string wire = sipsaf_osip::to_wire(m.get());
    if (wire.empty()) return embed::rendered::fail("osip_message_to_str() failed");
    return {std::move(wire), {}};
  }

  static auto response(message const& m, int code, std::string_view reason, std::string_view accept,
                       std::string_view tag) -> embed::rendered {
    return out(sipsaf_osip::make_response(*m, code, std::string(reason), std::string(accept),
                                          std::string(tag)));
  }
  static auto proxy(message const& m, std::string_view target, std::string_view branch)
      -> embed::rendered {
    return out(sipsaf_osip::make_proxied(*m, std::string(target), std::string(embed::via_host),
                                         std::string(branch)));
  }
  static auto delivery(sipsaf::deliver_action const& a, std::string_view target,
                       std::string_view branch) -> embed::rendered {
    return out(sipsaf_osip::make_delivery(a.bytes, std::string(target),
                                          std::string(embed::via_host), std::string(branch),
                                          embed::arrival(a)));
  }
  static auto notification(sipsaf::notify_action const& n, std::string_view branch,
                           std::string_view tag, std::string_view call_id) -> embed::rendered {
    return out(sipsaf_osip::make_notification(n, std::string(embed::via_host), std::string(branch),
                                              std::string(tag), std::string(call_id)));
  }
};

}  // namespace

int main(int argc, char** argv) {
  return embed::run<osip2_glue>(argc, argv, "sipsaf-embed-osip2");
}
