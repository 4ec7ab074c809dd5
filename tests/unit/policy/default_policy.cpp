// The decision space, table-driven, with the expectations written from
// design.md §3 (the decision order for a recipient that is not reachable,
// plus "reachable: deliver"), not from the code:
//
//   reachable or not (unreachable, busy)  x  every sender directive
//   x every profile setting  x  payload accepted or not  x  quota room or not
//
// The expectations are a first-match table with wildcards, in design.md's
// order; each of the 3 x 8 x 8 x 2 x 2 = 768 concrete cases takes the
// expectation of the first row that matches it, runs through the engine
// (memory store, map directory, manual clock) and is checked: verdict,
// response code, the actions produced, push/pull and notification.
#include <sipsaf/policy/default_policy.hpp>

#include "fixtures.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

namespace {

using namespace sipsaf;
using sipsaf_test::tiny_request;
using sipsaf_test::world;

enum reach_case : unsigned { unreachable = 1, busy = 2, reachable = 4 };
constexpr unsigned not_reachable = unreachable | busy;

enum directive_case : unsigned {
  d_none = 1 << 0,          // no Request-Disposition
  d_do_not_store = 1 << 1,  // do-not-store
  d_store = 1 << 2,         // store (pull)
  d_saf = 1 << 3,           // store-and-forward-if-not-reached (push)
  d_notify = 1 << 4,        // notify only
  d_saf_notify = 1 << 5,    // store-and-forward-if-not-reached, notify
  d_store_notify = 1 << 6,  // store, notify
  d_dns_notify = 1 << 7,    // do-not-store, notify
};
constexpr unsigned any_directive = 0xff;
constexpr unsigned d_sender_silent = d_none | d_notify;  // said nothing about storing
constexpr unsigned d_sender_notify = d_notify | d_saf_notify | d_store_notify | d_dns_notify;

enum profile_case : unsigned {
  p_unset = 1 << 0,           // no store-and-forward setting: operator default (yes)
  p_no = 1 << 1,              // store-and-forward = no
  p_yes = 1 << 2,             // store-and-forward = yes
  p_notify = 1 << 3,          // store-and-forward = notify
  p_fwd_sip = 1 << 4,         // forward:sip:carol@example.com (SIP gateway present)
  p_fwd_email = 1 << 5,       // email:bob@mail.example.com (e-mail gateway present)
  p_fwd_sms_no_gw = 1 << 6,   // sms:+15550100 (no SMS gateway)
  p_class_excluded = 1 << 7,  // yes, but subscriber class "basic" is not a store class
};
constexpr unsigned any_profile = 0xff;
constexpr unsigned p_storing = p_unset | p_yes | p_notify | p_fwd_sms_no_gw;

enum accept_case : unsigned { accepted = 1, refused = 2 };
enum quota_case : unsigned { room = 1, full = 2 };
constexpr unsigned any2 = 3;

enum class note { none, if_asked };  // notification: never / when the sender or profile asks

struct expectation_row {
  unsigned reach, directive, profile, accept, quota;
  verdict what;
  int code;  // -1: 480, or 486 when busy (design.md: 486 for a busy recipient)
  delivery_mode mode;
  note notify;
  char const* design_rule;
};

constexpr int unavailable = -1;

// design.md §3, in its order. The first matching row decides.
expectation_row const expectations[] = {
    {reachable, any_directive, any_profile, any2, any2, verdict::deliver, 0, delivery_mode::push,
     note::none, "reachable: deliver to contacts"},
    {not_reachable, d_do_not_store | d_dns_notify, any_profile, any2, any2, verdict::discard,
     unavailable, delivery_mode::push, note::none, "1. sender said do-not-store -> discard, 480"},
    {not_reachable, any_directive, any_profile, refused, any2, verdict::discard, 415,
     delivery_mode::push, note::none, "2. type not accepted -> discard, 415 with Accept"},
    {not_reachable, any_directive, p_no | p_class_excluded, any2, any2, verdict::discard,
     unavailable, delivery_mode::push, note::none, "3. profile or class: no storing -> 480"},
    {not_reachable, any_directive, p_fwd_sip | p_fwd_email, any2, any2, verdict::forward, 202,
     delivery_mode::push, note::none, "4. profile redirects -> forward, 202"},
    {not_reachable, any_directive, p_storing, any2, full, verdict::discard, 480,
     delivery_mode::push, note::none, "6. quota would be exceeded -> discard"},
    {not_reachable, d_store | d_store_notify, p_storing, any2, room, verdict::store, 202,
     delivery_mode::pull, note::if_asked, "5. sender asked store -> store (pull), 202"},
    {not_reachable, d_saf | d_saf_notify, p_storing, any2, room, verdict::store, 202,
     delivery_mode::push, note::if_asked, "5. sender asked store-and-forward -> store (push)"},
    {not_reachable, d_sender_silent, p_storing, any2, room, verdict::store, 202,
     delivery_mode::push, note::if_asked, "5. profile says store, sender silent -> store (push)"},
};

auto directive_text(unsigned d) -> std::string {
  switch (d) {
    case d_none:
      return "";
    case d_do_not_store:
      return "do-not-store";
    case d_store:
      return "store";
    case d_saf:
      return "store-and-forward-if-not-reached";
    case d_notify:
      return "notify";
    case d_saf_notify:
      return "store-and-forward-if-not-reached, notify";
    case d_store_notify:
      return "store, notify";
    case d_dns_notify:
      return "do-not-store, notify";
  }
  return "?";
}

void apply_profile(unsigned p, recipient_profile& prof, default_policy& policy) {
  auto setting = [](char const* text) { return parse_store_and_forward(text).value(); };
  switch (p) {
    case p_unset:
      break;
    case p_no:
      prof.store = setting("no");
      break;
    case p_yes:
      prof.store = setting("yes");
      break;
    case p_notify:
      prof.store = setting("notify");
      break;
    case p_fwd_sip:
      prof.store = setting("forward:sip:carol@example.com");
      break;
    case p_fwd_email:
      prof.store = setting("email:bob@mail.example.com");
      break;
    case p_fwd_sms_no_gw:
      prof.store = setting("sms:+15550100");
      break;
    case p_class_excluded:
      prof.store = setting("yes");
      prof.subscriber_class = "basic";
      policy.defaults.store_classes = {"premium", "gold"};
      break;
  }
}

struct concrete_case {
  unsigned reach, directive, profile, accept, quota;
};

auto describe(concrete_case const& c) -> std::string {
  char const* reach = c.reach == unreachable ? "unreachable"
                      : c.reach == busy      ? "busy"
                                             : "reachable";
  static char const* const profiles[] = {
      "unset", "no", "yes", "notify", "forward:sip", "email", "sms (no gateway)", "class excluded"};
  std::size_t pi = 0;
  while ((1u << pi) != c.profile) ++pi;
  return std::string(reach) + " | d: '" + directive_text(c.directive) + "' | profile " +
         profiles[pi] + " | " + (c.accept == accepted ? "accepted" : "not accepted") + " | " +
         (c.quota == room ? "quota room" : "quota full");
}

auto expected_for(concrete_case const& c) -> expectation_row const* {
  for (auto const& row : expectations)
    if ((row.reach & c.reach) && (row.directive & c.directive) && (row.profile & c.profile) &&
        (row.accept & c.accept) && (row.quota & c.quota))
      return &row;
  return nullptr;
}

void run_case(concrete_case const& c) {
  expectation_row const* want = expected_for(c);
  BOOST_REQUIRE_MESSAGE(want != nullptr, "no expectation for " << describe(c));

  default_policy policy;
  policy.defaults.quota_messages = 5;
  recipient_profile prof;
  apply_profile(c.profile, prof, policy);
  prof.accepts = media_ranges::parse("text/plain, image/jpeg").value();
  prof.quota_messages = 2;

  world w(policy);
  w.profile() = prof;
  if (c.reach == reachable) w.online();
  if (c.reach == busy)
    w.directory.set_contacts("sip:bob@example.com", {"sip:bob@192.0.2.7"}, reachability::busy);
  if (c.quota == full) {
    // Two pull messages from earlier: the quota of 2 is used up. Pull, so
    // that a reachable recipient has no push messages to queue behind.
    for (char const* id : {"old-1", "old-2"}) {
      stored_message m;
      m.env.recipient = "sip:bob@example.com";
      m.env.call_id = id;
      m.env.mode = delivery_mode::pull;
      m.env.expires_at = w.clock.now() + std::chrono::hours(1);
      m.bytes = "x";
      BOOST_REQUIRE(w.store.put(m));
    }
  }
  tiny_request r = sipsaf_test::message("call-table", directive_text(c.directive));
  r.content_type = c.accept == accepted ? "text/plain;charset=utf-8" : "image/png";
  r.wire();

  outcome const o = w.engine.on_request(r);
  BOOST_REQUIRE(o.decided.has_value());
  decision const& d = *o.decided;
  int const want_code = want->code == unavailable ? (c.reach == busy ? 486 : 480) : want->code;
  bool const asked = (c.directive & d_sender_notify) != 0 || c.profile == p_notify;
  bool const want_notify = want->notify == note::if_asked && asked;

  BOOST_TEST_CONTEXT(describe(c) << "\n  expected by: " << want->design_rule
                                 << "\n  trace: " << o.log) {
    BOOST_TEST(to_string(d.what) == to_string(want->what));
    BOOST_TEST(d.code == want_code);
    auto const* resp = o.find<respond_action>();
    switch (want->what) {
      case verdict::deliver: {
        BOOST_TEST(resp == nullptr);  // the recipient answers
        auto const* del = o.find<deliver_action>();
        BOOST_REQUIRE(del != nullptr);
        BOOST_TEST(del->live);
        BOOST_TEST(del->contacts.size() == 1u);
        break;
      }
      case verdict::store: {
        auto const* st = o.find<store_action>();
        BOOST_REQUIRE(st != nullptr);
        BOOST_TEST(to_string(st->mode) == to_string(want->mode));
        BOOST_TEST(st->notify == want_notify);
        BOOST_TEST(d.notify == want_notify);
        BOOST_REQUIRE(resp != nullptr);
        BOOST_TEST(resp->code == 202);
        BOOST_TEST(w.store.size() == 1u);
        break;
      }
      case verdict::forward: {
        auto const* fw = o.find<forward_action>();
        BOOST_REQUIRE(fw != nullptr);
        BOOST_TEST(int(fw->target.kind) ==
                   int(c.profile == p_fwd_sip ? forward_kind::sip : forward_kind::email));
        BOOST_REQUIRE(resp != nullptr);
        BOOST_TEST(resp->code == 202);
        BOOST_TEST(w.gateways.entries().size() == 1u);
        BOOST_TEST(w.gateways.entries().at(0).bytes == r.bytes);
        BOOST_TEST(w.store.size() == (c.quota == full ? 2u : 0u));  // nothing new stored
        break;
      }
      case verdict::discard: {
        BOOST_REQUIRE(resp != nullptr);
        BOOST_TEST(resp->code == want_code);
        BOOST_TEST(!resp->reason.empty());
        BOOST_TEST(resp->accept == (want_code == 415 ? "text/plain, image/jpeg" : ""));
        BOOST_TEST(o.find<store_action>() == nullptr);
        BOOST_TEST(o.find<deliver_action>() == nullptr);
        BOOST_TEST(w.store.size() == (c.quota == full ? 2u : 0u));
        break;
      }
      default:
        BOOST_FAIL("unexpected verdict in the table");
        break;
    }
    // Every decision explains itself in one line that names its rule.
    BOOST_TEST(!o.log.empty());
    BOOST_TEST(o.log.find(to_string(d.trace.fired)) == 0u);
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(default_policy_table)

BOOST_AUTO_TEST_CASE(whole_decision_space) {
  std::size_t cases = 0;
  for (unsigned reach : {unreachable, busy, reachable})
    for (unsigned d = 1; d <= d_dns_notify; d <<= 1)
      for (unsigned p = 1; p <= p_class_excluded; p <<= 1)
        for (unsigned a : {accepted, refused})
          for (unsigned q : {room, full}) {
            run_case(concrete_case{reach, d, p, a, q});
            ++cases;
          }
  BOOST_TEST(cases == 768u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(default_policy_rules)

using sipsaf_test::message;

// A few cases outside the table's dimensions, each written out in full.

BOOST_AUTO_TEST_CASE(typing_indicators_are_never_stored) {
  world w;
  auto r = message("typing", "store-and-forward-if-not-reached");
  r.content_type = "application/im-iscomposing+xml";
  r.wire();
  auto o = w.engine.on_request(r);
  BOOST_TEST(to_string(o.decided->what) == "discard");
  BOOST_TEST(o.decided->code == 480);
  BOOST_TEST(o.decided->trace.fired == rule::typing_indicator);
  BOOST_TEST(w.store.size() == 0u);
}

BOOST_AUTO_TEST_CASE(a_request_over_the_size_limit_gets_413) {
  default_policy p;
  p.defaults.max_message_bytes = 1000;
  world w(p);
  auto r = message("big", "store-and-forward-if-not-reached", std::string(2000, 'x'));
  auto o = w.engine.on_request(r);
  BOOST_TEST(o.decided->code == 413);
  BOOST_TEST(o.decided->trace.fired == rule::too_large);
  BOOST_TEST(o.log.find("the limit is 1000") != std::string::npos, o.log);
}

BOOST_AUTO_TEST_CASE(the_byte_quota_counts_this_request) {
  world w;
  w.profile().quota_bytes = 1500;
  auto first = message("q1", "", std::string(600, 'a'));
  BOOST_TEST(w.engine.on_request(first).decided->code == 202);
  auto second = message("q2", "", std::string(600, 'b'));
  auto o = w.engine.on_request(second);
  BOOST_TEST(o.decided->code == 480);
  BOOST_TEST(o.decided->reason == "Mailbox Full");
  BOOST_TEST(o.decided->trace.fired == rule::quota_bytes);
}

BOOST_AUTO_TEST_CASE(invite_with_a_body_is_stored_but_never_answered_2xx) {
  world w;
  auto r = message("inv", "store-and-forward-if-not-reached", "v=0\r\n");
  r.method = "INVITE";
  r.content_type = "application/sdp";
  r.wire();
  auto o = w.engine.on_request(r);
  BOOST_TEST(to_string(o.decided->what) == "store");
  BOOST_TEST(o.decided->code == 480);
  BOOST_TEST(o.decided->reason == "Payload Stored");
  r.body.clear();
  r.call_id = "inv-2";
  r.wire();
  o = w.engine.on_request(r);  // no body: not the service's business
  BOOST_TEST(to_string(o.decided->what) == "not handled");
  BOOST_TEST(o.actions.empty());
}

BOOST_AUTO_TEST_CASE(a_forward_the_gateway_refuses_is_kept_instead) {
  world w;
  w.profile().store = parse_store_and_forward("email:bob@mail.example.com").value();
  w.gateways.fail_next();
  auto o = w.engine.on_request(message("fw", ""));
  BOOST_TEST(to_string(o.decided->what) == "store");
  BOOST_TEST(o.decided->trace.forward_unavailable);
  BOOST_TEST(o.find<fault_action>() != nullptr);
  BOOST_TEST(o.find<respond_action>()->code == 202);
  BOOST_TEST(w.store.size() == 1u);
}

BOOST_AUTO_TEST_CASE(bad_headers_get_400_with_the_reason) {
  world w;
  auto r = message("bad", "store, do-not-store");
  auto o = w.engine.on_request(r);
  BOOST_TEST(o.decided->code == 400);
  BOOST_TEST(o.decided->trace.fired == rule::bad_request);
  BOOST_TEST(o.log.find("Request-Disposition does not parse") != std::string::npos, o.log);
  r = message("bad-ct", "");
  r.content_type = "text/";
  r.wire();
  o = w.engine.on_request(r);
  BOOST_TEST(o.decided->code == 400);
  BOOST_TEST(o.log.find("Content-Type does not parse") != std::string::npos, o.log);
}

BOOST_AUTO_TEST_CASE(an_unknown_recipient_gets_404) {
  world w;
  auto r = message("who", "");
  r.to_uri = "sip:nobody@example.com";
  r.wire();
  auto o = w.engine.on_request(r);
  BOOST_TEST(o.decided->code == 404);
  BOOST_TEST(o.find<respond_action>()->code == 404);
}

// Rule 2 for multipart payloads (RFC 2046 §5.1, RFC 5621): the payload types
// are the parts' types, unless the multipart type is listed itself.
std::string part(std::string const& type, std::string const& body) {
  return "Content-Type: " + type + "\r\n\r\n" + body;
}
std::string multipart(std::string const& boundary, std::vector<std::string> const& parts) {
  std::string s;
  for (auto const& p : parts) s += "--" + boundary + "\r\n" + p + "\r\n";
  return s + "--" + boundary + "--\r\n";
}

struct multipart_row {
  char const* name;
  char const* accepts;
  std::string content_type, body;
  int code;
  char const* log_has;  // a piece of the trace line
};

BOOST_AUTO_TEST_CASE(multipart_payloads_are_judged_by_their_parts) {
  std::string const text = part("text/plain", "hi"), jpeg = part("image/jpeg", "JFIF"),
                    midi = part("audio/midi", "MThd");
  std::string const inner = multipart("in", {text, midi});
  multipart_row const rows[] = {
      {"mixed, every part accepted", "text/plain, image/*", "multipart/mixed;boundary=b1",
       multipart("b1", {text, jpeg}), 202, "202 Accepted"},
      {"mixed, a part refused", "text/plain, image/*", "multipart/mixed;boundary=b1",
       multipart("b1", {text, midi}), 415,
       "payload 'multipart/mixed;boundary=b1': part 2 'audio/midi' is not among the accepted "
       "types 'text/plain, image/*'"},
      {"a part without Content-Type is text/plain", "text/plain", "multipart/mixed;boundary=b1",
       multipart("b1", {"\r\nhi", text}), 202, "202 Accepted"},
      {"nested, accepted", "text/plain, image/*", "multipart/mixed;boundary=b1",
       multipart("b1", {jpeg, part("multipart/related;boundary=in", multipart("in", {text}))}), 202,
       "202 Accepted"},
      {"nested, refused deep down", "text/plain, image/*", "multipart/mixed;boundary=b1",
       multipart("b1", {jpeg, part("multipart/mixed;boundary=in", inner)}), 415,
       "part 2.2 'audio/midi' is not among"},
      {"nested multipart listed itself", "text/plain, image/*, multipart/related",
       "multipart/mixed;boundary=b1",
       multipart("b1", {jpeg, part("multipart/related;boundary=in", inner)}), 202, "202 Accepted"},
      {"alternative, one accepted", "text/plain", "multipart/alternative;boundary=b1",
       multipart("b1", {midi, text}), 202, "202 Accepted"},
      {"alternative, none accepted", "text/plain", "multipart/alternative;boundary=b1",
       multipart("b1", {midi, jpeg}), 415,
       "no alternative is accepted, part 1 'audio/midi' is not among"},
      {"multipart/mixed listed: parts not looked at", "text/plain, multipart/mixed",
       "multipart/mixed;boundary=b1", multipart("b1", {midi}), 202, "202 Accepted"},
      {"multipart/* listed", "text/plain, multipart/*", "multipart/mixed;boundary=b1",
       "not a multipart body", 202, "202 Accepted"},
      {"multipart/mixed refused with q=0", "multipart/mixed;q=0, */*",
       "multipart/mixed;boundary=b1", multipart("b1", {text}), 415,
       "payload 'multipart/mixed;boundary=b1' is not among"},
      {"no closing delimiter", "text/plain", "multipart/mixed;boundary=b1",
       "--b1\r\n" + text + "\r\n", 400, "bad request: the multipart body does not parse: "},
      {"no boundary", "text/plain", "multipart/mixed", multipart("b1", {text}), 400,
       "the multipart body does not parse: "},
      {"not multipart: refused as before", "text/plain", "audio/midi", "MThd", 415,
       "payload 'audio/midi' is not among"},
  };
  int n = 0;
  for (auto const& row : rows) {
    BOOST_TEST_CONTEXT(row.name) {
      world w;
      w.profile().accepts = media_ranges::parse(row.accepts).value();
      auto r = message("mp-" + std::to_string(++n), "", row.body);
      r.content_type = row.content_type;
      r.wire();
      auto o = w.engine.on_request(r);
      BOOST_TEST(o.decided->code == row.code, o.log);
      BOOST_TEST(o.find<respond_action>()->code == row.code);
      BOOST_TEST(o.log.find(row.log_has) != std::string::npos, o.log);
      BOOST_TEST(w.store.size() == (row.code == 202 ? 1u : 0u));
      if (row.code == 415) BOOST_TEST(o.find<respond_action>()->accept == row.accepts);
    }
  }
}

BOOST_AUTO_TEST_CASE(traces_read_well) {
  world w;
  w.profile().accepts = media_ranges::parse("text/plain").value();
  auto r = message("t1", "store-and-forward-if-not-reached, notify");
  r.content_type = "image/png";
  r.wire();
  auto o = w.engine.on_request(r);
  BOOST_TEST(o.log ==
                 "rule 2 (media type): sip:bob@example.com is unreachable; payload 'image/png' "
                 "is not among the accepted types 'text/plain' (profile) -> discard, 415 "
                 "Unsupported Media Type (Accept: text/plain)",
             o.log);
  w.profile().accepts.reset();
  o = w.engine.on_request(message("t2", "do-not-store"));
  BOOST_TEST(o.log ==
                 "rule 1 (do-not-store): sip:bob@example.com is unreachable; the sender said "
                 "do-not-store (Request-Disposition: do-not-store) -> discard, 480 Temporarily "
                 "Unavailable",
             o.log);
}

BOOST_AUTO_TEST_SUITE_END()
