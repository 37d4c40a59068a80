// Copyright 2026 The tracktry-grpc Authors.
//
// What the tests of fleet mode's parts (tests/fleet/) share: the fleet
// harness (a throw-away Redis and Fleet instances on it), the status
// matchers, and their names in namespace tracktry::fleet.
// Test-only: include it from a test's .cc file, never from a header.
#ifndef TRACKTRY_TESTS_TESTING_FLEET_TEST_PRELUDE_H_
#define TRACKTRY_TESTS_TESTING_FLEET_TEST_PRELUDE_H_

#include "tests/testing/fleet_harness.h"
#include "tests/testing/status_matchers.h"

namespace tracktry::fleet {

using testing::Delivered;
using testing::FleetHarness;
using testing::IsOk;
using testing::WaitUntil;

}  // namespace tracktry::fleet

#endif  // TRACKTRY_TESTS_TESTING_FLEET_TEST_PRELUDE_H_
