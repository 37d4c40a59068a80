// Copyright 2026 The tracktry-grpc Authors.
//
// The Fleet facade against a real redis-server: it connects (with AUTH and
// under its key prefix), reports its health, and once stopped fails every
// operation at once.
#include "service/fleet/fleet.h"

#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fleet_test_prelude.h"
#include "tests/testing/redis_test_server.h"

namespace tracktry::fleet {
namespace {

using testing::RedisTestServer;

TEST(FleetTest, ConnectsWithAuthReportsStateAndKeepsItsKeysUnderThePrefix) {
  RedisTestServer redis;
  redis.set_password("fleet-secret-pw-9");
  ASSERT_THAT(redis.Start(), IsOk());
  std::mutex mu;
  std::vector<std::string> events;
  FleetOptions options = FleetHarness::DefaultOptions();
  options.address = redis.address();
  options.password = "fleet-secret-pw-9";
  options.key_prefix = "ns1:key-0123";
  options.on_state = [&](const std::string& connection, bool up) {
    std::lock_guard<std::mutex> lock(mu);
    events.push_back(absl::StrCat(connection, up ? " up" : " down"));
  };
  Fleet fleet(options);
  EXPECT_FALSE(fleet.healthy());
  fleet.Start();
  ASSERT_TRUE(WaitUntil([&] { return fleet.healthy(); }));
  {
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_THAT(events, ::testing::UnorderedElementsAre("commands up",
                                                        "subscriber up"));
  }
  Delivered<SharedReadTier::LookupResult> lookup;
  fleet.cache()->Lookup({"get\ndhl\nRN1,\n\n\n", "rn1"}, true,
                        absl::Now() + absl::Seconds(5), lookup.Callback());
  ASSERT_TRUE(lookup.Arrived());
  EXPECT_EQ(lookup.Get().outcome, SharedReadTier::Outcome::kLead);
  const FleetStats stats = fleet.stats();
  EXPECT_TRUE(stats.commands.ready);
  EXPECT_TRUE(stats.subscriber.ready);
  EXPECT_EQ(stats.cache.leads, 1);

  // Every key it wrote is under the prefix.
  EventLoop loop;
  RedisConnectionOptions raw;
  raw.address = redis.address();
  raw.password = "fleet-secret-pw-9";
  RedisConnection connection(&loop, raw);
  connection.Start();
  ASSERT_TRUE(WaitUntil([&] { return connection.ready(); }));
  Delivered<absl::StatusOr<RedisReply>> keys;
  connection.Command({"KEYS", "*"}, absl::Now() + absl::Seconds(5),
                     keys.Callback());
  ASSERT_TRUE(keys.Arrived());
  const absl::StatusOr<RedisReply> reply = keys.Get();
  ASSERT_THAT(reply, IsOk());
  ASSERT_FALSE(reply->elements.empty());
  for (const RedisReply& key : reply->elements) {
    EXPECT_TRUE(absl::StartsWith(key.str, "ns1:key-0123:")) << key.str;
  }
  connection.Stop();

  // Stopped: no event is reported, everything fails at once.
  fleet.Stop();
  EXPECT_FALSE(fleet.healthy());
  const absl::Time start = absl::Now();
  Delivered<SharedReadTier::LookupResult> after;
  fleet.cache()->Lookup({"get\ndhl\nRN1,\n\n\n", "rn1"}, true,
                        absl::Now() + absl::Seconds(5), after.Callback());
  ASSERT_TRUE(after.Arrived());
  EXPECT_EQ(after.Get().outcome, SharedReadTier::Outcome::kMiss);
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(events.size(), 2u);
}

TEST(FleetTest, WrongPasswordNeverBecomesHealthyAndFailsFast) {
  RedisTestServer redis;
  redis.set_password("right-password-1");
  ASSERT_THAT(redis.Start(), IsOk());
  FleetOptions options = FleetHarness::DefaultOptions();
  options.address = redis.address();
  options.password = "wrong-password-2";
  Fleet fleet(options);
  fleet.Start();
  ASSERT_TRUE(
      WaitUntil([&] { return fleet.stats().commands.auth_failures >= 2; }));
  EXPECT_FALSE(fleet.healthy());
  Delivered<SharedRequestRecords::BeginResult> begin;
  fleet.idempotency()->Begin({"CreateTracking/x", 1, 0}, absl::Minutes(1),
                             absl::Now() + absl::Seconds(5), begin.Callback());
  ASSERT_TRUE(begin.Arrived(absl::Seconds(1)));
  EXPECT_EQ(begin.Get().state, SharedRequestRecords::State::kUnavailable);
}

}  // namespace
}  // namespace tracktry::fleet
