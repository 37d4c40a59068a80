// Copyright 2026 The tracktry-grpc Authors.
//
// The account's quota across replicas, with the real binaries: a
// redis-server on 127.0.0.1 and two tracktry-server processes (from the
// build directory) in front of one emulator that enforces R req/s. Driven
// together at 10 x R they cause no upstream 429 and use nearly all of R.
// With --redis-address pointing at a dead port each replica falls back to
// its --rate-share of R.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "emulator/emulator.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/testing/grpc_load.h"
#include "tests/testing/redis_test_server.h"
#include "tests/testing/server_replica.h"
#include "tests/testing/status_matchers.h"

namespace tracktry {
namespace {

using testing::DriveLoad;
using testing::IsOk;
using testing::LoadResult;
using testing::RedisTestServer;
using testing::ServerReplica;

constexpr char kApiKey[] = "shared-quota-secret-api-key-7";
// The account limit the emulator enforces.
constexpr double kRate = 5.0;

// One upstream call per read (no read batching), so that answers measure
// the pacing.
std::vector<std::string> RateFlags() {
  const std::string rate = absl::StrCat(kRate);
  return {"--rate-default",  rate, "--rate-list",     rate,
          "--rate-realtime", rate, "--read-batching", "off"};
}

struct TwoLoads {
  LoadResult a;
  LoadResult b;
  std::vector<absl::Time> all_answers;
};

// Drives both servers at the same time, each at 5 x kRate.
TwoLoads DriveBoth(ServerReplica& a, ServerReplica& b) {
  TwoLoads loads;
  std::thread other([&] {
    loads.b = DriveLoad(b.stub(), 5 * kRate, absl::Seconds(6), absl::Seconds(2),
                        "RB");
  });
  loads.a =
      DriveLoad(a.stub(), 5 * kRate, absl::Seconds(6), absl::Seconds(2), "RA");
  other.join();
  loads.all_answers = loads.a.upstream_answers;
  loads.all_answers.insert(loads.all_answers.end(),
                           loads.b.upstream_answers.begin(),
                           loads.b.upstream_answers.end());
  std::sort(loads.all_answers.begin(), loads.all_answers.end());
  std::printf("server A: %s\nserver B: %s\ntotal rate %.3f/s\n",
              loads.a.Summary().c_str(), loads.b.Summary().c_str(),
              LoadResult::RateOf(loads.all_answers));
  return loads;
}

emulator::EmulatorOptions LimitedEmulator(int burst) {
  emulator::EmulatorOptions options;
  options.config.api_key = kApiKey;
  options.config.rate_limit.rps = kRate;
  options.config.rate_limit.burst = burst;
  return options;
}

TEST(RedisSharedQuotaTest, TwoReplicasShareTheAccountRateThroughRedis) {
  RedisTestServer redis;
  ASSERT_THAT(redis.Start(), IsOk());
  emulator::Emulator emulator(LimitedEmulator(/*burst=*/1));
  ASSERT_THAT(emulator.Start(), IsOk());
  std::vector<std::string> flags = RateFlags();
  flags.insert(flags.end(), {"--redis-address", redis.address()});
  ServerReplica a, b;
  ASSERT_THAT(a.Start(flags, emulator.base_url(), kApiKey), IsOk());
  ASSERT_THAT(b.Start(flags, emulator.base_url(), kApiKey), IsOk());

  const TwoLoads loads = DriveBoth(a, b);
  const emulator::StatsSnapshot stats = emulator.stats();
  EXPECT_EQ(stats.rate_limited_total, 0);
  EXPECT_EQ(stats.requests_total,
            static_cast<int64_t>(loads.all_answers.size()));
  // Each replica alone would have used the whole rate: together they stay
  // at (safety x) R, and both get a fair part of it.
  const double rate = LoadResult::RateOf(loads.all_answers);
  EXPECT_GE(rate, 0.9 * kRate);
  EXPECT_LE(rate, 1.0 * kRate);
  EXPECT_GE(loads.a.upstream_answers.size(), loads.all_answers.size() / 4);
  EXPECT_GE(loads.b.upstream_answers.size(), loads.all_answers.size() / 4);
  EXPECT_GT(loads.a.Count("RATE_LIMIT_QUEUE"), loads.a.sent / 2);
  // The API key never reaches the logs.
  EXPECT_THAT(a.Log(), ::testing::Not(::testing::HasSubstr(kApiKey)));
  a.Stop();
  b.Stop();
  emulator.Stop();
}

TEST(RedisSharedQuotaTest, UnreachableRedisFallsBackToEachReplicasShare) {
  const int dead_port = testing::PickFreePort();
  // Uncoordinated replicas may send at the same moment: the emulator allows
  // a burst of 2, still at R per second.
  emulator::Emulator emulator(LimitedEmulator(/*burst=*/2));
  ASSERT_THAT(emulator.Start(), IsOk());
  std::vector<std::string> flags = RateFlags();
  flags.insert(flags.end(),
               {"--redis-address", absl::StrCat("127.0.0.1:", dead_port),
                "--rate-share", "0.5"});
  ServerReplica a, b;
  ASSERT_THAT(a.Start(flags, emulator.base_url(), kApiKey), IsOk());
  ASSERT_THAT(b.Start(flags, emulator.base_url(), kApiKey), IsOk());

  const TwoLoads loads = DriveBoth(a, b);
  EXPECT_EQ(emulator.stats().rate_limited_total, 0);
  // Each replica runs at 0.5 x R x safety on its own.
  for (const LoadResult* load : {&loads.a, &loads.b}) {
    EXPECT_GE(load->UpstreamRate(), 0.45 * kRate);
    EXPECT_LE(load->UpstreamRate(), 0.5 * kRate);
  }
  a.Stop();
  b.Stop();
  emulator.Stop();
}

}  // namespace
}  // namespace tracktry
