// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_HPP
#define SIPSAF_HPP

/// @file
/// Everything public in sipsaf. Opt-in headers that need more than Boost and
/// fmt are not included here: <sipsaf/store/sqlite_store.hpp> (libsqlite3).

#include <sipsaf/ascii.hpp>
#include <sipsaf/config.hpp>
#include <sipsaf/error.hpp>
#include <sipsaf/gateway.hpp>
#include <sipsaf/message.hpp>
#include <sipsaf/mime.hpp>
#include <sipsaf/policy.hpp>
#include <sipsaf/reason_phrase.hpp>
#include <sipsaf/result.hpp>
#include <sipsaf/rfc3841/request_disposition.hpp>
#include <sipsaf/store.hpp>
#include <sipsaf/time.hpp>

#endif  // SIPSAF_HPP
