// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_GRAMMAR_DETAIL_FAILURE_HPP
#define SIPSAF_GRAMMAR_DETAIL_FAILURE_HPP

#include <sipsaf/error.hpp>

SIPSAF_BEGIN_NAMESPACE
namespace grammar {
namespace detail {

/// Thrown inside a grammar at a point of no return (an expectation that
/// failed, a conflict found by a semantic action) and caught by `run()`,
/// the single entry point: it never leaves sipsaf.
struct failure {
  errc code;
  char const* where;
};

}  // namespace detail
}  // namespace grammar
SIPSAF_END_NAMESPACE

#endif
