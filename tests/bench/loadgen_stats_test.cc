// Copyright 2026 The tracktry-grpc Authors.
//
// Unit tests of the loadgen's measurement pieces: percentiles, the RPC mix,
// the Zipf key space, the distinct keys answered and flag parsing.
#include <map>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "bench/call_engine.h"
#include "bench/key_space.h"
#include "bench/latency_recorder.h"
#include "bench/load_loop.h"
#include "bench/loadgen_options.h"
#include "bench/rpc_mix.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tracktry {
namespace {

using bench::KeySpace;
using bench::LatencyRecorder;
using bench::NearestRank;
using bench::Op;
using bench::RpcMix;

TEST(NearestRankTest, HundredSamplesGivesExactRanks) {
  std::vector<int64_t> sorted;
  for (int i = 1; i <= 100; ++i) sorted.push_back(i);
  EXPECT_EQ(NearestRank(sorted, 50), 50);
  EXPECT_EQ(NearestRank(sorted, 90), 90);
  EXPECT_EQ(NearestRank(sorted, 99), 99);
  EXPECT_EQ(NearestRank(sorted, 99.9), 100);
  EXPECT_EQ(NearestRank(sorted, 100), 100);
}

TEST(NearestRankTest, EmptyGivesZero) { EXPECT_EQ(NearestRank({}, 50), 0); }

TEST(LatencyRecorderTest, ErrorsAreCountedButNotInPercentiles) {
  LatencyRecorder recorder;
  for (int i = 1; i <= 1000; ++i) recorder.Record("OK", i * 1000);
  recorder.Record("NOT_FOUND", 999'999'999);
  recorder.Record("NOT_FOUND", 1);
  const bench::LatencySummary summary = recorder.Summarize();
  EXPECT_EQ(recorder.count(), 1002);
  EXPECT_EQ(recorder.ok_count(), 1000);
  EXPECT_EQ(recorder.codes().at("NOT_FOUND"), 2);
  EXPECT_DOUBLE_EQ(summary.p50_us, 500);
  EXPECT_DOUBLE_EQ(summary.p99_us, 990);
  EXPECT_DOUBLE_EQ(summary.p999_us, 999);
  EXPECT_DOUBLE_EQ(summary.max_us, 1000);
  EXPECT_DOUBLE_EQ(summary.mean_us, 500.5);
}

TEST(RpcMixTest, WeightsAreRespected) {
  absl::StatusOr<RpcMix> mix = RpcMix::Parse("get:8,list:1,create:1");
  ASSERT_TRUE(mix.ok()) << mix.status();
  std::mt19937_64 rng(7);
  std::map<Op, int> counts;
  for (int i = 0; i < 100000; ++i) ++counts[mix->Pick(rng)];
  EXPECT_NEAR(counts[Op::kGet], 80000, 1500);
  EXPECT_NEAR(counts[Op::kList], 10000, 1000);
  EXPECT_NEAR(counts[Op::kCreate], 10000, 1000);
  EXPECT_EQ(counts.count(Op::kBatch), 0u);
}

TEST(RpcMixTest, UnknownOperationIsRejected) {
  EXPECT_FALSE(RpcMix::Parse("get:1,fetch:2").ok());
  EXPECT_FALSE(RpcMix::Parse("get:-1").ok());
  EXPECT_FALSE(RpcMix::Parse("get:0").ok());
  EXPECT_TRUE(RpcMix::Parse("health").ok());
}

TEST(KeySpaceTest, UniformCoversTheSpaceEvenly) {
  const KeySpace keys(10, 0);
  std::mt19937_64 rng(1);
  std::vector<int> counts(10);
  for (int i = 0; i < 100000; ++i) {
    const int64_t key = keys.Next(rng);
    ASSERT_GE(key, 0);
    ASSERT_LT(key, 10);
    ++counts[key];
  }
  for (int count : counts) EXPECT_NEAR(count, 10000, 500);
}

TEST(KeySpaceTest, ZipfFavoursLowRanksByTheExponent) {
  // s = 1 over 10,000 keys: P(rank 1) = 1 / H(10000) ~ 0.1020 and
  // P(rank 2) = P(rank 1) / 2.
  const KeySpace keys(10000, 1.0);
  std::mt19937_64 rng(3);
  int first = 0;
  int second = 0;
  const int draws = 200000;
  for (int i = 0; i < draws; ++i) {
    const int64_t key = keys.Next(rng);
    ASSERT_GE(key, 0);
    ASSERT_LT(key, 10000);
    if (key == 0) ++first;
    if (key == 1) ++second;
  }
  EXPECT_NEAR(first / static_cast<double>(draws), 0.1020, 0.004);
  EXPECT_NEAR(second / static_cast<double>(draws), 0.0510, 0.003);
}

TEST(TrackingNumberTest, IsZeroPadded) {
  EXPECT_EQ(bench::TrackingNumber("BN", 42), "BN00000042");
}

// Completes every call at the next Poll(): OK for even keys, NOT_FOUND
// for odd ones.
class InstantEngine final : public bench::CallEngine {
 public:
  void Start(const bench::WorkItem& item, int64_t start_ns) override {
    started_.push_back(item);
    pending_.push_back({item, start_ns});
  }
  void Poll(int64_t, bench::CompletionFn done) override {
    std::vector<std::pair<bench::WorkItem, int64_t>> ready;
    ready.swap(pending_);
    for (const auto& [item, start_ns] : ready) {
      bench::Completion completion;
      completion.op = item.op;
      completion.key = item.key;
      completion.start_ns = start_ns;
      completion.end_ns = bench::MonotonicNanos();
      completion.code = item.key % 2 == 0 ? "OK" : "NOT_FOUND";
      done(completion);
    }
  }
  int64_t outstanding() const override {
    return static_cast<int64_t>(pending_.size());
  }
  void CancelAll() override {}
  const std::vector<bench::WorkItem>& started() const { return started_; }

