// Copyright 2026 The tracktry-grpc Authors.
//
// LoadLoop with a hand-written CallEngine: outcomes by operation (repeats
// under "<op>_repeat", not counted against --requests), late calls, and the
// timeline.
#include "bench/load_loop.h"

#include <sstream>
#include <string>
#include <vector>

#include "bench/call_engine.h"
#include "bench/key_space.h"
#include "bench/latency_recorder.h"
#include "bench/loadgen_outcomes.h"
#include "bench/loadgen_timeline.h"
#include "bench/rpc_mix.h"
#include "gtest/gtest.h"

namespace tracktry::bench {
namespace {

// Completes every call at the next Poll(). Creates fail with an unknown
// outcome and are repeated (once, OK), as GrpcEngine does with
// --repeat-unknown; gets end `get_overrun_ns` after their deadline.
class FakeEngine final : public CallEngine {
 public:
  void Start(const WorkItem& item, int64_t start_ns) override {
    Completion completion;
    completion.op = item.op;
    completion.start_ns = start_ns;
    completion.deadline_ns = MonotonicNanos() + 1'000'000;
    if (item.op == Op::kCreate) {
      completion.code = "UNAVAILABLE";
      completion.reason = "UPSTREAM_OUTCOME_UNKNOWN";
    } else {
      completion.code = "OK";
      completion.deadline_ns -= get_overrun_ns;
    }
    pending_.push_back(completion);
  }
  void Poll(int64_t /*deadline_ns*/, CompletionFn done) override {
    std::vector<Completion> ready;
    ready.swap(pending_);
    for (Completion& completion : ready) {
      completion.end_ns = MonotonicNanos();
      if (completion.op == Op::kCreate && !completion.repeat) {
        Completion repeat = completion;
        repeat.repeat = true;
        repeat.code = "OK";
        repeat.reason.clear();
        pending_.push_back(repeat);
      }
      done(completion);
    }
  }
  int64_t outstanding() const override {
    return static_cast<int64_t>(pending_.size());
  }
  void CancelAll() override {}

  int64_t get_overrun_ns = 0;

 private:
  std::vector<Completion> pending_;
};

TEST(LoadLoopTest, RepeatsAreReportedApartAndNotCountedAsRequests) {
  const absl::StatusOr<RpcMix> mix = RpcMix::Parse("create");
  ASSERT_TRUE(mix.ok());
  const KeySpace keys(10, 0);
  FakeEngine engine;
  LatencyRecorder recorder;
  LoadPlan plan;
  plan.concurrency = 1;
  plan.requests = 10;
  LoadLoop loop(plan, &*mix, &keys, &engine, &recorder);
  OutcomeTable outcomes;
  std::ostringstream timeline_out;
  OutcomeTimeline timeline(&timeline_out, MonotonicNanos(), 1'000'000'000, 0);
  loop.SetOutcomeSinks(&outcomes, &timeline);
  const LoadResult result = loop.Run();

  EXPECT_EQ(result.started, 10);
  EXPECT_EQ(outcomes.Count("create", "UNAVAILABLE/UPSTREAM_OUTCOME_UNKNOWN"),
            10);
  // The last repeat ends in the drain, after the window; the timeline has
  // every call.
  EXPECT_EQ(outcomes.Count("create_repeat", "OK"), 9);
  EXPECT_EQ(result.late, 0);
  EXPECT_NE(timeline_out.str().find("\"create_repeat\":{\"OK\":10}"),
            std::string::npos)
      << timeline_out.str();
}

TEST(LoadLoopTest, CallsEndingWellAfterTheirDeadlineAreLate) {
  const absl::StatusOr<RpcMix> mix = RpcMix::Parse("get");
  ASSERT_TRUE(mix.ok());
  const KeySpace keys(10, 0);
  FakeEngine engine;
  engine.get_overrun_ns = 2'000'000'000;  // beyond the 1 s slack
  LatencyRecorder recorder;
  LoadPlan plan;
  plan.concurrency = 2;
  plan.requests = 6;
  LoadLoop loop(plan, &*mix, &keys, &engine, &recorder);
  OutcomeTable outcomes;
  loop.SetOutcomeSinks(&outcomes, nullptr);
  EXPECT_EQ(loop.Run().late, 6);
  EXPECT_EQ(outcomes.Count("get", "OK"), 6);

  FakeEngine on_time;
  LoadLoop again(plan, &*mix, &keys, &on_time, &recorder);
  EXPECT_EQ(again.Run().late, 0);
}

}  // namespace
}  // namespace tracktry::bench
