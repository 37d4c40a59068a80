// Copyright 2026 The tracktry-grpc Authors.
//
// LoadLoop: paces calls through a CallEngine (closed or open loop) and
// records the calls that start and finish inside the measured window.
#ifndef TRACKTRY_BENCH_LOAD_LOOP_H_
#define TRACKTRY_BENCH_LOAD_LOOP_H_

#include <cstdint>
#include <functional>
#include <unordered_set>

#include "bench/call_engine.h"
#include "bench/key_space.h"
#include "bench/latency_recorder.h"
#include "bench/loadgen_outcomes.h"
#include "bench/loadgen_timeline.h"
#include "bench/rpc_mix.h"

namespace tracktry::bench {

struct LoadPlan {
  // Closed loop: calls kept in flight. Open loop: cap on outstanding calls.
  int concurrency = 1;
  // > 0: open loop, calls started per second on a fixed schedule.
  double rate = 0;
  int64_t warmup_ns = 0;
  int64_t duration_ns = 0;
  // > 0: exactly this many calls, all measured (warmup and duration unused).
  int64_t requests = 0;
  // How long outstanding calls may finish after the window before they are
  // cancelled.
  int64_t drain_ns = 5'000'000'000;
  // A call that ends more than this after its deadline counts as late.
  int64_t late_slack_ns = 1'000'000'000;
  uint64_t seed = 1;
};

struct LoadResult {
  int64_t measure_start_ns = 0;
  int64_t measure_end_ns = 0;
  int64_t started = 0;
  // Open loop: sends skipped because `concurrency` calls were outstanding
  // (also recorded as CLIENT_OVERLOAD).
  int64_t overloaded = 0;
  // Calls still outstanding when the drain period ran out.
  int64_t abandoned = 0;
  // Calls of the window that ended more than late_slack_ns past their
  // deadline.
  int64_t late = 0;
  // Different keys among the GetTracking calls answered OK during the
  // window (started before it or in it).
  int64_t distinct_ok_keys = 0;

  double window_seconds() const {
    return static_cast<double>(measure_end_ns - measure_start_ns) / 1e9;
  }
};

class LoadLoop {
 public:
  // None of the pointers is owned; all must outlive Run().
  LoadLoop(const LoadPlan& plan, const RpcMix* mix, const KeySpace* keys,
           CallEngine* engine, LatencyRecorder* recorder);

  // Called on the loop thread when the measured window starts and ends.
  void SetWindowHooks(std::function<void()> on_start,
                      std::function<void()> on_end);

  // Optional, not owned: outcomes by operation of the window's calls, and
  // of every call (warm-up and drain included) by interval.
  void SetOutcomeSinks(OutcomeTable* window, OutcomeTimeline* timeline);

  // Runs the whole plan (warmup, window, drain). Blocks.
  LoadResult Run();

 private:
  WorkItem NextItem();
  void OnCompletion(const Completion& completion);

  const LoadPlan plan_;
  const RpcMix* const mix_;
  const KeySpace* const keys_;
  CallEngine* const engine_;
  LatencyRecorder* const recorder_;
  std::function<void()> on_start_;
  std::function<void()> on_end_;
  OutcomeTable* outcomes_ = nullptr;
  OutcomeTimeline* timeline_ = nullptr;
  std::mt19937_64 rng_;
  int64_t create_counter_ = 0;
  int64_t batch_counter_ = 0;
  int64_t completed_ = 0;
  int64_t measure_start_ns_ = 0;
  int64_t measure_end_ns_ = 0;
  int64_t late_ = 0;
  std::unordered_set<int64_t> ok_keys_;
};

}  // namespace tracktry::bench

#endif  // TRACKTRY_BENCH_LOAD_LOOP_H_
