// sipsaf-embed-sofia: sipsaf's store-and-forward engine inside sofia-sip.
// Reads a SIP request, parses it with sofia-sip, hands sofia's sip_t to the
// engine (sofia_adapter.hpp makes it a Request) and prints the decision,
// its trace and the messages sofia-sip would send; --replay runs the whole
// cycle (request while offline, REGISTER, the recipient's answer).
//
//   sipsaf-embed-sofia [options] [FILE | -]        (--help for the options)
#include "sofia_adapter.hpp"

#include "embed_driver.hpp"

#include <sofia-sip/sofia_features.h>

#include <optional>
#include <string>
#include <string_view>

namespace {

struct sofia_glue {
  static constexpr char const* name = "sofia-sip";
  static auto version() -> std::string { return SOFIA_SIP_VERSION; }

  using message = sipsaf_sofia::msg_ptr;

  static auto parse(std::string_view wire, std::string& why) -> std::optional<message> {
    message m = sipsaf_sofia::parse(wire);
    if (!m) {
      why = "msg_make() found no SIP message";
      return std::nullopt;
    }
    return m;
  }

  static auto request(message const& m) -> sip_t const& { return *sip_object(m.get()); }
  static auto status(message const& m) -> int {
    sip_t const* s = sip_object(m.get());
    return s->sip_status != nullptr ? s->sip_status->st_status : 0;
  }

  static auto registration(message const& m) -> embed::registration {
    sip_t const* s = sip_object(m.get());
    embed::registration r;
    if (s->sip_to != nullptr) r.aor = std::string(sipsaf_sofia::sofia::url_text(s->sip_to->a_url));
    for (sip_contact_t const* c = s->sip_contact; c != nullptr; c = c->m_next)
      r.contacts.emplace_back(std::string_view(sipsaf_sofia::sofia::url_text(c->m_url)));
    return r;
  }

  static auto out(sipsaf_sofia::msg_ptr m) -> embed::rendered {
    if (!m) return embed::rendered::fail("sofia-sip refused a header");
    std::string wire = sipsaf_sofia::to_wire(m.get());
    if (wire.empty()) return embed::rendered::fail("msg_as_string() failed");
    return {std::move(wire), {}};
  }

  static auto response(message const& m, int code, std::string_view reason, std::string_view accept,
                       std::string_view tag) -> embed::rendered {
    return out(sipsaf_sofia::make_response(request(m), code, std::string(reason), accept,
                                           std::string(tag)));
  }
  static auto proxy(message const& m, std::string_view target, std::string_view branch)
      -> embed::rendered {
    return out(sipsaf_sofia::make_proxied(m.get(), std::string(target),
                                          std::string(embed::via_host), std::string(branch)));
  }
  static auto delivery(sipsaf::deliver_action const& a, std::string_view target,
                       std::string_view branch) -> embed::rendered {
    return out(sipsaf_sofia::make_delivery(a.bytes, std::string(target),
                                           std::string(embed::via_host), std::string(branch),
                                           embed::arrival(a)));
  }
  static auto notification(sipsaf::notify_action const& n, std::string_view branch,
                           std::string_view tag, std::string_view call_id) -> embed::rendered {
    return out(sipsaf_sofia::make_notification(n, std::string(embed::via_host), std::string(branch),
                                               std::string(tag), std::string(call_id)));
  }
};

}  // namespace

int main(int argc, char** argv) {
  return embed::run<sofia_glue>(argc, argv, "sipsaf-embed-sofia");
}
