// Copyright 2026 The tracktry-grpc Authors.
//
// What the tests of the UpstreamCaller decorators (tests/upstream/:
// circuit breaker, retrying caller, idempotency store, caching caller)
// share: the fake inner caller's names in namespace tracktry, and
// responders whose answers tell which upstream call they came from.
// Test-only: include it from a test's .cc file, never from a header.
#ifndef TRACKTRY_TESTS_TESTING_UPSTREAM_TEST_PRELUDE_H_
#define TRACKTRY_TESTS_TESTING_UPSTREAM_TEST_PRELUDE_H_

#include "absl/status/statusor.h"
#include "service/translation/envelope.h"
#include "tests/testing/fake_upstream_caller.h"

namespace tracktry {
namespace testing {

// Answers each call with data {"n": <call index>}, so tests can tell which
// upstream call an answer came from.
inline FakeUpstreamCaller::Responder Numbered() {
  return [](const UpstreamRequest&, int index) {
    return FakeUpstreamCaller::Reply{
        absl::StatusOr<Envelope>(OkEnvelope({{"n", index}}))};
  };
}

// Leaves every call hanging (it ends at its deadline).
inline FakeUpstreamCaller::Responder Hanging() {
  return
      [](const UpstreamRequest&, int) { return FakeUpstreamCaller::Reply{}; };
}

// The call index a Numbered() answer carries; -1 for an error, -2 for an
// answer without one.
inline int NumberOf(const absl::StatusOr<Envelope>& result) {
  if (!result.ok()) return -1;
  return result->data().value("n", -2);
}

}  // namespace testing

using testing::FakeUpstreamCaller;
using testing::Hanging;
using testing::HttpError;
using testing::MetaError;
using testing::Numbered;
using testing::NumberOf;
using testing::OkEnvelope;
using testing::RequestFor;
using testing::ResultSlot;
using Reply = testing::FakeUpstreamCaller::Reply;

}  // namespace tracktry

#endif  // TRACKTRY_TESTS_TESTING_UPSTREAM_TEST_PRELUDE_H_
