// Runs the SIP torture corpus (RFC 4475, RFC 5118) through parse_message
// and message_view::validate(), as a service does.
//
// Usage: sipsaf_torture DIR   (DIR holds index.tsv and the messages)
//
// Every VALID message must parse and validate, with the fields checked
// below; every syntactically INVALID one must be rejected, by parse_message
// or by validate(), with the expected error code and an offset inside the
// message; a field validate() refuses must be refused the same way by its
// accessor when read (checked on first access); the transaction- and application-layer
// ones parse (their verdicts belong to the proxy, whose inputs are checked
// here: a missing field, conflicting rows). Prints "SKIPPED:" when the corpus
// is absent.
#include <sipsaf/message.hpp>
#include <sipsaf/mime/multipart.hpp>

#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

int failures = 0;
std::string current;

void check(bool ok, char const* what, int line) {
  if (ok) return;
  ++failures;
  std::cerr << current << ": check failed (line " << line << "): " << what << '\n';
}
#define CHECK(x) check(static_cast<bool>(x), #x, __LINE__)

auto read(std::string const& path, std::string& out) -> bool {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

using sipsaf::errc;
using view = sipsaf::message_view;

// parse_message, then validate(): the verdict of the two together.
auto parse_and_validate(std::string const& data) -> sipsaf::result<view> {
  auto m = sipsaf::parse_message(data);
  if (!m) return m;
  if (auto v = m->validate(); !v) return v.error();
  return m;
}

// The accessor of the field holding `e` must refuse it the same way.
void check_on_access(view const& m, sipsaf::parse_error const& e) {
  sipsaf::message_field const* row = nullptr;
  for (auto const& r : m.headers())
    if (m.offset_of(r.raw) <= e.offset && e.offset <= m.offset_of(r.raw) + r.raw.size()) row = &r;
  CHECK(row != nullptr);
  if (row == nullptr) return;
  using sipsaf::field;
  // A single-valued field's accessor reads one row, when there is one.
  if (row->id != field::via && row->id != field::contact && m.count(field_name(row->id)) > 1)
    return;
  sipsaf::parse_error got{};
  switch (row->id) {
    case field::via:
      got = m.via().error();
      break;
    case field::contact:
      got = m.contact().error();
      break;
    case field::from:
      got = m.from().error();
      break;
    case field::to:
      got = m.to().error();
      break;
    case field::date:
      got = m.date().error();
      break;
    default:
      check(false, "validate() refused a field parse_message checks itself", __LINE__);
  }
  CHECK(got == e);
}

// The reason each syntactically invalid message is refused.
std::map<std::string, errc> const invalid = {
    {"badinv01.sip", errc::bad_parameter},          // Via ";;,;,,"
    {"clerr.sip", errc::content_length_mismatch},   // 9999 > body
    {"ncl.sip", errc::bad_content_length},          // -999
    {"scalar02.sip", errc::bad_header_value},       // CSeq > 2^32-1
    {"scalarlg.sip", errc::bad_header_value},       // CSeq > 2^32-1
    {"quotbal.sip", errc::bad_quoted_string},       // To display name
    {"ltgtruri.sip", errc::bad_uri},                // <sip:...> as Request-URI
    {"lwsruri.sip", errc::bad_uri},                 // "sip:user@example.com; lr"
    {"lwsstart.sip", errc::bad_start_line},         // two SPs
    {"trws.sip", errc::bad_start_line},             // SP after SIP/2.0
    {"escruri.sip", errc::bad_uri},                 // headers in Request-URI
    {"baddate.sip", errc::bad_date},                // EST
    {"regbadct.sip", errc::bad_uri},                // '?' outside <>
    {"badaspec.sip", errc::bad_uri},                // "< sip:... >"
    {"baddn.sip", errc::bad_uri},                   // Bell, Alexander <...>
    {"badvers.sip", errc::bad_version},             // SIP/7.0
    {"mismatch01.sip", errc::conflicting_headers},  // CSeq INVITE on OPTIONS
    {"mismatch02.sip", errc::conflicting_headers},  // CSeq INVITE on NEWMETHOD
    {"bigcode.sip", errc::bad_status_code},         // 4294967301
    {"rfc5118/ipv6-bad.sip", errc::bad_uri},        // sip:2001:db8::10
};

// Field checks for the messages that parse.
std::map<std::string, std::function<void(view const&)>> const fields = {
    {"wsinv.sip",
     [](view const& m) {
       CHECK(m.method() == "INVITE");
       CHECK(m.request_uri() == "sip:vivekg@chair-dnrc.example.com;unknownparam");
       CHECK(m.to()->tag == "1918181833n");
       CHECK(m.from()->tag == "98asjd8");
       CHECK(m.from()->display_text() == "J Rosenberg \\\"");
       CHECK(m.max_forwards().value() == 68);
       CHECK(m.cseq()->number == 9 && m.cseq()->method == "INVITE");
       CHECK(m.call_id().value() == "wsinv.ndaksdj@192.0.2.1");
       auto v = m.via();
       CHECK(v && v->size() == 3 && (*v)[1].branch == "z9hG4bK9ikj8" &&
             (*v)[2].host == "192.168.255.111" && (*v)[2].branch == "z9hG4bK30239");
       CHECK(m.contact() && m.contact()->entries[0].q.value_or(0) == 330);
       CHECK(m.header("NewFangledHeader").value() ==
             "newfangled value continued newfangled value");
       CHECK(m.header("Subject").value() == "");
       CHECK(m.header("UnknownHeaderWithUnusualValue").value() == ";;,,;;,;");
       CHECK(m.content_type()->is("application", "sdp"));
       CHECK(m.body().size() == 150);
     }},
    {"intmeth.sip",
     [](view const& m) {
       CHECK(m.method() == "!interesting-Method0123456789_*+`.%indeed'~");
       CHECK(m.cseq()->method == m.method());
       CHECK(m.request_uri_parts().user == "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
       CHECK(m.to()->display_text() == std::string("BEL:\x07 NUL:\0 DEL:\x7f", 17));
       CHECK(m.from()->display_name == "token1~` token2'+_ token3*%!.-");
       CHECK(m.from()->tag == "_token~1'+`*%!-.");
       CHECK(m.call_id().value() == "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
       CHECK(m.max_forwards().value() == 255);
       CHECK(m.header("extensionHeader-!.%*+_`'~").has_value());
     }},
    {"esc01.sip",
     [](view const& m) {
       CHECK(m.request_uri_parts().user == "sips%3Auser%40example.com");
       CHECK(m.to()->uri.user == "%75se%72");
       CHECK(m.from()->uri.user == "I%20have%20spaces");
       CHECK(m.call_id().value() == "esc01.239409asdfakjkn23onasd0-3234");
       CHECK(m.content_type()->is("application", "sdp"));
       CHECK(m.contact()->entries[0].address.uri.params == "%6C%72;n%61me=v%61lue%25%34%31");
     }},
    {"escnull.sip",
     [](view const& m) {
       CHECK(m.to()->uri.user == "null-%00-null");
       CHECK(m.contact()->entries.size() == 2);
       CHECK(m.content_length().value() == 0);
     }},
    {"esc02.sip",
     [](view const& m) {
       CHECK(m.method() == "RE%47IST%45R");
       CHECK(m.count("Contact") == 2);
       CHECK(m.header("C%6Fntact").value() == "<sip:alias2@host2.example.com>");
       CHECK(m.top_via()->branch == "z9hG4bK209%fzsnel234");
     }},
    {"lwsdisp.sip", [](view const& m) { CHECK(m.from()->display_name == "caller"); }},
    {"longreq.sip",
     [](view const& m) {
       CHECK(m.via() && m.via()->size() == 34);
       CHECK(m.to()->display_text().size() > 80);
       CHECK(m.to()->uri.port.value_or(0) == 6000);
       CHECK(m.from()->tag.size() > 100);
       CHECK(m.body().size() == 150);
     }},
    {"dblreq.sip",
     [](view const& m) {
       CHECK(m.method() == "REGISTER");
       CHECK(m.body().empty());
       CHECK(m.trailing().substr(0, 8) == "\r\nINVITE");
     }},
    {"semiuri.sip",
     [](view const& m) {
       CHECK(m.request_uri_parts().user == "user;par=u%40example.net");
       CHECK(m.values("Accept").size() == 6);
     }},
    {"transports.sip",
     [](view const& m) {
       auto v = m.via();
       CHECK(v && v->size() == 5 && (*v)[1].transport == "SCTP" &&
             (*v)[3].transport == "UNKNOWN");
     }},
    {"mpart01.sip",
     [](view const& m) {
       auto ct = m.content_type();
       CHECK(ct && ct->is_multipart() && ct->param("boundary").value_or("") == "7a9cbec02ceef655");
       auto mp = sipsaf::parse_multipart(m.body(), *ct);
       CHECK(mp && mp->size() == 2);
       CHECK(m.date()->epoch_seconds() == 1129351496);
     }},
    {"unreason.sip",
     [](view const& m) {
       CHECK(m.status() == 200 && m.reason().size() > 20);
       CHECK(m.body().size() == 154);
     }},
    {"noreason.sip", [](view const& m) { CHECK(m.status() == 100 && m.reason().empty()); }},
    {"badbranch.sip", [](view const& m) { CHECK(!m.top_via()->has_rfc3261_branch()); }},
    {"insuf.sip",
     [](view const& m) {
       CHECK(m.from().error().code == errc::missing_header);
       CHECK(m.to().error().code == errc::missing_header);
       CHECK(m.call_id().error().code == errc::missing_header);
       CHECK(m.max_forwards().error().code == errc::missing_header);
     }},
    {"unkscm.sip", [](view const& m) { CHECK(!m.request_uri_parts().is_sip()); }},
    {"novelsc.sip", [](view const& m) { CHECK(m.request_uri_parts().scheme == "soap.beep"); }},
    {"unksm2.sip",
     [](view const& m) {
       CHECK(m.to()->uri.scheme == "isbn");
       CHECK(m.from()->uri.scheme == "http");
       CHECK(m.contact()->entries[0].address.uri.scheme == "name");
     }},
    {"bext01.sip", [](view const& m) { CHECK(m.values("Require").size() == 2); }},
    {"invut.sip",
     [](view const& m) { CHECK(m.content_type()->is("application", "unknownformat")); }},
    {"regaut01.sip",
     [](view const& m) {
       CHECK(m.header("Authorization").value() == "NoOneKnowsThisScheme opaque-data=here");
     }},
    {"multi01.sip",
     [](view const& m) {
       CHECK(m.cseq().error().code == errc::conflicting_headers);
       CHECK(m.call_id().error().code == errc::conflicting_headers);
       CHECK(m.to().error().code == errc::conflicting_headers);
       CHECK(m.from().error().code == errc::conflicting_headers);
       CHECK(m.max_forwards().error().code == errc::conflicting_headers);
     }},
    {"mcl01.sip",
     [](view const& m) { CHECK(m.content_length().error().code == errc::conflicting_headers); }},
    {"bcast.sip", [](view const& m) { CHECK((*m.via())[1].host == "255.255.255.255"); }},
    {"zeromf.sip", [](view const& m) { CHECK(m.max_forwards().value() == 0); }},
    {"cparam01.sip",
     [](view const& m) {
       auto c = m.contact();
       CHECK(c && c->entries[0].address.uri.params.empty() &&
             c->entries[0].address.params == ";unknownparam");
     }},
    {"cparam02.sip",
     [](view const& m) {
       CHECK(m.contact()->entries[0].address.uri.params == "unknownparam");
     }},
    {"regescrt.sip",
     [](view const& m) {
       CHECK(m.contact()->entries[0].address.uri.headers == "Route=%3Csip:sip.example.com%3E");
     }},
    {"sdp01.sip", [](view const& m) { CHECK(m.header("Accept").value() == "text/nobodyKnowsThis"); }},
    {"inv2543.sip",
     [](view const& m) {
       CHECK(m.max_forwards().error().code == errc::missing_header);
       CHECK(m.content_length().error().code == errc::missing_header);
       CHECK(m.to()->param("user").value_or("") == "phone");  // addr-spec: a header param
       CHECK(!m.body().empty());
     }},
    {"rfc5118/ipv6-good.sip",
     [](view const& m) { CHECK(m.request_uri_parts().host == "[2001:db8::10]"); }},
    {"rfc5118/port-ambiguous.sip",
     [](view const& m) {
       CHECK(m.request_uri_parts().host == "[2001:db8::10:5070]");
       CHECK(!m.request_uri_parts().port);
     }},
    {"rfc5118/port-unambiguous.sip",
     [](view const& m) {
       CHECK(m.request_uri_parts().host == "[2001:db8::10]");
       CHECK(m.request_uri_parts().port.value_or(0) == 5070);
     }},
    {"rfc5118/via-received-param-with-delim.sip",
     [](view const& m) { CHECK(m.top_via()->received == "[2001:db8::9:255]"); }},
    {"rfc5118/via-received-param-no-delim.sip",
     [](view const& m) { CHECK(m.top_via()->received == "2001:db8::9:255"); }},
    {"rfc5118/mult-ip-in-header.sip",
     [](view const& m) {
       auto v = m.via();
       CHECK(v && v->size() == 3 && (*v)[0].port.value_or(0) == 6050 &&
             (*v)[2].received == "192.0.2.200");
     }},
    {"rfc5118/ipv4-mapped-ipv6.sip",
     [](view const& m) {
       CHECK(m.top_via()->host == "[::ffff:192.0.2.10]");
       CHECK(m.contact()->entries[0].address.uri.host == "[::ffff:192.0.2.2]");
     }},
    {"rfc5118/ipv6-bug-abnf-3-colons.sip",
     [](view const& m) { CHECK(m.to()->uri.host == "[2001:db8:::192.0.2.1]"); }},
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: sipsaf_torture DIR\n";
    return 2;
  }
  std::string const dir = argv[1];
  std::string index;
  if (!read(dir + "/index.tsv", index)) {
    std::cout << "SKIPPED: torture corpus not found at " << dir << '\n';
    return 0;
  }
  std::istringstream rows(index);
  std::string row;
  std::getline(rows, row);  // header
  std::size_t count = 0;
  std::size_t checked = 0;
  while (std::getline(rows, row)) {
    std::vector<std::string> cols;
    std::istringstream cs(row);
    for (std::string c; std::getline(cs, c, '\t');) cols.push_back(c);
    if (cols.size() < 5) continue;
    std::string const& name = cols[0];
    std::string const& group = cols[3];
    std::string const& verdict = cols[4];
    current = name;
    std::string path = dir + "/" + name;
    std::string raw_5118;
    if (name.rfind("rfc5118/", 0) == 0) {
      raw_5118 = path;
      path = dir + "/rfc5118/wire/" + name.substr(8);
    }
    std::string data;
    if (!read(path, data)) {
      check(false, "file readable", __LINE__);
      continue;
    }
    ++count;
    if (auto lazy = sipsaf::parse_message(data)) {
      if (auto v = lazy->validate(); !v) check_on_access(*lazy, v.error());
    }
    auto m = parse_and_validate(data);
    auto it = invalid.find(name);
    if (it != invalid.end()) {
      CHECK(!m);
      if (!m) {
        if (m.error().code != it->second)
          std::cerr << name << ": refused with " << sipsaf::to_string(m.error().code)
                    << ", expected " << sipsaf::to_string(it->second) << '\n';
        CHECK(m.error().code == it->second);
        CHECK(m.error().offset <= data.size());
      }
    } else if (group == "not-in-rfc-text") {
      // No verdict (test.sip: no SIP-Version in the request line).
      CHECK(!m && m.error().code == errc::bad_start_line);
    } else {
      if (!m)
        std::cerr << name << " (" << verdict << "): " << sipsaf::to_string(m.error().code) << " at "
                  << m.error().offset << '\n';
      CHECK(m.has_value());
      auto f = fields.find(name);
      if (m && f != fields.end()) {
        f->second(*m);
        ++checked;
      }
      // A message that parses must frame on a stream the same way when it
      // has a Content-Length, and its prefixes must never be complete.
      if (m && m->find(sipsaf::field::content_length) != nullptr &&
          m->content_length().has_value()) {
        auto fr = sipsaf::frame_message(data);
        CHECK(fr && fr->complete && fr->size == m->wire().size());
        for (std::size_t n = 0; n < m->wire().size(); n += 7) {
          std::string const prefix = data.substr(0, n);
          auto p = sipsaf::frame_message(prefix);
          CHECK(p && !p->complete);
        }
      }
    }
    // The raw RFC 5118 archive members have bare LF line ends: refused
    // cleanly (never a crash), as the strict framing rules say.
    if (!raw_5118.empty() && read(raw_5118, data)) {
      auto r = parse_and_validate(data);
      CHECK(!r && r.error().offset <= data.size());
    }
  }
  std::cout << "checked " << count << " messages (" << checked << " with field checks), "
            << failures << " failures\n";
  return failures == 0 ? 0 : 1;
}