 private:
  std::vector<bench::WorkItem> started_;
  std::vector<std::pair<bench::WorkItem, int64_t>> pending_;
};

TEST(LoadLoopTest, CountsDistinctKeysAnsweredOk) {
  absl::StatusOr<RpcMix> mix = RpcMix::Parse("get:1");
  ASSERT_TRUE(mix.ok());
  const KeySpace keys(50, 0);
  InstantEngine engine;
  LatencyRecorder recorder;
  bench::LoadPlan plan;
  plan.concurrency = 4;
  plan.requests = 200;
  bench::LoadLoop loop(plan, &*mix, &keys, &engine, &recorder);
  const bench::LoadResult result = loop.Run();
  std::set<int64_t> ok;
  for (const bench::WorkItem& item : engine.started()) {
    if (item.key % 2 == 0) ok.insert(item.key);
  }
  ASSERT_EQ(engine.started().size(), 200u);
  // 200 uniform draws over 50 keys repeat keys: distinct < OK calls.
  EXPECT_LT(static_cast<int64_t>(ok.size()), recorder.ok_count());
  EXPECT_EQ(result.distinct_ok_keys, static_cast<int64_t>(ok.size()));
}

TEST(LoadgenOptionsTest, DirectModeNeedsUpstreamAndKey) {
  EXPECT_FALSE(bench::ParseLoadgenOptions({"--direct"}).ok());
  absl::StatusOr<bench::LoadgenOptions> options = bench::ParseLoadgenOptions(
      {"--direct", "--upstream", "http://127.0.0.1:1/v1/", "--api-key=k",
       "--concurrency", "64", "--duration=3s", "--zipf-s", "1.1"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->upstream, "http://127.0.0.1:1/v1");
  EXPECT_EQ(options->concurrency, 64);
  EXPECT_EQ(options->duration, absl::Seconds(3));
  EXPECT_DOUBLE_EQ(options->zipf_s, 1.1);
}

TEST(LoadgenOptionsTest, StartupCommandFollowsDoubleDash) {
  absl::StatusOr<bench::LoadgenOptions> options = bench::ParseLoadgenOptions(
      {"--startup-runs", "3", "--", "server", "--listen=127.0.0.1:{port}"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->startup_runs, 3);
  EXPECT_THAT(options->startup_command,
              testing::ElementsAre("server", "--listen=127.0.0.1:{port}"));
  EXPECT_FALSE(bench::ParseLoadgenOptions({"--startup-runs", "3"}).ok());
}

TEST(LoadgenOptionsTest, SoakFlags) {
  absl::StatusOr<bench::LoadgenOptions> options = bench::ParseLoadgenOptions(
      {"--target=x", "--rpc-mix=get:8,update:1,watch:1", "--repeat-unknown",
       "--fresh-batches", "--watch-hold=15s", "--timeline", "/tmp/t.jsonl",
       "--timeline-interval=2s"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_TRUE(options->repeat_unknown);
  EXPECT_TRUE(options->request_ids);  // implied
  EXPECT_TRUE(options->fresh_batches);
  EXPECT_EQ(options->watch_hold, absl::Seconds(15));
  EXPECT_EQ(options->timeline, "/tmp/t.jsonl");
  EXPECT_EQ(options->timeline_interval, absl::Seconds(2));
  EXPECT_TRUE(RpcMix::Parse(options->rpc_mix).ok());
  EXPECT_TRUE(RpcMix::Parse("update:1,watch:1")->Contains(Op::kWatch));
  options = bench::ParseLoadgenOptions({"--target=x", "--request-ids"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_TRUE(options->request_ids);
  EXPECT_FALSE(options->repeat_unknown);
  EXPECT_FALSE(
      bench::ParseLoadgenOptions({"--target=x", "--timeline-interval=0s"})
          .ok());
  EXPECT_FALSE(
      bench::ParseLoadgenOptions({"--target=x", "--watch-hold=0s"}).ok());
}

TEST(LoadgenOptionsTest, BadValuesAreRejected) {
  EXPECT_FALSE(
      bench::ParseLoadgenOptions({"--target=x", "--concurrency=0"}).ok());
  EXPECT_FALSE(bench::ParseLoadgenOptions({"--target=x", "--rate=-1"}).ok());
  EXPECT_FALSE(bench::ParseLoadgenOptions({"--target=x", "--bogus=1"}).ok());
  EXPECT_FALSE(bench::ParseLoadgenOptions({"--target=x", "--duration"}).ok());
}

}  // namespace
}  // namespace tracktry
