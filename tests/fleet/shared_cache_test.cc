// Copyright 2026 The tracktry-grpc Authors.
//
// SharedCache against a real redis-server, with two or three Fleet
// instances standing for replicas.
#include "service/fleet/shared_cache.h"

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/fleet/redis_connection.h"
#include "tests/testing/fleet_test_prelude.h"

namespace tracktry::fleet {
namespace {

using Lookup = SharedReadTier::LookupResult;
using Outcome = SharedReadTier::Outcome;
using Wake = SharedReadTier::Wake;

Envelope Answer(const std::string& title) {
  Envelope envelope;
  envelope.meta_code = 200;
  envelope.meta_type = "Success";
  envelope.set_data({{"tracking_number", "RN1"}, {"title", title}});
  return envelope;
}

SharedReadTier::Read ReadOf(const std::string& number,
                            const std::string& lang = "") {
  return {absl::StrCat("get\ndhl\n", number, ",\n", lang, "\n\n"),
          absl::AsciiStrToLower(number)};
}

// Records what the tier tells this replica about the others.
class RecordingListener : public SharedReadTier::Listener {
 public:
  void OnSharedInvalidation(const std::vector<std::string>& tags) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (const std::string& tag : tags) tags_.push_back(tag);
  }
  void OnSharedResync() override { resyncs_.fetch_add(1); }
  std::vector<std::string> tags() {
    std::lock_guard<std::mutex> lock(mu_);
    return tags_;
  }
  int resyncs() const { return resyncs_.load(); }

 private:
  std::mutex mu_;
  std::vector<std::string> tags_;
  std::atomic<int> resyncs_{0};
};

class SharedCacheTest : public ::testing::Test {
 protected:
  void Start(int replicas,
             FleetOptions options = FleetHarness::DefaultOptions()) {
    ASSERT_THAT(harness_.Start(replicas, std::move(options)), IsOk());
  }
  SharedCache& cache(int i) { return *harness_.replica(i).cache(); }

  Lookup LookupOn(int i, const SharedReadTier::Read& read, bool lead = true) {
    Delivered<Lookup> result;
    cache(i).Lookup(read, lead, absl::Now() + absl::Seconds(5),
                    result.Callback());
    EXPECT_TRUE(result.Arrived());
    return result.Get();
  }

