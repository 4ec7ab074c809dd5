// The gateways in the proxy: what the engine hands to an e-mail, MMS or SMS
// target is queued in the store under the target's key (`email:ADDRESS`,
// `mms:+NUMBER`, `sms:+NUMBER`), a recipient that is always reachable through its gateway.
// The engine then delivers it like any stored message: one attempt at a
// time, retried with its backoff on a transient failure (503), dropped with
// the sender told on a permanent one (502), until it is sent or expires.
// The sender hears "processed" when the gateway took it.
#include "gateways.hpp"
#include "proxy.hpp"
#include "transactions.hpp"

#include "log.hpp"
#include "sip_util.hpp"

#include <boost/asio/post.hpp>

#ifdef SIPSAF_PROXY_HAS_CURL
#include <curl/curl.h>
#endif

namespace proxy {

using sipsaf::field;

// --- the worker thread ----------------------------------------------------------

gateway_worker::gateway_worker(boost::asio::io_context& io) : io_(io) {
#ifdef SIPSAF_PROXY_HAS_CURL
  // Before any other thread exists (curl_global_init is not thread-safe).
  static bool const once = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  (void)once;
#endif
  thread_ = std::thread([this] { run(); });
}

gateway_worker::~gateway_worker() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void gateway_worker::submit(std::function<gateway_result(std::atomic<bool> const&)> job,
                            std::function<void(gateway_result)> done) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    jobs_.emplace_back(std::move(job), std::move(done));
  }
  wake_.notify_one();
}

void gateway_worker::run() {
  for (;;) {
    std::unique_lock<std::mutex> lock(mutex_);
    wake_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
    if (stop_) return;
    auto next = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    gateway_result r = next.first(stop_);
    if (stop_) return;  // cancelled: the message stays stored for the next start
    boost::asio::post(
        io_, [done = std::move(next.second), r = std::move(r)]() mutable { done(std::move(r)); });
  }
}

// --- the directory's gateway recipients ----------------------------------------

auto directory::gateway(std::string_view key) -> sipsaf::recipient const* {
  std::size_t const colon = key.find(':');
  auto kind = sipsaf::parse_store_and_forward(key);
  if (!kind || !kind->target || colon == std::string_view::npos) return nullptr;
  if ((gateway_kinds_ & (1u << static_cast<unsigned>(kind->target->kind))) == 0) return nullptr;
  scratch_ = sipsaf::recipient{};
  scratch_.key = std::string(key);
  scratch_.reach = sipsaf::reachability::reachable;
  scratch_.contacts = {scratch_.key};
  // Kept and sent on, the sender told the outcome; any type (the
  // conversion decides what an attachment becomes).
  scratch_.profile.store.setting = sipsaf::store_setting::notify;
  scratch_.profile.accepts = sipsaf::media_ranges::parse("*/*").value();
  return &scratch_;
}

// --- hand-off and delivery -----------------------------------------------------------

namespace {

/// "GSM-7, 3 segments, 400 septets" for the trace.
auto describe(sipsaf::sms_message const& m) -> std::string {
  bool const gsm = m.encoding == sipsaf::sms_encoding::gsm7;
  std::size_t const n = m.segments.size();
  return std::string(sipsaf::to_string(m.encoding)) + ", " + std::to_string(n) + " segment" +
         (n == 1 ? "" : "s") + ", " + std::to_string(m.units) +
         (gsm ? " septets" : " UCS-2 units") + (m.truncated ? ", truncated" : "");
}

}  // namespace

void proxy_core::hand_to_gateway(sip_gateways::handoff const& h) {
  std::string const key = sipsaf::to_string(sipsaf::forward_target{h.kind, h.target});
  auto orig = sipsaf::parse_message(h.bytes);
  auto from = orig ? orig->from() : sipsaf::result<sipsaf::name_addr>(sipsaf::parse_error{});
  auto cseq = orig ? orig->cseq() : sipsaf::result<sipsaf::cseq_value>(sipsaf::parse_error{});
  auto call_id = orig ? orig->call_id() : sipsaf::result<std::string_view>(sipsaf::parse_error{});
  if (!orig || !from || !cseq || !call_id) return;
  std::string const what = "forward of " + std::string(*call_id) + " to " + key;
  // The queued copy keeps Call-ID and CSeq (the sender's notification names
  // them) but gets a From tag of its own: it must not be taken for a
  // duplicate of the request it copies, which the engine counts as done.
  std::string_view const from_value = orig->header(field::from).value_or("");
  std::string from_row(from_value);
  if (!from->tag.empty()) {
    from_row.insert(
        static_cast<std::size_t>(from->tag.data() + from->tag.size() - from_value.data()), ".gw");
  } else {
    from_row += ";tag=gw";
  }
  sipsaf::request_builder b("MESSAGE", orig->request_uri());
  b.max_forwards(70);
  b.header("From", from_row);
  b.header("To", orig->header(field::to).value_or(""));
  b.call_id(*call_id).cseq(cseq->number);
  for (auto const& row : orig->headers()) {
    switch (row.id) {
      case field::date:
      case field::expires:
      case field::subject:
      case field::content_disposition:
        b.header(sipsaf::field_name(row.id), row.value);
        break;
      case field::unknown:
        b.header(row.name, row.value);
        break;
      default:
        break;
    }
  }
  b.header("Request-Disposition", "store-and-forward-if-not-reached");
  b.body(orig->header(field::content_type).value_or("text/plain"), orig->body());
  auto bytes = b.build();
  if (!bytes) {
    log::error("{}: cannot be written: {}", what, bytes.error().message());
    return;
  }
  auto copy = sipsaf::parse_message(*bytes);
  sipsaf::recipient const* gw = dir_.lookup(key);
  if (!copy || gw == nullptr) {
    log::error("{}: no gateway takes it", what);
    return;
  }
  if (h.kind == sipsaf::forward_kind::sms) {
    if (auto content = sipsaf::sms_content_of(*copy)) {
      sipsaf::sms_options so;
      so.max_segments = cfg_.gateways.sms_max_segments;
      log::info("{}: SMS gateway {}: {}", what,
                cfg_.gateways.sms_url.substr(0, cfg_.gateways.sms_url.find('?')),
                describe(sipsaf::segment_sms(*content, so)));
    }
  } else if (h.kind == sipsaf::forward_kind::email) {
    log::info("{}: e-mail gateway {}", what, cfg_.gateways.smtp_url);
  } else if (h.kind == sipsaf::forward_kind::mms) {
    log::info("{}: MMS gateway (MM4) {} to {}", what, cfg_.gateways.smtp_url,
              cfg_.gateways.mms_domain);
  }
  sipsaf::recipient who = *gw;
  who.reach = sipsaf::reachability::unreachable;  // stored first, then sent
  sipsaf::outcome o;
  engine_->on_request(*copy, who, o);
  apply(o, nullptr, nullptr, what);
  if (o.find<sipsaf::store_action>() == nullptr) return;
  sipsaf::outcome now;
  engine_->on_reachable(key, now);
  apply(now, nullptr, nullptr, key);
}

