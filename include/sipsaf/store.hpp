// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_STORE_HPP
#define SIPSAF_STORE_HPP

/// @file
/// Message stores: the stored-message types, the *MessageStore*
/// requirements and `memory_store`. The durable `sqlite_store` needs
/// libsqlite3 and is opt-in: include <sipsaf/store/sqlite_store.hpp>; so is
/// `postgres_store` (libpq, several processes): <sipsaf/store/postgres_store.hpp>.

#include <sipsaf/store/memory_store.hpp>
#include <sipsaf/store/message.hpp>
#include <sipsaf/store/requirements.hpp>

#endif  // SIPSAF_STORE_HPP
