// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_POLICY_HPP
#define SIPSAF_POLICY_HPP

/// @file
/// The store/forward policy engine: the recipient profile, the default
/// decision order with its traces, the sans-I/O engine with its actions,
/// the named requirements of its parameters, the sender notifications
/// (IMDN, NOTIFY), and `message_view` as a request the engine takes and as
/// the messages its actions ask for. Ready-made models of the requirements
/// for tests and simulations are in <sipsaf/testing/models.hpp>.

#include <sipsaf/policy/action.hpp>
#include <sipsaf/policy/decision.hpp>
#include <sipsaf/policy/default_policy.hpp>
#include <sipsaf/policy/engine.hpp>
#include <sipsaf/policy/message_view_request.hpp>
#include <sipsaf/policy/notification.hpp>
#include <sipsaf/policy/profile.hpp>
#include <sipsaf/policy/render.hpp>
#include <sipsaf/policy/request.hpp>
#include <sipsaf/policy/requirements.hpp>

#endif  // SIPSAF_POLICY_HPP