  FleetHarness harness_;
};

TEST_F(SharedCacheTest, OneReplicaLeadsTheOthersFollowThenHit) {
  Start(3);
  const auto read = ReadOf("RN1");
  const Lookup lead = LookupOn(0, read);
  EXPECT_EQ(lead.outcome, Outcome::kLead);
  ASSERT_TRUE(lead.version.has_value());
  const Lookup follow = LookupOn(1, read);
  EXPECT_EQ(follow.outcome, Outcome::kFollow);
  EXPECT_GT(follow.lease_left, absl::ZeroDuration());
  EXPECT_LE(follow.lease_left, absl::Seconds(3));
  // The follower waits; the leader's answer wakes it.
  Delivered<Wake> woken;
  cache(1).AwaitLeader(read, absl::Now() + absl::Seconds(10), woken.Callback());
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_FALSE(woken.Arrived(absl::ZeroDuration()));
  cache(0).Fill(read, lead, Answer("one"), absl::Seconds(60));
  ASSERT_TRUE(woken.Arrived());
  EXPECT_EQ(woken.Get(), Wake::kFilled);
  for (int i = 0; i < 3; ++i) {
    const Lookup hit = LookupOn(i, read);
    ASSERT_EQ(hit.outcome, Outcome::kHit) << i;
    EXPECT_EQ(hit.answer.data().at("title"), "one");
    EXPECT_EQ(hit.answer.meta_code, 200);
    EXPECT_GT(hit.answer_ttl, absl::Seconds(55));
    EXPECT_LE(hit.answer_ttl, absl::Seconds(60));
  }
  // Another lang of the same tracking is another read.
  EXPECT_EQ(LookupOn(2, ReadOf("RN1", "en")).outcome, Outcome::kLead);
  EXPECT_EQ(cache(0).stats().fills, 1);
  EXPECT_EQ(cache(1).stats().follows, 1);
}

TEST_F(SharedCacheTest, ReleaseWakesFollowersWithoutAnAnswer) {
  Start(2);
  const auto read = ReadOf("RN2");
  const Lookup lead = LookupOn(0, read);
  ASSERT_EQ(lead.outcome, Outcome::kLead);
  ASSERT_EQ(LookupOn(1, read).outcome, Outcome::kFollow);
  Delivered<Wake> woken;
  cache(1).AwaitLeader(read, absl::Now() + absl::Seconds(10), woken.Callback());
  cache(0).Release(read, lead);
  ASSERT_TRUE(woken.Arrived());
  EXPECT_EQ(woken.Get(), Wake::kReleased);
  // The lease is free again.
  EXPECT_EQ(LookupOn(1, read).outcome, Outcome::kLead);
}

TEST_F(SharedCacheTest, DeadLeaderDelaysOthersAtMostTheLeaseTime) {
  FleetOptions options = FleetHarness::DefaultOptions();
  options.lease_time = absl::Milliseconds(600);
  Start(2, options);
  const auto read = ReadOf("RN3");
  ASSERT_EQ(LookupOn(0, read).outcome, Outcome::kLead);
  // Replica 0 dies holding the lease (no fill, no release, no renewal).
  harness_.replica(0).Stop();
  const Lookup follow = LookupOn(1, read);
  ASSERT_EQ(follow.outcome, Outcome::kFollow);
  const absl::Time start = absl::Now();
  Delivered<Wake> woken;
  cache(1).AwaitLeader(read, start + follow.lease_left, woken.Callback());
  ASSERT_TRUE(woken.Arrived());
  EXPECT_EQ(woken.Get(), Wake::kExpired);
  EXPECT_LE(absl::Now() - start, absl::Milliseconds(600) + absl::Seconds(1));
  EXPECT_TRUE(
      WaitUntil([&] { return LookupOn(1, read).outcome == Outcome::kLead; }));
}

TEST_F(SharedCacheTest, LeaseIsRenewedWhileItsHolderWorks) {
  FleetOptions options = FleetHarness::DefaultOptions();
  options.lease_time = absl::Milliseconds(300);
  Start(2, options);
  const auto read = ReadOf("RN4");
  const Lookup lead = LookupOn(0, read);
  ASSERT_EQ(lead.outcome, Outcome::kLead);
  // Well past the lease time, the (live) holder still holds it.
  absl::SleepFor(absl::Milliseconds(1000));
  EXPECT_EQ(LookupOn(1, read).outcome, Outcome::kFollow);
  cache(0).Fill(read, lead, Answer("late"), absl::Seconds(60));
  EXPECT_TRUE(
      WaitUntil([&] { return LookupOn(1, read).outcome == Outcome::kHit; }));
}

TEST_F(SharedCacheTest, InvalidationDropsEntriesTellsOthersAndWaitsForThem) {
  Start(3);
  RecordingListener listeners[3];
  for (int i = 0; i < 3; ++i) cache(i).SetListener(&listeners[i]);
  const auto read = ReadOf("RN5");
  const Lookup lead = LookupOn(0, read);
  cache(0).Fill(read, lead, Answer("old"), absl::Seconds(60));
  ASSERT_TRUE(
      WaitUntil([&] { return LookupOn(1, read).outcome == Outcome::kHit; }));
  Delivered<bool> done;
  cache(0).Invalidate(
      {"rn5", "other"}, absl::Now() + absl::Seconds(5),
      [callback = done.Callback()]() mutable { callback(true); });
  ASSERT_TRUE(done.Arrived());
  // Once the writer hears "done", every other replica has dropped them.
  EXPECT_THAT(listeners[1].tags(), ::testing::ElementsAre("rn5", "other"));
  EXPECT_THAT(listeners[2].tags(), ::testing::ElementsAre("rn5", "other"));
  EXPECT_TRUE(listeners[0].tags().empty());  // The writer did it itself.
  EXPECT_EQ(LookupOn(1, read).outcome, Outcome::kLead);
  EXPECT_EQ(cache(0).stats().ack_timeouts, 0);
  for (int i = 0; i < 3; ++i) cache(i).SetListener(nullptr);
}

TEST_F(SharedCacheTest, FillAfterAnInvalidationStoresNothing) {
  Start(2);
  const auto read = ReadOf("RN6");
  const Lookup lead = LookupOn(0, read);
  ASSERT_EQ(lead.outcome, Outcome::kLead);
  // A write lands while the leader's read is upstream.
  Delivered<bool> done;
  cache(1).Invalidate(
      {"rn6"}, absl::Now() + absl::Seconds(5),
      [callback = done.Callback()]() mutable { callback(true); });
  ASSERT_TRUE(done.Arrived());
  cache(0).Fill(read, lead, Answer("stale"), absl::Seconds(60));
  // The (stale) answer never becomes the shared one; the lease is free.
  EXPECT_TRUE(
      WaitUntil([&] { return LookupOn(1, read).outcome == Outcome::kLead; }));
}

TEST_F(SharedCacheTest, BypassFillRefreshesAndMakesOthersDropTheirCopies) {
  Start(2);
  RecordingListener listener;
  cache(1).SetListener(&listener);
  const auto read = ReadOf("RN7");
  const Lookup bypass = LookupOn(0, read, /*lead=*/false);
  EXPECT_EQ(bypass.outcome, Outcome::kMiss);
  ASSERT_TRUE(bypass.version.has_value());
  cache(0).Fill(read, bypass, Answer("fresh"), absl::Seconds(60));
  ASSERT_TRUE(WaitUntil([&] { return !listener.tags().empty(); }));
  EXPECT_THAT(listener.tags(), ::testing::ElementsAre("rn7"));
  const Lookup hit = LookupOn(1, read);
  ASSERT_EQ(hit.outcome, Outcome::kHit);
  EXPECT_EQ(hit.answer.data().at("title"), "fresh");
  cache(1).SetListener(nullptr);
}

TEST_F(SharedCacheTest, ReplaceDropsEveryLangAndStoresThePush) {
  Start(1);
  for (const char* lang : {"", "en"}) {
    const auto read = ReadOf("RN8", lang);
    const Lookup lead = LookupOn(0, read);
    cache(0).Fill(read, lead, Answer("old"), absl::Seconds(60));
  }
  cache(0).Replace(ReadOf("RN8"), Answer("pushed"), absl::Seconds(60));
  EXPECT_TRUE(WaitUntil([&] {
    const Lookup hit = LookupOn(0, ReadOf("RN8"));
    return hit.outcome == Outcome::kHit &&
           hit.answer.data().at("title") == "pushed";
  }));
  EXPECT_EQ(LookupOn(0, ReadOf("RN8", "en")).outcome, Outcome::kLead);
}

TEST_F(SharedCacheTest, ExpiredEntryIsAMiss) {
  Start(1);
  const auto read = ReadOf("RN9");
  const Lookup lead = LookupOn(0, read);
  cache(0).Fill(read, lead, Answer("short"), absl::Milliseconds(200));
  ASSERT_TRUE(
      WaitUntil([&] { return LookupOn(0, read).outcome == Outcome::kHit; }));
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_EQ(LookupOn(0, read).outcome, Outcome::kLead);
}

TEST_F(SharedCacheTest, SlowReplicaIsNotWaitedForPastTheTimeout) {
  FleetOptions options = FleetHarness::DefaultOptions();
  options.timeout = absl::Milliseconds(300);
  Start(1, options);
  // A subscriber that never acknowledges (a replica alive but stuck).
  EventLoop loop;
  RedisConnectionOptions mute;
  mute.address = harness_.redis().address();
  mute.channels = {absl::StrCat(options.key_prefix, ":bus")};
  RedisConnection subscriber(&loop, mute);
  subscriber.Start();
  ASSERT_TRUE(WaitUntil([&] { return subscriber.ready(); }));
  const absl::Time start = absl::Now();
  Delivered<bool> done;
  cache(0).Invalidate(
      {"rn10"}, absl::Now() + absl::Seconds(10),
      [callback = done.Callback()]() mutable { callback(true); });
  ASSERT_TRUE(done.Arrived());
  const absl::Duration took = absl::Now() - start;
  EXPECT_GE(took, absl::Milliseconds(250));
  EXPECT_LT(took, absl::Seconds(3));
  EXPECT_EQ(cache(0).stats().ack_timeouts, 1);
  subscriber.Stop();
}

TEST_F(SharedCacheTest, UnreachableRedisNeverHoldsACallerUp) {
  Start(2);
  const int port = harness_.redis().port();
  harness_.redis().Stop();
  ASSERT_TRUE(WaitUntil([&] { return !harness_.replica(0).healthy(); }));
  const absl::Time start = absl::Now();
  const Lookup miss = LookupOn(0, ReadOf("RN11"));
  EXPECT_EQ(miss.outcome, Outcome::kMiss);
  EXPECT_FALSE(miss.version.has_value());
  Delivered<Wake> woken;
  cache(0).AwaitLeader(ReadOf("RN11"), absl::Now() + absl::Seconds(30),
                       woken.Callback());
  ASSERT_TRUE(woken.Arrived());
  EXPECT_EQ(woken.Get(), Wake::kLost);
  Delivered<bool> done;
  cache(0).Invalidate(
      {"rn11"}, absl::Now() + absl::Seconds(30),
      [callback = done.Callback()]() mutable { callback(true); });
  ASSERT_TRUE(done.Arrived());
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
  // Back: connected again, and told to drop everything (messages may have
  // been missed).
  RecordingListener listener;
  cache(1).SetListener(&listener);
  ASSERT_THAT(harness_.redis().Start(port), IsOk());
  ASSERT_TRUE(harness_.WaitHealthy());
  EXPECT_TRUE(WaitUntil([&] { return listener.resyncs() >= 1; }));
  EXPECT_EQ(LookupOn(0, ReadOf("RN11")).outcome, Outcome::kLead);
  cache(1).SetListener(nullptr);
}

TEST_F(SharedCacheTest, WaitOnALeaderIsLostWhenRedisGoes) {
  Start(2);
  const auto read = ReadOf("RN12");
  ASSERT_EQ(LookupOn(0, read).outcome, Outcome::kLead);
  ASSERT_EQ(LookupOn(1, read).outcome, Outcome::kFollow);
  Delivered<Wake> woken;
  cache(1).AwaitLeader(read, absl::Now() + absl::Seconds(30), woken.Callback());
  harness_.redis().Stop();
  ASSERT_TRUE(woken.Arrived());
  EXPECT_EQ(woken.Get(), Wake::kLost);
}

}  // namespace
}  // namespace tracktry::fleet
