// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_POLICY_MODELS_HPP
#define SIPSAF_POLICY_MODELS_HPP

/// @file
/// Kept for programs written against earlier versions: the models live in
/// <sipsaf/testing/models.hpp>.

#include <sipsaf/testing/models.hpp>

#endif  // SIPSAF_POLICY_MODELS_HPP
