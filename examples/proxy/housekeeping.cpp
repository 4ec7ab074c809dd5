// Housekeeping and shutdown: forgetting finished transactions, expiring
// registrations, and a graceful stop that lets work under way finish.
#include "proxy.hpp"
#include "transactions.hpp"

#include "log.hpp"

namespace proxy {

void proxy_core::sweep() {
  auto const now = steady::now();
  // What the log left out in a flood that has ended.
  for (auto const& [k, n] : log_limit_.take_reports(now))
    log::warn("{} more lines of kind '{}' not logged in the last second", n, k);
  // Answered transactions leave in the order they were answered, after
  // Timer J (64*T1 on UDP, RFC 3261 §17.2.2; at once on TCP, kept a moment).
  while (!answered_.empty()) {
    auto it = server_.find(answered_.front());
    if (it == server_.end()) {
      answered_.pop_front();
      continue;
    }
    server_txn const& s = *it->second;
    auto const linger = s.source.kind == transport_kind::udp ? 64 * cfg_.t1 : cfg_.t1;
    if (now - s.finished <= linger || forks_.count(s.fork) != 0) break;
    server_.erase(it);
    answered_.pop_front();
  }
  // Now and then, anything stuck without an answer for 5 minutes goes too.
  if (now - last_full_sweep_ > std::chrono::minutes(1)) {
    last_full_sweep_ = now;
    for (auto it = server_.begin(); it != server_.end();) {
      server_txn const& s = *it->second;
      bool const stuck = now - s.created > std::chrono::minutes(5) && forks_.count(s.fork) == 0;
      it = stuck ? server_.erase(it) : std::next(it);
    }
  }
  for (auto it = client_.begin(); it != client_.end();)
    it = (it->second->completed && now >= it->second->linger_until) ? client_.erase(it)
                                                                    : std::next(it);
  // The completion order names each completed transaction once: drop the
  // names of those gone.
  while (!completed_.empty() && client_.count(completed_.front()) == 0) completed_.pop_front();
  if (completed_.size() > 2 * client_.size() + 1024) {
    std::deque<std::string> kept;
    for (auto& key : completed_)
      if (auto it = client_.find(key); it != client_.end() && it->second->completed)
        kept.push_back(std::move(key));
    completed_.swap(kept);
  }
  for (auto const& aor : reg_.sweep(now)) {
    sipsaf::outcome o;
    engine_->on_reachable(aor, o);
    apply(o, nullptr, nullptr, aor + " worth trying again");
  }
  sweep_timer_.expires_after(std::chrono::milliseconds(500));
  sweep_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) sweep();
  });
}

void proxy_core::shutdown(std::chrono::milliseconds grace, std::function<void()> done) {
  stopping_ = true;
  tr_.stop_receiving();
  log::info("shutting down: {} requests under way", forks_.size());
  shutdown_done_ = std::move(done);
  shutdown_deadline_ = steady::now() + grace;
  shutdown_timer_ = std::make_unique<asio::steady_timer>(io_);
  shutdown_step();
}

void proxy_core::shutdown_step() {
  auto const now = steady::now();
  if (!flushing_) {
    bool idle = true;
    for (auto const& f : forks_)
      if (f.second->pending > 0) idle = false;
    if (!idle && now < shutdown_deadline_) {
      shutdown_timer_->expires_after(std::chrono::milliseconds(50));
      shutdown_timer_->async_wait([this](boost::system::error_code ec) {
        if (!ec) shutdown_step();
      });
      return;
    }
    // What did not finish in time: a live delivery is decided as not
    // reached (stored, then 202), anything else is answered as unanswered.
    // Stored messages stay stored and are tried again after the restart.
    std::vector<std::uint64_t> ids;
    for (auto const& f : forks_) ids.push_back(f.first);
    for (auto id : ids) {
      auto it = forks_.find(id);
      if (it == forks_.end()) continue;
      for (auto const& k : it->second->branches) {
        auto c = client_.find(k);
        if (c != client_.end()) c->second->completed = true;
      }
      it->second->pending = 0;
      it->second->timeouts = true;
      fork_maybe_done(id);
    }
    engine_timer_.cancel();
    sweep_timer_.cancel();
    flushing_ = true;
    flush_deadline_ = now + std::chrono::seconds(2);
  }
  if (tr_.pending_writes() == 0 || now >= flush_deadline_) {
    log::info("shut down; {} messages stored in this run ({} in {} group commits)", stats_.stored,
              stats_.batched, stats_.commits);
    auto done = std::move(shutdown_done_);
    shutdown_done_ = nullptr;
    if (done) done();
    return;
  }
  shutdown_timer_->expires_after(std::chrono::milliseconds(50));
  shutdown_timer_->async_wait([this](boost::system::error_code ec) {
    if (!ec) shutdown_step();
  });
}

}  // namespace proxy
