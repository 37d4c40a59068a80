// Copyright 2026 The tracktry-grpc Authors.
#include "service/fleet/fleet_metrics.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/testing/fleet_test_prelude.h"

namespace tracktry::fleet {
namespace {

TEST(FleetMetricsTest, ExportsConnectionStateAndCounters) {
  FleetHarness harness;
  ASSERT_THAT(harness.Start(1), IsOk());
  MetricsRegistry metrics;
  RegisterFleetMetrics(&metrics, &harness.replica(0));
  Delivered<SharedReadTier::LookupResult> lookup;
  harness.replica(0).cache()->Lookup(
      {"k", "t"}, true, absl::Now() + absl::Seconds(5), lookup.Callback());
  ASSERT_TRUE(lookup.Arrived());
  std::string text = metrics.Scrape();
  for (const char* series :
       {"tracktry_fleet_redis_up{connection=\"commands\"} 1",
        "tracktry_fleet_redis_up{connection=\"subscriber\"} 1",
        "tracktry_fleet_redis_connects_total{connection=\"commands\"} 1",
        "tracktry_fleet_cache_lookups_total{outcome=\"lead\"} 1",
        "tracktry_fleet_cache_lookups_total{outcome=\"hit\"} 0",
        "tracktry_fleet_request_ids_total{outcome=\"first\"} 0",
        "tracktry_fleet_watch_polls_total{outcome=\"skipped\"} 0",
        "tracktry_fleet_invalidations_total{direction=\"sent\"} 0",
        "tracktry_fleet_invalidation_ack_timeouts_total 0",
        "tracktry_fleet_redis_timeouts_total 0"}) {
    EXPECT_TRUE(absl::StrContains(text, series)) << series << "\n" << text;
  }
  harness.redis().Stop();
  // Each connection sees the server go on its own: the replica is unhealthy
  // as soon as one of them has, so the commands connection is waited for.
  const auto commands_down = [&] {
    text = metrics.Scrape();
    return absl::StrContains(
               text, "tracktry_fleet_redis_up{connection=\"commands\"} 0") &&
           absl::StrContains(text,
                             "tracktry_fleet_redis_disconnects_total{"
                             "connection=\"commands\"} 1");
  };
  EXPECT_TRUE(WaitUntil(commands_down)) << text;
  EXPECT_TRUE(WaitUntil([&] { return !harness.replica(0).healthy(); }));
}

}  // namespace
}  // namespace tracktry::fleet
