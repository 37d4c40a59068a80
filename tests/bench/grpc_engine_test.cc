// Copyright 2026 The tracktry-grpc Authors.
//
// GrpcEngine::Poll() ends at its deadline to the microsecond (see
// poll_deadline_check.h for why the load generator needs that).
#include "bench/grpc_engine.h"

#include "bench/loadgen_options.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/bench/poll_deadline_check.h"

namespace tracktry::bench {
namespace {

TEST(GrpcEngineTest, PollWithNothingInFlightEndsAtItsDeadline) {
  LoadgenOptions options;
  options.target = "127.0.0.1:1";  // never called: no calls are started
  GrpcEngine engine(options);
  ExpectPollEndsAtDeadline(engine);
}

}  // namespace
}  // namespace tracktry::bench
