// Copyright 2026 The tracktry-grpc Authors.
//
// WaitUntil: polls a condition until it holds or a timeout passes. For
// tests that wait on state changed by other threads or processes (no
// callback to wait on). Header-only, test-only.
#ifndef TRACKTRY_TESTS_TESTING_WAIT_UNTIL_H_
#define TRACKTRY_TESTS_TESTING_WAIT_UNTIL_H_

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace tracktry::testing {

// Waits up to `timeout` for `condition`, polling every `poll`; the last
// answer of `condition`.
template <typename Condition>
bool WaitUntil(Condition condition, absl::Duration timeout = absl::Seconds(20),
               absl::Duration poll = absl::Milliseconds(5)) {
  const absl::Time end = absl::Now() + timeout;
  while (absl::Now() < end) {
    if (condition()) return true;
    absl::SleepFor(poll);
  }
  return condition();
}

}  // namespace tracktry::testing

#endif  // TRACKTRY_TESTS_TESTING_WAIT_UNTIL_H_
