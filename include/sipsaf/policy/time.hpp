// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_POLICY_TIME_HPP
#define SIPSAF_POLICY_TIME_HPP

/// @file
/// Kept for programs written against earlier versions: time now lives in
/// <sipsaf/time.hpp>, and `parse_sip_timestamp` beside `parse_sip_date` in
/// <sipsaf/message/header_values.hpp>.

#include <sipsaf/message/header_values.hpp>
#include <sipsaf/time.hpp>

#endif  // SIPSAF_POLICY_TIME_HPP
