// Copyright 2026 The tracktry-grpc Authors.
//
// DirectEngine::Poll() ends at its deadline to the microsecond (see
// poll_deadline_check.h for why the load generator needs that).
#include "bench/direct_engine.h"

#include "bench/loadgen_options.h"
#include "gtest/gtest.h"
#include "tests/bench/poll_deadline_check.h"

namespace tracktry::bench {
namespace {

TEST(DirectEngineTest, PollWithNothingInFlightEndsAtItsDeadline) {
  LoadgenOptions options;
  options.direct = true;
  options.upstream = "http://127.0.0.1:1/v1";  // never called
  options.api_key = "test-key";
  DirectEngine engine(options);
  ExpectPollEndsAtDeadline(engine);
}

}  // namespace
}  // namespace tracktry::bench
