// Copyright 2026 The tracktry-grpc Authors.
//
// PushApplier over the shared fake upstream: a push is a hint (one fresh
// read of its tracking) unless bodies are trusted; failed re-reads are
// counted; destruction cancels re-reads in flight; in fleet mode what was
// applied is shared, and what another replica shared is applied here with
// no upstream call.
#include "service/live/push_applier.h"

#include <atomic>
#include <mutex>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/upstream/scheduler.h"
#include "tests/testing/fake_upstream_caller.h"
#include "tests/testing/testdata.h"
#include "tests/testing/wait_until.h"

namespace tracktry {
namespace {

using ::testing::ElementsAre;
using testing::EnvelopeOf;
using testing::FakeUpstreamCaller;
using testing::HttpError;
using testing::WaitUntil;

v1::Tracking Pushed() {
  v1::Tracking tracking;
  tracking.set_carrier_code("4px");
  tracking.set_tracking_number("300403513351");
  tracking.set_status(v1::TRACKING_STATUS_PICKUP);
  return tracking;
}

// The pushed tracking's read is answered by `cache` alone.
void ExpectAnsweredFromCache(CachingCaller* cache,
                             const FakeUpstreamCaller& fake) {
  testing::ResultSlot slot;
  UpstreamRequest read;
  read.endpoint = Endpoint::kGetTracking;
  read.carrier = "4px";
  read.tracking_numbers = {"300403513351"};
  cache->Send(read, absl::Now() + absl::Seconds(5), slot.Callback());
  ASSERT_TRUE(slot.Wait().ok());
  EXPECT_EQ(cache->stats().hits, 1);
  EXPECT_EQ(fake.calls(), 0);
}

TEST(PushApplierTest, APushIsReReadFreshOnce) {
  FakeUpstreamCaller fake([](const UpstreamRequest&, int) {
    return FakeUpstreamCaller::Reply{EnvelopeOf("get_single_object.json")};
  });
  PushApplier applier(&fake, nullptr, nullptr, PushApplierOptions());
  applier.Apply(nlohmann::json::object(), Pushed());
  ASSERT_TRUE(WaitUntil([&] { return applier.stats().rereads == 1; },
                        absl::Seconds(5)));
  ASSERT_EQ(fake.calls(), 1);
  const UpstreamRequest read = fake.records()[0].request;
  EXPECT_EQ(read.endpoint, Endpoint::kGetTracking);
  EXPECT_EQ(read.carrier, "4px");
  EXPECT_THAT(read.tracking_numbers, ElementsAre("300403513351"));
  EXPECT_TRUE(read.bypass_cache);
  EXPECT_EQ(applier.stats().trusted, 0);
}

TEST(PushApplierTest, AFailedReReadIsCountedAndPublishesNothing) {
  FakeUpstreamCaller fake([](const UpstreamRequest&, int) {
    return FakeUpstreamCaller::Reply{HttpError(503)};
  });
  PushApplier applier(&fake, nullptr, nullptr, PushApplierOptions());
  applier.Apply(nlohmann::json::object(), Pushed());
  ASSERT_TRUE(WaitUntil([&] { return applier.stats().reread_failures == 1; },
                        absl::Seconds(5)));
  EXPECT_EQ(applier.stats().rereads, 0);
}

TEST(PushApplierTest, TrustedBodiesCostNoUpstreamCall) {
  FakeUpstreamCaller fake;
  Scheduler scheduler;
  CachingCaller cache(&fake, &scheduler, CacheOptions());
  PushApplierOptions options;
  options.trust_push_body = true;
  PushApplier applier(&fake, nullptr, &cache, options);
  applier.Apply(testing::DataOf("get_single_object.json"), Pushed());
  EXPECT_EQ(applier.stats().trusted, 1);
  EXPECT_EQ(fake.calls(), 0);
  // The pushed body now answers the tracking's read.
  ExpectAnsweredFromCache(&cache, fake);
}

TEST(PushApplierTest, DestructionCancelsReReadsInFlight) {
  // Replies hang until cancelled.
  FakeUpstreamCaller fake([](const UpstreamRequest&, int) {
    return FakeUpstreamCaller::Reply{std::nullopt};
  });
  const absl::Time start = absl::Now();
  {
    PushApplier applier(&fake, nullptr, nullptr, PushApplierOptions());
    applier.Apply(nlohmann::json::object(), Pushed());
    ASSERT_TRUE(fake.WaitForCalls(1));
  }
  EXPECT_EQ(fake.cancelled().size(), 1u);
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
}

TEST(PushApplierTest, AReReadSharesTheAnswersData) {
  FakeUpstreamCaller fake([](const UpstreamRequest&, int) {
    return FakeUpstreamCaller::Reply{EnvelopeOf("get_single_object.json")};
  });
  PushApplier applier(&fake, nullptr, nullptr, PushApplierOptions());
  std::mutex mu;
  std::vector<nlohmann::json> shared;
  applier.SetShare([&](const nlohmann::json& data) {
    std::lock_guard<std::mutex> lock(mu);
    shared.push_back(data);
  });
  // The pushed body is not what is shared: the upstream's answer is.
  applier.Apply(nlohmann::json{{"tracking_number", "forged"}}, Pushed());
  ASSERT_TRUE(WaitUntil(
      [&] {
        std::lock_guard<std::mutex> lock(mu);
        return shared.size() == 1;
      },
      absl::Seconds(5)));
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(shared[0], testing::DataOf("get_single_object.json"));
}

TEST(PushApplierTest, AFailedReReadSharesNothing) {
  FakeUpstreamCaller fake([](const UpstreamRequest&, int) {
    return FakeUpstreamCaller::Reply{HttpError(503)};
  });
  PushApplier applier(&fake, nullptr, nullptr, PushApplierOptions());
  std::atomic<int> shared{0};
  applier.SetShare([&](const nlohmann::json&) { ++shared; });
  applier.Apply(nlohmann::json::object(), Pushed());
  ASSERT_TRUE(WaitUntil([&] { return applier.stats().reread_failures == 1; },
                        absl::Seconds(5)));
  EXPECT_EQ(shared.load(), 0);
}

TEST(PushApplierTest, ATrustedBodyIsSharedAsSent) {
  FakeUpstreamCaller fake;
  PushApplierOptions options;
  options.trust_push_body = true;
  PushApplier applier(&fake, nullptr, nullptr, options);
  std::vector<nlohmann::json> shared;
  applier.SetShare([&](const nlohmann::json& data) { shared.push_back(data); });
  const nlohmann::json body = testing::DataOf("get_single_object.json");
  applier.Apply(body, Pushed());
  ASSERT_EQ(shared.size(), 1u);
  EXPECT_EQ(shared[0], body);
}

TEST(PushApplierTest, WhatAnotherReplicaSharedRefreshesTheCache) {
  FakeUpstreamCaller fake;
  Scheduler scheduler;
  CachingCaller cache(&fake, &scheduler, CacheOptions());
  PushApplier applier(&fake, nullptr, &cache, PushApplierOptions());
  std::vector<nlohmann::json> shared;
  applier.SetShare([&](const nlohmann::json& data) { shared.push_back(data); });
  applier.ApplyShared(testing::DataOf("get_single_object.json"));
  EXPECT_EQ(applier.stats().shared, 1);
  // Not shared again (no echo between replicas), no upstream call.
  EXPECT_TRUE(shared.empty());
  EXPECT_EQ(fake.calls(), 0);
  ExpectAnsweredFromCache(&cache, fake);
}

TEST(PushApplierTest, SharedDataWithoutATrackingIsIgnored) {
  FakeUpstreamCaller fake;
  Scheduler scheduler;
  CachingCaller cache(&fake, &scheduler, CacheOptions());
  PushApplier applier(&fake, nullptr, &cache, PushApplierOptions());
  applier.ApplyShared(nlohmann::json::array());
  applier.ApplyShared(nlohmann::json("not an object"));
  applier.ApplyShared(nlohmann::json::object());
  EXPECT_EQ(applier.stats().shared, 0);
  EXPECT_EQ(fake.calls(), 0);
}

}  // namespace
}  // namespace tracktry
