// Copyright 2026 The tracktry-grpc Authors.
//
// What the tests of the API layer's operations (tests/tracktry_api/) share:
// the fake UpstreamCaller, recorded answers, the status slot and matchers,
// their names in namespace tracktry, and the deadline an operation gets.
// Test-only: include it from a test's .cc file, never from a header.
#ifndef TRACKTRY_TESTS_TESTING_API_TEST_PRELUDE_H_
#define TRACKTRY_TESTS_TESTING_API_TEST_PRELUDE_H_

#include "absl/time/time.h"
#include "tests/testing/fake_upstream_caller.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/status_slot.h"
#include "tests/testing/testdata.h"

namespace tracktry {
namespace testing {

// The deadline an operation under test gets (from absl::Now()).
inline constexpr absl::Duration kDeadline = absl::Seconds(5);

}  // namespace testing

using testing::AwaitStatus;
using testing::EnvelopeOf;
using testing::FakeUpstreamCaller;
using testing::HttpError;
using testing::IsOk;
using testing::kDeadline;
using testing::MetaError;
using testing::OkEnvelope;
using testing::StatusIs;
using testing::StatusSlot;

}  // namespace tracktry

#endif  // TRACKTRY_TESTS_TESTING_API_TEST_PRELUDE_H_
