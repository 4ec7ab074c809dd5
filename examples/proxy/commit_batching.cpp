// Group commit: what is sent while a batch is open waits until the batch's
// stored messages are durable (a 202 never promises what a crash could lose).
#include "proxy.hpp"
#include "transactions.hpp"

#include "log.hpp"

namespace proxy {

void proxy_core::send(peer const& to, std::string bytes,
                      std::function<void(std::error_code)> on_error, std::string durable_key) {
  if (batch_depth_ > 0) {
    held_.push_back(held_send{to, std::move(bytes), std::move(on_error), std::move(durable_key)});
    return;
  }
  tr_.send(to, std::move(bytes), std::move(on_error));
}

void proxy_core::batch_begin() {
  log::hold();
  if (batch_depth_ == 0) batch_started_ = steady::now();
  if (batch_depth_++ == 0)
    if (auto ec = store_.begin_batch()) log::error("store: cannot begin a batch: {}", ec.message());
}

void proxy_core::batch_end() {
  if (--batch_depth_ > 0) {
    log::release();
    return;
  }
  auto const t_commit = steady::now();
  auto const ec = store_.commit_batch();
  if (batch_stores_ > 0) {
    auto const us = [](steady::duration d) {
      return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
    };
    log::debug("batch: {} stored; handling took {} us, the commit {} us", batch_stores_,
               us(t_commit - batch_started_), us(steady::now() - t_commit));
    ++stats_.commits;
    stats_.batched += batch_stores_;
    batch_stores_ = 0;
  }
  std::vector<held_send> held = std::move(held_);
  held_.clear();
  std::size_t refused = 0;
  tr_.hold_datagrams();  // the batch's answers leave together
  for (auto& h : held) {
    if (ec && !h.durable_key.empty()) {
      // The store did not make it durable: the 202 must not go out.
      auto it = server_.find(h.durable_key);
      if (it != server_.end()) {
        ++refused;
        respond_store_failed(*it->second);
        continue;
      }
    }
    tr_.send(h.to, std::move(h.bytes), std::move(h.on_error));
  }
  tr_.flush_datagrams();
  if (ec)
    log::error("store: commit failed: {}; {} answers became 500 or 503", ec.message(), refused);
  log::release();
}

}  // namespace proxy
