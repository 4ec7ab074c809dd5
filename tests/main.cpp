// The Boost.Test runner, compiled once for every unit-test executable.
#define BOOST_TEST_MODULE sipsaf
#include <boost/test/included/unit_test.hpp>