void proxy_core::deliver_by_gateway(sipsaf::deliver_action const& a) {
  std::string const what =
      a.recipient + ": #" + std::to_string(a.message) + " attempt " + std::to_string(a.attempt);
  auto const id = a.id;
  auto report = [this, id, what](std::string const& how, gateway_result const& r) {
    log::info("{} {}: {}", what, how, r.detail);
    sipsaf::outcome o;
    engine_->on_delivery_result(id, r.sip_code(), o);
    apply(o, nullptr, nullptr, what);
  };
  auto fail_now = [&](std::string why) {
    asio::post(io_, [report, why] {
      report("not sent", gateway_result{gateway_result::kind::permanent, why});
    });
  };
  auto m = sipsaf::parse_message(a.bytes);
  if (!m) return fail_now("the stored request does not parse: " + m.error().message());
  std::string const address = a.recipient.substr(a.recipient.find(':') + 1);
  bool const mms = a.recipient.rfind("mms:", 0) == 0 && !cfg_.gateways.mms_domain.empty();
  if ((a.recipient.rfind("email:", 0) == 0 || mms) && !cfg_.gateways.smtp_url.empty()) {
    sipsaf::mail_options mo;
    mo.to = address;
    mo.message_id_domain = cfg_.domain;
    if (auto got = engine_->store().get(a.message); got && *got)
      mo.date =
          std::chrono::duration_cast<std::chrono::seconds>((*got)->env.arrived.time_since_epoch())
              .count();
    sipsaf::result<sipsaf::internet_message> mail = sipsaf::internet_message{};
    if (mms) {  // MM4 is mail too (3GPP TS 23.140 §8.4): the same MTA, retries and outcome
      sipsaf::mm4_options m4;
      m4.recipient_domain = cfg_.gateways.mms_domain;
      m4.originator_domain = cfg_.domain;
      m4.mail = std::move(mo);
      mail = sipsaf::to_mm4_forward(*m, address, m4);
    } else {
      mail = sipsaf::to_internet_message(*m, mo);
    }
    if (!mail)
      return fail_now(std::string("cannot be written as ") + (mms ? "MM4" : "e-mail") + ": " +
                      mail.error().message());
    std::string const how = std::string(mms ? "by MM4 " : "") + "through " +
                            cfg_.gateways.smtp_url + " from " + mail->from + " to " + mail->to;
    worker_->submit([cfg = cfg_.gateways, mail = std::move(*mail)](
                        std::atomic<bool> const& stop) { return send_mail(cfg, mail, stop); },
                    [report, how](gateway_result r) { report(how, r); });
    return;
  }
  if (a.recipient.rfind("sms:", 0) == 0 && !cfg_.gateways.sms_url.empty()) {
    auto content = sipsaf::sms_content_of(*m);
    if (!content) return fail_now("cannot be written as SMS: " + content.error().message());
    sipsaf::sms_options so;
    so.max_segments = cfg_.gateways.sms_max_segments;
    auto sms = sipsaf::segment_sms(*content, so);
    std::string const how = "by SMS (" + describe(sms) + ")";
    auto const reference = static_cast<std::uint8_t>(a.message);
    worker_->submit(
        [cfg = cfg_.gateways, number = address, sms = std::move(sms), reference](
            std::atomic<bool> const& stop) { return send_sms(cfg, number, sms, reference, stop); },
        [report, how](gateway_result r) { report(how, r); });
    return;
  }
  fail_now("no gateway for " + a.recipient + " is configured");
}

}  // namespace proxy
