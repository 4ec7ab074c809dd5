// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_STORE_IMPL_MEMORY_STORE_IPP
#define SIPSAF_STORE_IMPL_MEMORY_STORE_IPP

#include <sipsaf/store/memory_store.hpp>

SIPSAF_BEGIN_NAMESPACE

SIPSAF_DECL auto memory_store::put(stored_message const& m) -> result<message_id, std::error_code> {
  if (message_id const dup = find_id(m.env.key())) return dup;
  auto rec = std::make_unique<stored_message>(m);
  message_id const id = ++last_id_;
  rec->env.id = id;
  rec->env.size = rec->bytes.size();
  stored_message* const p = rec.get();
  messages_.emplace(id, std::move(rec));
  by_key_.emplace(hash_value(p->env.key()), p);
  recipient_entry& r = recipient(p->env.recipient);
  r.ids.insert(id);
  r.use.messages += 1;
  r.use.bytes += p->env.size;
  if (p->env.mode == delivery_mode::push) r.use.push_messages += 1;
  if (p->env.next_attempt) due_.emplace(*p->env.next_attempt, id);
  expiry_.emplace(p->env.expires_at, id);
  return id;
}

SIPSAF_DECL auto memory_store::get(message_id id)
    -> result<std::optional<stored_message>, std::error_code> {
  auto it = messages_.find(id);
  if (it == messages_.end()) return std::optional<stored_message>{};
  return std::optional<stored_message>(*it->second);
}

SIPSAF_DECL auto memory_store::erase(message_id id) -> result<bool, std::error_code> {
  auto it = messages_.find(id);
  if (it == messages_.end()) return false;
  stored_message* const p = it->second.get();
  auto range = by_key_.equal_range(hash_value(p->env.key()));
  for (auto k = range.first; k != range.second; ++k) {
    if (k->second == p) {
      by_key_.erase(k);
      break;
    }
  }
  auto r = recipients_.find(std::string_view(p->env.recipient));
  if (r != recipients_.end()) {
    recipient_entry& e = *r->second;
    e.ids.erase(id);
    e.use.messages -= 1;
    e.use.bytes -= p->env.size;
    if (p->env.mode == delivery_mode::push) e.use.push_messages -= 1;
    if (e.ids.empty()) recipients_.erase(r);
  }
  if (p->env.next_attempt) due_.erase({*p->env.next_attempt, id});
  expiry_.erase({p->env.expires_at, id});
  messages_.erase(it);
  return true;
}

SIPSAF_DECL auto memory_store::find(message_key const& k)
    -> result<std::optional<message_id>, std::error_code> {
  message_id const id = find_id(k);
  return id != 0 ? std::optional<message_id>(id) : std::nullopt;
}

SIPSAF_DECL auto memory_store::usage(std::string_view recipient)
    -> result<store_usage, std::error_code> {
  auto r = recipients_.find(recipient);
  if (r == recipients_.end()) return store_usage{};
  return r->second->use;
}

SIPSAF_DECL auto memory_store::list(std::string_view recipient, delivery_mode mode,
                                    std::size_t limit)
    -> result<std::vector<envelope>, std::error_code> {
  std::vector<envelope> out;
  auto r = recipients_.find(recipient);
  if (r == recipients_.end()) return out;
  for (message_id id : r->second->ids) {
    if (out.size() >= limit) break;
    stored_message const& m = *messages_.at(id);
    if (m.env.mode == mode) out.push_back(m.env);
  }
  return out;
}

SIPSAF_DECL auto memory_store::reschedule(message_id id, std::optional<timestamp> next,
                                          std::uint32_t attempts) -> result<bool, std::error_code> {
  auto it = messages_.find(id);
  if (it == messages_.end()) return false;
  envelope& e = it->second->env;
  if (e.next_attempt) due_.erase({*e.next_attempt, id});
  e.next_attempt = next;
  e.attempts = attempts;
  if (next) due_.emplace(*next, id);
  return true;
}

SIPSAF_DECL auto memory_store::due(timestamp now, std::size_t limit)
    -> result<std::vector<envelope>, std::error_code> {
  return collect(due_, now, limit);
}

SIPSAF_DECL auto memory_store::expired(timestamp now, std::size_t limit)
    -> result<std::vector<envelope>, std::error_code> {
  return collect(expiry_, now, limit);
}

SIPSAF_DECL auto memory_store::next_due() -> result<std::optional<timestamp>, std::error_code> {
  std::optional<timestamp> t;
  if (!due_.empty()) t = due_.begin()->first;
  if (!expiry_.empty() && (!t || expiry_.begin()->first < *t)) t = expiry_.begin()->first;
  return t;
}

SIPSAF_DECL auto memory_store::find_id(message_key const& k) const -> message_id {
  auto range = by_key_.equal_range(hash_value(k));
  for (auto it = range.first; it != range.second; ++it)
    if (it->second->env.key() == k) return it->second->env.id;
  return 0;
}

SIPSAF_DECL auto memory_store::recipient(std::string const& key) -> recipient_entry& {
  auto it = recipients_.find(std::string_view(key));
  if (it != recipients_.end()) return *it->second;
  auto e = std::make_unique<recipient_entry>();
  e->key = key;
  std::string_view const view = e->key;  // points into the entry, which never moves
  return *recipients_.emplace(view, std::move(e)).first->second;
}

SIPSAF_DECL auto memory_store::collect(schedule const& s, timestamp now, std::size_t limit) const
    -> std::vector<envelope> {
  std::vector<envelope> out;
  for (auto it = s.begin(); it != s.end() && it->first <= now && out.size() < limit; ++it)
    out.push_back(messages_.at(it->second)->env);
  return out;
}

SIPSAF_END_NAMESPACE

#endif  // SIPSAF_STORE_IMPL_MEMORY_STORE_IPP
