// Copyright 2026 The tracktry-grpc Authors.
//
// RegisterUpstreamStatsMetrics: the rate shaper's Redis bucket store state
// (shared or fallen back, and its counters) reaches /metrics.
#include "service/ops/upstream_stats_metrics.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "service/upstream/scheduler.h"
#include "tests/testing/fake_upstream_caller.h"
#include "tests/testing/redis_test_server.h"
#include "tests/testing/status_matchers.h"

namespace tracktry {
namespace {

using testing::FakeUpstreamCaller;
using testing::RequestFor;
using testing::ResultSlot;

bool Has(const std::string& text, const std::string& series) {
  return absl::StrContains(text, series + "\n");
}

TEST(UpstreamStatsMetricsTest, ExportsTheRateBucketStoreState) {
  testing::RedisTestServer redis;
  ASSERT_THAT(redis.Start(), testing::IsOk());
  FakeUpstreamCaller upstream;
  Scheduler scheduler;
  RateShaperOptions options;
  options.limits[0].rate = 100;
  options.redis_address = redis.address();
  options.redis_retry_interval = absl::Hours(1);
  options.account_id = "metrics-test";
  RateShaper shaper(&upstream, &scheduler, options);
  MetricsRegistry metrics;
  RegisterUpstreamStatsMetrics(&metrics, &shaper, nullptr, nullptr, nullptr,
                               nullptr);
  auto call = [&] {
    ResultSlot slot;
    shaper.Send(RequestFor(Endpoint::kGetTracking),
                absl::Now() + absl::Seconds(5), slot.Callback());
    return slot.Wait();
  };
  ASSERT_THAT(call(), testing::IsOk());
  std::string text = metrics.Scrape();
  EXPECT_TRUE(Has(text, "tracktry_rate_limit_shared 1")) << text;
  EXPECT_TRUE(Has(text, "tracktry_rate_limit_redis_connects_total 1"));
  EXPECT_TRUE(Has(text, "tracktry_rate_limit_fallbacks_total 0"));
  EXPECT_TRUE(Has(text, "tracktry_rate_limit_redis_errors_total 0"));
  // Redis gone: the replica falls back to its share, and says so.
  redis.Stop();
  ASSERT_THAT(call(), testing::IsOk());
  text = metrics.Scrape();
  EXPECT_TRUE(Has(text, "tracktry_rate_limit_shared 0")) << text;
  EXPECT_TRUE(Has(text, "tracktry_rate_limit_fallbacks_total 1"));
  EXPECT_TRUE(Has(text, "tracktry_rate_limit_redis_errors_total 1"));
}

}  // namespace
}  // namespace tracktry
