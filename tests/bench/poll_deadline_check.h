// Copyright 2026 The tracktry-grpc Authors.
//
// The check shared by grpc_engine_test and direct_engine_test: a CallEngine's
// Poll() must end at its deadline to well under a millisecond. The open loop
// sends each call when Poll() returns, and latency counts from the scheduled
// send, so a wait rounded up to whole milliseconds shows up as up to 1 ms of
// latency that neither the service nor the upstream caused.
#ifndef TRACKTRY_TESTS_BENCH_POLL_DEADLINE_CHECK_H_
#define TRACKTRY_TESTS_BENCH_POLL_DEADLINE_CHECK_H_

#include <algorithm>
#include <cstdint>
#include <vector>

#include "bench/call_engine.h"
#include "gtest/gtest.h"

namespace tracktry::bench {

// `engine` has nothing in flight.
inline void ExpectPollEndsAtDeadline(CallEngine& engine) {
  // A 300 us wait: a millisecond-granular wait would end >= 1 ms after the
  // start, i.e. >= 700 us late.
  constexpr int64_t kWaitNs = 300'000;
  std::vector<int64_t> late_ns;
  for (int i = 0; i < 21; ++i) {
    const int64_t deadline = MonotonicNanos() + kWaitNs;
    engine.Poll(deadline, [](const Completion&) { ADD_FAILURE(); });
    const int64_t late = MonotonicNanos() - deadline;
    EXPECT_GE(late, 0) << "Poll() returned before its deadline";
    late_ns.push_back(late);
  }
  std::sort(late_ns.begin(), late_ns.end());
  // The median, so that one wake-up delayed by other load does not count.
  EXPECT_LT(late_ns[late_ns.size() / 2], 500'000)
      << "Poll() overshoots its deadline like a millisecond timer";
  EXPECT_EQ(engine.outstanding(), 0);
}

}  // namespace tracktry::bench

#endif  // TRACKTRY_TESTS_BENCH_POLL_DEADLINE_CHECK_H_
